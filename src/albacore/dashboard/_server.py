"""run_server: the dashboard on uvicorn, with the address and write token printed for the user."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TextIO

from albacore._optional import require
from albacore.dashboard._app import create_app
from albacore.storages import BaseStorage

__all__ = ["run_server", "startup_message"]


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def startup_message(host: str, port: int, token: str | None) -> str:
    """What the server prints at start: where to open the page (with the token) and any warning.

    Example:
        >>> print(startup_message("127.0.0.1", 8080, None))
        albacore dashboard (read-only): http://127.0.0.1:8080/
    """
    base = f"http://{_url_host(host)}:{port}/"
    lines = []
    if host in ("0.0.0.0", "::", ""):
        lines.append(
            f"WARNING: the dashboard listens on every network interface ({host}); anyone who can reach this "
            "machine can read your studies. Bind 127.0.0.1 unless you mean it."
        )
    if token is None:
        lines.append(f"albacore dashboard (read-only): {base}")
    else:
        # The token travels in the URL fragment, which browsers never send to a server or put in its logs.
        lines.append(f"albacore dashboard: {base}#token={token}")
        lines.append(f"Write token (needed to edit notes, end trials, delete studies, upload): {token}")
    return "\n".join(lines)


def run_server(
    storage: str | BaseStorage | Sequence[str | BaseStorage],
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    artifact_dir: str | os.PathLike[str] | None = None,
    read_only: bool = False,
    token: str | None = None,
    allowed_hosts: Sequence[str] = (),
    out: TextIO | None = None,
) -> None:
    """Serve the dashboard until interrupted (Ctrl-C).

    Args:
        storage: A storage URL or object, or several.
        host: The address to bind; 127.0.0.1 by default (0.0.0.0 serves every interface, with a warning).
        port: The TCP port.
        artifact_dir: A directory of artifacts to list, serve and upload into.
        read_only: Refuse every write.
        token: The write token; by default ``ALBACORE_DASHBOARD_TOKEN`` or a random one, printed at start.
        allowed_hosts: More host names the page may be reached by (behind a proxy, by the machine's name).
        out: Where the start message goes (standard error by default).
    """
    uvicorn = require("uvicorn", extra="dashboard", feature="the dashboard server")
    storages = [storage] if isinstance(storage, (str, BaseStorage)) else list(storage)
    app = create_app(
        storages, token=token, read_only=read_only, artifact_dir=artifact_dir, host=host, allowed_hosts=allowed_hosts
    )
    (out or sys.stderr).write(startup_message(host, port, app.state.dashboard.token) + "\n")
    (out or sys.stderr).flush()
    # Open event streams would otherwise hold a Ctrl-C until every page is closed.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=1)
