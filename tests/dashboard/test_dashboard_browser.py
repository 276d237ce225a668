"""The dashboard in a real browser: a real server over a SQLite study written by real worker processes.

Each test saves a screenshot under ``build/dashboard-screenshots/``. Chromium is Debian's (``.ci/run`` installs
it); without it these tests are skipped, saying why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dashboard_browser import (
    browser_context,
    build_big_study,
    chromium_missing,
    dashboard_server,
    run_workers,
)

import albacore
from albacore.trial import TrialState

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))

TOKEN = "browser-token"
SHOTS = Path(__file__).resolve().parents[2] / "build" / "dashboard-screenshots"
WAIT_MS = 60_000  # generous: CI shares a busy 2-core machine; nothing here asserts on time


@pytest.fixture(scope="module")
def study_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'studies.db'}"
    run_workers(url, "workers", n_trials=15, processes=2)
    albacore.create_study(study_name="second", storage=url).optimize(lambda t: t.suggest_float("x", 0, 1) ** 2, 5)
    return url


@pytest.fixture(scope="module")
def server(study_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    artifacts = tmp_path_factory.mktemp("artifacts")
    with dashboard_server(study_url, "--artifact-dir", str(artifacts), token=TOKEN) as base:
        yield base


@pytest.fixture(scope="module")
def context() -> Iterator[Any]:
    with browser_context() as browser:
        yield browser


@pytest.fixture()
def problems() -> list[str]:
    """Console errors and uncaught exceptions of the test's page."""
    return []


@pytest.fixture()
def page(context: Any, problems: list[str]) -> Iterator[Any]:
    """A page that records console errors and uncaught exceptions; the test fails if any happened."""
    page = context.new_page()
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.set_default_timeout(WAIT_MS)
    yield page
    page.close()
    assert problems == []


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _study(url: str, name: str = "workers") -> albacore.Study:
    return albacore.load_study(study_name=name, storage=url)


def _unlock(page: Any, server: str) -> None:
    """Open the dashboard with its write token and wait until the study list shows: the app has then taken the
    token, and the list's own rendering cannot land on top of the next page the test opens."""
    page.goto(f"{server}/#token={TOKEN}")
    page.wait_for_selector("tr[data-study]")


def _open_study(page: Any, server: str, study_url: str) -> albacore.Study:
    study = _study(study_url)
    _unlock(page, server)
    page.goto(f"{server}/#/s/0/{study._study_id}")
    page.wait_for_selector(".trial-table .rows .trow")
    return study


def test_study_list_shows_counts_and_best_value(page: Any, server: str, study_url: str) -> None:
    page.goto(f"{server}/#token={TOKEN}")
    row = page.locator('tr[data-study="workers"]')
    row.wait_for()
    study = _study(study_url)
    complete = len(study.get_trials(states=(TrialState.COMPLETE,)))
    assert row.locator('td[data-count="COMPLETE"]').inner_text() == str(complete)
    assert float(row.locator("td.best").inner_text()) == pytest.approx(study.best_value, rel=1e-5)
    assert page.locator('tr[data-study="second"]').count() == 1
    _shot(page, "study-list")
    page.fill('input[name="study-filter"]', "sec")
    page.wait_for_function("document.querySelectorAll('table.studies tbody tr').length === 1")


def test_history_plot_has_one_point_per_complete_trial(page: Any, server: str, study_url: str) -> None:
    study = _open_study(page, server, study_url)
    complete = len(study.get_trials(states=(TrialState.COMPLETE,)))
    points = page.locator("#plot .scatterlayer .trace").first.locator("path.point")
    page.wait_for_function(
        "n => document.querySelectorAll('#plot .scatterlayer .trace:first-child path.point').length === n", arg=complete
    )
    assert points.count() == complete
    _shot(page, "study")


def test_every_plot_tab_draws_without_errors(page: Any, server: str, study_url: str) -> None:
    _open_study(page, server, study_url)
    names = page.locator(".tabs .tab").evaluate_all("tabs => tabs.map(t => t.dataset.plot)")
    assert {"history", "intermediate", "parallel", "contour", "slice", "rank", "edf", "timeline", "importances"} <= set(
        names
    )
    for name in names:
        page.click(f'.tabs .tab[data-plot="{name}"]')
        page.wait_for_selector("#plot:not(.loading) .main-svg")
        page.wait_for_function("() => !document.querySelector('#plot').classList.contains('loading')")
        assert not page.locator(".plot-note").inner_text().startswith("Could not draw"), name
        if name == "parallel":
            _shot(page, "parallel-coordinates")


def test_a_trial_finished_by_another_process_appears_without_reload(page: Any, server: str, study_url: str) -> None:
    study = _open_study(page, server, study_url)
    before = len(study.trials)
    page.evaluate("window.__sameDocument = true")
    run_workers(study_url, "workers", n_trials=1, processes=1)
    page.wait_for_function(
        "n => document.querySelector('.trial-table h2 .muted').textContent.endsWith(' of ' + n)", arg=f"{before + 1}"
    )
    assert page.evaluate("window.__sameDocument") is True  # the page was not reloaded
    assert f"{before + 1} trials" in page.locator(".summary").inner_text()


def _column(page: Any, column: str) -> list[str]:
    return page.locator(f'.trial-table .rows .trow span[data-column="{column}"]').all_inner_texts()


def test_trial_table_sorts_numerically_filters_and_hides_columns(page: Any, server: str, study_url: str) -> None:
    _open_study(page, server, study_url)
    page.click('.thead .th[data-column="values.0"]')
    page.wait_for_function("document.querySelector('.thead .th[data-column=\"values.0\"]').textContent.endsWith('▲')")
    page.wait_for_timeout(300)
    values = [float(v) for v in _column(page, "values.0") if v]
    assert values == sorted(values) and len(values) > 3
    page.click('.thead .th[data-column="values.0"]')
    page.wait_for_function("document.querySelector('.thead .th[data-column=\"values.0\"]').textContent.endsWith('▼')")
    page.wait_for_timeout(300)
    values = [float(v) for v in _column(page, "values.0") if v]
    assert values == sorted(values, reverse=True)

    page.select_option('select[name="filter-column"]', "params.x")
    page.select_option('select[name="filter-op"]', ">=")
    page.fill('input[name="filter-value"]', "1")
    page.click("text=Add filter")
    page.wait_for_function("document.querySelectorAll('.chip.filter').length === 1")
    page.wait_for_timeout(300)
    xs = [float(x) for x in _column(page, "params.x")]
    study = _study(study_url)
    expected = sorted(t.params["x"] for t in study.trials if t.params.get("x", -9) >= 1)
    assert sorted(xs) == pytest.approx(expected, rel=1e-5)  # the page shows 6 significant digits

    page.uncheck('input[name="state-COMPLETE"]')
    page.wait_for_timeout(300)
    page.wait_for_function("document.querySelector('.trial-table h2 .muted').textContent.startsWith('0 shown')")

    page.click(".columns-menu summary")
    page.uncheck('.columns-menu input[data-column="params.lr"]')
    assert page.locator('.thead .th[data-column="params.lr"]').count() == 0
    _shot(page, "trial-table")


def test_writes_need_the_token(page: Any, server: str, study_url: str, problems: list[str]) -> None:
    study = _open_study(page, server, study_url)
    path = f"/api/s/0/studies/{study._study_id}/note"
    send = """([path, token]) => fetch(path, {
        method: 'POST',
        headers: Object.assign({'Content-Type': 'application/json'}, token ? {'X-Albacore-Token': token} : {}),
        body: JSON.stringify({body: 'from fetch', version: 0}),
    }).then(r => r.status)"""
    assert page.evaluate(send, [path, ""]) == 403
    assert page.evaluate(send, [path, "wrong"]) == 403
    assert _study(study_url).system_attrs.get("dashboard:note") is None
    problems[:] = [p for p in problems if "status of 403" not in p]  # Chromium logs the refusals we asked for
    # The page itself sends the token it took from the URL: edit the note through the interface.
    page.click("text=Edit note")
    page.fill('textarea[name="note-body"]', "**Tuned** with <b>two</b> workers")
    page.click("text=Save")
    page.wait_for_selector(".note .markdown strong")
    assert page.locator(".note .markdown").inner_text() == "Tuned with <b>two</b> workers"
    assert _study(study_url).system_attrs["dashboard:note"]["body"].startswith("**Tuned**")


def test_trial_page_and_compare_page(page: Any, server: str, study_url: str) -> None:
    study = _study(study_url)
    best = study.best_trial
    _unlock(page, server)
    page.goto(f"{server}/#/s/0/{study._study_id}/t/{best.number}")
    page.wait_for_selector(".plot.small .main-svg")
    text = page.locator("main").inner_text()
    assert f"Trial {best.number}" in text and "COMPLETE" in text
    assert re.search(r"\bx\b", text) and "worker" in text
    _shot(page, "trial")
    second = _study(study_url, "second")
    page.goto(f"{server}/#/compare?studies=0:{study._study_id},0:{second._study_id}")
    page.wait_for_selector(".plot .main-svg")
    _shot(page, "compare")


def test_a_running_trial_is_ended_from_the_page(page: Any, server: str, study_url: str) -> None:
    running = _study(study_url).ask()
    _unlock(page, server)
    page.goto(f"{server}/#/s/0/{_study(study_url)._study_id}/t/{running.number}")
    page.fill('input[name="tell-values"]', "0.125")
    page.click("text=Complete")
    page.wait_for_selector(".summary .chip.state-COMPLETE")
    trial = _study(study_url).trials[running.number]
    assert (trial.state, trial.values) == (TrialState.COMPLETE, [0.125])


@pytest.mark.slow
def test_a_study_of_100000_trials_opens(page: Any, tmp_path: Path) -> None:
    url = build_big_study(tmp_path / "big.db", 100_000)
    with dashboard_server(url, "--read-only") as base:
        page.goto(f"{base}/#/s/0/1")
        page.wait_for_selector(".trial-table .rows .trow")
        assert "100,000 trials" in page.locator(".summary").inner_text()
        page.wait_for_selector("#plot .main-svg")
        page.wait_for_function("() => !document.querySelector('#plot').classList.contains('loading')")
        assert "of 90,000 completed trials" in page.locator(".plot-note").inner_text()
        page.locator(".viewport").evaluate("v => { v.scrollTop = 28 * 60000; }")
        page.wait_for_selector('.trial-table .rows .trow[data-number="60000"]')
        _shot(page, "study-100k")
        page.goto("about:blank")  # close the page's event stream before its server stops
