"""The on-disk format of a journal file: framed, checksummed records, and how damage is told apart.

A journal file starts with one header line, then holds one record per line::

    albacore-journal 1 <32 hex digits: the journal's id>\\n
    <8 hex digits: payload length><8 hex digits: crc32 of the payload><payload: compact JSON>\\n
    ...

JSON never contains a raw newline, so every record is one line and a reader can find the next record
boundary after damage. A record is *intact* when its length and checksum match and it ends with a newline.

A bad record with no intact record after it is a *torn tail*: a writer was killed while appending (or is
appending right now), so nothing after it was ever acknowledged. Readers stop before it; the next writer,
holding the lock, moves its bytes to ``<path>.corrupt`` and truncates the file there (it *seals* it). A bad
record followed by an intact one is *damage in the middle*: records that were acknowledged would be lost by
skipping it, so readers fail closed with :class:`~albacore.exceptions.StorageCorruptedError`, and
:func:`repair_journal` is the way out.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import uuid
import zlib

from albacore.exceptions import InvalidArgumentError, StorageCorruptedError, StorageVersionError

__all__ = [
    "FORMAT_VERSION",
    "HEADER_LEN",
    "MAGIC",
    "RepairReport",
    "ScanResult",
    "corruption_error",
    "frame",
    "new_header",
    "parse_header",
    "repair_journal",
    "scan",
]

MAGIC = b"albacore-journal"
FORMAT_VERSION = 1
HEADER_LEN = len(MAGIC) + 3 + 32 + 1  # magic, " 1 ", journal id, newline
_FRAME = 16  # 8 hex digits of length + 8 of crc32
_NEWLINE = 10


def new_header() -> bytes:
    """Return the first line of a new journal file, with a fresh journal id."""
    return b"%s %d %s\n" % (MAGIC, FORMAT_VERSION, uuid.uuid4().hex.encode())


def parse_header(data: bytes, path: str) -> tuple[str, int] | None:
    """Return (journal id, offset of the first record), or None when ``data`` is too short to tell yet.

    Raises:
        InvalidArgumentError: The file is not an albacore journal.
        StorageVersionError: The journal was written by a newer albacore.
    """
    if len(data) < HEADER_LEN:
        if MAGIC.startswith(data[: len(MAGIC)]):
            return None
        raise _not_a_journal(path, data)
    fields = data[:HEADER_LEN].split(b" ")
    if fields[0] != MAGIC or len(fields) != 3 or data[HEADER_LEN - 1] != _NEWLINE:
        raise _not_a_journal(path, data)
    if fields[1] != b"%d" % FORMAT_VERSION:
        raise StorageVersionError(
            f"The journal {path} has format version {fields[1].decode(errors='replace')}, but this albacore reads "
            f"version {FORMAT_VERSION} only; upgrade albacore (pip install -U albacore) to open it."
        )
    return fields[2][:32].decode("ascii", errors="replace"), HEADER_LEN


def _not_a_journal(path: str, data: bytes) -> InvalidArgumentError:
    if data[:1] == b"{":
        from albacore.storages._optuna import optuna_storage_message

        return InvalidArgumentError(
            optuna_storage_message(f"journal://{path}", "an Optuna journal file", database=False)
        )
    return InvalidArgumentError(
        f"{path} is not an albacore journal file (it does not start with {MAGIC.decode()!r}). "
        "Pass the path of a journal written by albacore, or a path that does not exist yet to start one."
    )


def frame(payload: bytes) -> bytes:
    """Return ``payload`` (compact JSON without raw newlines) framed as one journal record."""
    return b"%08x%08x%s\n" % (len(payload), zlib.crc32(payload), payload)


@dataclasses.dataclass
class ScanResult:
    """What :func:`scan` found in a stretch of journal bytes.

    Attributes:
        payloads: The JSON payloads of the intact records, in order.
        end: Offset (relative to the scanned bytes) just past the last intact record.
        torn: True when bytes after ``end`` form a torn or still-being-written tail.
        damaged_at: Offset of a bad record that has intact records after it (damage in the middle), else None.
    """

    payloads: list[bytes]
    end: int
    torn: bool
    damaged_at: int | None


def _intact_at(data: bytes, pos: int) -> int:
    """Return the end (past the newline) of the intact record starting at ``pos``, or -1."""
    n = len(data)
    if n - pos <= _FRAME:
        return -1
    try:
        length = int(data[pos : pos + 8], 16)
        crc = int(data[pos + 8 : pos + _FRAME], 16)
    except ValueError:
        return -1
    end = pos + _FRAME + length
    if length < 0 or end >= n or data[end] != _NEWLINE or zlib.crc32(data[pos + _FRAME : end]) != crc:
        return -1
    return end + 1


def _next_intact(data: bytes, pos: int) -> int:
    """Return the offset of the first intact record after a bad one at ``pos``, or -1."""
    try:
        # When only the bad record's newline was hit, its length still says where the next record starts.
        declared_next = pos + _FRAME + int(data[pos : pos + 8], 16) + 1
    except ValueError:
        declared_next = -1
    newline = data.find(b"\n", pos)
    plausible = pos < declared_next < len(data) and (newline == -1 or declared_next <= newline + 1)
    if plausible and _intact_at(data, declared_next) != -1:
        return declared_next
    while newline != -1:
        if _intact_at(data, newline + 1) != -1:
            return newline + 1
        newline = data.find(b"\n", newline + 1)
    return -1


def scan(data: bytes) -> ScanResult:
    """Split journal bytes (starting at a record boundary) into intact records; classify what follows."""
    payloads: list[bytes] = []
    append = payloads.append
    crc32 = zlib.crc32
    n = len(data)
    pos = 0
    # The happy path is inlined (not a call to _intact_at) because it runs once per record at replay.
    while pos < n:
        if n - pos <= _FRAME:
            break
        try:
            length = int(data[pos : pos + 8], 16)
            crc = int(data[pos + 8 : pos + _FRAME], 16)
        except ValueError:
            break
        end = pos + _FRAME + length
        if length < 0 or end >= n or data[end] != _NEWLINE:
            break
        payload = data[pos + _FRAME : end]
        if crc32(payload) != crc:
            break
        append(payload)
        pos = end + 1
    if pos == n:
        return ScanResult(payloads, pos, False, None)
    if _next_intact(data, pos) == -1:
        return ScanResult(payloads, pos, True, None)
    return ScanResult(payloads, pos, False, pos)


def corruption_error(path: str, record_number: int, offset: int) -> StorageCorruptedError:
    """Return the error for damage in the middle of a journal file, naming where and how to repair it."""
    return StorageCorruptedError(
        f"The journal {path} is damaged in the middle: record #{record_number} at byte offset {offset} fails "
        "its length/checksum check, and intact records follow it, so skipping it could lose acknowledged "
        f"writes. Stop every worker using it, keep a copy of the file, then run "
        f"`albacore storage repair --storage journal:///{os.path.abspath(path).lstrip('/')}` "
        "(or albacore.storages.journal.repair_journal(path)): it keeps every intact record and moves the damaged "
        f"bytes to {path}.corrupt."
    )


@dataclasses.dataclass
class RepairReport:
    """What :func:`repair_journal` did.

    Attributes:
        path: The repaired journal.
        records_kept: Intact records kept, in their original order.
        damaged_ranges: (offset, length) of each damaged stretch in the original file.
        bytes_moved: Total damaged bytes appended to ``corrupt_path``.
        corrupt_path: Where the damaged bytes went (``<path>.corrupt``), or None when nothing was damaged.
    """

    path: str
    records_kept: int
    damaged_ranges: list[tuple[int, int]]
    bytes_moved: int
    corrupt_path: str | None


def repair_journal(path: str | os.PathLike[str]) -> RepairReport:
    """Rewrite a damaged journal file keeping every intact record; move damaged bytes to ``<path>.corrupt``.

    Run it only while no worker uses the journal (workers keep reading the file they opened). The repaired
    journal replaces the original atomically; a stale ``<path>.snapshot`` is removed so it cannot describe
    records that moved.

    Args:
        path: The journal file.

    Returns:
        A :class:`RepairReport`; ``damaged_ranges`` is empty when the file was already intact.

    Example:
        >>> import os, tempfile
        >>> from albacore.storages.journal import JournalFileBackend, repair_journal
        >>> path = os.path.join(tempfile.mkdtemp(), "study.log")
        >>> JournalFileBackend(path).append_logs([{"op": "a"}, {"op": "b"}])
        >>> report = repair_journal(path)
        >>> report.records_kept, report.damaged_ranges
        (2, [])
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read()
    parsed = parse_header(data, path)
    if parsed is None:
        raise InvalidArgumentError(f"{path} is shorter than a journal header; there is nothing to repair.")
    _, pos = parsed
    kept = [data[:pos]]
    damaged: list[tuple[int, int]] = []
    records = 0
    n = len(data)
    while pos < n:
        end = _intact_at(data, pos)
        if end != -1:
            kept.append(data[pos:end])
            records += 1
            pos = end
            continue
        resume = _next_intact(data, pos)
        stop = n if resume == -1 else resume
        damaged.append((pos, stop - pos))
        pos = stop
    if not damaged:
        return RepairReport(path, records, [], 0, None)
    corrupt_path = path + ".corrupt"
    with open(corrupt_path, "ab") as f:
        for offset, length in damaged:
            f.write(data[offset : offset + length])
        f.flush()
        os.fsync(f.fileno())
    tmp = f"{path}.repair-{uuid.uuid4().hex}"
    with open(tmp, "wb") as f:
        f.write(b"".join(kept))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path + ".snapshot")
    return RepairReport(path, records, damaged, sum(length for _, length in damaged), corrupt_path)
