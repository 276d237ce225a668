"""The dashboard's ASGI application: the page, its static files, the JSON API and the event streams."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from albacore._optional import require
from albacore.dashboard._live import LIST_KEY, Key, Live
from albacore.dashboard._plots import PLOT_NAMES, TrialsView, compare_figure, plot_figure
from albacore.dashboard._security import SecurityMiddleware, allowed_hosts_for
from albacore.dashboard._sources import Sources, StudyTracker
from albacore.dashboard._table import TableOrders, jsonable, parse_filters, trial_row
from albacore.dashboard._writes import Writes
from albacore.exceptions import AlbacoreError, InvalidArgumentError, StudyNotFoundError
from albacore.logging import get_logger
from albacore.storages import BaseStorage
from albacore.version import __version__

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

__all__ = ["TOKEN_ENV_VAR", "Dashboard", "create_app"]

TOKEN_ENV_VAR = "ALBACORE_DASHBOARD_TOKEN"
"""The environment variable that sets the write token (else a random one is made at start)."""

_logger = get_logger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
MAX_PAGE_ROWS = 1_000


def _plotly_js() -> Path:
    plotly = require("plotly", extra="dashboard", feature="the dashboard")
    return Path(str(plotly.__file__)).parent / "package_data" / "plotly.min.js"


class Dashboard:
    """What the routes share: the storages, the live poller, the write token and caches.

    Args:
        storages: Storage URLs or storage objects (see :func:`create_app`).
        token: The write token, or None for a read-only dashboard.
        artifact_dir: Where artifacts are kept (a FileSystemArtifactStore), or None.
        poll_interval: Seconds between two reads of a study that a page watches.
    """

    def __init__(
        self,
        storages: Sequence[str | BaseStorage],
        *,
        token: str | None,
        artifact_dir: str | os.PathLike[str] | None,
        poll_interval: float,
    ) -> None:
        self.sources = Sources(storages)
        self.live = Live(self.sources, poll_interval)
        self.token = token
        self.poll_interval = poll_interval
        self.orders = TableOrders()
        self.writes = Writes(self.sources, artifact_dir)
        self._plots: OrderedDict[tuple[Any, ...], str] = OrderedDict()

    def tracker(self, request: Request) -> StudyTracker:
        """The study a request names in its path, brought up to date unless it was read a moment ago."""
        tracker = self.sources.tracker_at(request.path_params)
        tracker.refresh_if_older(self.poll_interval)
        return tracker

    def view(self, tracker: StudyTracker) -> TrialsView:
        """The study as the plot functions read it."""
        with tracker.lock:
            trials = list(tracker.trials)
        return TrialsView(tracker.name, tracker.directions, self.sources.study(tracker).metric_names, trials)

    def warm_up(self) -> None:
        """Read every study and import the plotting code once, in the background, so pages open fast."""
        try:
            import albacore.visualization
            import albacore.visualization.data  # noqa: F401 - imported for its import cost, paid before a page asks

            self.sources.study_rows()
            require("plotly.graph_objects", extra="dashboard", feature="the dashboard")
        except Exception as err:  # noqa: BLE001 - a page asking later reports the same error properly
            _logger.warning(f"Dashboard warm-up failed: {type(err).__name__}: {err}")

    def cached_plot(self, key: tuple[Any, ...], make: Callable[[], str]) -> str:
        """A plot's JSON for ``key`` (which holds the study version), made once."""
        text = self._plots.get(key)
        if text is None:
            text = make()
            self._plots[key] = text
            while len(self._plots) > 32:
                self._plots.popitem(last=False)
        return text


def _json(data: Any, status: int = 200) -> Response:
    from starlette.responses import Response

    body = json.dumps(jsonable(data), allow_nan=False, separators=(",", ":"))
    return Response(body, status_code=status, media_type="application/json", headers={"cache-control": "no-store"})


def _dashboard(request: Request) -> Dashboard:
    dashboard: Dashboard = request.app.state.dashboard
    return dashboard


# --- reading -------------------------------------------------------------------------------------------------


def _info(request: Request) -> Response:
    dashboard = _dashboard(request)
    storages = [{"index": e.index, "label": e.label, "error": e.error} for e in dashboard.sources.entries]
    return _json(
        {
            "version": __version__,
            "read_only": dashboard.token is None,
            "artifacts": dashboard.writes.artifact_store is not None,
            "storages": storages,
        }
    )


def _studies(request: Request) -> Response:
    dashboard = _dashboard(request)
    return _json({"studies": dashboard.sources.study_rows(refresh_after=dashboard.poll_interval)})


def _study(request: Request) -> Response:
    dashboard = _dashboard(request)
    tracker = dashboard.tracker(request)
    storage, study_id = tracker.storage, tracker.study_id
    multi = len(tracker.directions) > 1
    plots = [p for p in PLOT_NAMES if multi or p not in ("pareto", "hypervolume")]
    return _json(
        {
            "storage": tracker.index,
            **tracker.summary(),
            "metric_names": dashboard.sources.study(tracker).metric_names,
            "user_attrs": storage.get_study_user_attrs(study_id),
            "note": dashboard.writes.note(tracker, None),
            "artifacts": dashboard.writes.artifacts(tracker, None),
            "plots": plots,
        }
    )


def _trials(request: Request) -> Response:
    dashboard = _dashboard(request)
    tracker = dashboard.tracker(request)
    query = request.query_params
    try:
        offset = max(0, int(query.get("offset", "0")))
        limit = min(MAX_PAGE_ROWS, max(0, int(query.get("limit", "100"))))
    except ValueError:
        raise InvalidArgumentError("`offset` and `limit` must be integers.") from None
    sort = query.get("sort") or "number"
    descending = query.get("desc") == "1"
    filters = parse_filters(query.get("filters"))
    with tracker.lock:
        trials, version = list(tracker.trials), tracker.version
    key = (tracker.storage, tracker.study_id, version)
    numbers = dashboard.orders.numbers(key, trials, sort=sort, descending=descending, filters=filters)
    rows = [trial_row(trials[n]) for n in numbers[offset : offset + limit]]
    return _json({"version": version, "n_trials": len(trials), "total": len(numbers), "offset": offset, "rows": rows})


def _trial(request: Request) -> Response:
    dashboard = _dashboard(request)
    tracker = dashboard.tracker(request)
    try:
        trial = tracker.trial(request.path_params["number"])
    except StudyNotFoundError:
        # A link to a trial newer than the last periodic refresh (asked a moment ago by a worker): read the
        # storage once before saying there is no such trial.
        tracker.refresh()
        trial = tracker.trial(request.path_params["number"])
    number = trial.number
    return _json(
        {
            **trial_row(trial),
            "distributions": {name: repr(dist) for name, dist in trial.distributions.items()},
            "intermediate_values": sorted(trial.intermediate_values.items()),
            "system_attrs": trial.system_attrs,
            "heartbeat": trial.system_attrs.get("heartbeat"),
            "constraints": trial.system_attrs.get("constraints"),
            "note": dashboard.writes.note(tracker, number),
            "artifacts": dashboard.writes.artifacts(tracker, trial),
            "directions": [d.name.lower() for d in tracker.directions],
        }
    )


def _plot(request: Request) -> Response:
    from starlette.responses import Response

    dashboard = _dashboard(request)
    tracker = dashboard.tracker(request)
    name = request.path_params["name"]
    query = dict(request.query_params)
    key = (tracker.storage, tracker.study_id, tracker.version, name, tuple(sorted(query.items())))

    def make() -> str:
        figure, note = plot_figure(dashboard.view(tracker), name, query)
        return f'{{"note":{json.dumps(note)},"figure":{figure.to_json()}}}'

    return Response(dashboard.cached_plot(key, make), media_type="application/json")


def _compare(request: Request) -> Response:
    from starlette.responses import Response

    dashboard = _dashboard(request)
    views = []
    for item in request.query_params.get("studies", "").split(","):
        index, _, study_id = item.partition(":")
        if not (index.isdigit() and study_id.isdigit()):
            raise InvalidArgumentError(f"`studies` must list STORAGE:STUDY_ID pairs, got {item!r}.")
        tracker = dashboard.sources.tracker(int(index), int(study_id))
        tracker.refresh_if_older(dashboard.poll_interval)
        views.append(dashboard.view(tracker))
    figure = compare_figure(views, request.path_params["name"])
    return Response(figure.to_json(), media_type="application/json")


async def _events(request: Request) -> Response:
    from starlette.responses import StreamingResponse

    dashboard = _dashboard(request)
    if "study_id" in request.path_params:
        tracker = await asyncio.to_thread(dashboard.tracker, request)  # 404 for an unknown study
        key: Key = (tracker.index, tracker.study_id)
    else:
        key = LIST_KEY
    headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
    return StreamingResponse(dashboard.live.stream(key), media_type="text/event-stream", headers=headers)


def _artifact(request: Request) -> Response:
    dashboard = _dashboard(request)
    tracker = dashboard.tracker(request)
    number = request.path_params.get("number")
    trial = None if number is None else tracker.trial(number)
    return dashboard.writes.download(tracker, trial, request.path_params["artifact_id"])


# --- the app -------------------------------------------------------------------------------------------------


def _index(request: Request) -> Response:
    from starlette.responses import FileResponse

    return FileResponse(STATIC_DIR / "index.html", headers={"cache-control": "no-store"})


def _plotly(request: Request) -> Response:
    from starlette.responses import FileResponse

    return FileResponse(_plotly_js(), media_type="text/javascript", headers={"cache-control": "max-age=86400"})


async def _error(request: Request, exc: Exception) -> Response:
    from albacore.dashboard._notes import NoteConflictError
    from albacore.exceptions import UpdateFinishedTrialError

    status = 400
    if isinstance(exc, (StudyNotFoundError, KeyError)):
        status = 404
    elif isinstance(exc, (NoteConflictError, UpdateFinishedTrialError)):
        status = 409
    message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    return _json({"error": message}, status)


def create_app(
    storages: Sequence[str | BaseStorage] | str | BaseStorage,
    *,
    token: str | None = None,
    read_only: bool = False,
    artifact_dir: str | os.PathLike[str] | None = None,
    host: str = "127.0.0.1",
    allowed_hosts: Sequence[str] = (),
    poll_interval: float = 0.5,
) -> Starlette:
    """Make the dashboard's ASGI application, to embed in an ASGI server of your own.

    Args:
        storages: One storage (URL or object) or several; each study of each is shown.
        token: The token every write must carry; None takes ``ALBACORE_DASHBOARD_TOKEN`` or makes a random one
            (``app.state.dashboard.token`` holds it).
        read_only: Refuse every write (no token is made).
        artifact_dir: A directory of artifacts (a :class:`~albacore.artifacts.FileSystemArtifactStore`), for
            listing, downloading and uploading them.
        host: The address the server binds; decides which ``Host`` headers are accepted (see ``allowed_hosts``).
        allowed_hosts: More host names to accept, for a dashboard reached through a proxy or by its name.
        poll_interval: Seconds between two reads of a study that an open page watches.

    Returns:
        A Starlette application.

    Example:
        >>> import albacore
        >>> from starlette.testclient import TestClient
        >>> storage = albacore.storages.InMemoryStorage()
        >>> albacore.create_study(storage=storage, study_name="demo").optimize(lambda t: t.suggest_float("x", 0, 1), 3)
        >>> app = create_app(storage, token="secret")
        >>> client = TestClient(app, base_url="http://127.0.0.1")
        >>> [s["name"] for s in client.get("/api/studies").json()["studies"]]
        ['demo']
    """
    require("starlette", extra="dashboard", feature="the dashboard")
    from starlette.applications import Starlette
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    if isinstance(storages, (str, BaseStorage)):
        storages = [storages]
    if read_only:
        token = None
    elif token is None:
        token = os.environ.get(TOKEN_ENV_VAR) or secrets.token_urlsafe(24)
    dashboard = Dashboard(storages, token=token, artifact_dir=artifact_dir, poll_interval=poll_interval)
    study = "/api/s/{storage}/studies/{study_id}"
    writes = dashboard.writes
    routes = [
        Route("/", _index),
        Route("/vendor/plotly.min.js", _plotly),
        Mount("/static", StaticFiles(directory=STATIC_DIR)),
        Route("/api/info", _info),
        Route("/api/studies", _studies),
        Route("/api/events", _events),
        Route("/api/compare/{name}", _compare),
        Route(study, _study),
        Route(study, writes.delete_study, methods=["DELETE"]),
        Route(study + "/events", _events),
        Route(study + "/trials", _trials),
        Route(study + "/trials/{number}", _trial),
        Route(study + "/plots/{name}", _plot),
        Route(study + "/note", writes.save_note, methods=["POST"]),
        Route(study + "/trials/{number}/note", writes.save_note, methods=["POST"]),
        Route(study + "/trials/{number}/tell", writes.tell, methods=["POST"]),
        Route(study + "/artifacts", writes.upload, methods=["PUT"]),
        Route(study + "/trials/{number}/artifacts", writes.upload, methods=["PUT"]),
        Route(study + "/artifacts/{artifact_id}", _artifact),
        Route(study + "/trials/{number}/artifacts/{artifact_id}", _artifact),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(dashboard.live.run()), asyncio.create_task(asyncio.to_thread(dashboard.warm_up))]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={AlbacoreError: _error, KeyError: _error})
    app.state.dashboard = dashboard
    app.add_middleware(SecurityMiddleware, token=token, allowed_hosts=allowed_hosts_for(host, allowed_hosts))
    return app
