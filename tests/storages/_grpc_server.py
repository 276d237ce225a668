"""Run a gRPC storage proxy over a SQLite or journal file until interrupted (for the proxy's process tests).

Usage: python -m tests.storages._grpc_server URL PORT [HEARTBEAT_INTERVAL]
"""

from __future__ import annotations

import contextlib
import sys

from albacore.storages import RetryHeartbeatStaleTrialCallback, get_storage, run_grpc_proxy_server
from albacore.storages.rdb import RDBStorage


def main() -> None:
    url, port = sys.argv[1], int(sys.argv[2])
    if len(sys.argv) > 3:
        interval = int(sys.argv[3])
        storage = RDBStorage(
            url, heartbeat_interval=interval, heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback()
        )
    else:
        storage = get_storage(url)
    with contextlib.suppress(KeyboardInterrupt):  # how the tests stop it
        run_grpc_proxy_server(storage, port=port)


if __name__ == "__main__":
    main()
