"""The ``albacore`` command as a whole: help, exit statuses, the storage from the environment, logging."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import warnings

import pytest
from tests.cli._run import Run

import albacore
from albacore.cli._registry import Command, register, registered


def test_help_with_and_without_the_help_command(run: Run) -> None:
    empty, helped = run(), run("help")
    assert empty.status == helped.status == 0
    assert empty.out == helped.out
    for command in ("create-study", "studies", "trials", "best-trials", "ask", "tell", "storage", "study"):
        assert f"    {command} " in empty.out
    one = run("help", "tell")
    assert one.status == 0 and "--skip-if-finished" in one.out and "--trial-number" in one.out
    assert run("help", "no-such-command").status == 2


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.status == 0 and result.out.strip() == f"albacore {albacore.__version__}"


def test_usage_errors_exit_2_and_show_the_usage(run: Run, url: str) -> None:
    missing = run("create-study")
    assert missing.status == 2
    assert missing.out.startswith("usage: albacore create-study")
    assert "--storage" in missing.err and "ALBACORE_STORAGE" in missing.err and "Traceback" not in missing.err
    assert run("no-such-command").status == 2
    assert run("--storage", url, "create-study", "--direction", "sideways").status == 2
    options_only = run("-v")
    assert options_only.status == 2 and "no command" in options_only.err
    group = run("storage")
    assert group.status == 2 and "upgrade" in group.out


def test_failures_exit_1_with_a_message(run: Run, url: str) -> None:
    albacore.create_study(storage=url, study_name="there")
    result = run("--storage", url, "trials", "--study-name", "missing")
    assert result.status == 1
    assert "'missing'" in result.err and "'there'" in result.err and "Traceback" not in result.err


def test_options_before_or_after_the_command(run: Run, url: str) -> None:
    assert run("--storage", url, "create-study", "--study-name", "a").status == 0
    assert run("create-study", "--study-name", "b", "--storage", url).status == 0
    assert run("--storage", url, "-q", "study-names").out.split() == ["a", "b"]
    assert run("study-names", "-q", "--storage", url).out.split() == ["a", "b"]


def test_storage_from_the_environment(
    run: Run, url: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    albacore.create_study(storage=url, study_name="s")
    monkeypatch.setenv("OPTUNA_STORAGE", url)
    assert run("study-names").out == "s\n"
    # ALBACORE_STORAGE comes first, and --storage before both.
    other = f"sqlite:///{tmp_path / 'other.db'}"
    albacore.create_study(storage=other, study_name="other")
    monkeypatch.setenv("ALBACORE_STORAGE", other)
    assert run("study-names").out == "other\n"
    assert run("study-names", "--storage", url).out == "s\n"


def test_logging_levels_and_log_file(run: Run, url: str, tmp_path: pathlib.Path) -> None:
    before = albacore.logging.get_verbosity()
    assert "A new study created in RDB with name: a" in run("--storage", url, "create-study", "--study-name", "a").err
    assert run("--storage", url, "create-study", "--study-name", "b", "-q").err == ""
    log = tmp_path / "cli.log"
    quiet = run("--storage", url, "create-study", "--study-name", "c", "-q", "--log-file", str(log))
    assert quiet.err == "" and "A new study created" not in log.read_text()
    loud = run("--storage", url, "create-study", "--study-name", "d", "--log-file", str(log))
    assert "with name: d" in loud.err and "with name: d" in log.read_text()
    assert albacore.logging.get_verbosity() == before  # main leaves the process as it found it


def test_debug_shows_the_traceback(run: Run, tmp_path: pathlib.Path) -> None:
    def fail(args: object) -> int:
        raise RuntimeError("boom")

    command = register(Command(("zz-fail",), "test only", lambda parser: None, fail))
    try:
        plain = run("zz-fail")
        debug = run("zz-fail", "--debug")
    finally:
        from albacore.cli import _registry

        del _registry._COMMANDS[command.path]
    # An error albacore did not word itself names its type and how to see where it came from.
    assert (
        plain.status == 1 and plain.err == "albacore: error: RuntimeError: boom (run with --debug for the traceback)\n"
    )
    assert debug.status == 1 and "Traceback" in debug.err and 'raise RuntimeError("boom")' in debug.err
    url = f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}"
    unreachable = run("--storage", url, "study-names")
    assert unreachable.status == 1 and "unable to open database file" in unreachable.err
    assert "Traceback" not in unreachable.err


def test_warnings_are_one_line_messages(run: Run, url: str) -> None:
    def warn(args: object) -> int:
        warnings.warn("mind the gap", UserWarning, stacklevel=1)
        return 0

    command = register(Command(("zz-warn",), "test only", lambda parser: None, warn))
    try:
        result = run("zz-warn")
    finally:
        from albacore.cli import _registry

        del _registry._COMMANDS[command.path]
    assert result.status == 0 and result.err == "albacore: warning: mind the gap\n"
    assert command not in registered()


def test_a_command_may_also_be_a_group(run: Run, url: str) -> None:
    # `trials` lists trials and `trials reap` acts on them; another module may add more such subcommands.
    command = register(Command(("trials", "zz-test"), "test only", lambda parser: None, lambda args: 7))
    try:
        albacore.create_study(storage=url, study_name="s")
        assert run("--storage", url, "trials", "zz-test").status == 7
        assert run("--storage", url, "trials", "--study-name", "s", "-f", "json").out == "[]\n"
        with pytest.raises(ValueError, match="twice"):
            register(command)
    finally:
        from albacore.cli import _registry

        del _registry._COMMANDS[command.path]


def test_console_script_in_a_subprocess(url: str) -> None:
    albacore.create_study(storage=url, study_name="s").add_trial(albacore.create_trial(value=2.5))
    env = {**os.environ, "ALBACORE_STORAGE": url}
    command = [sys.executable, "-c", "import sys; from albacore.cli import main; sys.exit(main())"]
    done = subprocess.run(
        [*command, "best-trial", "--study-name", "s", "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"value": 2.5' in done.stdout
    failed = subprocess.run(
        [sys.executable, "-m", "albacore.cli", "trials", "--study-name", "nope"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert failed.returncode == 1
    assert "nope" in failed.stderr and "Traceback" not in failed.stderr
