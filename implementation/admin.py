"""The secretariat's admin for the implementation years: one module per part
(plans, activities, reporting), each registering its models."""

from . import admin_activities, admin_plans, admin_reporting  # noqa: F401 (they register)
