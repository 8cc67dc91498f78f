"""One text per new deal to residents who asked for it, in the daytime, capped weekly."""
