"""The per-trial log line written straight to the default handler's stream: the same bytes as the standard
logging path, and the standard path whenever anything else could see or change the record."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import albacore
from albacore import logging as alogging

_TELL_LOGGER = "albacore.study._tell"


@pytest.fixture(autouse=True)
def _info_level() -> Iterator[None]:
    """Other tests quiet albacore for their own output; these need INFO, and leave it as they found it."""
    before = alogging.get_verbosity()
    alogging.set_verbosity(alogging.INFO)
    yield
    alogging.set_verbosity(before)


@pytest.fixture
def records_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The messages of the LogRecords of trials' ends: none when their lines are written directly."""
    made: list[str] = []
    standard = logging.Logger.makeRecord

    def counting(self: logging.Logger, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = standard(self, *args, **kwargs)
        if self.name == _TELL_LOGGER:
            made.append(record.getMessage())
        return record

    monkeypatch.setattr(logging.Logger, "makeRecord", counting)
    return made


def _objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    trial.suggest_int("y", 0, 10)
    label = trial.suggest_categorical("label", ["100% ok", "ünïcode %(message)s", "plain"])
    if trial.number == 2:
        raise albacore.TrialPruned()
    return x * x + len(label)


def _optimize(n_trials: int = 4) -> None:
    # pytest's log capture attaches its handlers to non-propagating loggers such as albacore's for each test
    # phase (so that under pytest the records go the standard way): they are taken off for a while, to see the
    # direct path.
    root = logging.getLogger("albacore")
    pytests = [handler for handler in root.handlers if type(handler).__module__ == "_pytest.logging"]
    for handler in pytests:
        root.removeHandler(handler)
    try:
        albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=3)).optimize(_objective, n_trials=n_trials)
    finally:
        for handler in pytests:
            root.addHandler(handler)


def _stop_the_clock(monkeypatch: pytest.MonkeyPatch, nanoseconds: int) -> None:
    # Both clocks: LogRecord reads time.time() up to Python 3.12 and time.time_ns() from 3.13 on.
    monkeypatch.setattr(time, "time_ns", lambda: nanoseconds)
    monkeypatch.setattr(time, "time", lambda: nanoseconds / 1e9)


def _handler() -> logging.StreamHandler[Any]:
    alogging.get_logger("albacore")
    assert alogging._default_handler is not None
    return alogging._default_handler


def _trial_lines(err: str) -> str:
    """The text without the line of the new study (whose name differs from one study to the next)."""
    return "".join(line for line in err.splitlines(keepends=True) if "A new study created" not in line)


@pytest.mark.parametrize(
    "nanoseconds",
    [
        1_764_790_000_123_456_789,
        1_764_790_000_999_999_900,  # rounds up to the next second as a float
        1_764_790_000_999_400_000,
        1_700_000_000_000_000_000,
        1_764_790_001_000_999_999,
    ],
)
def test_the_direct_line_is_the_standard_paths_line_to_the_byte(
    nanoseconds: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    records_made: list[str],
) -> None:
    _stop_the_clock(monkeypatch, nanoseconds)
    capsys.readouterr()
    _optimize()
    direct = _trial_lines(capsys.readouterr().err)
    assert records_made == []  # no LogRecord: every trial's line was written directly

    # A filter that lets everything through sends the records the standard way and changes nothing else.
    handler = _handler()
    keep_all = logging.Filter()
    handler.addFilter(keep_all)
    try:
        _optimize()
    finally:
        handler.removeFilter(keep_all)
    standard = _trial_lines(capsys.readouterr().err)
    assert len(records_made) == 4

    assert direct == standard
    lines = direct.splitlines()
    assert direct.endswith("\n")
    assert len(lines) == 4
    stamp = r"\[I \d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] "
    assert re.fullmatch(stamp + r"Trial 0 finished with value: .* Best is trial 0 with value: .*\.", lines[0])
    assert re.fullmatch(stamp + r"Trial 2 pruned\.", lines[2])


Check = Callable[[str], bool]
"""Whether the standard path's output (stderr's text, a user's handler's records) is what it should be."""


def _recording_handler(logger_name: str) -> Iterator[Check]:
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    handler.addFilter(lambda record: record.name == _TELL_LOGGER)
    logging.getLogger(logger_name).addHandler(handler)
    try:
        yield lambda err: len(seen) == 4 and seen[0].startswith("Trial 0 finished") and "Trial 0 finished" in err
    finally:
        logging.getLogger(logger_name).removeHandler(handler)


def _user_handler_on_optunas_root_logger() -> Iterator[Check]:
    yield from _recording_handler("albacore")


def _user_handler_on_the_module_logger() -> Iterator[Check]:
    yield from _recording_handler(_TELL_LOGGER)


def _custom_formatter() -> Iterator[Check]:
    handler = _handler()
    before = handler.formatter
    handler.setFormatter(logging.Formatter("CUSTOM %(levelname)s %(message)s"))
    try:
        yield lambda err: "\nCUSTOM INFO Trial 3 finished" in err
    finally:
        handler.setFormatter(before)


def _formatter_with_a_date_format() -> Iterator[Check]:
    formatter = _handler().formatter
    assert formatter is not None
    formatter.datefmt = "%H:%M"
    try:
        yield lambda err: re.search(r"^\[I \d\d:\d\d\] Trial 3 finished", err, re.MULTILINE) is not None
    finally:
        formatter.datefmt = None


def _formatter_with_a_converter() -> Iterator[Check]:
    formatter = _handler().formatter
    assert formatter is not None
    formatter.converter = lambda seconds: time.gmtime(86_400 * 365)  # type: ignore[method-assign]
    try:
        yield lambda err: "[I 1971-01-01 00:00:00," in err
    finally:
        del formatter.converter


def _record_factory() -> Iterator[Check]:
    standard = logging.getLogRecordFactory()

    def marking(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = standard(*args, **kwargs)
        record.msg = f"marked {record.msg}"
        return record

    logging.setLogRecordFactory(marking)
    try:
        yield lambda err: "] marked Trial 3 finished" in err
    finally:
        logging.setLogRecordFactory(standard)


@pytest.mark.parametrize(
    "configure",
    [
        _user_handler_on_optunas_root_logger,
        _user_handler_on_the_module_logger,
        _custom_formatter,
        _formatter_with_a_date_format,
        _formatter_with_a_converter,
        _record_factory,
    ],
)
def test_records_go_the_standard_way_when_something_else_sees_or_shapes_them(
    configure: Callable[[], Iterator[Check]], capsys: pytest.CaptureFixture[str], records_made: list[str]
) -> None:
    setting = configure()
    check = next(setting)
    try:
        _optimize()
    finally:
        next(setting, None)
    assert len(records_made) == 4
    assert check(capsys.readouterr().err)


def test_caplog_sees_the_records_with_propagation_enabled(
    caplog: pytest.LogCaptureFixture, records_made: list[str]
) -> None:
    # How Optuna's own tests read its log lines.
    alogging.enable_propagation()
    try:
        with caplog.at_level(logging.INFO):
            _optimize()
    finally:
        alogging.disable_propagation()
    assert [r.getMessage().split(" with ")[0] for r in caplog.records if r.name == _TELL_LOGGER] == [
        "Trial 0 finished",
        "Trial 1 finished",
        "Trial 2 pruned.",
        "Trial 3 finished",
    ]
    assert records_made[0].startswith("Trial 0 finished")


def _drop_all(record: logging.LogRecord) -> bool:
    return False


@pytest.mark.parametrize(
    ("configure", "undo"),
    [
        (lambda: logging.disable(logging.INFO), lambda: logging.disable(logging.NOTSET)),
        (lambda: alogging.set_verbosity(logging.WARNING), lambda: alogging.set_verbosity(logging.INFO)),
        (lambda: _handler().setLevel(logging.WARNING), lambda: _handler().setLevel(logging.NOTSET)),
        (lambda: _handler().addFilter(_drop_all), lambda: _handler().removeFilter(_drop_all)),
        (
            lambda: logging.getLogger(_TELL_LOGGER).addFilter(_drop_all),
            lambda: logging.getLogger(_TELL_LOGGER).removeFilter(_drop_all),
        ),
        (
            lambda: setattr(logging.getLogger(_TELL_LOGGER), "disabled", True),
            lambda: setattr(logging.getLogger(_TELL_LOGGER), "disabled", False),
        ),
        (alogging.disable_default_handler, alogging.enable_default_handler),
    ],
    ids=[
        "logging.disable",
        "verbosity",
        "handler-level",
        "handler-filter",
        "logger-filter",
        "logger-disabled",
        "no-default-handler",
    ],
)
def test_records_turned_away_the_standard_way_are_not_written(
    configure: Callable[[], object], undo: Callable[[], object], capsys: pytest.CaptureFixture[str]
) -> None:
    configure()
    try:
        _optimize()
    finally:
        undo()
    assert "Trial" not in capsys.readouterr().err


class _BrokenStream:
    def write(self, text: str) -> int:
        raise OSError("the disk is full")

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("raise_exceptions", [True, False])
def test_a_failing_write_is_reported_as_the_standard_handler_reports_it(
    raise_exceptions: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(logging, "raiseExceptions", raise_exceptions)
    previous = alogging._write_default_handler_through(_BrokenStream())
    try:
        _optimize()  # the optimization goes on
    finally:
        alogging._write_default_handler_through(previous)
    err = capsys.readouterr().err
    if raise_exceptions:
        assert err.count("--- Logging error ---") == 5  # the four trials' and the new study's lines
        assert "OSError: the disk is full" in err
        assert 'Message: "Trial 0 finished with value:' in err
    else:
        assert err == ""


def test_each_line_names_the_best_trial_so_far(capsys: pytest.CaptureFixture[str]) -> None:
    # The best trial's text is kept from one line to the next while the best does not change.
    values = [5.0, 7.0, 3.0, 3.0, 9.0, -0.0, 0.0, 1e-300]
    study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
    capsys.readouterr()
    study.optimize(lambda trial: values[trial.number], n_trials=len(values))
    lines = [line for line in capsys.readouterr().err.splitlines() if "Trial" in line]
    best = [0, 0, 2, 2, 2, 5, 5, 5]
    assert [line.split(". Best is ")[1] for line in lines] == [
        f"trial {number} with value: {values[number]}." for number in best
    ]
    other = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
    other.optimize(lambda trial: 1.0, n_trials=1)  # a study of its own: its own best
    assert capsys.readouterr().err.endswith("Best is trial 0 with value: 1.0.\n")


def test_a_trial_line_writes_values_and_parameters_with_str() -> None:
    # The line formats a float and a plain dict with repr() (their str()); anything else keeps str().
    import datetime

    from albacore.study._tell import _finished_text
    from albacore.trial import FrozenTrial, TrialState

    class Shown(float):
        def __str__(self) -> str:
            return "as str"

        def __repr__(self) -> str:
            return "as repr"

    class Params(dict[str, Any]):
        def __str__(self) -> str:
            return "params as str"

    study = albacore.create_study()  # no finished trial: the line has no "Best is" part
    start = datetime.datetime(2026, 1, 2)
    plain = FrozenTrial._of(3, TrialState.COMPLETE, [0.1], start, start, {"x": 0.2}, {}, {}, {}, {}, 0)
    assert _finished_text(study, plain) == "Trial 3 finished with value: 0.1 and parameters: {'x': 0.2}."
    other = FrozenTrial._of(3, TrialState.COMPLETE, [Shown(1.0)], start, start, Params(x=1), {}, {}, {}, {}, 0)
    assert _finished_text(study, other) == "Trial 3 finished with value: as str and parameters: params as str."
