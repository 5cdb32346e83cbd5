"""A pytest plugin loaded first (``-p beffroi.testing_env`` in pyproject): it sets the test
environment before Django's settings are read, so tests never touch ./var."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("BEFFROI_DATA_DIR", tempfile.mkdtemp(prefix="beffroi-test-"))
os.environ.setdefault("BEFFROI_TASKS_EAGER", "1")
os.environ.setdefault("BEFFROI_EMAIL_HOST", "")
# The tests' platforms are local servers (test platform, fake Graph API, fake Mastodon, AT Protocol
# dev-env): let connectors reach 127.0.0.1. The guard's own tests turn it off (connectors.urlguard).
os.environ.setdefault("BEFFROI_CONNECTORS_ALLOW_PRIVATE_HOSTS", "1")
