"""The dashboard's JSON API over a real SQLite study: the list, the study, the table, trials, plots, writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dashboard_fixtures import ORIGIN, TOKEN, make_study, write_headers
from starlette.testclient import TestClient

import albacore
from albacore.dashboard import create_app
from albacore.trial import TrialState


def test_study_list_counts_and_best_value(client: TestClient) -> None:
    (row,) = client.get("/api/studies").json()["studies"]
    assert row["name"] == "demo"
    assert row["n_trials"] == 9
    assert row["counts"] == {"RUNNING": 1, "COMPLETE": 6, "PRUNED": 1, "FAIL": 1, "WAITING": 0}
    assert row["best"] == {"number": 3, "value": 1.0}
    assert row["param_names"] == ["x"]


def test_study_list_shows_several_storages_and_unopenable_ones(tmp_path: Path) -> None:
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"journal://{tmp_path / 'b.log'}"
    make_study(first, "in-sqlite")
    make_study(second, "in-journal")
    missing = f"sqlite:///{tmp_path / 'missing.db'}"
    app = create_app([first, second, missing], token=TOKEN)
    with TestClient(app, base_url=ORIGIN) as client:
        rows = client.get("/api/studies").json()["studies"]
        storages = client.get("/api/info").json()["storages"]
    assert sorted((r["storage"], r["name"]) for r in rows) == [(0, "in-sqlite"), (1, "in-journal")]
    assert storages[2]["error"].startswith("No such file")
    assert not (tmp_path / "missing.db").exists()  # a dashboard never creates a database


def test_trial_table_sorts_numerically_and_filters(client: TestClient) -> None:
    def numbers(**query: str) -> list[int]:
        page = client.get("/api/s/0/studies/1/trials", params=query).json()
        return [r["number"] for r in page["rows"]]

    assert numbers(sort="values.0") == [3, 5, 1, 0, 2, 4, 6, 7, 8]  # trials without a value last
    assert numbers(sort="values.0", desc="1") == [4, 2, 0, 1, 5, 3, 6, 7, 8]
    assert numbers(sort="params.x", filters=json.dumps([{"column": "params.x", "op": ">=", "value": "5"}])) == [0, 2, 4]
    by_state = json.dumps([{"column": "state", "op": "in", "value": ["PRUNED", "RUNNING"]}])
    assert numbers(filters=by_state) == [6, 8]
    odd = json.dumps([{"column": "user_attrs.group", "op": "=", "value": "odd"}])
    assert numbers(filters=odd) == [0, 1, 3, 4]
    page = client.get("/api/s/0/studies/1/trials", params={"offset": 2, "limit": 3, "sort": "number"}).json()
    assert [r["number"] for r in page["rows"]] == [2, 3, 4]
    assert page["total"] == 9


def test_bad_table_requests_say_what_was_wrong(client: TestClient) -> None:
    response = client.get("/api/s/0/studies/1/trials", params={"sort": "colour"})
    assert response.status_code == 400
    assert "colour" in response.json()["error"]
    assert client.get("/api/s/0/studies/99").status_code == 404
    assert client.get("/api/s/0/studies/1/trials/42").status_code == 404


def test_trial_detail(client: TestClient) -> None:
    trial = client.get("/api/s/0/studies/1/trials/3").json()
    assert trial["state"] == "COMPLETE"
    assert trial["values"] == [1.0]
    assert trial["params"] == {"x": 1.0}
    assert trial["intermediate_values"] == [[0, 2.0], [1, 1.0]]
    assert trial["user_attrs"] == {"group": "odd"}
    assert trial["note"] == {"body": "", "html": "", "version": 0}


def test_history_plot_has_one_point_per_complete_trial(client: TestClient) -> None:
    figure = client.get("/api/s/0/studies/1/plots/history").json()["figure"]
    study = albacore.load_study(study_name="demo", storage=client.app.state.dashboard.sources.storage(0))  # type: ignore[attr-defined]
    expected = albacore.visualization.plot_optimization_history(study)
    assert [t["name"] for t in figure["data"]] == [t.name for t in expected.data]
    assert json.loads(expected.to_json())["data"][0]["x"] == figure["data"][0]["x"]


@pytest.mark.parametrize(
    "name", ["intermediate", "parallel", "contour", "slice", "rank", "edf", "timeline", "importances"]
)
def test_every_plot_draws(client: TestClient, name: str) -> None:
    response = client.get(f"/api/s/0/studies/1/plots/{name}")
    assert response.status_code == 200, response.text
    assert "layout" in response.json()["figure"]


def test_multi_objective_plots(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'multi.db'}"
    study = albacore.create_study(study_name="mo", storage=url, directions=["minimize", "maximize"])
    study.optimize(lambda t: (t.suggest_float("a", 0, 1), t.suggest_float("b", 0, 1)), n_trials=20)
    with TestClient(create_app(url, read_only=True), base_url=ORIGIN) as client:
        detail = client.get("/api/s/0/studies/1").json()
        assert sorted(detail["best"]["pareto_numbers"]) == sorted(t.number for t in study.best_trials)
        for name in ("pareto", "hypervolume", "parallel"):
            assert client.get(f"/api/s/0/studies/1/plots/{name}").status_code == 200
        assert client.get("/api/s/0/studies/1/plots/history", params={"objective": "1"}).status_code == 200
        first = client.get("/api/s/0/studies/1/plots/history").json()["figure"]  # the first objective by default
        assert first["layout"]["yaxis"]["title"]["text"] == "Objective 0"


def test_compare_two_studies(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'two.db'}"
    make_study(url, "first")
    make_study(url, "second")
    with TestClient(create_app(url, read_only=True), base_url=ORIGIN) as client:
        figure = client.get("/api/compare/history", params={"studies": "0:1,0:2"}).json()
    names = [t["name"] for t in figure["data"]]
    assert any("first" in n for n in names) and any("second" in n for n in names)


def test_notes_are_kept_in_the_storage_and_rendered_safely(client: TestClient, db_url: str) -> None:
    body = "**done** <script>alert(1)</script> [x](javascript:alert(1))"
    saved = client.post("/api/s/0/studies/1/note", json={"body": body, "version": 0}, headers=write_headers())
    assert saved.status_code == 200, saved.text
    html = saved.json()["html"]
    assert "<strong>done</strong>" in html and "<script>" not in html and "javascript:" not in html.split("&lt;")[0]
    trial_note = client.post(
        "/api/s/0/studies/1/trials/3/note", json={"body": "best one", "version": 0}, headers=write_headers()
    )
    assert trial_note.json()["version"] == 1
    attrs = albacore.load_study(study_name="demo", storage=db_url).system_attrs
    assert attrs["dashboard:note"] == {"body": body, "version": 1}
    assert attrs["dashboard:trial_note:3"] == {"body": "best one", "version": 1}
    stale = client.post("/api/s/0/studies/1/note", json={"body": "lost?", "version": 0}, headers=write_headers())
    assert stale.status_code == 409


def test_tell_a_running_trial(client: TestClient, db_url: str) -> None:
    done = client.post(
        "/api/s/0/studies/1/trials/8/tell", json={"state": "COMPLETE", "values": [0.5]}, headers=write_headers()
    )
    assert done.status_code == 200, done.text
    trial = albacore.load_study(study_name="demo", storage=db_url).trials[8]
    assert (trial.state, trial.values) == (TrialState.COMPLETE, [0.5])
    again = client.post("/api/s/0/studies/1/trials/8/tell", json={"state": "FAIL"}, headers=write_headers())
    assert again.status_code == 400
    assert client.get("/api/studies").json()["studies"][0]["best"] == {"number": 8, "value": 0.5}


def test_delete_a_study_needs_its_name(client: TestClient, db_url: str) -> None:
    assert client.delete("/api/s/0/studies/1", headers=write_headers()).status_code == 400
    deleted = client.delete("/api/s/0/studies/1", params={"confirm": "demo"}, headers=write_headers())
    assert deleted.status_code == 200
    assert albacore.get_all_study_names(db_url) == []
    assert client.get("/api/studies").json()["studies"] == []


def test_artifacts_upload_list_and_download(client: TestClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    for name, content in (("../../evil<b>.txt", b"hello"), ("plot.png", png)):
        response = client.put(
            "/api/s/0/studies/1/artifacts", params={"filename": name}, content=content, headers=write_headers()
        )
        assert response.status_code == 201, response.text
    listed = sorted(client.get("/api/s/0/studies/1").json()["artifacts"], key=lambda a: a["filename"])
    assert [a["filename"] for a in listed] == ["evil<b>.txt", "plot.png"]  # only the base name is kept
    text = client.get(f"/api/s/0/studies/1/artifacts/{listed[0]['artifact_id']}")
    assert text.content == b"hello"
    assert text.headers["content-disposition"].startswith("attachment;")
    assert text.headers["content-type"] == "application/octet-stream"
    image = client.get(f"/api/s/0/studies/1/artifacts/{listed[1]['artifact_id']}")
    assert image.headers["content-disposition"].startswith("inline;")
    assert image.headers["content-type"] == "image/png"
    assert client.get("/api/s/0/studies/1/artifacts/not-recorded").status_code == 404
    running = client.put(
        "/api/s/0/studies/1/trials/8/artifacts", params={"filename": "ckpt.bin"}, content=b"x", headers=write_headers()
    )
    assert running.status_code == 201
    assert [a["filename"] for a in client.get("/api/s/0/studies/1/trials/8").json()["artifacts"]] == ["ckpt.bin"]


def test_page_and_plotly_are_served_locally(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert "https://" not in page.text
    plotly = client.get("/vendor/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    assert client.get("/static/app.js").status_code == 200


def test_a_trial_asked_after_the_last_refresh_is_found(client: TestClient, db_url: str) -> None:
    assert client.get("/api/s/0/studies/1/trials/3").status_code == 200  # the study's tracker is filled now
    running = albacore.load_study(study_name="demo", storage=db_url).ask()
    trial = client.get(f"/api/s/0/studies/1/trials/{running.number}")
    assert trial.status_code == 200
    assert trial.json()["state"] == "RUNNING"
    assert client.get(f"/api/s/0/studies/1/trials/{running.number + 1}").status_code == 404
