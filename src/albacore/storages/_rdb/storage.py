"""The module path ``optuna.storages._rdb.storage``, kept for code written for Optuna that imports from it."""

from albacore.storages.rdb import RDBStorage

__all__ = ["RDBStorage"]
