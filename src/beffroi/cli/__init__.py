"""The `beffroi` command line."""
