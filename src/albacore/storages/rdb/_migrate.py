"""Schema versions of RDBStorage: create a new database at the newest revision, refuse others, upgrade."""

from __future__ import annotations

import os

import sqlalchemy as sa

from albacore.exceptions import StorageVersionError
from albacore.storages.rdb import _models as models
from albacore.storages.rdb._engine import WRITE_OPTION, run_with_retries

__all__ = ["all_versions", "current_version", "ensure_schema", "upgrade"]

_ALEMBIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "alembic")
_SCHEMA_LOCK = "albacore_schema"


def _alembic_config(connection: sa.Connection | None = None) -> object:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", _ALEMBIC_DIR)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def all_versions() -> list[str]:
    """Every revision shipped with albacore, newest first (read from the Alembic scripts)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())  # type: ignore[arg-type]
    return [revision.revision for revision in script.walk_revisions()]


def current_version(engine: sa.Engine) -> str | None:
    """The revision the database is at, or None when it has no albacore schema."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(models.alembic_version.name):
            return None
        return conn.execute(sa.select(models.alembic_version.c.version_num)).scalar()


def _lock_schema(conn: sa.Connection) -> None:
    """Serialise schema creation between clients that open a new database at the same moment."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": _SCHEMA_LOCK})
    elif dialect in ("mysql", "mariadb"):
        conn.execute(sa.text("SELECT GET_LOCK(:name, 60)"), {"name": _SCHEMA_LOCK})
    # SQLite: the write transaction was opened with BEGIN IMMEDIATE, which already excludes other writers.


def _unlock_schema(conn: sa.Connection) -> None:
    if conn.dialect.name in ("mysql", "mariadb"):
        conn.execute(sa.text("SELECT RELEASE_LOCK(:name)"), {"name": _SCHEMA_LOCK})


def _upgrade_message(url_text: str, version: str) -> str:
    return (
        f"The storage {url_text} uses schema revision {version!r}, older than this albacore's "
        f"{models.SCHEMA_HEAD!r}. Back up the database, then upgrade it with:\n"
        f"    albacore storage upgrade --storage {url_text}"
    )


def check_version(version: str | None, url_text: str) -> None:
    """Raise StorageVersionError unless ``version`` is the revision this albacore writes."""
    if version == models.SCHEMA_HEAD:
        return
    if version in models.SCHEMA_VERSIONS:
        raise StorageVersionError(_upgrade_message(url_text, version))
    from albacore.storages._optuna._rdb import OPTUNA_REVISIONS

    if version in OPTUNA_REVISIONS:
        from albacore.storages._optuna import optuna_storage_message

        raise StorageVersionError(optuna_storage_message(url_text, f"schema revision {version!r}", database=True))
    raise StorageVersionError(
        f"The storage {url_text} uses schema revision {version!r}, which this albacore does not know; it was "
        f"written by a newer albacore (this one knows {list(models.SCHEMA_VERSIONS)}). Upgrade albacore "
        "(pip install -U albacore) to open it."
    )


def _pre_alembic_optuna_message(url_text: str) -> str:
    return (
        f"The storage {url_text} was made by an Optuna release older than 0.9, which albacore does not read. "
        "Upgrade it with a recent Optuna (optuna storage upgrade --storage URL), then import it with "
        f"albacore storage import --from {url_text} --to sqlite:///albacore.db"
    )


def ensure_schema(engine: sa.Engine, url_text: str, *, create_tables: bool, check: bool) -> None:
    """Create the tables of an empty database (when allowed), then check that the schema revision fits."""

    def attempt() -> str | None:
        with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
            inspector = sa.inspect(conn)
            if inspector.has_table(models.alembic_version.name):
                return conn.execute(sa.select(models.alembic_version.c.version_num)).scalar()
            if not create_tables:
                return None
            _lock_schema(conn)
            try:
                # Another client may have created the schema while this one waited for the lock.
                if not sa.inspect(conn).has_table(models.alembic_version.name):
                    if sa.inspect(conn).has_table(models.studies.name):
                        if sa.inspect(conn).has_table("version_info"):
                            raise StorageVersionError(_pre_alembic_optuna_message(url_text))
                        raise StorageVersionError(
                            f"The storage {url_text} has a `studies` table but no `alembic_version` table; it "
                            "was not made by albacore (or its version table was removed), so it is left alone."
                        )
                    models.metadata.create_all(conn)
                    conn.execute(sa.insert(models.alembic_version).values(version_num=models.SCHEMA_HEAD))
                    return models.SCHEMA_HEAD
                return conn.execute(sa.select(models.alembic_version.c.version_num)).scalar()
            finally:
                _unlock_schema(conn)

    version = run_with_retries(attempt, retry_integrity=True)
    if check and (version is not None or create_tables):
        check_version(version, url_text)


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Run the Alembic revisions from the database's to ``revision`` (an empty database starts from none)."""
    from alembic import command

    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        inspector = sa.inspect(conn)
        if not inspector.has_table(models.alembic_version.name) and inspector.has_table(models.studies.name):
            raise StorageVersionError(
                "The database has albacore tables but no `alembic_version` table; it cannot be upgraded safely."
            )
        if inspector.has_table(models.alembic_version.name):
            version = conn.execute(sa.select(models.alembic_version.c.version_num)).scalar()
            if version not in models.SCHEMA_VERSIONS:
                check_version(version, engine.url.render_as_string(hide_password=True))
        command.upgrade(_alembic_config(conn), revision)  # type: ignore[arg-type]
