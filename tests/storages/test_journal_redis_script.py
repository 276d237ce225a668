"""The Redis journal's one-command append: its fallbacks, its recovery from a broken connection, one round trip
per trial (needs ALBACORE_TEST_REDIS_URL)."""

from __future__ import annotations

from typing import Any

import pytest

import albacore
from albacore.storages import JournalStorage
from albacore.storages.journal import JournalRedisBackend
from albacore.storages.journal._redis_script import _SHA, AppendOutcomeUnknown, ScriptLink, ScriptsRefused


def _objective(trial: albacore.Trial) -> float:
    return trial.suggest_float("x", -1, 1) + trial.suggest_int("y", 0, 3)


def test_an_append_answers_only_the_records_before_its_own(redis_url: str, redis_prefix: str) -> None:
    backend = JournalRedisBackend(redis_url, prefix=redis_prefix)
    other = JournalRedisBackend(redis_url, prefix=redis_prefix)
    assert backend.append_and_read_logs([{"op": "a"}], 0) == ([{"op": "a"}], 0)  # nothing before: not LRANGE's -1
    other.append_logs([{"op": "b"}, {"op": "c"}])
    batch = [{"op": "d"}, {"op": "e"}]
    records, own = backend.append_and_read_logs(batch, 1)
    assert (records, own) == ([{"op": "b"}, {"op": "c"}, *batch], 2)
    assert other.read_logs(0) == [{"op": op} for op in "abcde"]


def test_a_script_missing_from_the_server_cache_is_sent_in_full(redis_url: str, redis_prefix: str) -> None:
    backend = JournalRedisBackend(redis_url, prefix=redis_prefix)
    link = backend._script_link()
    assert link is not None
    # A digest the server has never seen answers NOSCRIPT, as after SCRIPT FLUSH or a server restart.
    link._eval_head = link._eval_head.replace(_SHA, b"0" * 40)
    assert backend.append_and_read_logs([{"op": "a"}], 0) == ([{"op": "a"}], 0)
    assert backend.read_logs(0) == [{"op": "a"}]


def test_a_server_refusing_scripts_gets_the_pipeline(
    redis_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: ScriptLink, payloads: list[bytes], log_number_from: int) -> Any:
        raise ScriptsRefused("NOPERM this user has no permissions to run the 'evalsha' command")

    monkeypatch.setattr(ScriptLink, "append_and_read", refuse)
    storage = JournalStorage(JournalRedisBackend(redis_url, prefix=redis_prefix))
    study = albacore.create_study(storage=storage)
    study.optimize(_objective, n_trials=5)
    assert [t.number for t in study.trials] == [0, 1, 2, 3, 4]
    assert storage.backend._link is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("landed", [True, False])
def test_an_append_whose_answer_was_lost_is_found_or_made_once(
    redis_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch, landed: bool
) -> None:
    backend = JournalRedisBackend(redis_url, prefix=redis_prefix)
    other = JournalRedisBackend(redis_url, prefix=redis_prefix)
    other.append_logs([{"op": "before"}])
    append = ScriptLink.append_and_read

    def break_after_sending(self: ScriptLink, payloads: list[bytes], log_number_from: int) -> Any:
        if landed:
            append(self, payloads, log_number_from)
        other.append_logs([{"op": "after"}])  # another writer, between the lost answer and the check
        raise AppendOutcomeUnknown("Connection closed by server.")

    monkeypatch.setattr(ScriptLink, "append_and_read", break_after_sending)
    records, own = backend.append_and_read_logs([{"op": "mine", "time": 1.5}], 0)
    if landed:
        assert (records, own) == ([{"op": "before"}, {"op": "mine", "time": 1.5}], 1)
        assert [r["op"] for r in other.read_logs(0)] == ["before", "mine", "after"]
    else:
        assert (records, own) == ([{"op": "before"}, {"op": "after"}, {"op": "mine", "time": 1.5}], 2)
        assert [r["op"] for r in other.read_logs(0)] == ["before", "after", "mine"]


def test_optimize_makes_one_round_trip_per_trial(
    redis_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"append": 0, "read": 0}
    append, read = ScriptLink.append_and_read, ScriptLink.read

    def counted_append(self: ScriptLink, payloads: list[bytes], log_number_from: int) -> Any:
        calls["append"] += 1
        return append(self, payloads, log_number_from)

    def counted_read(self: ScriptLink, log_number_from: int) -> Any:
        calls["read"] += 1
        return read(self, log_number_from)

    storage = JournalStorage(JournalRedisBackend(redis_url, prefix=redis_prefix))
    study = albacore.create_study(storage=storage, sampler=albacore.samplers.RandomSampler(seed=0))
    study.optimize(_objective, n_trials=3)
    monkeypatch.setattr(ScriptLink, "append_and_read", counted_append)
    monkeypatch.setattr(ScriptLink, "read", counted_read)
    study.optimize(_objective, n_trials=50)
    # One write per trial (ending it starts the next), and a read only where optimize starts (the study's limits).
    assert calls["append"] <= 51 and calls["read"] <= 2, calls


def test_a_trial_failed_by_another_worker_is_seen_at_its_next_write(redis_url: str, redis_prefix: str) -> None:
    mine = JournalStorage(JournalRedisBackend(redis_url, prefix=redis_prefix))
    theirs = JournalStorage(JournalRedisBackend(redis_url, prefix=redis_prefix))
    study_id = mine.create_new_study([albacore.study.StudyDirection.MINIMIZE], "s")
    trial_id = mine.create_new_trial(study_id)
    theirs.fail_stale_trial(study_id, trial_id)
    assert mine.get_trial(trial_id).state == albacore.trial.TrialState.RUNNING  # its own trial: read without replay
    with pytest.raises(albacore.exceptions.UpdateFinishedTrialError):
        mine.set_trial_state_values(trial_id, albacore.trial.TrialState.COMPLETE, [1.0])
    assert mine.get_trial(trial_id).state == albacore.trial.TrialState.FAIL
