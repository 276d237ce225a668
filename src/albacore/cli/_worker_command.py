"""``albacore worker``: run an objective on a study until its budget is spent (Slurm arrays, Kubernetes Jobs, ssh).

    albacore worker --storage URL --study-name NAME MODULE:FUNCTION [--n-trials N] [--timeout S] [--n-processes P]
                    [--sampler NAME [--sampler-kwargs JSON]]

``MODULE`` is imported as Python imports it (the current directory first), ``FUNCTION`` is the objective in it.
The worker stops when the study's own budget is spent (``albacore create-study --max-trials N``), after
``--n-trials`` trials of its own, or after ``--timeout`` seconds, whichever comes first; with none of the three
it would run forever, which is refused.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any

from albacore.cli._ask_tell import _sampler
from albacore.cli._common import find_study, open_storage
from albacore.cli._registry import Command, register
from albacore.exceptions import CLIUsageError

__all__: list[str] = []


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study-name", default=None, help="the study (the storage's only study when omitted)")
    parser.add_argument("objective", metavar="MODULE:FUNCTION", help="the objective, e.g. train:objective")
    parser.add_argument("--n-trials", type=int, default=None, metavar="N", help="run at most N trials here")
    parser.add_argument("--timeout", type=float, default=None, metavar="S", help="start no trial after S seconds")
    parser.add_argument(
        "--n-processes", type=int, default=None, metavar="P", help="run trials in P processes (-1: one per core)"
    )
    parser.add_argument("--sampler", default=None, metavar="NAME", help="sampler class, e.g. TPESampler")
    parser.add_argument("--sampler-kwargs", default=None, metavar="JSON", help="its arguments, e.g. '{\"seed\": 0}'")


def load_objective(spec: str) -> Any:
    """The function named by ``MODULE:FUNCTION`` (a dotted attribute path after the colon works too)."""
    module_name, sep, attr_path = spec.partition(":")
    if not sep or not module_name or not attr_path:
        raise CLIUsageError(f"The objective must be given as MODULE:FUNCTION (e.g. train:objective), got {spec!r}.")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        target: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name != module_name.split(".")[0] and err.name != module_name:
            raise
        raise CLIUsageError(
            f"Cannot import module {module_name!r} (from {spec!r}): run from its directory or put it on PYTHONPATH."
        ) from None
    for part in attr_path.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise CLIUsageError(f"Module {module_name!r} has no {attr_path!r} (from {spec!r}).") from None
    if not callable(target):
        raise CLIUsageError(f"{spec!r} is not callable: give the objective function.")
    return target


def _worker(args: argparse.Namespace) -> int:
    from albacore.study._max_trials import MAX_TRIALS_KEY

    objective = load_objective(args.objective)
    sampler = _sampler(args.sampler, args.sampler_kwargs)
    storage = open_storage(args)
    study = find_study(args, storage, sampler=sampler)
    budget = study._storage.get_study_system_attrs(study._study_id).get(MAX_TRIALS_KEY)
    if budget is None and args.n_trials is None and args.timeout is None:
        raise CLIUsageError(
            f"Study {study.study_name!r} has no trial budget, so this worker would never stop: give --n-trials or "
            "--timeout, or create the study with `albacore create-study --max-trials N`."
        )
    study.optimize(objective, n_trials=args.n_trials, timeout=args.timeout, n_processes=args.n_processes)
    return 0


register(
    Command(
        ("worker",),
        "Run an objective (MODULE:FUNCTION) on a study until its budget is spent.",
        _configure,
        _worker,
    )
)
