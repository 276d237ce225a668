"""The module path ``optuna.storages._cached_storage``, kept for code written for Optuna that imports from it."""

from albacore.storages._cached import _CachedStorage

__all__ = ["_CachedStorage"]
