"""Admin of the implementation years: activities (issue 17)."""
