"""Demo data for the fictional commune Saint-Aubin-sur-Loire (see docs/CORPUS.md)."""
