"""Shared helpers for benchmark scripts.

Every ``bench_*.py`` script runs the same code against either library::

    python benchmarks/bench_x.py --lib albacore [--quick]
    python benchmarks/bench_x.py --lib optuna [--quick]

and prints one JSON line on stdout: ``{"metrics": [{"name", "value", "unit", "better"}]}`` where ``better`` is
"higher" or "lower". ``benchmarks/run.py`` runs each script for both libraries in one run and writes
``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from types import ModuleType
from typing import Literal

__all__ = ["Metric", "emit", "fresh_postgres_database", "own_arguments", "parse_args"]


@dataclass
class Metric:
    """One measured figure."""

    name: str
    value: float
    unit: str
    better: Literal["higher", "lower"]


def parse_args(description: str) -> tuple[ModuleType, bool, argparse.Namespace]:
    """Return (the library imported as ``optuna``, whether to run the quick version, all arguments)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--lib", choices=("albacore", "optuna"), required=True)
    parser.add_argument("--quick", action="store_true", help="a small run, for the smoke tests")
    args = parser.parse_args()
    lib = importlib.import_module(args.lib)
    lib.logging.set_verbosity(lib.logging.WARNING)
    return lib, bool(args.quick), args


def own_arguments(*int_options: str, **str_options: str) -> argparse.Namespace:
    """A script's own options (``--name`` integers default None; strings with their defaults), removed from
    ``sys.argv`` so that :func:`parse_args` sees only the shared ones."""
    parser = argparse.ArgumentParser(add_help=False)
    for name in int_options:
        parser.add_argument(f"--{name}", type=int, default=None)
    for name, default in str_options.items():
        parser.add_argument(f"--{name}", default=default)
    own, rest = parser.parse_known_args()
    sys.argv = [sys.argv[0], *rest]
    return own


def emit(metrics: list[Metric]) -> None:
    """Print the metrics as the one JSON line ``run.py`` reads."""
    sys.stdout.write(json.dumps({"metrics": [asdict(m) for m in metrics]}) + "\n")


@contextmanager
def fresh_postgres_database(base_url: str) -> Iterator[tuple[str, str, str]]:
    """A fresh database: (SQLAlchemy URL, libpq URL of the server's admin database, database name)."""
    import psycopg

    plain = base_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    server, _, _ = plain.rpartition("/")
    try:
        yield f"postgresql+psycopg://{server.removeprefix('postgresql://')}/{name}", plain, name
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
