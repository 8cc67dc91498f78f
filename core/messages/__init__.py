"""Messages: the log of every text in and out, and the outbox of what is to be sent."""
