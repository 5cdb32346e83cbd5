"""Replay connector: replays recorded payloads and acts on the test platform (tests, demo)."""
