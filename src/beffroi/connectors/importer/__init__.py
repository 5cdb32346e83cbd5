"""importer connector."""
