"""What the ``albacore`` commands share: finding the storage and printing records as a table, JSON or YAML."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from albacore.exceptions import CLIUsageError
from albacore.storages._base import BaseStorage
from albacore.trial._frozen import FrozenTrial

__all__ = ["FORMATS", "STORAGE_ENV_VARS", "emit", "open_storage", "storage_url", "trial_record"]

STORAGE_ENV_VARS = ("ALBACORE_STORAGE", "OPTUNA_STORAGE")
FORMATS = ("table", "json", "yaml")


def storage_url(args: argparse.Namespace) -> str:
    """The storage URL from ``--storage``, else from ALBACORE_STORAGE, else from OPTUNA_STORAGE."""
    url = getattr(args, "storage", None)
    for variable in STORAGE_ENV_VARS:
        if url:
            break
        url = os.environ.get(variable)
    if not url:
        raise CLIUsageError(
            "No storage given: pass --storage URL (e.g. --storage sqlite:///study.db) or set ALBACORE_STORAGE."
        )
    return str(url)


def open_storage(args: argparse.Namespace) -> BaseStorage:
    """The storage the command works on."""
    from albacore.storages import get_storage

    url = storage_url(args)
    try:
        return get_storage(url)
    except ImportError as err:
        raise CLIUsageError(str(err)) from err


def _plain(value: Any) -> Any:
    """A value as JSON and YAML can write it (datetimes as ISO text, enums by name)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.timedelta):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def trial_record(trial: FrozenTrial) -> dict[str, Any]:
    """The fields of a trial that the commands print."""
    record: dict[str, Any] = {"number": trial.number}
    if trial.values is not None and len(trial.values) == 1:
        record["value"] = trial.values[0]
    else:
        record["values"] = trial.values
    record.update(
        datetime_start=trial.datetime_start,
        datetime_complete=trial.datetime_complete,
        duration=trial.duration,
        params=trial.params,
        user_attrs=trial.user_attrs,
        state=trial.state.name,
    )
    return record


def _flatten(record: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict) and key in ("params", "user_attrs", "system_attrs"):
            for inner, item in value.items():
                flat[f"{key}_{inner}"] = item
        else:
            flat[key] = value
    return flat


def _table(records: Sequence[dict[str, Any]]) -> str:
    rows = [_flatten(r) for r in records]
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    if not columns:
        return ""
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(values: Sequence[str], numeric: Sequence[bool]) -> str:
        parts = [v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)]
        return "| " + " | ".join(parts) + " |"

    numeric = [all(_is_number(row.get(c)) for row in rows if row.get(c) is not None) for c in columns]
    out = [rule, line(columns, [False] * len(columns)), rule]
    out += [line(r, numeric) for r in cells]
    out.append(rule)
    return "\n".join(out)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dict, list)):
        return json.dumps(_plain(value), ensure_ascii=False)
    return str(value)


def emit(records: Sequence[dict[str, Any]] | dict[str, Any], fmt: str, out: TextIO | None = None) -> None:
    """Print ``records`` (a list, or one record) in ``fmt``: table, json or yaml."""
    stream = out if out is not None else sys.stdout
    if fmt == "json":
        stream.write(json.dumps(_plain(records), indent=2, ensure_ascii=False) + "\n")
    elif fmt == "yaml":
        import yaml

        stream.write(yaml.safe_dump(_plain(records), sort_keys=False, allow_unicode=True))
    else:
        text = _table([records] if isinstance(records, dict) else records)
        if text:
            stream.write(text + "\n")
