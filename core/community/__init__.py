"""Communities (the residents' committees we serve) and their suppliers."""
