"""Storages: where studies and trials live (memory, SQL databases, journals)."""

from albacore.storages._base import BaseStorage
from albacore.storages._in_memory import InMemoryStorage
from albacore.storages._url import get_storage
from albacore.storages.journal import JournalStorage

__all__ = ["BaseStorage", "InMemoryStorage", "JournalStorage", "get_storage"]
