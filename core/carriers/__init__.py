"""Mainland carriers (Aliyun, Tencent Cloud): a community's account with each, and its templates."""
