"""Connectors: one folder per platform (``connectors/<platform>/``), all behind the interface in
``base.py`` and registered in ``registry.py``."""
