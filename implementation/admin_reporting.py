"""Admin of the implementation years: reporting (issue 17)."""
