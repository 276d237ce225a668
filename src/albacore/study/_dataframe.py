"""``Study.trials_dataframe``: one row per trial, nested attributes flattened into columns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from albacore._optional import require
from albacore.exceptions import InvalidArgumentError
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    import pandas as pd

    from albacore.study._study import Study

__all__ = ["trials_dataframe"]

_SCALAR = ""
"""The second level of a column whose attribute is not nested (``("number", "")``)."""


def _import_pandas() -> Any:
    return require("pandas", extra="pandas", feature="Study.trials_dataframe")


def _column_of(attr: str) -> str:
    """The column of a FrozenTrial attribute: a leading underscore is dropped (``_trial_id`` -> ``trial_id``)."""
    return attr[1:] if attr.startswith("_") else attr


def trials_dataframe(study: Study, attrs: tuple[str, ...], multi_index: bool) -> pd.DataFrame:
    """Build the DataFrame; see ``Study.trials_dataframe``.

    ``attrs`` name attributes of :class:`~albacore.trial.FrozenTrial`: dicts (``params``, ``distributions``,
    ``user_attrs``, ...) become one column per key, ``values`` one column per objective (named by
    ``set_metric_names``, else numbered), states their names.
    """
    pd = _import_pandas()
    for attr in attrs:
        if attr.startswith("__") or not hasattr(FrozenTrial, attr):
            raise InvalidArgumentError(f"`attrs` names attributes of FrozenTrial; it has no {attr!r}.")
    trials = study.get_trials(deepcopy=False)
    if not trials:
        return pd.DataFrame()  # type: ignore[no-any-return]  # pandas is imported lazily, so typed as Any
    metric_names = study.metric_names
    if "value" in attrs and len(study.directions) > 1:
        attrs = tuple("values" if a == "value" else a for a in attrs)
    objectives: list[Any] = list(metric_names) if metric_names else list(range(len(study.directions)))

    rows: list[dict[tuple[str, Any], Any]] = []
    seen: dict[str, set[tuple[str, Any]]] = {attr: set() for attr in attrs}
    for trial in trials:
        row: dict[tuple[str, Any], Any] = {}
        for attr in attrs:
            column = _column_of(attr)
            value = getattr(trial, attr)
            if attr == "values":
                values = value if value is not None else [None] * len(objectives)
                cells: dict[tuple[str, Any], Any] = {(column, k): v for k, v in zip(objectives, values, strict=False)}
            elif attr == "value":
                cells = {(column, metric_names[0] if metric_names else _SCALAR): value}
            elif isinstance(value, dict):
                cells = {(column, key): v for key, v in value.items()}
            elif isinstance(value, list):
                cells = {(column, i): v for i, v in enumerate(value)}
            else:
                cells = {(column, _SCALAR): value.name if isinstance(value, TrialState) else value}
            row.update(cells)
            seen[attr].update(cells)
        rows.append(row)

    columns: list[tuple[str, Any]] = []
    for attr in dict.fromkeys(attrs):
        if attr == "values":
            columns += [(_column_of(attr), k) for k in objectives]  # in objective order, not sorted
        else:
            columns += sorted(seen[attr], key=lambda key: key[1])
    frame = pd.DataFrame(rows, columns=pd.MultiIndex.from_tuples(columns) if columns else None)
    if not multi_index and columns:
        frame.columns = ["_".join(str(part) for part in col if part != _SCALAR) for col in columns]
    return frame  # type: ignore[no-any-return]  # pandas is imported lazily, so typed as Any here
