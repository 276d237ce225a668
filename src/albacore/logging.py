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
_lock = threading.Lock()
_default_handler: logging.StreamHandler[Any] | None = None


class _Formatter(logging.Formatter):
    """``[I 2026-11-27 14:00:00,123] message``: the level's initial and a timestamp, as Optuna prints."""

    _second_text: tuple[tuple[int, str], str] = ((-1, ""), "")
    """The last second written and its date and time as text (keyed by the format as well)."""

    def format(self, record: logging.LogRecord) -> str:
        record.levelinitial = record.levelname[:1]
        return super().format(record)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """The standard formatter's text, with the date and time written once per second: ``optimize`` logs a
        line per trial, often many per second, and ``strftime`` is a good part of the cost of one. (A process that
        changes its time zone sees the new one from the next second on.)"""
        if datefmt or self.converter is not time.localtime:
            return super().formatTime(record, datefmt)
        second = math.floor(record.created)  # what localtime() reads of the time: whole seconds
        key = (second, self.default_time_format)
        cached_key, text = self._second_text
        if cached_key != key:
            text = time.strftime(self.default_time_format, time.localtime(second))
            self._second_text = (key, text)  # one assignment: threads sharing the formatter see a consistent pair
        if self.default_msec_format:
            return self.default_msec_format % (text, record.msecs)
        return text


def create_default_formatter() -> logging.Formatter:
    """Return a formatter like the one of albacore's default handler, for a handler of your own.

    Example:
        >>> import logging, albacore
        >>> handler = logging.FileHandler("albacore.log", delay=True)
        >>> handler.setFormatter(albacore.logging.create_default_formatter())
    """
    return _Formatter("[%(levelinitial)s %(asctime)s] %(message)s")


def _root_logger() -> logging.Logger:
    return logging.getLogger(_ROOT_NAME)


def _configure_root() -> None:
    global _default_handler
    with _lock:
        if _default_handler is not None:
            return
        _default_handler = logging.StreamHandler(sys.stderr)
        _default_handler.setFormatter(create_default_formatter())
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
