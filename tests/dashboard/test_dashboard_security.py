"""The dashboard's safety rules: token, Host and Origin checks, read-only mode, response headers."""

from __future__ import annotations

import pytest
from dashboard_fixtures import ORIGIN, TOKEN, write_headers
from starlette.testclient import TestClient

from albacore.dashboard import TOKEN_ENV_VAR, create_app
from albacore.dashboard._security import CONTENT_SECURITY_POLICY, allowed_hosts_for
from albacore.dashboard._server import startup_message

NOTE = "/api/s/0/studies/1/note"


def _save(client: TestClient, headers: dict[str, str]) -> int:
    return client.post(NOTE, json={"body": "hello", "version": 0}, headers=headers).status_code


def test_a_write_needs_the_token(client: TestClient) -> None:
    assert _save(client, {"Origin": ORIGIN}) == 403
    assert _save(client, {"Origin": ORIGIN, "X-Albacore-Token": TOKEN + "x"}) == 403
    assert _save(client, {"Origin": ORIGIN, "X-Albacore-Token": ""}) == 403
    assert client.get("/api/s/0/studies/1").json()["note"]["version"] == 0  # nothing was written
    assert _save(client, write_headers()) == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Host": "evil.example"},
    ],
)
def test_a_write_from_another_site_is_refused_even_with_the_token(client: TestClient, headers: dict[str, str]) -> None:
    assert _save(client, {**write_headers(), **headers}) == 403


def test_reads_through_another_host_name_are_refused(client: TestClient) -> None:
    # A page on another site can point its name at 127.0.0.1 (DNS rebinding); its requests carry its own Host.
    assert client.get("/api/studies", headers={"Host": "rebound.example:8080"}).status_code == 403
    assert client.get("/api/studies", headers={"Host": "localhost:8080"}).status_code == 200


def test_read_only_refuses_every_write(db_url: str) -> None:
    with TestClient(create_app(db_url, token=TOKEN, read_only=True), base_url=ORIGIN) as client:
        assert _save(client, write_headers()) == 403
        assert (
            client.delete("/api/s/0/studies/1", params={"confirm": "demo"}, headers=write_headers()).status_code == 403
        )
        assert client.get("/api/info").json()["read_only"] is True


def test_token_from_the_environment(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV_VAR, "from-env")
    app = create_app(db_url)
    assert app.state.dashboard.token == "from-env"
    monkeypatch.delenv(TOKEN_ENV_VAR)
    made = create_app(db_url).state.dashboard.token
    assert len(made) >= 24 and made != create_app(db_url).state.dashboard.token


@pytest.mark.parametrize("path", ["/", "/api/studies", "/static/app.js", "/api/s/0/studies/99", "/nowhere"])
def test_every_response_has_a_strict_policy_and_no_cors(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "http://evil.example"})
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert not any(h.startswith("access-control-") for h in response.headers)


def test_refused_responses_carry_the_headers_too(client: TestClient) -> None:
    response = client.post(NOTE, json={})
    assert response.status_code == 403
    assert "X-Albacore-Token" in response.json()["error"]
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_hosts_and_start_message() -> None:
    assert allowed_hosts_for("0.0.0.0") is None
    assert "example.org" in (allowed_hosts_for("0.0.0.0", ["example.org"]) or ())
    assert "[::1]" in (allowed_hosts_for("::1") or ())
    assert "WARNING" in startup_message("0.0.0.0", 8080, "t")
    assert "WARNING" not in startup_message("127.0.0.1", 8080, "t")
    assert "http://127.0.0.1:8080/#token=t" in startup_message("127.0.0.1", 8080, "t")
