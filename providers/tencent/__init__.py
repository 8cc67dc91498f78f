"""Tencent Cloud SMS (API 2021-01-11): the sender, its client, and what its codes mean."""
