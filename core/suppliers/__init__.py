"""The supplier directory: farm bases, wholesalers and brand firms, and the teams' visits."""
