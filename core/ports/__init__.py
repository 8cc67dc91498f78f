"""Ports: the small interfaces the core and the channels call, implemented at the edges
(jobs by workers/, senders, call placers and request verification by providers/)."""
