"""What came in through the spool while the database was down, as staff read it back."""
