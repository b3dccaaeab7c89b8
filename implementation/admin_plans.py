"""Admin of the implementation years: plans (issue 17)."""
