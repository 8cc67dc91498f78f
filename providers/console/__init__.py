"""The console carrier: prints what would be sent, for development and rehearsals."""
