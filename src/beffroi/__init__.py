"""Beffroi: moderation, monitoring and rumour early warning for French communes."""

__version__ = "0.1.0"
