"""The ``albacore`` command: inspect and manage studies in a storage from the shell.

Example:
    >>> from albacore.cli import main
    >>> main(["--storage", "sqlite://", "study-names"])
    0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

# Each module registers its commands on import; a new command group is a new module imported here.
from albacore.cli import (  # noqa: F401
    _dashboard_command,
    _reliability_commands,
    _storage_commands,
    _study_commands,
    _trial_commands,
)
from albacore.cli._common import FORMATS
from albacore.cli._registry import build_parser
from albacore.exceptions import AlbacoreError, CLIUsageError
from albacore.version import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # Accepted after the command too (`albacore trials --storage URL ...`); SUPPRESS keeps a value given earlier.
    common.add_argument("--storage", default=argparse.SUPPRESS, help="storage URL (or set ALBACORE_STORAGE)")
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("-f", "--format", choices=FORMATS, default="table", help="output format (default: table)")
    root = argparse.ArgumentParser(prog="albacore", description="Manage albacore studies from the command line.")
    root.add_argument("--version", action="version", version=f"albacore {__version__}")
    root.add_argument("--storage", default=None, help="storage URL, e.g. sqlite:///study.db (or set ALBACORE_STORAGE)")
    root.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv for debug)")
    root.add_argument("-q", "--quiet", action="store_true", help="log only errors")
    return build_parser(root, common, output)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``albacore`` command with ``argv`` (default: the process arguments) and return its exit status."""
    import albacore.logging as alogging

    parser = _parser()
    args = parser.parse_args(argv)
    if args.quiet:
        alogging.set_verbosity(alogging.ERROR)
    else:
        alogging.set_verbosity((alogging.WARNING, alogging.INFO, alogging.DEBUG)[min(args.verbose, 2)])
    run = getattr(args, "_run", None)
    if run is None:
        parser.print_help()
        return 2
    try:
        status: int = run(args)
        return status
    except CLIUsageError as err:
        sys.stderr.write(f"albacore: error: {err}\n")
        return 2
    except AlbacoreError as err:
        sys.stderr.write(f"albacore: error: {err}\n")
        return 1
    except KeyError as err:  # unknown trial or study ids surface as KeyError
        sys.stderr.write(f"albacore: error: {err}\n")
        return 1
