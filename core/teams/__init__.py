"""The residents' own teams: who is in them, who leads them, and what they did."""
