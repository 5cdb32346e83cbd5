"""Bluesky connector (AT Protocol, through the ``atproto`` SDK)."""
