"""The albacore dashboard: a web page over any albacore storage, live, safe by default and fast on big studies.

``albacore dashboard sqlite:///study.db`` (or :func:`run_server`) serves every study of one or several storages:
a study list with counts and best values, a study page with live plots from :mod:`albacore.visualization`, a
trial table that pages through 100,000 trials, trial details, Markdown notes and artifacts. New trials appear
within a second or two, pushed by the server, whichever process or machine wrote them.

Safe by default: the server binds 127.0.0.1; every write needs the token printed at start (or set with
``ALBACORE_DASHBOARD_TOKEN``); ``--read-only`` refuses all writes; Host and Origin are checked and a strict
Content Security Policy is sent (see :mod:`albacore.dashboard._security`). It never upgrades a database schema.

Notes are kept in the study's own storage, as study system attributes ``dashboard:note`` (the study's) and
``dashboard:trial_note:N`` (trial N's), each ``{"body": Markdown, "version": n}``.

Example:
    >>> import albacore
    >>> from albacore.dashboard import create_app
    >>> from starlette.testclient import TestClient
    >>> storage = albacore.storages.InMemoryStorage()
    >>> albacore.create_study(storage=storage, study_name="demo").optimize(lambda t: t.suggest_float("x", 0, 1), 5)
    >>> client = TestClient(create_app(storage, token="secret"), base_url="http://127.0.0.1")
    >>> row = client.get("/api/studies").json()["studies"][0]
    >>> row["name"], row["counts"]["COMPLETE"]
    ('demo', 5)
"""

from albacore.dashboard._app import TOKEN_ENV_VAR, create_app
from albacore.dashboard._server import run_server

__all__ = ["TOKEN_ENV_VAR", "create_app", "run_server"]
