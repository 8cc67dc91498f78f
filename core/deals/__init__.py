"""Deals: group-buy offers, their deadlines, outcomes and pickup."""
