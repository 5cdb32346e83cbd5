"""facebook connector."""
