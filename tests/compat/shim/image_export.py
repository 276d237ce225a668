"""pytest plugin of the harness's albacore run: one long-lived browser per process for plotly's image export.

Optuna's plotting tests call ``figure.write_image``. Optuna's own run uses kaleido 0.2 (a bundled renderer that
stays up); albacore's environment has plotly 7 with kaleido 1, which starts a browser for every image (several
seconds each) unless a sync server is running. The server starts only when plotting tests were collected.
"""

from __future__ import annotations

import warnings
from typing import Any

_started = False


def pytest_collection_finish(session: Any) -> None:
    global _started
    if not any("visualization_tests" in item.nodeid for item in session.items):
        return
    try:
        import kaleido
    except ImportError:
        return
    if hasattr(kaleido, "start_sync_server"):
        kaleido.start_sync_server(silence_warnings=True)
        _started = True
        # With a server running, plotly warns that its per-call browser options are unused.
        warnings.filterwarnings("ignore", message="The kopts argument is ignored", category=UserWarning)


def pytest_sessionfinish(session: Any) -> None:
    if _started:
        import kaleido

        kaleido.stop_sync_server(silence_warnings=True)
