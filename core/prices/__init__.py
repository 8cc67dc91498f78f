"""The price survey: market prices the survey team records, the deal's market price derived
from them (or set by staff with a note), and what residents saved against it."""
