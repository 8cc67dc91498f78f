"""Aliyun SMS (dysmsapi 2017-05-25): the sender, its client, and what its codes mean."""
