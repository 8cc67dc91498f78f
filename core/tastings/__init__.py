"""Tastings before a deal opens and the question after pickup: residents' scores."""
