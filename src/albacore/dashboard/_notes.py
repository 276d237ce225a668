"""Notes on studies and trials: Markdown kept in the study's own storage, rendered with raw HTML escaped.

A study's note is the study system attribute ``dashboard:note``; the note on trial N is the study system
attribute ``dashboard:trial_note:N`` (a finished trial is read-only, so trial notes live on their study). Each
value is ``{"body": <Markdown text>, "version": <int>}``; a save names the version it edited, so two people
editing the same note cannot silently overwrite each other.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from albacore._optional import require
from albacore.exceptions import InvalidArgumentError
from albacore.storages import BaseStorage

__all__ = ["MAX_NOTE_LENGTH", "NoteConflictError", "note_key", "read_note", "render_markdown", "write_note"]

STUDY_NOTE_KEY = "dashboard:note"
TRIAL_NOTE_PREFIX = "dashboard:trial_note:"
MAX_NOTE_LENGTH = 100_000


class NoteConflictError(InvalidArgumentError):
    """The note changed since the version the writer edited."""


def note_key(trial_number: int | None) -> str:
    """The study system attribute holding the study's note (None) or trial ``trial_number``'s note."""
    return STUDY_NOTE_KEY if trial_number is None else f"{TRIAL_NOTE_PREFIX}{trial_number}"


@lru_cache(maxsize=1)
def _renderer() -> Any:
    markdown_it = require("markdown_it", extra="dashboard", feature="dashboard notes")
    # "html": False escapes any HTML in the text; markdown-it refuses javascript:, vbscript: and file: links.
    return markdown_it.MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])


def render_markdown(text: str) -> str:
    """HTML for the Markdown ``text``; raw HTML in it is shown as text, never interpreted.

    Example:
        >>> render_markdown("**bold** <script>alert(1)</script>")
        '<p><strong>bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\\n'
    """
    html: str = _renderer().render(text)
    return html


def read_note(storage: BaseStorage, study_id: int, trial_number: int | None) -> dict[str, Any]:
    """The note's Markdown body, its rendered HTML and its version (0 for no note yet)."""
    stored = storage.get_study_system_attrs(study_id).get(note_key(trial_number))
    body, version = "", 0
    if isinstance(stored, dict) and isinstance(stored.get("body"), str) and isinstance(stored.get("version"), int):
        body, version = stored["body"], stored["version"]
    return {"body": body, "html": render_markdown(body), "version": version}


def write_note(
    storage: BaseStorage, study_id: int, trial_number: int | None, body: Any, version: Any
) -> dict[str, Any]:
    """Save a note edited from ``version``; raise NoteConflictError when someone saved another version since."""
    if not isinstance(body, str) or len(body) > MAX_NOTE_LENGTH:
        raise InvalidArgumentError(f"A note must be text of at most {MAX_NOTE_LENGTH} characters, got {type(body)}.")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidArgumentError(f"A note save must name the version it edited (an integer), got {version!r}.")
    current = read_note(storage, study_id, trial_number)["version"]
    if current != version:
        raise NoteConflictError(f"The note was saved by someone else (version {current}, you edited {version}).")
    storage.set_study_system_attr(study_id, note_key(trial_number), {"body": body, "version": version + 1})
    return read_note(storage, study_id, trial_number)
