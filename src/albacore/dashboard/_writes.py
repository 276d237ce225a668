"""What a page can change (notes, ending a running trial, deleting a study, artifacts), through albacore's API.

Every route here is a write: :class:`~albacore.dashboard._security.SecurityMiddleware` lets it through only with
the token, from the dashboard's own origin, and never on a read-only dashboard. Artifacts are served as
downloads (``Content-Disposition: attachment``) unless they are raster images, under a sandboxing policy.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from albacore.dashboard._notes import read_note, write_note
from albacore.dashboard._sources import Sources, StudyTracker
from albacore.dashboard._table import jsonable
from albacore.exceptions import InvalidArgumentError, StudyNotFoundError
from albacore.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from albacore.artifacts import FileSystemArtifactStore

__all__ = ["INLINE_IMAGE_TYPES", "Writes"]

INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"})
"""Artifact types shown in the page; everything else (SVG included: it can hold script) is a download."""

_ARTIFACT_POLICY = "default-src 'none'; img-src 'self'; sandbox"
_END_STATES = {"COMPLETE": TrialState.COMPLETE, "FAIL": TrialState.FAIL, "PRUNED": TrialState.PRUNED}


def _ok(data: Any, status: int = 200) -> Response:
    from starlette.responses import JSONResponse

    return JSONResponse(jsonable(data), status_code=status, headers={"cache-control": "no-store"})


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body())
    except ValueError:
        raise InvalidArgumentError("The request body must be a JSON object.") from None
    if not isinstance(data, dict):
        raise InvalidArgumentError(f"The request body must be a JSON object, got {type(data).__name__}.")
    return data


def _safe_filename(name: str) -> str:
    """The last path component of ``name``, without control characters; refused when nothing is left."""
    base = re.sub(r"[\x00-\x1f\x7f]", "", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if base in ("", ".", ".."):
        raise InvalidArgumentError(f"An artifact needs a file name, got {name!r}.")
    return base[:255]


class Writes:
    """The write routes and the artifact reads, sharing the storages and the artifact store.

    Args:
        sources: The dashboard's storages.
        artifact_dir: The artifact directory, or None when the dashboard has none.
    """

    def __init__(self, sources: Sources, artifact_dir: str | os.PathLike[str] | None) -> None:
        self._sources = sources
        self.artifact_store: FileSystemArtifactStore | None = None
        if artifact_dir is not None:
            from albacore.artifacts import FileSystemArtifactStore

            self.artifact_store = FileSystemArtifactStore(artifact_dir)

    def _tracker(self, request: Request) -> StudyTracker:
        tracker = self._sources.tracker_at(request.path_params)
        tracker.refresh()
        return tracker

    # --- reads used by the API ----------------------------------------------------------------------------

    def note(self, tracker: StudyTracker, trial_number: int | None) -> dict[str, Any]:
        """The note of a study (None) or of one of its trials."""
        return read_note(tracker.storage, tracker.study_id, trial_number)

    def artifacts(self, tracker: StudyTracker, trial: FrozenTrial | None) -> list[dict[str, Any]]:
        """The artifacts recorded on the study (``trial`` None) or on ``trial``."""
        from albacore.artifacts import get_all_artifact_meta

        if trial is None:
            metas = get_all_artifact_meta(self._sources.study(tracker))
        else:
            metas = get_all_artifact_meta(trial, storage=tracker.storage)
        return [
            {"artifact_id": m.artifact_id, "filename": m.filename, "mimetype": m.mimetype, "encoding": m.encoding}
            for m in metas
        ]

    def download(self, tracker: StudyTracker, trial: FrozenTrial | None, artifact_id: str) -> Response:
        """Stream an artifact recorded on the study or trial; images inline, anything else as an attachment."""
        from starlette.responses import StreamingResponse

        if self.artifact_store is None:
            raise StudyNotFoundError("This dashboard has no artifact directory (start it with --artifact-dir).")
        meta = next((m for m in self.artifacts(tracker, trial) if m["artifact_id"] == artifact_id), None)
        if meta is None:
            raise StudyNotFoundError(f"No artifact {artifact_id!r} is recorded there.")
        reader = self.artifact_store.open_reader(artifact_id)

        def chunks() -> Any:
            with reader:
                while chunk := reader.read(1 << 16):
                    yield chunk

        image = meta["mimetype"] in INLINE_IMAGE_TYPES
        quoted = urllib.parse.quote(meta["filename"], safe="")
        headers = {
            "content-disposition": f"{'inline' if image else 'attachment'}; filename*=UTF-8''{quoted}",
            "content-security-policy": _ARTIFACT_POLICY,
            "cache-control": "no-store",
        }
        media_type = meta["mimetype"] if image else "application/octet-stream"
        return StreamingResponse(chunks(), media_type=media_type, headers=headers)

    # --- writes -------------------------------------------------------------------------------------------

    async def save_note(self, request: Request) -> Response:
        """POST {"body": Markdown, "version": the version edited} to the study's or a trial's note."""
        import anyio.to_thread

        data = await _body(request)
        tracker = await anyio.to_thread.run_sync(self._tracker, request)
        number = request.path_params.get("number")
        if number is not None:
            number = tracker.trial(number).number
        note = await anyio.to_thread.run_sync(
            write_note, tracker.storage, tracker.study_id, number, data.get("body"), data.get("version")
        )
        return _ok(note)

    async def tell(self, request: Request) -> Response:
        """POST {"state": COMPLETE|FAIL|PRUNED, "values": [...]} to end a RUNNING trial (``Study.tell``)."""
        import anyio.to_thread

        data = await _body(request)
        state = _END_STATES.get(str(data.get("state")))
        if state is None:
            raise InvalidArgumentError(f"`state` must be one of {sorted(_END_STATES)}, got {data.get('state')!r}.")
        values = data.get("values")
        if state == TrialState.COMPLETE:
            if not isinstance(values, list) or not all(isinstance(v, (int, float)) for v in values):
                raise InvalidArgumentError(f"A COMPLETE trial needs `values`, a list of numbers, got {values!r}.")
        else:
            values = None

        def run() -> dict[str, Any]:
            tracker = self._tracker(request)
            trial = tracker.trial(request.path_params["number"])
            if trial.state != TrialState.RUNNING:
                raise InvalidArgumentError(
                    f"Only a RUNNING trial can be ended here; trial {trial.number} is {trial.state.name}."
                )
            done = self._sources.study(tracker).tell(trial.number, values, state=state)
            tracker.refresh()
            return {"number": done.number, "state": done.state.name, "values": done.values}

        return _ok(await anyio.to_thread.run_sync(run))

    async def delete_study(self, request: Request) -> Response:
        """DELETE a study; ``?confirm=`` must repeat its name, so a stray request cannot delete one."""
        import anyio.to_thread

        from albacore.study import delete_study

        def run() -> dict[str, Any]:
            tracker = self._tracker(request)
            if request.query_params.get("confirm") != tracker.name:
                raise InvalidArgumentError("Deleting a study needs ?confirm= with the study's name.")
            delete_study(study_name=tracker.name, storage=tracker.storage)
            self._sources.forget(tracker.index, tracker.study_id)
            return {"deleted": tracker.name}

        return _ok(await anyio.to_thread.run_sync(run))

    async def upload(self, request: Request) -> Response:
        """PUT a file (the raw body; ``?filename=``) as an artifact of the study or of a running trial."""
        import anyio.to_thread

        from albacore.artifacts import upload_artifact

        store = self.artifact_store
        if store is None:
            raise InvalidArgumentError("This dashboard has no artifact directory (start it with --artifact-dir).")
        filename = _safe_filename(request.query_params.get("filename", ""))
        tracker = await anyio.to_thread.run_sync(self._tracker, request)
        number = request.path_params.get("number")
        trial = None if number is None else tracker.trial(number)
        with tempfile.TemporaryDirectory(prefix="albacore-upload-") as folder:
            path = Path(folder) / filename
            with path.open("wb") as out:
                async for chunk in request.stream():
                    out.write(chunk)

            def run() -> str:
                owner: Any = self._sources.study(tracker) if trial is None else trial
                return upload_artifact(
                    artifact_store=store, file_path=path, study_or_trial=owner, storage=tracker.storage
                )

            artifact_id = await anyio.to_thread.run_sync(run)
        return _ok({"artifact_id": artifact_id, "filename": filename}, 201)
