"""``albacore studies``, ``study-names``, ``create-study`` and ``delete-study``."""

from __future__ import annotations

import argparse
import sys

from albacore.cli._common import emit, open_storage
from albacore.cli._registry import Command, register
from albacore.exceptions import DuplicatedStudyError

__all__: list[str] = []


def _studies(args: argparse.Namespace) -> int:
    from albacore.study import get_all_study_summaries

    records = []
    for summary in get_all_study_summaries(open_storage(args), include_best_trial=False):
        records.append(
            {
                "name": summary.study_name,
                "direction": ", ".join(d.name for d in summary.directions),
                "n_trials": summary.n_trials,
                "datetime_start": summary.datetime_start,
            }
        )
    emit(records, args.format)
    return 0


def _study_names(args: argparse.Namespace) -> int:
    from albacore.study import get_all_study_names

    names = get_all_study_names(open_storage(args))
    if args.format == "table":
        sys.stdout.write("".join(f"{name}\n" for name in names))
    else:
        emit([{"name": name} for name in names], args.format)
    return 0


def _create_study(args: argparse.Namespace) -> int:
    from albacore.study import create_study

    storage = open_storage(args)
    try:
        study = create_study(
            storage=storage,
            study_name=args.study_name,
            direction=args.direction,
            directions=args.directions,
            load_if_exists=args.skip_if_exists,
        )
    except DuplicatedStudyError:
        raise DuplicatedStudyError(
            f"A study named {args.study_name!r} already exists; pass --skip-if-exists to reuse it."
        ) from None
    sys.stdout.write(study.study_name + "\n")
    return 0


def _configure_create(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study-name", default=None, help="name of the new study (made up when omitted)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--direction", choices=("minimize", "maximize"), help="direction of a single objective")
    group.add_argument("--directions", nargs="+", choices=("minimize", "maximize"), help="one direction per objective")
    parser.add_argument("--skip-if-exists", action="store_true", help="do nothing when the study already exists")


def _delete_study(args: argparse.Namespace) -> int:
    from albacore.study import delete_study

    delete_study(study_name=args.study_name, storage=open_storage(args))
    return 0


def _configure_study_name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study-name", required=True, help="the study's name")


register(Command(("studies",), "List the studies in the storage.", lambda parser: None, _studies, output=True))
register(Command(("study-names",), "List the names of the studies.", lambda parser: None, _study_names, output=True))
register(Command(("create-study",), "Create a study and print its name.", _configure_create, _create_study))
register(Command(("delete-study",), "Delete a study and all its trials.", _configure_study_name, _delete_study))
