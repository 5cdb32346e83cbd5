"""French training corpus for the moderation engine (see docs/CORPUS.md)."""
