"""Alembic environment of RDBStorage: migrations run on the connection albacore hands over.

``albacore storage upgrade --storage URL`` (or ``RDBStorage(url).upgrade()``) is the way to run them; plain
``alembic`` with ``sqlalchemy.url`` set in its configuration works too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from albacore.storages.rdb._models import metadata


def _run(connection: sa.Connection) -> None:
    # Batch mode lets SQLite, which cannot ALTER most things in place, rebuild tables when a revision needs it.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = sa.create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


# Alembic sets `context.config` while it runs this file; importing it otherwise (test collection) does nothing.
if hasattr(context, "config"):
    _main()
