"""How the ``albacore`` commands print records: ``-f value|table|json|yaml``, nested or ``--flatten``-ed.

A command gives its records as dicts and names its columns. A *nested* column holds a dict (a trial's
``params``) that ``--flatten`` spreads into one column per key (``params_x``); any other column that holds a
list or tuple (a study's ``direction``) is spread by position (``direction_0``). In a table and in the value
format a cell is the Python text of its value, so a dict cell reads back with ``ast.literal_eval``; JSON and
YAML keep the structure. Datetimes print to the second, as ``2026-12-03 14:05:09``, in every format.

Example:
    >>> rows = [{"number": 0, "params": {"x": 0.5}}, {"number": 1, "params": {"x": 2.0, "y": "a"}}]
    >>> columns = [Column("number"), Column("params", nested=True)]
    >>> print(render(rows, columns, "table", flatten=True))
    +--------+----------+----------+
    | number | params_x | params_y |
    +--------+----------+----------+
    |      0 |      0.5 |          |
    |      1 |      2.0 | a        |
    +--------+----------+----------+
"""

from __future__ import annotations

import datetime
import enum
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

__all__ = ["DATETIME_FORMAT", "FORMATS", "Column", "emit", "render"]

FORMATS = ("value", "table", "json", "yaml")
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Column:
    """A column of a command's output.

    Attributes:
        name: The key of the value in each record.
        nested: The value is a dict whose keys ``--flatten`` turns into columns ``<name>_<key>``.
    """

    name: str
    nested: bool = False


def _printable(value: Any) -> Any:
    """``value`` with datetimes, durations and enums as text; containers keep their type (tuples stay tuples,
    so that a table cell reads as the tuple it is)."""
    if isinstance(value, datetime.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, datetime.timedelta):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_printable(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_printable(item) for item in value)
    return value


def _as_data(value: Any) -> Any:
    """A printable value as JSON and YAML hold it: tuples become lists, keys become text."""
    if isinstance(value, dict):
        return {str(key): _as_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_data(item) for item in value]
    return value


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _layout(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    flatten: bool,
    header_rows: Sequence[Mapping[str, Any]],
) -> tuple[list[str], list[dict[str, Any]]]:
    """The header and the records as they print: nested, or spread into one column per key or position.

    ``header_rows`` decide which flattened columns exist (a best trial's table keeps a column for a parameter that
    only other trials have); a flattened record holds only the keys it has a value for.
    """
    header: list[str] = []
    if not flatten:
        header = [column.name for column in columns]
        # A nested column is there even when empty (`"params": {}`), so that scripts can rely on it.
        records = [
            {c.name: _printable(row.get(c.name, {})) for c in columns if c.name in row or c.nested} for row in rows
        ]
        return header, records

    spread = {c.name for c in columns if not c.nested and any(_is_sequence(r.get(c.name)) for r in header_rows)}
    for column in columns:
        if column.nested:
            keys: dict[str, None] = {}
            for row in header_rows:
                keys.update(dict.fromkeys(str(key) for key in row.get(column.name) or {}))
            header += [f"{column.name}_{key}" for key in keys]
        elif column.name in spread:
            width = max((len(r[column.name]) for r in header_rows if _is_sequence(r.get(column.name))), default=0)
            header += [f"{column.name}_{i}" for i in range(width)]
        else:
            header.append(column.name)
    records = []
    for row in rows:
        record: dict[str, Any] = {}
        for column in columns:
            if column.name not in row:
                continue
            value = _printable(row[column.name])
            if column.nested:
                record.update({f"{column.name}_{key}": item for key, item in (value or {}).items()})
            elif column.name in spread:
                record.update({f"{column.name}_{i}": item for i, item in enumerate(value or ())})
            else:
                record[column.name] = value
        records.append(record)
    return header, records


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float))


def _table(header: Sequence[str], records: Sequence[Mapping[str, Any]]) -> str:
    cells = [[_cell(record.get(name)) for name in header] for record in records]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(header)]
    # A column of numbers (blanks aside) is right-aligned, header included, so that digits line up.
    numeric = [
        all(_is_number(r[name]) for r in records if r.get(name) is not None) and any(name in r for r in records)
        for name in header
    ]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)]
        return "| " + " | ".join(parts) + " |"

    rule = "+" + "+".join("-" * (width + 2) for width in widths) + "+"
    return "\n".join([rule, line(header), rule, *(line(row) for row in cells), rule])


def render(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    fmt: str,
    *,
    flatten: bool = False,
    single: bool = False,
    header_rows: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """The text of ``rows`` in ``fmt`` (``value``, ``table``, ``json`` or ``yaml``), without a final newline.

    Args:
        rows: The records, one dict per row.
        columns: The columns to print, in order.
        fmt: The output format.
        flatten: Spread nested dicts and sequences into one column per key or position.
        single: The command shows one record: JSON and YAML print it as an object rather than a list.
        header_rows: The records that decide the flattened columns (default: ``rows``).
    """
    header, records = _layout(rows, columns, flatten, rows if header_rows is None else header_rows)
    if fmt == "json":
        data = _as_data(records[0] if single and records else records)
        return json.dumps(data, ensure_ascii=False)
    if fmt == "yaml":
        import yaml

        data = _as_data(records[0] if single and records else records)
        return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True)).rstrip("\n")
    if fmt == "table":
        return _table(header, records)
    if fmt == "value":
        return "\n".join(" ".join(_cell(record.get(name)) for name in header) for record in records)
    raise ValueError(f"Unknown output format {fmt!r}; expected one of {FORMATS}.")


def emit(
    rows: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    fmt: str,
    columns: Sequence[Column] | None = None,
    *,
    flatten: bool = False,
    header_rows: Sequence[Mapping[str, Any]] | None = None,
    out: TextIO | None = None,
) -> None:
    """Print ``rows`` (a list of records, or one record) in ``fmt``; the columns default to the records' keys."""
    single = isinstance(rows, Mapping)
    listed: Sequence[Mapping[str, Any]] = [rows] if isinstance(rows, Mapping) else rows
    if columns is None:
        names: dict[str, None] = {}
        for row in listed:
            names.update(dict.fromkeys(row))
        columns = [Column(name) for name in names]
    text = render(listed, columns, fmt, flatten=flatten, single=single, header_rows=header_rows)
    stream = out if out is not None else sys.stdout
    if text or fmt in ("json", "yaml"):
        stream.write(text + "\n")
