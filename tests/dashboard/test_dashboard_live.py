"""Live updates: a trial written by another client reaches an open event stream."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from dashboard_fixtures import ORIGIN, make_study
from starlette.testclient import TestClient

import albacore
from albacore.dashboard import create_app


def _changes(lines: object, wanted: int, deadline: float) -> list[dict[str, object]]:
    messages: list[dict[str, object]] = []
    for line in lines:  # type: ignore[attr-defined]
        if line.startswith("data: "):
            messages.append(json.loads(line[len("data: ") :]))
            if len(messages) == wanted:
                break
        if time.monotonic() > deadline:
            break
    return messages


def test_a_trial_from_another_client_is_pushed_to_the_study_stream(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    make_study(url)
    app = create_app(url, read_only=True, poll_interval=0.05)
    with TestClient(app, base_url=ORIGIN) as client, client.stream("GET", "/api/s/0/studies/1/events") as stream:
        lines = stream.iter_lines()
        (first,) = _changes(lines, 1, time.monotonic() + 20)
        assert first["n_trials"] == 9

        def write_elsewhere() -> None:
            time.sleep(0.2)
            other = albacore.load_study(study_name="demo", storage=url)
            other.optimize(lambda t: t.suggest_float("x", 0, 10), n_trials=1)

        writer = threading.Thread(target=write_elsewhere)
        writer.start()
        (second,) = _changes(lines, 1, time.monotonic() + 20)
        writer.join()
    assert second["n_trials"] == 10
    assert second["version"] != first["version"]


def test_the_list_stream_announces_a_new_study(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'list.db'}"
    make_study(url)
    app = create_app(url, read_only=True, poll_interval=0.05)
    with TestClient(app, base_url=ORIGIN) as client, client.stream("GET", "/api/events") as stream:
        lines = stream.iter_lines()
        assert _changes(lines, 1, time.monotonic() + 20) == [{"kind": "studies"}]
        albacore.create_study(study_name="newcomer", storage=url)
        assert _changes(lines, 1, time.monotonic() + 20) == [{"kind": "studies"}]
        names = [r["name"] for r in client.get("/api/studies").json()["studies"]]
    assert sorted(names) == ["demo", "newcomer"]
