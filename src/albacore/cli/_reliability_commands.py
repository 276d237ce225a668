"""``albacore trials reap`` and ``albacore storage repair``: recovering from dead workers and damaged journals."""

from __future__ import annotations

import argparse
import os

from albacore.cli._common import find_study, open_storage, resolve_url, storage_url
from albacore.cli._output import emit
from albacore.cli._registry import Command, register
from albacore.exceptions import CLIUsageError

__all__: list[str] = []


def _configure_reap(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study-name", required=True, help="the study whose stale trials to fail")
    parser.add_argument(
        "--grace-period",
        type=float,
        default=None,
        help="seconds without a heartbeat after which a RUNNING trial is stale (default: twice the heartbeat "
        "interval the workers use, if this storage knows it; otherwise required)",
    )
    parser.add_argument("--retry", action="store_true", help="re-enqueue each failed trial with its parameters")
    parser.add_argument("--max-retry", type=int, default=None, help="with --retry: retries per original trial")


def _reap(args: argparse.Namespace) -> int:
    from albacore.storages import RetryHeartbeatStaleTrialCallback
    from albacore.storages._heartbeat import reap_stale_trials

    study = find_study(args, open_storage(args))
    config = study._storage.get_heartbeat_config()
    grace = args.grace_period if args.grace_period is not None else (None if config is None else config.grace_period)
    if grace is None or not grace > 0:
        raise CLIUsageError("Give --grace-period SECONDS: how long without a heartbeat makes a running trial stale.")
    callback = RetryHeartbeatStaleTrialCallback(max_retry=args.max_retry) if args.retry else None
    failed = reap_stale_trials(study, grace, callback)
    emit([{"failed_trial": number, "retried": callback is not None} for number in failed], args.format)
    return 0


def _repair(args: argparse.Namespace) -> int:
    from albacore.storages.journal import repair_journal

    url = resolve_url(storage_url(args))
    if not url.startswith("journal://"):
        raise CLIUsageError(f"`storage repair` works on journal files (journal:///path/to/file), got {url!r}.")
    path = url[len("journal://") :]
    if not os.path.exists(path):
        raise CLIUsageError(f"No journal file at {path!r}.")
    report = repair_journal(path)
    emit(
        {
            "path": report.path,
            "records_kept": report.records_kept,
            "damaged_ranges": [list(r) for r in report.damaged_ranges],
            "bytes_moved": report.bytes_moved,
            "corrupt_path": report.corrupt_path,
        },
        args.format,
    )
    return 0


register(
    Command(
        path=("trials", "reap"),
        help="Mark trials whose worker died (no heartbeat for the grace period) FAIL, even with no worker alive.",
        configure=_configure_reap,
        run=_reap,
        output=True,
    )
)
register(
    Command(
        path=("storage", "repair"),
        help="Repair a damaged journal file: keep every intact record, move damaged bytes to <file>.corrupt.",
        configure=lambda parser: None,
        run=_repair,
        output=True,
    )
)
