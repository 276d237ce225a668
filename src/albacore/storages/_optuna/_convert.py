"""``albacore storage upgrade --from-optuna``: turn an Optuna database into an albacore one, in place.

Every study is read through the Optuna reader, Optuna's tables are dropped, albacore's are made, and the
studies are written back keeping their study and trial ids. SQLite and PostgreSQL run all of it in one
transaction: a failure leaves the Optuna database as it was. MySQL/MariaDB commit each change of tables on
their own, so there Optuna's tables are first renamed aside (``optuna_old_<name>``), and dropped only once
albacore's tables are filled and committed; a failure moves them back.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from albacore.exceptions import StorageVersionError
from albacore.logging import get_logger
from albacore.storages._optuna._rdb import OptunaRDBReader, optuna_revision, optuna_tables
from albacore.storages._optuna._records import SourceStudy, parse_timezone

__all__ = ["ConversionReport", "convert_optuna_database"]

_logger = get_logger(__name__)

_POSTGRES_ENUMS = ("trialstate", "studydirection", "trialvaluetype", "trialintermediatevaluetype")
_ASIDE = "optuna_old_"


class ConversionReport(NamedTuple):
    """What a conversion did.

    Attributes:
        optuna_revision: The Optuna schema revision the database had.
        albacore_revision: The albacore schema revision it has now.
        studies: How many studies were converted.
        trials: How many trials were converted.
    """

    optuna_revision: str
    albacore_revision: str
    studies: int
    trials: int


def _read_all(conn: sa.Connection, naive_timezone: str) -> tuple[OptunaRDBReader, list[tuple[int, SourceStudy]]]:
    auto = naive_timezone == "auto"
    reader = OptunaRDBReader(conn, None if auto else parse_timezone(naive_timezone), auto_zone=auto)
    ids = dict(
        (str(name), int(study_id))
        for study_id, name in conn.execute(sa.text("SELECT study_id, study_name FROM studies"))
    )
    return reader, [(ids[name], reader.read_study(name)) for name in reader.study_names()]


def _write_all(conn: sa.Connection, studies: list[tuple[int, SourceStudy]]) -> None:
    from albacore.storages.rdb import _models as models
    from albacore.storages.rdb._bulk import advance_sequences, insert_study

    models.metadata.create_all(conn)
    conn.execute(sa.insert(models.alembic_version).values(version_num=models.SCHEMA_HEAD))
    for study_id, study in studies:
        directions = [int(d) for d in study.directions]
        insert_study(conn, study_id, study.name, directions, study.user_attrs, study.system_attrs, study.trials)
    advance_sequences(conn)


def convert_optuna_database(url: str, *, naive_timezone: str = "auto") -> ConversionReport:
    """Convert the Optuna database at ``url`` into an albacore database; Optuna cannot open it afterwards.

    Raises:
        StorageVersionError: The database is not an Optuna database.
    """
    from albacore.storages.rdb import _models as models
    from albacore.storages.rdb._engine import WRITE_OPTION, create_engine, normalize_url

    engine = create_engine(normalize_url(url), None)
    try:
        with engine.connect() as conn:
            revision = optuna_revision(conn)
        if revision is None:
            raise StorageVersionError(
                f"The database {engine.url.render_as_string(hide_password=True)} holds no Optuna storage to convert."
            )
        if engine.dialect.name in ("mysql", "mariadb"):
            studies = _convert_mysql(engine, naive_timezone)
        else:
            with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
                _, studies = _read_all(conn, naive_timezone)
                present = set(sa.inspect(conn).get_table_names())
                for table in optuna_tables():
                    if table in present:
                        conn.execute(sa.text(f"DROP TABLE {table}"))
                if conn.dialect.name == "postgresql":
                    for enum in _POSTGRES_ENUMS:
                        conn.execute(sa.text(f"DROP TYPE IF EXISTS {enum}"))
                _write_all(conn, studies)
    finally:
        engine.dispose()
    return ConversionReport(revision, models.SCHEMA_HEAD, len(studies), sum(len(s.trials) for _, s in studies))


def _convert_mysql(engine: sa.Engine, naive_timezone: str) -> list[tuple[int, SourceStudy]]:
    from albacore.storages.rdb import _models as models

    with engine.connect() as conn:
        _, studies = _read_all(conn, naive_timezone)
        present = [t for t in optuna_tables() if t in set(sa.inspect(conn).get_table_names())]
        conn.rollback()
    renames = ", ".join(f"{t} TO {_ASIDE}{t}" for t in present)
    with engine.begin() as conn:
        conn.execute(sa.text(f"RENAME TABLE {renames}"))  # one atomic statement
    try:
        with engine.begin() as conn:
            _write_all(conn, studies)
    except BaseException:
        _logger.error("The conversion failed; putting Optuna's tables back.")
        with engine.begin() as conn:
            for table in reversed(models.metadata.sorted_tables):
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
            conn.execute(sa.text("RENAME TABLE " + ", ".join(f"{_ASIDE}{t} TO {t}" for t in present)))
        raise
    with engine.begin() as conn:
        for table in present:
            conn.execute(sa.text(f"DROP TABLE {_ASIDE}{table}"))
    return studies
