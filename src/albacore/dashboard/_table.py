"""The trial table: rows as JSON, numeric sorting, filters on any column, and windows of the result.

Columns are named ``number``, ``state``, ``values.I`` (objective I), ``params.NAME``, ``user_attrs.KEY``,
``datetime_start``, ``datetime_complete`` and ``duration``. Sorting puts numbers in numeric order, then text,
and cells without a value last in either direction. A filter is ``{"column": ..., "op": ..., "value": ...}``
with op one of ``= != < <= > >= contains in exists missing``; a number compares numerically when the cell
holds a number.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from albacore.exceptions import InvalidArgumentError
from albacore.trial import FrozenTrial

__all__ = ["TableOrders", "cell_getter", "jsonable", "parse_filters", "trial_row"]

_MISSING: Any = object()
_OPS = ("=", "!=", "<", "<=", ">", ">=", "contains", "in", "exists", "missing")


def jsonable(value: Any) -> Any:
    """``value`` with infinities and NaN as the strings JSON lacks numbers for ("inf", "-inf", "nan")."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if value != value else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _seconds(trial: FrozenTrial) -> float | None:
    duration = trial.duration
    return None if duration is None else duration.total_seconds()


def trial_row(trial: FrozenTrial) -> dict[str, Any]:
    """The fields of a trial that the table shows, JSON-ready."""
    return {
        "number": trial.number,
        "state": trial.state.name,
        "values": jsonable(trial.values),
        "params": jsonable(trial.params),
        "user_attrs": jsonable(trial.user_attrs),
        "datetime_start": None if trial.datetime_start is None else trial.datetime_start.timestamp(),
        "datetime_complete": None if trial.datetime_complete is None else trial.datetime_complete.timestamp(),
        "duration": _seconds(trial),
    }


def cell_getter(column: str) -> Callable[[FrozenTrial], Any]:
    """A function reading ``column`` from a trial (``_MISSING`` when the trial has no such cell)."""
    kind, _, name = column.partition(".")
    if column == "number":
        return lambda t: t.number
    if column == "state":
        return lambda t: t.state.name
    if column == "duration":
        return lambda t: _MISSING if t.duration is None else t.duration.total_seconds()
    if column in ("datetime_start", "datetime_complete"):

        def moment(t: FrozenTrial) -> Any:
            value = getattr(t, column)
            return _MISSING if value is None else value.timestamp()

        return moment
    if kind == "values" and name.isdigit():
        index = int(name)
        return lambda t: t.values[index] if t.values is not None and index < len(t.values) else _MISSING
    if kind == "params" and name:
        return lambda t: t.params.get(name, _MISSING)
    if kind == "user_attrs" and name:
        return lambda t: t.user_attrs.get(name, _MISSING)
    raise InvalidArgumentError(
        "A table column must be number, state, values.I, params.NAME, user_attrs.KEY, datetime_start, "
        f"datetime_complete or duration, got {column!r}."
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _sort_key(value: Any) -> tuple[int, Any]:
    if _is_number(value):
        return (0, float(value))
    if isinstance(value, bool):
        return (0, float(value))
    if isinstance(value, str):
        return (1, value)
    return (1, json.dumps(value, sort_keys=True, default=str))


def _absent(value: Any) -> bool:
    return value is _MISSING or value is None or (isinstance(value, float) and value != value)


def _number(text: Any) -> float | None:
    if _is_number(text):
        return float(text)
    try:
        return float(str(text))
    except ValueError:
        return None


def _predicate(spec: Any) -> Callable[[FrozenTrial], bool]:
    if not isinstance(spec, dict) or not isinstance(spec.get("column"), str) or spec.get("op") not in _OPS:
        raise InvalidArgumentError(
            f'A filter must be {{"column": NAME, "op": one of {_OPS}, "value": ...}}, got {spec!r}.'
        )
    get, op, wanted = cell_getter(spec["column"]), str(spec["op"]), spec.get("value")
    if op == "exists":
        return lambda t: not _absent(get(t))
    if op == "missing":
        return lambda t: _absent(get(t))
    if op == "in":
        if not isinstance(wanted, list):
            raise InvalidArgumentError(f"The 'in' filter takes a list of values, got {wanted!r}.")
        choices = {str(v) for v in wanted}
        return lambda t: not _absent(get(t)) and str(get(t)) in choices
    if op == "contains":
        needle = str(wanted).lower()
        return lambda t: not _absent(get(t)) and needle in str(get(t)).lower()
    number = _number(wanted)
    compare: Callable[[Any, Any], bool] = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }[op]

    def matches(trial: FrozenTrial) -> bool:
        value = get(trial)
        if _absent(value):
            return op == "!="
        if number is not None and (_is_number(value) or isinstance(value, bool)):
            return bool(compare(float(value), number))
        if op in ("=", "!="):
            return bool(compare(str(value), str(wanted)))
        return bool(compare(str(value), str(wanted))) if isinstance(value, str) else False

    return matches


def parse_filters(text: str | None) -> list[Any]:
    """The filters of a request (a JSON list), checked; an empty list for none."""
    if not text:
        return []
    try:
        specs = json.loads(text)
    except ValueError:
        raise InvalidArgumentError(f"`filters` must be a JSON list of filters, got {text[:200]!r}.") from None
    if not isinstance(specs, list):
        raise InvalidArgumentError(f"`filters` must be a JSON list of filters, got {specs!r}.")
    for spec in specs:
        _predicate(spec)
    return specs


def _order(trials: Sequence[FrozenTrial], sort: str, descending: bool, filters: list[Any]) -> list[int]:
    predicates = [_predicate(spec) for spec in filters]
    kept = [t for t in trials if all(p(t) for p in predicates)] if predicates else list(trials)
    if sort == "number":
        numbers = [t.number for t in kept]
        return numbers[::-1] if descending else numbers
    get = cell_getter(sort)
    cells = [(get(t), t.number) for t in kept]
    present = [(v, n) for v, n in cells if not _absent(v)]
    absent = [n for v, n in cells if _absent(v)]
    present.sort(key=lambda vn: (_sort_key(vn[0]), vn[1]), reverse=descending)
    return [n for _, n in present] + absent


class TableOrders:
    """Sorted, filtered trial numbers of a study, kept for the last few views asked for at a study version.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> for x in (3.0, 10.0, 2.0):
        ...     study.enqueue_trial({"x": x})
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 20), n_trials=3)
        >>> TableOrders().numbers(("s", 1), study.trials, sort="params.x", descending=False, filters=[])
        [2, 0, 1]
    """

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._orders: OrderedDict[tuple[Any, ...], list[int]] = OrderedDict()

    def numbers(
        self, key: tuple[Any, ...], trials: Sequence[FrozenTrial], *, sort: str, descending: bool, filters: list[Any]
    ) -> list[int]:
        """The numbers of the trials that pass ``filters``, in the order ``sort`` gives.

        ``key`` names the study and its version: a changed study gets a new key, and so a fresh order.
        """
        full = (*key, sort, descending, json.dumps(filters, sort_keys=True))
        order = self._orders.get(full)
        if order is None:
            order = _order(trials, sort, descending, filters)
            self._orders[full] = order
            while len(self._orders) > self._size:
                self._orders.popitem(last=False)
        else:
            self._orders.move_to_end(full)
        return order
