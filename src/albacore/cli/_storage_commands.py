"""``albacore storage ...``: commands on the storage itself (schema upgrades)."""

from __future__ import annotations

import argparse
import sys

from albacore.cli._common import storage_url
from albacore.cli._registry import Command, register
from albacore.exceptions import CLIUsageError

__all__: list[str] = []


def _upgrade(args: argparse.Namespace) -> int:
    from albacore.storages.rdb import RDBStorage
    from albacore.storages.rdb._engine import normalize_url

    url = storage_url(args)
    try:
        backend = normalize_url(url).get_backend_name()
    except ValueError as err:
        raise CLIUsageError(str(err)) from err
    if backend not in ("sqlite", "postgresql", "mysql", "mariadb"):
        raise CLIUsageError(f"`storage upgrade` works on database storages (sqlite, postgresql, mysql), got {url!r}.")
    storage = RDBStorage(url, skip_compatibility_check=True)
    try:
        before = storage.get_current_version()
        storage.upgrade()
        after = storage.get_current_version()
    finally:
        storage.close()
    if before == after:
        sys.stdout.write(f"The storage is already at the newest schema revision ({after}).\n")
    else:
        sys.stdout.write(f"Upgraded the storage schema from revision {before} to {after}.\n")
    return 0


register(
    Command(
        path=("storage", "upgrade"),
        help="Upgrade the schema of a database storage to the newest revision (back it up first).",
        configure=lambda parser: None,
        run=_upgrade,
    )
)
