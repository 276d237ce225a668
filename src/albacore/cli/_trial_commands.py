"""``albacore trials``, ``best-trial`` and ``best-trials``: a study's trials as a table, JSON or YAML."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from albacore.cli._common import CommandFailed, find_study, open_storage
from albacore.cli._output import Column, emit
from albacore.cli._registry import Command, register
from albacore.exceptions import CLIUsageError

if TYPE_CHECKING:
    from albacore.study import Study
    from albacore.trial import FrozenTrial

__all__: list[str] = []


def _load(args: argparse.Namespace) -> Study:
    if not args.study_name:
        raise CLIUsageError("--study-name is required: which study's trials to show?")
    return find_study(args, open_storage(args))


def _columns(study: Study) -> list[Column]:
    # One objective prints as `value`; several as `values`, a list, or a dict by metric name when the study
    # has names for its objectives.
    value = Column("value") if len(study.directions) == 1 else Column("values", nested=bool(study.metric_names))
    return [
        Column("number"),
        value,
        Column("datetime_start"),
        Column("datetime_complete"),
        Column("duration"),
        Column("params", nested=True),
        Column("user_attrs", nested=True),
        Column("state"),
    ]


def _row(trial: FrozenTrial, study: Study) -> dict[str, Any]:
    row: dict[str, Any] = {"number": trial.number}
    values = trial.values
    if len(study.directions) == 1:
        row["value"] = None if values is None else values[0]
    elif values is not None and study.metric_names:
        row["values"] = dict(zip(study.metric_names, values, strict=True))
    else:
        row["values"] = None if values is None else list(values)
    row.update(
        datetime_start=trial.datetime_start,
        datetime_complete=trial.datetime_complete,
        duration=trial.duration,
        params=dict(sorted(trial.params.items())),
        user_attrs=dict(sorted(trial.user_attrs.items())),
        state=trial.state.name,
    )
    return row


def _trials(args: argparse.Namespace) -> int:
    study = _load(args)
    trials = study.get_trials(deepcopy=False)
    emit([_row(t, study) for t in trials], args.format, _columns(study), flatten=args.flatten)
    return 0


def _best_trial(args: argparse.Namespace) -> int:
    study = _load(args)
    if len(study.directions) > 1:
        raise CommandFailed(
            f"Study {study.study_name!r} has {len(study.directions)} objectives, so no single best trial; "
            "`best-trials` shows its Pareto front."
        )
    try:
        best = study.best_trial
    except ValueError as err:
        raise CommandFailed(f"Study {study.study_name!r} has no completed trial yet.") from err
    rows = [_row(t, study) for t in study.get_trials(deepcopy=False)]
    best_row = next(row for row in rows if row["number"] == best.number)
    emit(best_row, args.format, _columns(study), flatten=args.flatten, header_rows=rows)
    return 0


def _best_trials(args: argparse.Namespace) -> int:
    study = _load(args)
    rows = [_row(t, study) for t in study.get_trials(deepcopy=False)]
    best = {trial.number for trial in study.best_trials}
    # With --flatten the columns are those of the whole study, so that a parameter only other trials have
    # keeps its (empty) column, as in `trials`.
    chosen = [row for row in rows if row["number"] in best]
    emit(chosen, args.format, _columns(study), flatten=args.flatten, header_rows=rows)
    return 0


def _configure(parser: argparse.ArgumentParser) -> None:
    # Checked when the command runs rather than by argparse, so that subcommands (`trials reap`) can skip it.
    parser.add_argument("--study-name", default=None, help="the study's name (required)")


register(Command(("trials",), "Show the trials of a study.", _configure, _trials, output=True))
register(
    Command(("best-trial",), "Show the best trial of a single-objective study.", _configure, _best_trial, output=True)
)
register(Command(("best-trials",), "Show the trials on a study's Pareto front.", _configure, _best_trials, output=True))
