"""What the staff console needs from the core beyond the other packages: login limits,
dashboard figures, resident search and editing, the message log, import runs."""
