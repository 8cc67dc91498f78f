"""The committee's books: the money of each deal, short deliveries and quality problems."""
