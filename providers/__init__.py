"""Edge packages, one per outside provider: the only places that import its SDK."""
