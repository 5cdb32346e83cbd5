"""instagram connector."""
