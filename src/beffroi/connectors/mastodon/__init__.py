"""Mastodon connector (any instance, through Mastodon.py)."""
