"""The gRPC storage proxy beyond the storage contract: bad requests, typed errors, cut-off calls, restarts,
heartbeats and many worker processes through one proxy."""

from __future__ import annotations

import datetime
import os
import pathlib
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import albacore
from albacore.distributions import FloatDistribution, IntDistribution
from albacore.exceptions import (
    DuplicatedStudyError,
    IncompatibleDistributionError,
    StorageInternalError,
    StudyNotFoundError,
    UpdateFinishedTrialError,
)
from albacore.storages import BaseStorage, GrpcStorageProxy, InMemoryStorage, RetryHeartbeatStaleTrialCallback
from albacore.storages._grpc.server import SERVICE, StorageService, bind_server
from albacore.storages._heartbeat import is_heartbeat_enabled
from albacore.trial import TrialState

grpc = pytest.importorskip("grpc")

from tests.storages._grpc_proxy import client, serving  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def proxy() -> Iterator[tuple[int, StorageService]]:
    with serving(InMemoryStorage()) as served:
        yield served


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        port: int = sock.getsockname()[1]
        return port


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}


# --- requests the proxy cannot parse ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "payload", "says"),
    [
        ("get_trial", b"not json", "not JSON"),
        ("get_trial", b'{"trial_id": 1}', "JSON array of 1 arguments"),
        ("get_trial", b"[1, 2]", "JSON array of 1 arguments"),
        ("get_trial", b'["one"]', "expected an integer"),
        ("set_trial_state_values", b"[0, 99, null, null]", "99"),
        ("set_trial_params", b'[0, {"x": [0.5, "{not a distribution"]}]', "set_trial_params"),
        ("create_new_trial", b"[0, [1, 2]]", "create_new_trial"),
        ("get_trial", b"\xff\xfe", "not JSON"),
    ],
)
def test_a_request_it_cannot_parse_gets_invalid_argument(
    proxy: tuple[int, StorageService], method: str, payload: bytes, says: str
) -> None:
    port, _ = proxy
    with grpc.insecure_channel(f"localhost:{port}") as channel:
        call = channel.unary_unary(f"/{SERVICE}/{method}")
        with pytest.raises(grpc.RpcError) as caught:
            call(payload, timeout=30)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert says in caught.value.details() and "same albacore version" in caught.value.details()
        with pytest.raises(grpc.RpcError) as unknown:
            channel.unary_unary(f"/{SERVICE}/no_such_method")(b"[]", timeout=30)
        assert unknown.value.code() == grpc.StatusCode.UNIMPLEMENTED
    # The proxy goes on serving.
    storage = client(port)
    assert storage.get_all_studies() == []
    storage.close()


def test_a_client_without_a_proxy_fails_fast_and_clearly() -> None:
    storage = GrpcStorageProxy(port=_free_port())
    with pytest.raises(StorageInternalError, match="No gRPC storage proxy answers at localhost"):
        storage.get_all_studies()
    with pytest.raises(ConnectionError, match=r"within 0\.2 s"):
        storage.wait_server_ready(timeout=0.2)
    storage.close()
    with pytest.raises(StorageInternalError, match="closed"):
        storage.get_all_studies()


# --- errors of the storage --------------------------------------------------------------------------------------

ERROR_CASES: list[tuple[str, Callable[[BaseStorage, int, int, int], object], type[Exception]]] = [
    ("duplicated study", lambda s, study, done, running: s.create_new_study([1], "taken"), DuplicatedStudyError),
    ("unknown study name", lambda s, study, done, running: s.get_study_id_from_name("nope"), StudyNotFoundError),
    ("unknown study id", lambda s, study, done, running: s.create_new_trial(study + 99), StudyNotFoundError),
    ("unknown trial", lambda s, study, done, running: s.get_trial(done + 99), KeyError),
    (
        "finished trial",
        lambda s, study, done, running: s.set_trial_user_attr(done, "k", 1),
        UpdateFinishedTrialError,
    ),
    (
        "finished trial's state",
        lambda s, study, done, running: s.set_trial_state_values(done, TrialState.FAIL),
        UpdateFinishedTrialError,
    ),
    (
        "incompatible distribution",
        lambda s, study, done, running: s.set_trial_params(running, {"x": (1.0, IntDistribution(0, 3))}),
        IncompatibleDistributionError,
    ),
    (
        "several objectives",
        lambda s, study, done, running: s.get_best_trial(s.create_new_study([1, 2])),
        RuntimeError,
    ),
]


@pytest.mark.parametrize(("case", "call", "expected"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_storage_errors_arrive_as_the_same_types(
    case: str, call: Callable[[BaseStorage, int, int, int], object], expected: type[Exception]
) -> None:
    backend = InMemoryStorage()
    study = backend.create_new_study([1], "taken")
    done = backend.create_new_trial(study)
    backend.set_trial_params(done, {"x": (0.5, FloatDistribution(0, 1))})
    backend.set_trial_state_values(done, TrialState.COMPLETE, [1.0])
    running = backend.create_new_trial(study)
    with pytest.raises(expected) as direct:
        call(backend, study, done, running)
    with serving(backend) as (port, _):
        storage = client(port)
        with pytest.raises(expected) as proxied:
            call(storage, study, done, running)
        storage.close()
    assert type(proxied.value) is type(direct.value)
    assert str(proxied.value) == str(direct.value)


# --- calls cut off by a proxy going away ------------------------------------------------------------------------


class _Gone(grpc.RpcError):  # type: ignore[misc]
    def code(self) -> Any:
        return grpc.StatusCode.UNAVAILABLE

    def details(self) -> str:
        return "Socket closed"


def _cut_off(storage: GrpcStorageProxy, method: str, *, after_sending: bool, times: int = 1) -> list[int]:
    """Make the next ``times`` calls of ``method`` fail as if the proxy went away (after applying them, or not)."""
    real = storage._stub(method)
    cut = [0]

    def stub(payload: bytes, **kwargs: Any) -> Any:
        if cut[0] < times:
            cut[0] += 1
            if after_sending:
                real(payload, **kwargs)
            raise _Gone()
        return real(payload, **kwargs)

    storage._stubs[method] = stub
    return cut


def test_reads_and_attribute_writes_are_sent_again(proxy: tuple[int, StorageService]) -> None:
    storage = client(proxy[0])
    study = storage.create_new_study([1], "s")
    cut = _cut_off(storage, "set_study_user_attr", after_sending=True, times=2)
    storage.set_study_user_attr(study, "k", [1, 2])
    assert cut == [2]
    _cut_off(storage, "get_study_user_attrs", after_sending=False)
    assert storage.get_study_user_attrs(study) == {"k": [1, 2]}


def test_a_cut_off_create_is_not_sent_twice(proxy: tuple[int, StorageService]) -> None:
    storage = client(proxy[0])
    study = storage.create_new_study([1], "s")
    _cut_off(storage, "create_new_trial", after_sending=True)
    with pytest.raises(StorageInternalError, match="not sent again"):
        storage.create_new_trial(study)
    assert [t.number for t in storage.get_all_trials(study)] == [0]  # one trial, not two


def test_a_cut_off_end_is_checked_against_the_stored_trial(proxy: tuple[int, StorageService]) -> None:
    storage = client(proxy[0])
    study = storage.create_new_study([1], "s")
    applied, lost = storage.create_new_trial(study), storage.create_new_trial(study)
    _cut_off(storage, "set_trial_state_values", after_sending=True)
    assert storage.set_trial_state_values(applied, TrialState.COMPLETE, [1.5])  # written once: no error
    _cut_off(storage, "set_trial_state_values", after_sending=False)
    assert storage.set_trial_state_values(lost, TrialState.PRUNED, [2.5])  # not written: sent again
    _cut_off(storage, "end_trial_and_start_next", after_sending=True)
    third = storage.create_new_trial(study)
    assert storage._end_trial_and_start_next(third, TrialState.COMPLETE, [3.0], None) is None
    trials = storage.get_all_trials(study)
    assert [(t.state, t.values) for t in trials[:3]] == [
        (TrialState.COMPLETE, [1.5]),
        (TrialState.PRUNED, [2.5]),
        (TrialState.COMPLETE, [3.0]),
    ]


# --- a proxy that restarts --------------------------------------------------------------------------------------


def _start_proxy(url: str, port: int, *extra: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.storages._grpc_server", url, str(port), *extra], env=_env(), cwd=ROOT
    )
    probe = GrpcStorageProxy(port=port)
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            try:
                probe.wait_server_ready(timeout=0.2)
                return process
            except ConnectionError:
                continue
        raise AssertionError(f"the proxy did not start (exit code {process.poll()})")
    finally:
        probe.close()


def _stop_proxy(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0


def test_calls_wait_for_a_restarted_proxy() -> None:
    backend = InMemoryStorage()
    server, port, _ = bind_server(backend, "localhost", 0)
    server.start()
    storage = client(port)
    study = storage.create_new_study([1], "s")
    server.stop(None).wait()
    restarted: list[Any] = []

    def restart() -> None:
        time.sleep(0.5)
        again = bind_server(backend, "localhost", port)[0]
        again.start()
        restarted.append(again)

    thread = threading.Thread(target=restart)
    thread.start()
    try:
        trial_id = storage.create_new_trial(study)  # sent once, when the proxy is back
        assert restarted
        assert [t._trial_id for t in storage.get_all_trials(study)] == [trial_id]
        assert [t._trial_id for t in backend.get_all_trials(study)] == [trial_id]
    finally:
        thread.join()
        storage.close()
        for again in restarted:
            again.stop(None).wait()


@pytest.mark.slow
def test_a_study_goes_on_across_proxy_restarts(tmp_path: pathlib.Path) -> None:
    url, port = f"sqlite:///{tmp_path / 'restart.db'}", _free_port()
    process = _start_proxy(url, port)
    storage = client(port)
    study = albacore.create_study(storage=storage, sampler=albacore.samplers.RandomSampler(seed=0))
    n_trials = 400
    errors: list[BaseException] = []
    done_at_stops: list[int] = []

    def objective(trial: albacore.Trial) -> float:
        time.sleep(0.002)
        return trial.suggest_float("x", 0, 1)

    def run() -> None:
        try:
            study.optimize(objective, n_trials=n_trials)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        for _ in range(2):
            while len(study.get_trials(deepcopy=False)) < 20 * (len(done_at_stops) + 1) and worker.is_alive():
                time.sleep(0.05)
            done_at_stops.append(len(study.get_trials(deepcopy=False)))
            _stop_proxy(process)
            time.sleep(0.3)  # calls made now wait for the proxy
            process = _start_proxy(url, port)
        worker.join(timeout=120)
        assert errors == []
        trials = study.get_trials()
        assert [t.number for t in trials] == list(range(n_trials))
        assert all(t.state == TrialState.COMPLETE and "x" in t.params for t in trials)
        assert all(count < n_trials for count in done_at_stops)  # the proxy restarted mid-study
    finally:
        storage.close()
        _stop_proxy(process)


# --- heartbeats ------------------------------------------------------------------------------------------------


def test_heartbeat_settings_and_stale_trials_go_through_the_proxy() -> None:
    backend = InMemoryStorage(
        heartbeat_interval=1, grace_period=5, heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(2)
    )
    with serving(backend) as (port, _):
        storage = client(port)
        assert is_heartbeat_enabled(storage)
        config = storage.get_heartbeat_config()
        assert config is not None and (config.interval, config.grace_period) == (1, 5)
        assert isinstance(config.stale_trial_callback, RetryHeartbeatStaleTrialCallback)
        study = albacore.create_study(storage=storage)
        # An orphan: a RUNNING trial whose worker stopped beating a minute ago.
        orphan = backend.create_new_trial(study._study_id)
        backend.set_trial_params(orphan, {"x": (0.25, FloatDistribution(0, 1))})
        backend.set_trial_system_attr(
            orphan, "heartbeat", (datetime.datetime.now() - datetime.timedelta(minutes=1)).timestamp()
        )
        assert storage.get_stale_trial_ids(study._study_id) == [orphan]
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
        trials = study.get_trials()
        assert trials[0].state == TrialState.FAIL
        assert trials[1].state == TrialState.COMPLETE and trials[1].params == {"x": 0.25}
        assert RetryHeartbeatStaleTrialCallback.retried_trial_number(trials[1]) == 0
        assert [t.state for t in trials[2:]] == [TrialState.COMPLETE]
        assert backend.get_trial(trials[2]._trial_id).system_attrs.get("heartbeat") is not None
        storage.close()


WORKER = textwrap.dedent(
    """
    import sys, time
    import albacore
    from albacore.storages import GrpcStorageProxy
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    port, name, seed, n_trials, hang, flag = sys.argv[1:7]
    storage = GrpcStorageProxy(port=int(port))
    storage.wait_server_ready(timeout=60)
    study = albacore.load_study(study_name=name, storage=storage,
                                sampler=albacore.samplers.RandomSampler(seed=int(seed)))

    def objective(trial):
        x = trial.suggest_float("x", -5, 5)
        n = trial.suggest_int("n", 0, 10)
        if hang == "1":
            trial.set_user_attr("hanging", True)  # writes the parameters too
            open(flag, "w").close()
            time.sleep(600)
        return x * x + n

    study.optimize(objective, n_trials=int(n_trials))
    """
)


def _worker(port: int, name: str, seed: int, n_trials: int, hang: bool, flag: pathlib.Path) -> subprocess.Popen[bytes]:
    args = [str(port), name, str(seed), str(n_trials), "1" if hang else "0", str(flag)]
    return subprocess.Popen([sys.executable, "-c", WORKER, *args], env=_env(), cwd=ROOT)


@pytest.mark.slow
def test_a_worker_killed_through_the_proxy_leaves_no_running_trial(tmp_path: pathlib.Path) -> None:
    url, port = f"sqlite:///{tmp_path / 'heartbeat.db'}", _free_port()
    process = _start_proxy(url, port, "1")  # heartbeats every second, stale after two
    try:
        storage = client(port)
        study = albacore.create_study(storage=storage, study_name="hb")
        flag = tmp_path / "hanging"
        worker = _worker(port, "hb", 0, 1, True, flag)
        deadline = time.monotonic() + 60
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert flag.exists()
        time.sleep(1.5)  # it has beaten at least once since
        assert fail_stale_trials_now(study) == []  # alive: not stale
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        time.sleep(2.5)  # silent for longer than the grace period
        study.optimize(lambda t: t.suggest_float("x", -5, 5) + t.suggest_int("n", 0, 10), n_trials=1)
        trials = study.get_trials()
        assert [t.state for t in trials] == [TrialState.FAIL, TrialState.COMPLETE]
        assert trials[1].params["x"] == trials[0].params["x"]  # the killed trial, retried with its parameters
        storage.close()
    finally:
        _stop_proxy(process)


def fail_stale_trials_now(study: albacore.Study) -> list[int]:
    """The numbers of the study's stale trials that a reaper fails now."""
    return albacore.storages.fail_stale_trials(study)


# --- several worker processes ----------------------------------------------------------------------------------


def test_several_processes_through_one_proxy_lose_and_duplicate_nothing(tmp_path: pathlib.Path) -> None:
    from albacore.storages import RDBStorage

    backend = RDBStorage(f"sqlite:///{tmp_path / 'many.db'}")
    with serving(backend) as (port, _):
        storage = client(port)
        study = albacore.create_study(storage=storage, study_name="many")
        n_workers, per_worker = 4, 30
        workers = [_worker(port, "many", seed, per_worker, False, tmp_path / "-") for seed in range(n_workers)]
        assert [w.wait(timeout=120) for w in workers] == [0] * n_workers
        trials = study.get_trials()
        assert [t.number for t in trials] == list(range(n_workers * per_worker))
        assert len({t._trial_id for t in trials}) == n_workers * per_worker
        assert all(t.state == TrialState.COMPLETE and set(t.params) == {"x", "n"} for t in trials)
        direct = backend.get_all_trials(study._study_id)
        assert [(t.number, t.values, t.params) for t in direct] == [(t.number, t.values, t.params) for t in trials]
        storage.close()
