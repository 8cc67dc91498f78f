"""Orders: one per resident and deal, placed by text, keypad or staff."""
