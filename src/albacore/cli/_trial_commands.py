"""``albacore trials``, ``best-trial`` and ``best-trials``: reading a study's trials."""

from __future__ import annotations

import argparse

from albacore.cli._common import emit, open_storage, trial_record
from albacore.cli._registry import Command, register
from albacore.exceptions import CLIUsageError

__all__: list[str] = []


def _load(args: argparse.Namespace) -> object:
    from albacore.study import load_study

    if not args.study_name:
        raise CLIUsageError("--study-name is required: which study's trials to show?")
    return load_study(study_name=args.study_name, storage=open_storage(args))


def _trials(args: argparse.Namespace) -> int:
    from albacore.study import Study

    study = _load(args)
    assert isinstance(study, Study)
    emit([trial_record(t) for t in study.get_trials(deepcopy=False)], args.format)
    return 0


def _best_trial(args: argparse.Namespace) -> int:
    from albacore.study import Study

    study = _load(args)
    assert isinstance(study, Study)
    if len(study.directions) > 1:
        raise CLIUsageError(f"Study {args.study_name!r} has several objectives; use `best-trials`.")
    try:
        best = study.best_trial
    except ValueError as err:
        raise CLIUsageError(f"Study {args.study_name!r} has no completed trial yet.") from err
    emit(trial_record(best), args.format)
    return 0


def _best_trials(args: argparse.Namespace) -> int:
    from albacore.study import Study

    study = _load(args)
    assert isinstance(study, Study)
    emit([trial_record(t) for t in study.best_trials], args.format)
    return 0


def _configure(parser: argparse.ArgumentParser) -> None:
    # Checked when the command runs rather than by argparse, so that subcommands (`trials reap`) can skip it.
    parser.add_argument("--study-name", default=None, help="the study's name (required)")


register(Command(("trials",), "Show the trials of a study.", _configure, _trials, output=True))
register(
    Command(("best-trial",), "Show the best trial of a single-objective study.", _configure, _best_trial, output=True)
)
register(Command(("best-trials",), "Show the Pareto-optimal trials of a study.", _configure, _best_trials, output=True))
