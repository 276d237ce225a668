"""albacore.logging: the default handler, verbosity, propagation, and Optuna's logger names."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

import albacore


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(autouse=True)
def _info_level() -> Iterator[None]:
    """Other tests quiet albacore for their own output; these need INFO, and leave it as they found it."""
    before = albacore.logging.get_verbosity()
    albacore.logging.set_verbosity(albacore.logging.INFO)
    yield
    albacore.logging.set_verbosity(before)


@pytest.fixture
def recorder() -> Iterator[_Recorder]:
    handler = _Recorder()
    yield handler
    for name in ("albacore", ""):
        logging.getLogger(name).removeHandler(handler)


def test_a_handler_on_optunas_logger_name_receives_albacores_records(recorder: _Recorder) -> None:
    # The recipe of Optuna's tutorials: optuna.logging.get_logger("optuna").addHandler(...).
    albacore.logging.get_logger("optuna").addHandler(recorder)
    albacore.create_study(sampler=albacore.samplers.RandomSampler()).optimize(lambda t: 1.0, n_trials=1)
    assert any(m.startswith("Trial 0 finished with value: 1.0") for m in recorder.messages)
    assert albacore.logging.get_logger("optuna.study").name == "albacore.study"
    assert albacore.logging.get_logger("optunaish").name == "optunaish"  # only the package and its children


def test_default_handler_writes_to_stderr_until_disabled(capsys: pytest.CaptureFixture[str]) -> None:
    logger = albacore.logging.get_logger("albacore.example")
    logger.info("shown")
    albacore.logging.disable_default_handler()
    try:
        logger.info("hidden")
    finally:
        albacore.logging.enable_default_handler()
    logger.info("shown again")
    err = capsys.readouterr().err
    assert "shown" in err and "hidden" not in err and "shown again" in err


def test_verbosity_filters_records(capsys: pytest.CaptureFixture[str]) -> None:
    logger = albacore.logging.get_logger("albacore.example")
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    try:
        assert albacore.logging.get_verbosity() == logging.WARNING
        logger.warning("warned")
        logger.info("informed")
    finally:
        albacore.logging.set_verbosity(albacore.logging.INFO)
    logger.debug("debugged")
    err = capsys.readouterr().err
    assert "warned" in err and "informed" not in err and "debugged" not in err


def test_records_reach_the_root_logger_only_with_propagation(recorder: _Recorder) -> None:
    logging.getLogger().addHandler(recorder)
    logger = albacore.logging.get_logger("albacore.example")
    logger.info("kept inside")
    albacore.logging.enable_propagation()
    try:
        logger.info("passed on")
    finally:
        albacore.logging.disable_propagation()
    logger.info("kept inside again")
    assert recorder.messages == ["passed on"]


def test_the_default_formatter_is_available_for_handlers_of_ones_own() -> None:
    record = logging.LogRecord("albacore", logging.WARNING, __file__, 1, "careful", None, None)
    text = albacore.logging.create_default_formatter().format(record)
    assert text.startswith("[W ") and text.endswith("] careful")


def test_the_default_formatters_time_is_the_standard_formatters() -> None:
    # It writes the date and time once per second; the text must not differ from logging.Formatter's.
    ours = albacore.logging.create_default_formatter()
    standard = logging.Formatter("[%(levelname)s %(asctime)s] %(message)s")
    # Before 1970 the record's msecs are negative: the standard format's text, not a table's.
    created_at = [1_700_000_000.0, 1_700_000_000.25, 1_700_000_000.999, 1_700_000_001.5, 0.5, 1_000_000_000.001, -1.25]
    for created in [*created_at, *reversed(created_at)]:
        record = logging.LogRecord("albacore", logging.INFO, __file__, 1, "message", None, None)
        record.created = created
        record.msecs = int((created - int(created)) * 1000) + 0.0
        assert ours.formatTime(record) == standard.formatTime(record)
        assert ours.formatTime(record, "%H:%M") == standard.formatTime(record, "%H:%M")
    record.created = 1_700_000_002.5
    ours.default_msec_format = standard.default_msec_format = "%s.%03d"
    assert ours.formatTime(record) == standard.formatTime(record)
    ours.default_time_format = standard.default_time_format = "%d/%m/%Y %H:%M:%S"
    assert ours.formatTime(record) == standard.formatTime(record)
    ours.converter = standard.converter = time.gmtime
    assert ours.formatTime(record) == standard.formatTime(record)
