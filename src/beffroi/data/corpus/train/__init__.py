"""Training files: one JSON object per line, see docs/CORPUS.md."""
