"""Reminders: which are due, and staff bulk reminders (see services.py)."""
