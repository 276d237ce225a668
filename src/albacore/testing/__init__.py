"""Conformance suites shipped with albacore, for its own storages and for third-party ones.

They need pytest (``pip install pytest``).
"""

from albacore.testing._storage import StorageTestCase

__all__ = ["StorageTestCase"]
