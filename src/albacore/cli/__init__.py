"""The ``albacore`` command: manage studies in a storage from the shell, and run trials with ``ask``/``tell``.

It takes the commands and options of Optuna's ``optuna`` command (``create-study``, ``studies``, ``trials``,
``ask``, ``tell``, ...), so shell scripts written for it run unchanged; ``albacore help`` lists them all.

Exit status: 0 on success; 1 when the command ran but failed (an unknown study, a finished trial, a storage
that could not be reached); 2 when the command line itself is wrong (a missing or malformed argument, no
storage, a URL of no known form, JSON that does not parse).

Example:
    >>> from albacore.cli import main
    >>> main(["--storage", "sqlite://", "study-names"])
    0
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
import warnings
from collections.abc import Sequence
from typing import Any, TextIO

# Each module registers its commands on import; a new command group is a new module imported here.
from albacore.cli import (  # noqa: F401
    _advise_command,
    _ask_tell,
    _dashboard_command,
    _reliability_commands,
    _storage_commands,
    _study_commands,
    _trial_commands,
    _worker_command,
)
from albacore.cli._common import STORAGE_ENV_VARS, storage_class_choice
from albacore.cli._output import FORMATS
from albacore.cli._registry import Command, build_parser, register
from albacore.exceptions import AlbacoreError, CLIUsageError
from albacore.version import __version__

__all__ = ["main"]

_PROG = "albacore"


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The options every command takes, before or after its name; after it, ``suppress`` keeps a value given
    before (argparse would otherwise reset it to the default)."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--storage",
        default=default(None),
        metavar="URL",
        help="storage URL, e.g. sqlite:///study.db or journal:///path/study.log "
        f"(or set {' or '.join(STORAGE_ENV_VARS)})",
    )
    parser.add_argument(
        "--storage-class",
        default=default(None),
        type=storage_class_choice,
        metavar="CLASS",
        help="the kind of storage, when the URL does not say: RDBStorage, JournalFileBackend or JournalRedisBackend",
    )
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument(
        "-v", "--verbose", action="count", default=default(0), help="log debug messages too (default: info)"
    )
    verbosity.add_argument("-q", "--quiet", action="store_true", default=default(False), help="log warnings only")
    parser.add_argument("--log-file", default=default(None), metavar="PATH", help="also write the log to this file")
    parser.add_argument("--debug", action="store_true", default=default(False), help="show tracebacks of errors")


def _output_options(parser: argparse.ArgumentParser, default_format: str) -> None:
    parser.add_argument(
        "-f", "--format", choices=FORMATS, default=default_format, help="output format (default: %(default)s)"
    )
    parser.add_argument("--flatten", action="store_true", help="one column per parameter, attribute and value")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    root = argparse.ArgumentParser(
        prog=_PROG,
        description="Manage albacore (and Optuna-style) studies from the command line.",
        epilog="Run `albacore help COMMAND` (or `albacore COMMAND --help`) for the options of a command.",
    )
    root.add_argument("--version", action="version", version=f"{_PROG} {__version__}")
    _global_options(root, suppress=False)
    root.set_defaults(_root=root)
    return build_parser(root, common, _output_options)


def _help(args: argparse.Namespace) -> int:
    root: argparse.ArgumentParser = args._root
    if not args.topic:
        root.print_help()
        return 0
    try:
        root.parse_args([*args.topic, "--help"])
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def _configure_help(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("topic", nargs="*", metavar="COMMAND", help="the command to explain")


register(Command(("help",), "Show the commands, or the options of one command.", _configure_help, _help))


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    # A command line user needs the warning, not the albacore source line that raised it.
    sys.stderr.write(f"{_PROG}: warning: {message}\n")


def _report(err: BaseException, args: argparse.Namespace) -> None:
    if args.debug:
        traceback.print_exception(err)
    text = str(err) if isinstance(err, AlbacoreError) else f"{type(err).__name__}: {err}"
    hint = "" if args.debug or isinstance(err, AlbacoreError) else " (run with --debug for the traceback)"
    sys.stderr.write(f"{_PROG}: error: {text}{hint}\n")


def _run(args: argparse.Namespace) -> int:
    run = getattr(args, "_run", None)
    if run is None:  # options but no command
        sys.stderr.write(f"{_PROG}: error: no command given; `{_PROG} help` lists them\n")
        args._root.print_usage(sys.stdout)
        return 2
    try:
        status: int = run(args)
        return status
    except CLIUsageError as err:
        _report(err, args)
        usage = getattr(args, "_parser", None)
        if usage is not None:
            usage.print_usage(sys.stdout)  # as Optuna's command does, so scripts that read it still find it
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"{_PROG}: interrupted\n")
        return 130
    except Exception as err:  # noqa: BLE001 - a command line reports every failure as a message and a status
        _report(err, args)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``albacore`` command with ``argv`` (default: the process arguments) and return its exit status."""
    import albacore.logging as alogging

    words = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(words or ["help"])
    previous_level = alogging.get_verbosity()
    log_file: logging.Handler | None = None
    if args.quiet:
        alogging.set_verbosity(alogging.WARNING)
    else:
        alogging.set_verbosity(alogging.DEBUG if args.verbose else alogging.INFO)
    if args.log_file:
        log_file = logging.FileHandler(args.log_file, encoding="utf-8")
        log_file.setFormatter(alogging._Formatter("[%(levelinitial)s %(asctime)s] %(message)s"))
        logging.getLogger("albacore").addHandler(log_file)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _show_warning
            return _run(args)
    finally:
        alogging.set_verbosity(previous_level)
        if log_file is not None:
            logging.getLogger("albacore").removeHandler(log_file)
            log_file.close()
