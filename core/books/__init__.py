"""The committee's books: the pickup desk, the ledger, short deliveries (issue 13)."""
