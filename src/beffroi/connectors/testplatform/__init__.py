"""A test platform standing in for a social network: a real local HTTP service that stores
comments and applies hide / reply / delete … with idempotency keys, and can inject failures.
Used by the replay connector, the workflow's tests and the demo."""

from beffroi.connectors.testplatform.server import TestPlatformServer
from beffroi.connectors.testplatform.store import Fault, PlatformError, PlatformStore, file_store

__all__ = ["Fault", "PlatformError", "PlatformStore", "TestPlatformServer", "file_store"]
