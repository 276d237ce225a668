"""``albacore storage ...``: commands on the storage itself (schema upgrades, importing Optuna storages)."""

from __future__ import annotations

import argparse
import sys

from albacore.cli._common import resolve_url, storage_url
from albacore.cli._output import emit
from albacore.cli._registry import Command, describe_group, register
from albacore.exceptions import CLIUsageError

__all__: list[str] = []

_FROM_OPTUNA_WARNING = (
    "This converts the Optuna database {url} into an albacore database in place: Optuna can no longer open it "
    "afterwards. Back it up first (or use `albacore storage import`, which leaves it untouched), then run the "
    "command again with --yes."
)


def _database_backend(url: str, command: str) -> str:
    from albacore.storages.rdb._engine import normalize_url

    try:
        backend = normalize_url(url).get_backend_name()
    except (ValueError, ImportError) as err:
        raise CLIUsageError(str(err)) from err
    if backend not in ("sqlite", "postgresql", "mysql", "mariadb"):
        raise CLIUsageError(f"`{command}` works on database storages (sqlite, postgresql, mysql), got {url!r}.")
    return backend


def _configure_upgrade(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from-optuna", action="store_true", help="convert an Optuna database in place (Optuna cannot open it after)"
    )
    parser.add_argument("--yes", action="store_true", help="with --from-optuna: confirm the conversion")
    parser.add_argument(
        "--naive-timezone",
        default="auto",
        help="with --from-optuna: time zone of the database's datetimes (default: auto; see `storage import`)",
    )


def _upgrade(args: argparse.Namespace) -> int:
    from albacore.storages._optuna._rdb import OPTUNA_REVISIONS
    from albacore.storages.rdb import RDBStorage, _migrate

    url = resolve_url(storage_url(args))
    _database_backend(url, "storage upgrade")
    if args.from_optuna:
        return _upgrade_from_optuna(url, args)
    storage = RDBStorage(url, skip_compatibility_check=True)
    try:
        before = storage.get_current_version()
        # RDBStorage.upgrade() converts an Optuna database, as Optuna's upgrade migrates one; the command does
        # that only when told to, with --from-optuna --yes, and otherwise names the ways forward.
        if before in OPTUNA_REVISIONS:
            _migrate.check_version(before, url)  # raises StorageVersionError naming both ways
        storage.upgrade()
        after = storage.get_current_version()
    finally:
        storage.close()
    if before == after:
        sys.stdout.write(f"The storage is already at the newest schema revision ({after}).\n")
    else:
        sys.stdout.write(f"Upgraded the storage schema from revision {before} to {after}.\n")
    return 0


def _upgrade_from_optuna(url: str, args: argparse.Namespace) -> int:
    from albacore.storages._optuna import convert_optuna_database

    if not args.yes:
        raise CLIUsageError(_FROM_OPTUNA_WARNING.format(url=url))
    report = convert_optuna_database(url, naive_timezone=args.naive_timezone)
    sys.stdout.write(
        f"Converted the Optuna database (schema revision {report.optuna_revision}) into an albacore database "
        f"(revision {report.albacore_revision}): {report.studies} studies, {report.trials} trials. Optuna can no "
        "longer open it.\n"
    )
    return 0


def _configure_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="from_url",
        required=True,
        help="the Optuna storage: a database URL, journal:///path/to/journal.log, or redis://host:6379/0[?prefix=P]",
    )
    parser.add_argument("--to", dest="to_url", required=True, help="the albacore storage to copy the studies into")
    parser.add_argument(
        "--study-name",
        dest="study_names",
        action="append",
        default=None,
        help="import only this study (repeat for several; default: every study)",
    )
    parser.add_argument(
        "--update", action="store_true", help="bring studies imported before up to date instead of skipping them"
    )
    parser.add_argument(
        "--naive-timezone",
        default="auto",
        help="time zone of datetimes the source stored without one: auto (UTC for databases made by Optuna 5 or "
        "later, local time otherwise), local, UTC, +09:00 or Asia/Tokyo",
    )
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")


def _import(args: argparse.Namespace) -> int:
    from albacore.storages._optuna import import_optuna_storage

    if args.from_url == args.to_url:
        raise CLIUsageError(
            "--from and --to are the same storage; to turn an Optuna database into an albacore one in place, run "
            f"`albacore storage upgrade --storage {args.from_url} --from-optuna`."
        )
    try:
        outcomes = import_optuna_storage(
            args.from_url,
            args.to_url,
            study_names=args.study_names,
            update=args.update,
            naive_timezone=args.naive_timezone,
            show_progress_bar=not args.no_progress,
        )
    except ImportError as err:
        raise CLIUsageError(str(err)) from err
    emit(
        [
            {"study": o.name, "action": o.action, "trials_written": o.trials_written, "conflicts": o.conflicts}
            for o in outcomes
        ],
        args.format,
    )
    return 1 if any(o.conflicts for o in outcomes) else 0


describe_group(("storage",), "Work on a storage: upgrade its schema, import an Optuna storage, repair a journal.")
register(
    Command(
        path=("storage", "upgrade"),
        help="Upgrade the schema of a database storage to the newest revision (back it up first), or convert an "
        "Optuna database with --from-optuna.",
        configure=_configure_upgrade,
        run=_upgrade,
    )
)
register(
    Command(
        path=("storage", "import"),
        help="Copy the studies of an Optuna storage (database, journal file, Redis journal) into an albacore "
        "storage, leaving it untouched; rerun to skip what was imported, or with --update to catch up.",
        configure=_configure_import,
        run=_import,
        output=True,
    )
)
