"""Residents: who may order, in which language, and how to reach them."""
