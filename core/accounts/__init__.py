"""Staff logins and the audit log of what they did."""
