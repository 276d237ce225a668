"""Relational-database storage: SQLAlchemy tables, Alembic migrations and :class:`RDBStorage`."""

from albacore.storages.rdb._storage import RDBStorage

__all__ = ["RDBStorage"]
