"""``albacore dashboard`` on the command line (the server itself runs in the browser tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from albacore.cli import main


def test_help_names_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["dashboard", "--help"])
    text = capsys.readouterr().out
    for option in ("--host", "--port", "--artifact-dir", "--read-only", "STORAGE_URL"):
        assert option in text


def test_a_directory_without_studies_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dashboard", str(tmp_path)]) == 2
    assert "No database or journal file" in capsys.readouterr().err


def test_a_file_of_unknown_kind_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("")
    assert main(["dashboard", str(tmp_path / "notes.txt")]) == 1
    assert "notes.txt" in capsys.readouterr().err
