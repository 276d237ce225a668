"""``albacore worker``: run an objective on a study until its budget is spent (Slurm arrays, Kubernetes Jobs, ssh).

    albacore worker --storage URL --study-name NAME MODULE:FUNCTION [--n-trials N] [--timeout S] [--n-processes P]
                    [--heartbeat-interval S [--grace-period S] [--max-retry N]] [--sampler NAME [--sampler-kwargs JSON]]

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
from typing import TYPE_CHECKING, Any

from albacore.cli._ask_tell import _sampler
from albacore.cli._common import find_study, open_storage
from albacore.cli._registry import Command, register
from albacore.exceptions import CLIUsageError, InvalidArgumentError

if TYPE_CHECKING:
    from albacore.storages import BaseStorage

__all__: list[str] = []


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study-name", default=None, help="the study (the storage's only study when omitted)")
    parser.add_argument("objective", metavar="MODULE:FUNCTION", help="the objective, e.g. train:objective")
    parser.add_argument("--n-trials", type=int, default=None, metavar="N", help="run at most N trials here")
    parser.add_argument("--timeout", type=float, default=None, metavar="S", help="start no trial after S seconds")
    parser.add_argument(
        "--n-processes", type=int, default=None, metavar="P", help="run trials in P processes (-1: one per core)"
    )
    parser.add_argument(
        "--heartbeat-interval",
        type=int,
        default=None,
        metavar="S",
        help="beat every S seconds for running trials, so that a trial whose worker is killed (preempted, out of "
        "memory) is failed by the next worker after --grace-period and retried",
    )
    parser.add_argument("--grace-period", type=int, default=None, metavar="S", help="default: twice the interval")
    parser.add_argument(
        "--max-retry", type=int, default=None, metavar="N", help="retry a failed stale trial at most N times"
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


def _set_heartbeat(storage: BaseStorage, interval: int, grace_period: int | None, max_retry: int | None) -> None:
    """Turn on heartbeats of a storage opened from a URL (which has no place for them), retrying stale trials."""
    from albacore.storages import RetryHeartbeatStaleTrialCallback
    from albacore.storages._heartbeat import make_heartbeat_config

    callback = RetryHeartbeatStaleTrialCallback(max_retry=max_retry)
    try:
        config = make_heartbeat_config(interval, grace_period, callback)
    except InvalidArgumentError as err:
        raise CLIUsageError(str(err)) from None
    assert config is not None  # an interval was given
    target: Any = storage
    cached = sys.modules.get("albacore.storages._cached")  # loaded whenever a database URL was opened
    if cached is not None and isinstance(storage, cached._CachedStorage):
        target = storage.backend  # the database behind the client-side cache
    setter = getattr(target, "_set_heartbeat", None)
    if setter is not None:  # RDBStorage keeps its settings as attributes too (they travel to worker processes)
        setter(interval, config.grace_period, callback)
    else:
        target._heartbeat_config = config


def _worker(args: argparse.Namespace) -> int:
    from albacore.study._max_trials import MAX_TRIALS_KEY

    objective = load_objective(args.objective)
    sampler = _sampler(args.sampler, args.sampler_kwargs)
    storage = open_storage(args)
    if args.heartbeat_interval is not None:
        _set_heartbeat(storage, args.heartbeat_interval, args.grace_period, args.max_retry)
    elif args.grace_period is not None or args.max_retry is not None:
        raise CLIUsageError("--grace-period and --max-retry need --heartbeat-interval.")
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
