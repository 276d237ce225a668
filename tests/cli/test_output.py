"""How the commands print records: the four formats, nested and flattened columns."""

from __future__ import annotations

import ast
import datetime
import json

import pytest
import yaml

from albacore.cli._output import Column, render

ROWS = [
    {
        "number": 0,
        "value": 1.5,
        "start": datetime.datetime(2026, 1, 2, 3, 4, 5, 678000),
        "took": datetime.timedelta(seconds=1.25),
        "params": {"x": 0.5, "c": "a"},
        "direction": ("MINIMIZE",),
    },
    {
        "number": 10,
        "value": None,
        "start": None,
        "took": None,
        "params": {"y": "long text"},
        "direction": ("MINIMIZE", "MAXIMIZE"),
    },
]
COLUMNS = [
    Column("number"),
    Column("value"),
    Column("start"),
    Column("took"),
    Column("params", nested=True),
    Column("direction"),
]


def _parse_table(text: str) -> tuple[list[str], list[list[str]]]:
    lines = text.split("\n")
    assert lines[0] == lines[2] == lines[-1] and set(lines[0]) == {"+", "-"}
    assert len({len(line) for line in lines}) == 1
    header = [cell.strip() for cell in lines[1].split("|")[1:-1]]
    return header, [[cell.strip() for cell in line.split("|")[1:-1]] for line in lines[3:-1]]


def test_table_nested() -> None:
    text = render(ROWS, COLUMNS, "table")
    header, cells = _parse_table(text)
    assert header == ["number", "value", "start", "took", "params", "direction"]
    assert cells[0][:4] == ["0", "1.5", "2026-01-02 03:04:05", "0:00:01.250000"]
    assert ast.literal_eval(cells[0][4]) == {"x": 0.5, "c": "a"}
    assert ast.literal_eval(cells[1][5]) == ("MINIMIZE", "MAXIMIZE")
    assert cells[1][:4] == ["10", "", "", ""]
    # Numbers are right-aligned, text left-aligned.
    body = text.split("\n")[3]
    assert "|      0 |" in body and "| 2026-01-02 03:04:05 |" in body


def test_table_flattened_spreads_dicts_by_key_and_sequences_by_position() -> None:
    header, cells = _parse_table(render(ROWS, COLUMNS, "table", flatten=True))
    assert header == [
        "number",
        "value",
        "start",
        "took",
        "params_x",
        "params_c",
        "params_y",
        "direction_0",
        "direction_1",
    ]
    assert cells[0][4:] == ["0.5", "a", "", "MINIMIZE", ""]
    assert cells[1][4:] == ["", "", "long text", "MINIMIZE", "MAXIMIZE"]


def test_value_format_is_the_table_cells_joined_by_spaces() -> None:
    for flatten in (False, True):
        _, cells = _parse_table(render(ROWS, COLUMNS, "table", flatten=flatten))
        lines = render(ROWS, COLUMNS, "value", flatten=flatten).split("\n")
        assert lines == [" ".join(row) for row in cells]


def test_json_and_yaml_keep_structure() -> None:
    for fmt, load in (("json", json.loads), ("yaml", yaml.safe_load)):
        records = load(render(ROWS, COLUMNS, fmt))
        assert records[0] == {
            "number": 0,
            "value": 1.5,
            "start": "2026-01-02 03:04:05",
            "took": "0:00:01.250000",
            "params": {"x": 0.5, "c": "a"},
            "direction": ["MINIMIZE"],
        }
        flat = load(render(ROWS, COLUMNS, fmt, flatten=True))
        # A flattened record holds only the keys it has values for.
        assert set(flat[0]) == {"number", "value", "start", "took", "params_x", "params_c", "direction_0"}
        assert flat[1]["params_y"] == "long text" and flat[1]["direction_1"] == "MAXIMIZE"
        single = load(render(ROWS[:1], COLUMNS, fmt, single=True))
        assert single["number"] == 0


def test_header_rows_decide_the_flattened_columns() -> None:
    header, cells = _parse_table(render(ROWS[:1], COLUMNS, "table", flatten=True, header_rows=ROWS))
    assert "params_y" in header and "direction_1" in header and len(cells) == 1
    assert cells[0][header.index("params_y")] == ""


def test_empty_output() -> None:
    header, cells = _parse_table(render([], COLUMNS, "table"))
    assert header == [c.name for c in COLUMNS] and cells == []
    assert json.loads(render([], COLUMNS, "json")) == []
    assert render([], COLUMNS, "value") == ""


def test_nested_columns_are_there_when_empty_unless_flattened() -> None:
    rows = [{"number": 3, "params": {}}]
    columns = [Column("number"), Column("params", nested=True)]
    assert json.loads(render(rows, columns, "json", single=True)) == {"number": 3, "params": {}}
    assert json.loads(render(rows, columns, "json", single=True, flatten=True)) == {"number": 3}
    assert render(rows, columns, "value", flatten=True) == "3"


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="csv"):
        render(ROWS, COLUMNS, "csv")
