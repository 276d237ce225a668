"""``albacore dashboard``: serve the web dashboard over one or several storages."""

from __future__ import annotations

import argparse

from albacore.cli._common import storage_url
from albacore.cli._registry import Command, register
from albacore.exceptions import CLIUsageError

__all__: list[str] = []


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "storages",
        nargs="*",
        metavar="STORAGE_URL",
        help="storage URLs, database or journal files, or directories of them (default: --storage or ALBACORE_STORAGE)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8080, help="TCP port (default: 8080)")
    parser.add_argument("--artifact-dir", default=None, help="directory of artifacts to list, serve and upload into")
    parser.add_argument("--read-only", action="store_true", help="refuse every write")
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another host name the page may be reached by (repeatable)",
    )


def _dashboard(args: argparse.Namespace) -> int:
    from albacore.dashboard import run_server
    from albacore.dashboard._sources import expand_storage_urls

    arguments = args.storages or [storage_url(args)]
    try:
        urls = expand_storage_urls(arguments)
    except ImportError as err:
        raise CLIUsageError(str(err)) from err
    if not urls:
        raise CLIUsageError(f"No database or journal file found in {', '.join(arguments)}.")
    try:
        run_server(
            urls,
            host=args.host,
            port=args.port,
            artifact_dir=args.artifact_dir,
            read_only=args.read_only,
            allowed_hosts=args.allowed_host,
        )
    except ImportError as err:
        raise CLIUsageError(str(err)) from err
    except KeyboardInterrupt:
        pass
    return 0


register(Command(("dashboard",), "Serve the web dashboard of one or several storages.", _configure, _dashboard))
