"""The corpus of residents' texts the SMS reader is measured against (see loader.py)."""
