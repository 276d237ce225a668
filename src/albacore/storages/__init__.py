"""Storages: where studies and trials live (memory, SQL databases, journals)."""

from albacore.storages._base import BaseStorage
from albacore.storages._in_memory import InMemoryStorage
from albacore.storages._url import get_storage

__all__ = ["BaseStorage", "InMemoryStorage", "get_storage"]
