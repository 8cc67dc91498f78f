"""The help inbox: texts and callers that need a person at the committee, and their answers."""
