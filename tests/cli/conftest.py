"""Fixtures of the command-line tests: a storage URL with no storage variables in the environment, and a
runner that calls ``main`` in-process and returns its exit status and output."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import NamedTuple

import pytest

from albacore.cli import main


class Result(NamedTuple):
    status: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _no_storage_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("ALBACORE_STORAGE", "OPTUNA_STORAGE"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def url(tmp_path: pathlib.Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run("studies", "--storage", url)``: main's exit status, stdout and stderr."""

    def call(*argv: str) -> Result:
        capsys.readouterr()
        try:
            status = main(list(argv))
        except SystemExit as done:  # argparse's own errors, --help and --version
            status = int(done.code or 0)
        captured = capsys.readouterr()
        return Result(status, captured.out, captured.err)

    return call
