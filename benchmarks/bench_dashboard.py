"""Dashboard: first paint of a 100,000-trial SQLite study in headless Chromium (albacore only).

Optuna's own dashboard is a separate package (optuna-dashboard) that its maintainers said does not support
studies over about 10,000 trials, so there is no Optuna figure; ``--lib optuna`` reports nothing.

For each run a fresh ``albacore dashboard`` server is started (a cold open: the server reads the study while
the page loads) and the study page is opened in a fresh Chromium profile (nothing cached). Measured from the start
of navigation, by the page's own clock (``performance.now()``):

- first paint: the study's summary and the first rows of the trial table are on screen;
- history plot: the optimization history (a selection of about 4,000 of the trials) is drawn;
- warm first paint: the same page opened again on the same server;
- for scale, in the same run: a fresh process reading the study's trials (``load_study(...).get_trials()``), the
  floor under a cold first paint, since the page shows counts and best value over every trial.

Usage::

    python benchmarks/bench_dashboard.py --lib albacore [--quick]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import Metric, emit, parse_args

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "dashboard"))
from dashboard_browser import browser_context, build_big_study, chromium_missing, dashboard_server

PAINTED = "() => document.querySelector('.summary') && document.querySelector('.trial-table .rows .trow')"
PLOTTED = "() => document.querySelector('#plot .main-svg') && !document.querySelector('#plot.loading')"


def _open(context: object, url: str) -> tuple[float, float]:
    """Seconds from navigation start to the first paint and to the drawn history plot."""
    page = context.new_page()  # type: ignore[attr-defined]
    page.set_default_timeout(120_000)
    try:
        page.goto(url)
        page.wait_for_function(PAINTED, polling="raf")
        painted = page.evaluate("performance.now()") / 1000
        page.wait_for_function(PLOTTED, polling="raf")
        plotted = page.evaluate("performance.now()") / 1000
        return painted, plotted
    finally:
        page.close()


def _read_seconds(url: str) -> float:
    """Seconds a fresh process takes to open the study and read every trial (what a cold server must do)."""
    code = (
        "import sys, time, albacore, albacore.storages.rdb; t = time.perf_counter(); "
        "albacore.load_study(study_name='big', storage=sys.argv[1]).get_trials(deepcopy=False); "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code, url], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    if lib.__name__ != "albacore":
        emit([])
        return
    missing = chromium_missing()
    if missing is not None:
        raise SystemExit(f"bench_dashboard needs a browser: {missing}")
    n_trials = 2_000 if quick else 100_000
    runs = 1 if quick else 5
    figures: dict[str, list[float]] = {"cold": [], "plot": [], "warm": [], "read": []}
    with tempfile.TemporaryDirectory(prefix="albacore-bench-dashboard-") as folder:
        url = build_big_study(Path(folder) / "big.db", n_trials)
        for _ in range(runs):
            with dashboard_server(url, "--read-only") as base, browser_context() as context:
                painted, plotted = _open(context, f"{base}/#/s/0/1")
                figures["cold"].append(painted)
                figures["plot"].append(plotted)
                figures["warm"].append(_open(context, f"{base}/#/s/0/1")[0])
            figures["read"].append(_read_seconds(url))
    print(f"{figures}; load average {os.getloadavg()} on {os.cpu_count()} cores", file=sys.stderr)
    label = f"{n_trials:,}-trial SQLite study"
    names = {
        "cold": f"dashboard first paint of a {label}, cold server",
        "plot": f"dashboard history plot drawn, {label}, cold server",
        "warm": f"dashboard first paint of a {label}, warm server",
        "read": f"reading the {label} in a fresh process, same run (floor of a cold first paint)",
    }
    emit([Metric(f"{names[k]}, median of {runs}", statistics.median(v), "s", "lower") for k, v in figures.items()])


if __name__ == "__main__":
    main()
