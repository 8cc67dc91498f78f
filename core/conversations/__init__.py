"""The SMS conversation with one phone: dialog state, the inbox of texts, abuse rules."""
