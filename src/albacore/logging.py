"""albacore's logger tree, with the verbosity controls Optuna users know.

By default albacore logs INFO lines (one per finished trial) to stderr through a handler on the ``albacore``
logger. ``set_verbosity(albacore.logging.WARNING)`` quiets them.

Example:
    >>> import albacore
    >>> albacore.logging.set_verbosity(albacore.logging.WARNING)
    >>> albacore.logging.get_verbosity() == albacore.logging.WARNING
    True
    >>> albacore.logging.set_verbosity(albacore.logging.INFO)
"""

from __future__ import annotations

import logging
import math
import sys
import threading
import time
from logging import CRITICAL, DEBUG, ERROR, FATAL, INFO, WARN, WARNING
from typing import Any

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "FATAL",
    "INFO",
    "WARN",
    "WARNING",
    "create_default_formatter",
    "disable_default_handler",
    "disable_propagation",
    "enable_default_handler",
    "enable_propagation",
    "get_logger",
    "get_verbosity",
    "set_verbosity",
]

_ROOT_NAME = "albacore"
_FORMAT = "[%(levelinitial)s %(asctime)s] %(message)s"
_lock = threading.Lock()
_default_handler: logging.StreamHandler[Any] | None = None
_default_formatter: logging.Formatter | None = None

# How this Python's LogRecord reads the clock: from 3.13 on, in nanoseconds, with the milliseconds taken from them.
_RECORDS_READ_NANOSECONDS = "time_ns" in logging.LogRecord.__init__.__code__.co_names


_MILLISECOND_TEXTS = tuple(f",{n:03d}" for n in range(1000))


class _Formatter(logging.Formatter):
    """``[I 2026-11-27 14:00:00,123] message``: the level's initial and a timestamp, as Optuna prints."""

    _second_text: tuple[int, str, str] = (-1, "", "")
    """The last second written, the date format it was written with (the very string) and its text."""

    def format(self, record: logging.LogRecord) -> str:
        record.levelinitial = record.levelname[:1]
        return super().format(record)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """The standard formatter's text, with the date and time written once per second: ``optimize`` logs a
        line per trial, often many per second, and ``strftime`` is a good part of the cost of one. (A process that
        changes its time zone sees the new one from the next second on.)"""
        if datefmt or self.converter is not time.localtime:
            return super().formatTime(record, datefmt)
        return self._local_time_text(record.created, record.msecs)

    def _local_time_text(self, created: float, msecs: float) -> str:
        """``formatTime``'s text for a record created at ``created`` (with ``msecs``), without a ``datefmt``, with
        the ``localtime`` converter."""
        second = math.floor(created)  # what localtime() reads of the time: whole seconds
        time_format = self.default_time_format
        written_second, written_format, text = self._second_text
        if written_second != second or written_format is not time_format:
            text = time.strftime(time_format, time.localtime(second))
            self._second_text = (second, time_format, text)  # one assignment: threads see a consistent triple
        msec_format = self.default_msec_format
        if msec_format == "%s,%03d" and 0.0 <= msecs < 1000.0:  # the standard one, for a record's msecs
            return text + _MILLISECOND_TEXTS[int(msecs)]  # what it gives, without parsing it for every line
        if msec_format:
            return msec_format % (text, msecs)
        return text


def create_default_formatter() -> logging.Formatter:
    """Return a formatter like the one of albacore's default handler, for a handler of your own.

    Example:
        >>> import logging, albacore
        >>> handler = logging.FileHandler("albacore.log", delay=True)
        >>> handler.setFormatter(albacore.logging.create_default_formatter())
    """
    return _Formatter(_FORMAT)


def _root_logger() -> logging.Logger:
    return logging.getLogger(_ROOT_NAME)


def _configure_root() -> None:
    global _default_handler, _default_formatter
    with _lock:
        if _default_handler is not None:
            return
        _default_handler = logging.StreamHandler(sys.stderr)
        _default_formatter = create_default_formatter()
        _default_handler.setFormatter(_default_formatter)
        # Resolve sys.stderr at emit time, so that pytest's capture and redirections see the output.
        _default_handler.stream = _StderrProxy()
        root = _root_logger()
        root.addHandler(_default_handler)
        root.setLevel(INFO)
        root.propagate = False


class _StderrProxy:
    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def get_logger(name: str) -> logging.Logger:
    """Return a logger in albacore's tree (``name`` is usually ``__name__`` of an albacore module).

    Names under ``optuna`` are albacore's: code written for Optuna that attaches a handler with
    ``optuna.logging.get_logger("optuna").addHandler(...)`` receives albacore's records.

    Args:
        name: The logger's name; ``optuna`` and ``optuna.*`` names map to albacore's loggers.

    Example:
        >>> import albacore
        >>> albacore.logging.get_logger("optuna").name
        'albacore'
    """
    _configure_root()
    if name == "optuna" or name.startswith("optuna."):
        name = _ROOT_NAME + name[len("optuna") :]
    return logging.getLogger(name)


def get_verbosity() -> int:
    """Return the level of albacore's root logger (``albacore.logging.INFO`` by default)."""
    _configure_root()
    return _root_logger().getEffectiveLevel()


def set_verbosity(verbosity: int) -> None:
    """Set the level of albacore's root logger, e.g. ``albacore.logging.WARNING``.

    Args:
        verbosity: A level of the standard ``logging`` module (``albacore.logging.DEBUG`` ... ``CRITICAL``).
    """
    _configure_root()
    _root_logger().setLevel(verbosity)


def disable_default_handler() -> None:
    """Stop writing albacore's records to stderr (attach your own handler instead)."""
    _configure_root()
    assert _default_handler is not None
    _root_logger().removeHandler(_default_handler)


def enable_default_handler() -> None:
    """Write albacore's records to stderr again (the default)."""
    _configure_root()
    assert _default_handler is not None
    _root_logger().addHandler(_default_handler)


def disable_propagation() -> None:
    """Do not pass albacore's records to the Python root logger (the default)."""
    _configure_root()
    _root_logger().propagate = False


def enable_propagation() -> None:
    """Pass albacore's records on to the Python root logger as well."""
    _configure_root()
    _root_logger().propagate = True


def _write_default_handler_through(stream: Any) -> Any:
    """Make the default handler write to ``stream`` and return the stream it wrote to before (the progress bar
    writes log lines above itself while it is shown, then puts the previous stream back)."""
    _configure_root()
    assert _default_handler is not None
    with _lock:
        previous = _default_handler.stream
        _default_handler.stream = stream
    return previous


def _write_to_default_handler(logger: logging.Logger, level: int, text: str) -> bool:
    """Write ``text`` as ``logger.log(level, text)`` would, straight to albacore's default handler's stream, when
    that handler with its default formatter is the only place the record would go; return False (having written
    nothing) in every other case, where the caller logs it the standard way. The caller has checked
    ``logger.isEnabledFor(level)``.

    ``optimize`` logs a line per trial, and the standard path (a LogRecord with the caller's frame, thread and
    process, the handler and formatter calls) was about a third of the work of a trial with a cheap objective.
    The text is the same to the byte: the time the record would read, the formatter's date text, the level's
    initial. Whatever could see or change the record sends it the standard way: a custom logger class or record
    factory, filters on the logger or the handler, any other handler on the way up (the user's,
    or the Python root logger's with propagation on), a handler level above ``level``, another formatter or a
    changed one (its format, ``datefmt``, ``converter``). A failing write is reported as ``StreamHandler.emit``
    reports it, through ``handler.handleError`` (which follows ``logging.raiseExceptions``).
    """
    handler = _default_handler
    formatter = _default_formatter
    if (
        handler is None
        or type(logger) is not logging.Logger
        or logger.filters
        or logging.getLogRecordFactory() is not logging.LogRecord
        or handler.filters
        or handler.level > level
        or handler.formatter is not formatter
        or type(handler) is not logging.StreamHandler
    ):
        return False
    holder: logging.Logger | None = logger  # the logger whose handlers the record reaches first
    while holder is not None and not holder.handlers and holder.propagate:
        holder = holder.parent
    if (
        holder is None
        or holder.propagate
        or holder.name != _ROOT_NAME
        or len(holder.handlers) != 1
        or holder.handlers[0] is not handler
    ):
        return False
    lock = handler.lock
    if (
        lock is None
        or not isinstance(formatter, _Formatter)
        or formatter._style._fmt != _FORMAT
        or type(formatter._style) is not logging.PercentStyle
        or formatter.datefmt
        or formatter.converter is not time.localtime
    ):
        return False
    if _RECORDS_READ_NANOSECONDS:  # the time as LogRecord.__init__ reads it
        nanoseconds = time.time_ns()
        created = nanoseconds / 1e9
        msecs = (nanoseconds % 1_000_000_000) // 1_000_000 + 0.0
        if msecs == 999.0 and int(created) != nanoseconds // 1_000_000_000:
            msecs = 0.0
    else:
        created = time.time()
        msecs = int((created - int(created)) * 1000) + 0.0
    line = (
        f"[{logging.getLevelName(level)[:1]} {formatter._local_time_text(created, msecs)}] {text}{handler.terminator}"
    )
    lock.acquire()  # as Handler.handle and StreamHandler.emit and flush do (not `with`: see InMemoryStorage.get_trial)
    try:
        try:
            stream = handler.stream
            if type(stream) is _StderrProxy:  # what it does, without two calls through it
                stderr = sys.stderr
                stderr.write(line)
                stderr.flush()
            else:
                stream.write(line)
                stream = handler.stream
                if stream and hasattr(stream, "flush"):
                    stream.flush()
        except RecursionError:
            raise
        except Exception:  # noqa: BLE001 - reported as StreamHandler.emit reports it (per logging.raiseExceptions)
            caller = sys._getframe(1)
            handler.handleError(
                logger.makeRecord(
                    logger.name,
                    level,
                    caller.f_code.co_filename,
                    caller.f_lineno,
                    text,
                    (),
                    None,
                    caller.f_code.co_name,
                )
            )
    finally:
        lock.release()
    return True
