"""Journal file format, torn writes, damage in the middle, repair, snapshots and URLs (RELIABILITY promise 3)."""

from __future__ import annotations

import json
import os
import pathlib

import pytest

import albacore
from albacore._study_records import StudyDirection
from albacore.distributions import FloatDistribution
from albacore.exceptions import InvalidArgumentError, StorageCorruptedError, StorageVersionError
from albacore.storages import JournalStorage, get_storage
from albacore.storages.journal import JournalFileBackend, repair_journal
from albacore.storages.journal._records import frame
from albacore.trial._state import TrialState

X = FloatDistribution(0.0, 1.0)


def _open(path: pathlib.Path | str, **kwargs: int) -> JournalStorage:
    return JournalStorage(JournalFileBackend(str(path)), **kwargs)


def _fill(path: pathlib.Path, n_trials: int) -> None:
    storage = _open(path)
    study_id = storage.create_new_study([StudyDirection.MINIMIZE], "s")
    for i in range(n_trials):
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [float(i)], params={"x": (i / n_trials, X)})


def _record_offsets(data: bytes) -> list[int]:
    """Byte offsets of every record (after the header line)."""
    offsets = []
    pos = data.index(b"\n") + 1
    while pos < len(data):
        offsets.append(pos)
        pos = data.index(b"\n", pos + 16 + int(data[pos : pos + 8], 16)) + 1
    return offsets


def _states(storage: JournalStorage) -> list[TrialState]:
    study_id = storage.get_study_id_from_name("s")
    return [t.state for t in storage.get_all_trials(study_id)]


# --- torn tails ------------------------------------------------------------------------------------------


def test_a_torn_tail_at_every_byte_offset_is_sealed_and_nothing_acknowledged_is_lost(tmp_path: pathlib.Path) -> None:
    original = tmp_path / "full.log"
    _fill(original, 3)
    data = original.read_bytes()
    last = _record_offsets(data)[-1]  # the COMPLETE of trial #2
    path = tmp_path / "torn.log"
    for cut in range(last, len(data)):
        path.write_bytes(data[:cut])
        (tmp_path / "torn.log.corrupt").unlink(missing_ok=True)
        storage = _open(path)
        assert _states(storage) == [TrialState.COMPLETE, TrialState.COMPLETE, TrialState.RUNNING], cut
        study_id = storage.get_study_id_from_name("s")
        new_id = storage.create_new_trial(study_id)
        storage.set_trial_state_values(new_id, TrialState.COMPLETE, [9.0])

        reopened = _open(path)
        trials = reopened.get_all_trials(study_id)
        assert [t.number for t in trials] == [0, 1, 2, 3]
        assert [t.state for t in trials] == [TrialState.COMPLETE] * 2 + [TrialState.RUNNING, TrialState.COMPLETE]
        assert trials[3].value == 9.0
        torn = data[last:cut]
        assert (tmp_path / "torn.log.corrupt").read_bytes() == torn if torn else True
        assert path.read_bytes().startswith(data[:last])


def test_readers_stop_before_a_tail_that_is_still_being_written(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    _fill(path, 1)
    reader = _open(path)
    with open(path, "ab") as f:  # half of a record, as another writer's write in progress looks
        f.write(frame(b'{"op":"create_trial","study":0,"time":1.0}')[:20])
    assert _states(reader) == [TrialState.COMPLETE]
    assert _states(_open(path)) == [TrialState.COMPLETE]
    assert not (tmp_path / "j.log.corrupt").exists()  # readers never seal; only writers do, under the lock


def test_trailing_zeros_from_a_crash_count_as_a_torn_tail(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    _fill(path, 2)
    with open(path, "ab") as f:
        f.write(b"\0" * 4096)
    storage = _open(path)
    assert _states(storage) == [TrialState.COMPLETE, TrialState.COMPLETE]
    storage.create_new_trial(storage.get_study_id_from_name("s"))
    assert len(_states(_open(path))) == 3


# --- damage in the middle --------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["payload", "length", "checksum", "newline"])
def test_damage_in_the_middle_fails_closed_naming_path_record_offset_and_repair(
    tmp_path: pathlib.Path, where: str
) -> None:
    path = tmp_path / "j.log"
    _fill(path, 4)
    data = bytearray(path.read_bytes())
    offsets = _record_offsets(bytes(data))
    victim = 4  # records: study, then (create, complete) per trial; #4 completes trial #1
    start = offsets[victim]
    flip = {"payload": start + 30, "length": start + 7, "checksum": start + 12, "newline": offsets[victim + 1] - 1}
    data[flip[where]] ^= 0x41
    path.write_bytes(bytes(data))

    with pytest.raises(StorageCorruptedError) as info:
        _open(path)
    message = str(info.value)
    assert str(path) in message
    assert f"record #{victim} " in message
    assert f"byte offset {start}" in message
    assert f"albacore storage repair --storage journal://{path}" in message

    report = repair_journal(path)
    assert report.records_kept == len(offsets) - 1
    assert [offset for offset, _ in report.damaged_ranges] == [start]
    assert report.corrupt_path == f"{path}.corrupt"
    assert pathlib.Path(report.corrupt_path).read_bytes() == bytes(data[start : offsets[victim + 1]])
    states = _states(_open(path))
    assert states == [TrialState.COMPLETE, TrialState.RUNNING, TrialState.COMPLETE, TrialState.COMPLETE]


def test_a_writer_refuses_to_append_after_damage_in_the_middle(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    _fill(path, 2)
    writer = _open(path)
    study_id = writer.get_study_id_from_name("s")
    # Another worker appends two records, then the first of them is damaged on disk.
    other = _open(path)
    other.create_new_trial(study_id)
    other.create_new_trial(study_id)
    data = bytearray(path.read_bytes())
    data[_record_offsets(bytes(data))[-2] + 20] ^= 0x41
    path.write_bytes(bytes(data))
    size = len(data)
    with pytest.raises(StorageCorruptedError, match="record #5 "):
        writer.create_new_trial(study_id)
    assert path.stat().st_size == size


def test_repair_of_an_intact_journal_changes_nothing(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    _fill(path, 3)
    before = path.read_bytes()
    report = repair_journal(path)
    assert (report.records_kept, report.damaged_ranges, report.corrupt_path) == (7, [], None)
    assert path.read_bytes() == before


# --- what is not a journal -------------------------------------------------------------------------------


def test_a_file_that_is_not_a_journal_is_refused_with_a_hint(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "optuna.log"
    path.write_text('{"op_code": 0, "worker_id": "x", "study_name": "s"}\n')
    with pytest.raises(InvalidArgumentError, match="is an Optuna storage"):
        JournalFileBackend(str(path))
    assert path.read_text().startswith('{"op_code"')


def test_a_journal_from_a_future_format_is_refused(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    path.write_bytes(b"albacore-journal 9 " + b"0" * 32 + b"\n")
    with pytest.raises(StorageVersionError, match="format version 9"):
        JournalFileBackend(str(path))


def test_an_unknown_operation_fails_closed(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    JournalFileBackend(str(path)).append_logs([{"op": "teleport"}])
    with pytest.raises(StorageVersionError, match="teleport"):
        _open(path)


# --- replay semantics ------------------------------------------------------------------------------------


def test_a_claim_that_loses_the_race_is_a_no_op_reported_as_false(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    first, second = _open(path), _open(path)
    study_id = first.create_new_study([StudyDirection.MINIMIZE], "s")
    template = albacore.create_trial(state=TrialState.WAITING)
    trial_id = first.create_new_trial(study_id, template_trial=template)
    assert second.get_trial(trial_id).state == TrialState.WAITING
    assert first.set_trial_state_values(trial_id, TrialState.RUNNING)
    # `second` has not replayed the claim yet; its own claim is appended, and replay makes it a no-op.
    second._sync = lambda: None  # type: ignore[method-assignment]
    assert second.get_trial(trial_id).state == TrialState.WAITING
    del second._sync
    op = {"op": "set_state", "trial": trial_id, "state": int(TrialState.RUNNING), "values": None, "time": 0.0}
    assert second._write(op) is False
    assert second.get_trial(trial_id).datetime_start == first.get_trial(trial_id).datetime_start


def test_trial_numbers_and_ids_come_from_log_order_for_every_client(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    a, b = _open(path), _open(path)
    study_a = a.create_new_study([StudyDirection.MINIMIZE], "a")
    study_b = b.create_new_study([StudyDirection.MAXIMIZE], "b")
    made = [a.create_new_trial(study_a), b.create_new_trial(study_b), b.create_new_trial(study_a)]
    assert made == [0, 1, 2]
    for client in (a, b, _open(path)):
        assert [t.number for t in client.get_all_trials(study_a)] == [0, 1]
        assert [t._trial_id for t in client.get_all_trials(study_a)] == [0, 2]
        assert client.get_trial_number_from_id(1) == 0


def test_timestamps_are_the_writers_and_survive_replay(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    storage = _open(path)
    study_id = storage.create_new_study([StudyDirection.MINIMIZE], "s")
    trial_id = storage.create_new_trial(study_id)
    storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0])
    written = storage.get_trial(trial_id)
    replayed = _open(path).get_trial(trial_id)
    assert (replayed.datetime_start, replayed.datetime_complete) == (written.datetime_start, written.datetime_complete)


def test_ending_and_starting_is_one_record_that_every_replica_applies_alike(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    a, b = _open(path), _open(path)
    study_id = a.create_new_study([StudyDirection.MINIMIZE], "s")
    first = a.create_new_trial(study_id)
    started = a._end_trial_and_start_next(first, TrialState.COMPLETE, [1.0], {"x": (0.5, X)})
    assert started is not None
    # Another client enqueues before the next end: that end starts nothing, in every replica.
    b.create_new_trial(study_id, template_trial=albacore.trial.create_trial(state=TrialState.WAITING))
    assert a._end_trial_and_start_next(started, TrialState.COMPLETE, [2.0], None) is None
    # A record ending a trial that another client finished first is a no-op, start included.
    with pytest.raises(albacore.exceptions.UpdateFinishedTrialError):
        b._end_trial_and_start_next(first, TrialState.FAIL, None, None)
    expected = [(0, TrialState.COMPLETE), (1, TrialState.COMPLETE), (2, TrialState.WAITING)]
    for client in (a, b, _open(path)):
        trials = client.get_all_trials(study_id)
        assert [(t.number, t.state) for t in trials] == expected
        assert trials[1].datetime_start == trials[0].datetime_complete  # both stamped by the one record


# --- snapshots -------------------------------------------------------------------------------------------


def test_a_snapshot_is_json_and_opening_from_it_gives_the_replayed_state(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    storage = _open(path, snapshot_interval=10)
    study = albacore.create_study(storage=storage, study_name="s", sampler=albacore.samplers.RandomSampler(seed=0))
    study.set_user_attr("note", {"a": [1, 2]})
    study.enqueue_trial({"x": 0.5})

    def objective(trial: albacore.Trial) -> float:
        trial.set_user_attr("u", trial.number)
        trial.report(0.5, step=1)
        return (
            trial.suggest_float("x", 0, 1)
            + trial.suggest_int("n", 1, 9)
            + len(trial.suggest_categorical("c", ["a", "bb", None]) or "")
        )

    study.optimize(objective, n_trials=25)
    study.enqueue_trial({"x": 0.25})
    snapshot = pathlib.Path(f"{path}.snapshot")
    assert snapshot.exists()
    meta, body = snapshot.read_bytes().split(b"\n", 1)
    assert json.loads(meta)["log_number"] > 0
    json.loads(body)

    from_snapshot = _open(path)
    assert from_snapshot._log_number > 0 and from_snapshot._snapshot_at > 0
    snapshot.unlink()
    full_replay = _open(path)
    assert full_replay._snapshot_at == 0
    study_id = full_replay.get_study_id_from_name("s")
    assert from_snapshot.get_all_trials(study_id) == full_replay.get_all_trials(study_id)
    assert from_snapshot.get_study_user_attrs(study_id) == full_replay.get_study_user_attrs(study_id)
    assert from_snapshot.get_best_trial(study_id) == full_replay.get_best_trial(study_id)
    assert from_snapshot.claim_waiting_trial(study_id) == full_replay.get_all_trials(study_id)[-1]._trial_id


def test_a_snapshot_of_another_journal_is_ignored(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    _open(path, snapshot_interval=1)
    storage = _open(path, snapshot_interval=1)
    storage.create_new_study([StudyDirection.MINIMIZE], "s")
    assert pathlib.Path(f"{path}.snapshot").exists()
    snapshot = pathlib.Path(f"{path}.snapshot").read_bytes()
    path.unlink()
    _fill(path, 1)  # a new journal at the same path
    pathlib.Path(f"{path}.snapshot").write_bytes(snapshot)
    assert _states(_open(path)) == [TrialState.COMPLETE]


# --- URLs ------------------------------------------------------------------------------------------------


def test_journal_urls(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    absolute = get_storage(f"journal://{tmp_path / 'a.log'}")
    assert isinstance(absolute, JournalStorage)
    assert absolute.backend.file_path == str(tmp_path / "a.log")  # type: ignore[attr-defined]
    monkeypatch.chdir(tmp_path)
    relative = get_storage("journal://b.log")
    assert relative.backend.file_path == "b.log"  # type: ignore[attr-defined]
    assert os.path.exists(tmp_path / "b.log")
    with pytest.raises(InvalidArgumentError, match="names no file"):
        get_storage("journal://")


def test_a_pickled_storage_is_a_fresh_client_of_the_same_journal(tmp_path: pathlib.Path) -> None:
    import pickle

    storage = _open(tmp_path / "j.log")
    study_id = storage.create_new_study([StudyDirection.MINIMIZE], "s")
    copy = pickle.loads(pickle.dumps(storage))
    assert copy is not storage and copy.backend is not storage.backend
    trial_id = copy.create_new_trial(study_id)
    assert storage.get_trial(trial_id).number == 0


def test_heartbeats_are_journal_records_kept_as_the_trial_attribute(tmp_path: pathlib.Path) -> None:
    from albacore.exceptions import UpdateFinishedTrialError
    from albacore.storages._heartbeat import HEARTBEAT_ATTR

    path = tmp_path / "j.log"
    storage = JournalStorage(JournalFileBackend(str(path)), heartbeat_interval=1.0)
    study_id = storage.create_new_study([StudyDirection.MINIMIZE], "s")
    trial_id = storage.create_new_trial(study_id)
    storage.record_heartbeat(trial_id)
    beat = storage.get_trial(trial_id).system_attrs[HEARTBEAT_ATTR]
    assert _open(path).get_trial(trial_id).system_attrs[HEARTBEAT_ATTR] == beat
    storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0])
    with pytest.raises(UpdateFinishedTrialError):
        storage.record_heartbeat(trial_id)
    assert storage.get_heartbeat_interval() == 1.0


def test_a_reaped_trial_and_its_retry_are_one_record_every_client_replays(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    reaper = _open(path)
    study_id = reaper.create_new_study([StudyDirection.MINIMIZE], "s")
    stale = reaper.create_new_trial(study_id)
    reaper.set_trial_params(stale, {"x": (0.25, X)})
    records_before = path.read_bytes().count(b"\n")
    retry = albacore.trial.create_trial(state=TrialState.WAITING, params={"x": 0.25}, distributions={"x": X})
    retry_id = reaper.fail_stale_trial(study_id, stale, retry)
    assert path.read_bytes().count(b"\n") == records_before + 1
    other = _open(path)
    trials = other.get_all_trials(study_id)
    assert [t.state for t in trials] == [TrialState.FAIL, TrialState.WAITING]
    assert trials[1]._trial_id == retry_id and trials[1].params == {"x": 0.25}
    assert trials[0].datetime_complete == reaper.get_trial(stale).datetime_complete


def test_a_snapshot_that_cannot_be_written_does_not_fail_the_read(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(self: JournalFileBackend, log_number: int, snapshot: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(JournalFileBackend, "save_snapshot", full_disk)
    storage = _open(tmp_path / "j.log", snapshot_interval=1)
    study_id = storage.create_new_study([StudyDirection.MINIMIZE], "s")
    assert storage.get_all_trials(study_id) == []


def test_a_journal_in_a_missing_directory_is_refused_clearly(tmp_path: pathlib.Path) -> None:
    with pytest.raises(InvalidArgumentError, match="does not exist"):
        JournalFileBackend(str(tmp_path / "missing" / "j.log"))


# fork() in a process with threads warns on Python >= 3.12; this test forks on purpose, single-threaded.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_writes_as_a_new_writer(tmp_path: pathlib.Path) -> None:
    storage = _open(tmp_path / "j.log")
    study_id = storage.create_new_study([StudyDirection.MINIMIZE], "s")

    def create_as(who: str) -> bool:
        """Create a trial marked as ``who``'s; True when the id returned is that trial's."""
        template = albacore.create_trial(state=TrialState.WAITING, user_attrs={"by": who})
        return storage.get_trial(storage.create_new_trial(study_id, template_trial=template)).user_attrs["by"] == who

    pid = os.fork()
    if pid == 0:  # the child: the ids it gets back must be those of its own trials, not the parent's
        code = 1
        try:
            code = 0 if all([create_as("child") for _ in range(30)]) else 1
        finally:
            os._exit(code)
    mine = [create_as("parent") for _ in range(30)]
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert all(mine)
    assert [t.number for t in _open(tmp_path / "j.log").get_all_trials(study_id)] == list(range(60))


# --- one step per write: read the others' records, append ours ------------------------------------------


def test_an_append_returns_the_records_before_it_then_its_own(tmp_path: pathlib.Path) -> None:
    path = str(tmp_path / "j.log")
    first, second = JournalFileBackend(path), JournalFileBackend(path)
    first.append_logs([{"op": "a"}, {"op": "b"}])
    own = {"op": "c", "nested": [1.5, "x"]}
    records, start = second.append_and_read_logs([own], 0, flush=False)
    assert (records, start) == ([{"op": "a"}, {"op": "b"}, own], 2)
    assert records[2] is own  # not read back and parsed again
    assert second.read_logs(3) == []
    assert first.read_logs(0) == records
    assert JournalFileBackend(path).append_and_read_logs([{"op": "d"}], 3) == ([{"op": "d"}], 0)


def test_a_journal_replaced_under_a_worker_is_refused_instead_of_losing_writes(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    _fill(path, 1)
    worker = _open(path)
    study_id = worker.get_study_id_from_name("s")
    copy = tmp_path / "copy.log"
    copy.write_bytes(path.read_bytes())
    os.replace(copy, path)  # what a repair does: only safe while no worker runs
    size = path.stat().st_size
    with pytest.raises(StorageCorruptedError, match="replaced or deleted"):
        worker.create_new_trial(study_id)
    assert path.stat().st_size == size
    assert len(_states(_open(path))) == 1


def test_the_writer_sees_attribute_values_as_every_other_client_does(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "j.log"
    writer = _open(path)
    study_id = writer.create_new_study([StudyDirection.MINIMIZE], "s")
    trial_id = writer.create_new_trial(study_id)
    writer.set_trial_user_attr(trial_id, "pair", (1, 2.0))
    writer.set_study_user_attr(study_id, "nested", {"t": ("a",)})
    assert writer.get_trial(trial_id).user_attrs == {"pair": [1, 2.0]}
    assert writer.get_trial(trial_id).user_attrs == _open(path).get_trial(trial_id).user_attrs
    assert writer.get_study_user_attrs(study_id) == {"nested": {"t": ["a"]}}


def test_a_journal_on_a_read_only_file_system_can_be_read_but_not_written(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    path = tmp_path / "j.log"
    _fill(path, 2)
    real_open = os.open

    def read_only_open(file: str, flags: int, *args: int) -> int:
        if flags & (os.O_RDWR | os.O_WRONLY):
            raise OSError(errno.EROFS, "Read-only file system", file)
        return real_open(file, flags, *args)

    monkeypatch.setattr(os, "open", read_only_open)
    storage = _open(path)
    assert _states(storage) == [TrialState.COMPLETE, TrialState.COMPLETE]
    with pytest.raises(OSError, match="Read-only"):
        storage.create_new_trial(storage.get_study_id_from_name("s"))


@pytest.mark.parametrize("name", ["JournalFileStorage", "JournalFileOpenLock", "JournalFileSymlinkLock"])
def test_deprecated_journal_names_warn_and_still_work(name: str, tmp_path: pathlib.Path) -> None:
    with pytest.warns(FutureWarning, match=f"albacore.storages.{name} is deprecated"):
        made = getattr(albacore.storages, name)(str(tmp_path / "study.log"))
    if name == "JournalFileStorage":
        study = albacore.create_study(storage=albacore.storages.JournalStorage(made))
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
        assert len(study.trials) == 2


def test_deprecated_base_journal_log_storage_warns_for_subclasses() -> None:
    from albacore.storages import BaseJournalLogStorage  # type: ignore[attr-defined]

    class Backend(BaseJournalLogStorage):  # type: ignore[misc]
        def read_logs(self, log_number_from: int) -> list[dict[str, object]]:
            return []

        def append_logs(self, logs: list[dict[str, object]]) -> None:
            return None

    with pytest.warns(FutureWarning, match="BaseJournalLogStorage"):
        Backend()
