"""``albacore create-study``, ``delete-study``, ``study set-user-attr``, ``study-names`` and ``studies``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from albacore.cli._common import find_study, open_storage
from albacore.cli._output import Column, emit
from albacore.cli._registry import Command, describe_group, register
from albacore.exceptions import CLIUsageError, DuplicatedStudyError

__all__: list[str] = []

_DIRECTIONS = ("minimize", "maximize")


def _configure_create(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study-name", default=None, help="name of the new study (made up when omitted)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--direction", choices=_DIRECTIONS, help="direction of a single objective")
    group.add_argument("--directions", nargs="+", choices=_DIRECTIONS, help="one direction per objective")
    parser.add_argument("--skip-if-exists", action="store_true", help="use the study if it exists already")
    parser.add_argument(
        "--max-trials",
        type=int,
        default=None,
        metavar="N",
        help="the study's trial budget, shared by every worker: optimize starts no trial once the study holds N "
        "running or finished trials",
    )


def _create_study(args: argparse.Namespace) -> int:
    from albacore.study import create_study

    if args.max_trials is not None and args.max_trials < 1:
        raise CLIUsageError(f"--max-trials must be a positive integer, got {args.max_trials}.")
    try:
        study = create_study(
            storage=open_storage(args),
            study_name=args.study_name,
            direction=args.direction,
            directions=args.directions,
            load_if_exists=args.skip_if_exists,
        )
    except DuplicatedStudyError:
        raise DuplicatedStudyError(
            f"A study named {args.study_name!r} already exists; pass --skip-if-exists to use it."
        ) from None
    if args.max_trials is not None:
        from albacore.study._max_trials import set_max_trials

        set_max_trials(study._storage, study._study_id, args.max_trials)
    sys.stdout.write(study.study_name + "\n")
    return 0


def _configure_named(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study-name", required=True, help="the study's name")


def _delete_study(args: argparse.Namespace) -> int:
    from albacore.study import delete_study

    storage = open_storage(args)
    study = find_study(args, storage)
    delete_study(study_name=study.study_name, storage=storage)
    return 0


def _configure_set_user_attr(parser: argparse.ArgumentParser) -> None:
    _configure_named(parser)
    parser.add_argument("--key", "-k", required=True, help="the attribute's name")
    parser.add_argument("--value", required=True, help="the attribute's value (text, unless --json)")
    parser.add_argument("--json", action="store_true", help="read --value as JSON (a number, list, object, ...)")


def _set_user_attr(args: argparse.Namespace) -> int:
    from albacore.cli._ask_tell import parse_json

    value: Any = parse_json(args.value, "--value") if args.json else args.value
    study = find_study(args, open_storage(args))
    study.set_user_attr(args.key, value)
    return 0


def _study_names(args: argparse.Namespace) -> int:
    from albacore.study import get_all_study_names

    names = get_all_study_names(open_storage(args))
    emit([{"name": name} for name in names], args.format, [Column("name")], flatten=args.flatten)
    return 0


_STUDY_COLUMNS = [Column("name"), Column("direction"), Column("n_trials"), Column("datetime_start")]


def _studies(args: argparse.Namespace) -> int:
    from albacore.study import get_all_study_summaries

    rows = [
        {
            "name": summary.study_name,
            "direction": tuple(direction.name for direction in summary.directions),
            "n_trials": summary.n_trials,
            "datetime_start": summary.datetime_start,
            "user_attrs": summary.user_attrs,
        }
        for summary in get_all_study_summaries(open_storage(args), include_best_trial=False)
    ]
    # The attributes' column appears once a study has some, so that a storage without any keeps a narrow table.
    columns = _STUDY_COLUMNS + ([Column("user_attrs")] if any(row["user_attrs"] for row in rows) else [])
    emit(rows, args.format, columns, flatten=args.flatten)
    return 0


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


describe_group(("study",), "Change a study: study set-user-attr.")
register(Command(("create-study",), "Create a study and print its name.", _configure_create, _create_study))
register(Command(("delete-study",), "Delete a study and all its trials.", _configure_named, _delete_study))
register(
    Command(
        ("study", "set-user-attr"),
        "Set a user attribute of a study.",
        _configure_set_user_attr,
        _set_user_attr,
    )
)
register(
    Command(
        ("study-names",),
        "List the names of the studies in the storage.",
        _no_arguments,
        _study_names,
        output=True,
        default_format="value",
    )
)
register(
    Command(("studies",), "List the studies, their directions and trial counts.", _no_arguments, _studies, output=True)
)
