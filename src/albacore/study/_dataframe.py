"""``Study.trials_dataframe``: one row per trial, nested attributes flattened into columns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from albacore._optional import require
from albacore.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd

    from albacore.study._study import Study

__all__ = ["trials_dataframe"]

_NESTED = ("params", "user_attrs", "system_attrs", "intermediate_values")
_KNOWN = (
    "number",
    "value",
    "values",
    "datetime_start",
    "datetime_complete",
    "duration",
    "params",
    "user_attrs",
    "system_attrs",
    "intermediate_values",
    "state",
    "trial_id",
)


def _import_pandas() -> Any:
    return require("pandas", extra="pandas", feature="Study.trials_dataframe")


def trials_dataframe(study: Study, attrs: tuple[str, ...], multi_index: bool) -> pd.DataFrame:
    """Build the DataFrame; see ``Study.trials_dataframe``."""
    pd = _import_pandas()
    for attr in attrs:
        if attr not in _KNOWN:
            raise InvalidArgumentError(f"Unknown attribute {attr!r} in `attrs`; known: {list(_KNOWN)}.")
    trials = study.get_trials(deepcopy=False)
    attrs = tuple(a for a in attrs if a != "trial_id") + (("trial_id",) if "trial_id" in attrs else ())
    multi = len(study.directions) > 1
    metric_names = study.metric_names
    if "value" in attrs and (multi or metric_names):
        attrs = tuple("values" if a == "value" else a for a in attrs)

    rows: list[dict[tuple[str, Any], Any]] = []
    for trial in trials:
        row: dict[tuple[str, Any], Any] = {}
        for attr in attrs:
            if attr in _NESTED:
                nested = getattr(trial, attr)
                for key, value in nested.items():
                    row[(attr, key)] = value  # steps of intermediate values stay integers, as in Optuna
            elif attr == "values":
                names: list[Any] = metric_names or list(range(len(study.directions)))
                for i, name in enumerate(names):
                    row[("values", name)] = None if trial.values is None else trial.values[i]
            elif attr == "state":
                row[("state", "")] = trial.state.name
            else:
                row[(attr, "")] = getattr(trial, attr)
        rows.append(row)

    columns: list[tuple[str, Any]] = []
    seen: set[tuple[str, Any]] = set()
    for attr in attrs:
        keys = sorted({k for r in rows for k in r if k[0] == attr}, key=lambda k: k[1])
        if attr == "values" and rows:
            keys = [k for k in rows[0] if k[0] == "values"]
        if not keys and attr not in _NESTED:
            keys = [(attr, "")]
        for key in keys:
            if key not in seen:
                seen.add(key)
                columns.append(key)
    frame = pd.DataFrame(rows, columns=pd.MultiIndex.from_tuples(columns) if columns else None)
    if not multi_index and columns:
        frame.columns = ["_".join(str(c) for c in col if c != "") for col in columns]
    return frame  # type: ignore[no-any-return]  # pandas is imported lazily, so typed as Any here
