"""Circulations, receipts, meetings, decisions and notifications (later issues)."""
