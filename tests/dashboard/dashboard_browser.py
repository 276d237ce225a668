"""Running the real dashboard for browser tests and the benchmark: worker processes, a server, Chromium.

Debian's chromium is driven by Playwright through ``executable_path`` (Playwright cannot download browsers
here); the flags keep it from reaching out to the network, which this closed machine refuses.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

WORKER = """
import sys, albacore
albacore.logging.set_verbosity(albacore.logging.WARNING)
url, name, n_trials = sys.argv[1], sys.argv[2], int(sys.argv[3])

def objective(trial):
    x = trial.suggest_float("x", -4, 4)
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    value = (x - 1) ** 2 + (0.5 if kind == "b" else 0.0) + lr
    for step in range(3):
        trial.report(value + 1.0 / (step + 1), step)
    trial.set_user_attr("worker", "w%d" % (trial.number % 2))
    return value

study = albacore.create_study(study_name=name, storage=url, load_if_exists=True)
study.optimize(objective, n_trials=n_trials)
"""


def chromium_missing() -> str | None:
    """Why browser tests cannot run here, or None."""
    if not os.path.exists(CHROMIUM):
        return "chromium is not installed (apt-get install chromium; .ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    return None


def run_workers(url: str, name: str, n_trials: int, processes: int = 2) -> None:
    """Optimize study ``name`` with ``processes`` real worker processes, ``n_trials`` each."""
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, url, name, str(n_trials)]) for _ in range(processes)]
    for worker in workers:
        assert worker.wait(timeout=300) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def dashboard_server(*args: str, token: str = "browser-token") -> Iterator[str]:
    """Run ``albacore dashboard ARGS`` in a process of its own; yield its base URL."""
    port = free_port()
    env = {**os.environ, "ALBACORE_DASHBOARD_TOKEN": token}
    command = [sys.executable, "-c", "from albacore.cli import main; raise SystemExit(main())", "dashboard"]
    server = subprocess.Popen([*command, *args, "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/info", timeout=5):
                    break
            except OSError as err:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stderr.read() if server.stderr else ""
                    raise RuntimeError(f"the dashboard did not start: {output}") from err
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr:
            server.stderr.close()


@contextlib.contextmanager
def browser_context(**options: Any) -> Iterator[Any]:
    """A fresh headless Chromium profile (a Playwright BrowserContext)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="albacore-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
            **options,
        )
        try:
            yield context
        finally:
            context.close()


def build_big_study(path: Path, n_trials: int, name: str = "big") -> str:
    """A SQLite study of ``n_trials`` finished trials (4 params, one in ten pruned), written in one go; its URL."""
    import random

    import albacore
    from albacore.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    url = f"sqlite:///{path}"
    dists = {
        "x": FloatDistribution(-5, 5),
        "lr": FloatDistribution(1e-5, 1e-1, log=True),
        "layers": IntDistribution(1, 8),
        "optimizer": CategoricalDistribution(["adam", "sgd", "rmsprop"]),
    }
    rng = random.Random(0)
    trials = []
    for i in range(n_trials):
        params = {
            "x": rng.uniform(-5, 5),
            "lr": 10 ** rng.uniform(-5, -1),
            "layers": rng.randint(1, 8),
            "optimizer": rng.choice(["adam", "sgd", "rmsprop"]),
        }
        value = (params["x"] - 1) ** 2 + params["layers"] * 0.1 + rng.random()
        state = albacore.trial.TrialState.PRUNED if i % 10 == 9 else albacore.trial.TrialState.COMPLETE
        trials.append(
            albacore.create_trial(
                state=state,
                value=value if state == albacore.trial.TrialState.COMPLETE else None,
                params=params,
                distributions=dists,
                intermediate_values={0: value + 1.0},
            )
        )
    # Built in memory, then copied: copy_study writes a whole study in one transaction.
    memory = albacore.storages.InMemoryStorage()
    albacore.create_study(study_name=name, storage=memory).add_trials(trials)
    albacore.copy_study(from_study_name=name, from_storage=memory, to_storage=url)
    return url
