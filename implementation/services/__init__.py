"""Writes of the implementation years: one module per feature
(``plans``, ``activities``, ``reporting``)."""
