"""Phone calls: the record of each call and the call-me-back promise made to a resident."""
