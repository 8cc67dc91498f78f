"""Pytest plugins shared by the test tiers."""
