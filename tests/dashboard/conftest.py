"""Fixtures of the dashboard tests: a SQLite study with known trials and a client of the app over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
from dashboard_fixtures import TOKEN, make_study
from starlette.testclient import TestClient

from albacore.dashboard import create_app

ORIGIN = "http://127.0.0.1"


@pytest.fixture()
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    make_study(url)
    return url


@pytest.fixture()
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(db_url, token=TOKEN, artifact_dir=tmp_path / "artifacts", poll_interval=0.05)
    with TestClient(app, base_url=ORIGIN) as test_client:
        yield test_client
