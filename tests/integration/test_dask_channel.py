"""The DaskStorage channel: storage calls over albacore's own socket beside the Dask scheduler's comm.

Used when it can be reached, Dask's comm otherwise; bound to the scheduler's interface, closed to peers without
the token, TLS when Dask's comm is TLS; closed with the scheduler; a connection broken mid-call gives a clear
error and the next call finds its way again.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Iterator
from typing import Any

import pytest

import albacore
from albacore.exceptions import StorageInternalError
from albacore.trial import TrialState

distributed = pytest.importorskip("distributed")
dask_config = pytest.importorskip("dask.config")

from albacore.integration._dask import _channel_client  # noqa: E402
from albacore.integration._dask._channel import ACCEPTED, HELLO, NAME, receive_frame, send_frame  # noqa: E402
from albacore.integration._dask._server import CHANNEL_CONFIG, CHANNEL_PORT_CONFIG, EXTENSION, HANDLER  # noqa: E402
from albacore.integration.dask import DaskStorage  # noqa: E402


def objective(trial: albacore.Trial) -> float:
    return trial.suggest_float("x", -1, 1) ** 2


def _cluster(**kwargs: Any) -> Any:
    return distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://", dashboard_address=":0", **kwargs
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with _cluster() as tcp_cluster:
        yield tcp_cluster


@pytest.fixture
def client(cluster: Any) -> Iterator[Any]:
    _channel_client.close_channels()  # each test finds the channel afresh
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    _channel_client.close_channels()


@contextlib.contextmanager
def dask_calls(cluster: Any) -> Iterator[list[str]]:
    """The names of the storages called through Dask's comm (the scheduler's handler) while in the block."""
    handler = cluster.scheduler.handlers[HANDLER]
    calls: list[str] = []

    async def counting(name: str, request: bytes) -> bytes:
        calls.append(name)
        return await handler(name=name, request=request)  # type: ignore[no-any-return]

    cluster.scheduler.handlers[HANDLER] = counting
    try:
        yield calls
    finally:
        cluster.scheduler.handlers[HANDLER] = handler


def _channel(cluster: Any) -> Any:
    return cluster.scheduler.extensions[EXTENSION].channel


def _study(storage: DaskStorage) -> albacore.Study:
    return albacore.create_study(storage=storage, sampler=albacore.samplers.RandomSampler(seed=0))


def test_the_channel_carries_every_call_when_it_can_be_reached(cluster: Any, client: Any) -> None:
    storage = DaskStorage(client=client)
    with dask_calls(cluster) as calls:
        study = _study(storage)
        study.optimize(objective, n_trials=5)
        futures = [client.submit(study.optimize, objective, n_trials=5, pure=False) for _ in range(2)]
        for future in futures:
            future.result()
    assert calls == []
    assert storage._remote.transport() == "channel"
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 15
    assert _channel(cluster).n_connections >= 1


def test_the_channel_listens_on_the_scheduler_interface_only(cluster: Any, client: Any) -> None:
    DaskStorage(client=client)
    scheduler_host = cluster.scheduler.address.split("://")[1].rsplit(":", 1)[0]
    assert scheduler_host == "127.0.0.1"
    assert {sock.getsockname()[0] for sock in _channel(cluster)._listeners} == {"127.0.0.1"}


def test_with_the_channel_switched_off_calls_go_through_dask(cluster: Any, client: Any) -> None:
    storage = DaskStorage(client=client)
    with dask_config.set({CHANNEL_CONFIG: False}), dask_calls(cluster) as calls:
        assert storage._remote.transport() == "dask"
        _study(storage).optimize(objective, n_trials=3)
    assert len(calls) >= 3 and set(calls) == {storage.name}


def _closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def test_an_unreachable_channel_falls_back_to_dask_and_is_tried_again_later(cluster: Any, client: Any) -> None:
    storage = DaskStorage(client=client)
    key = client.scheduler.address
    nowhere = _channel_client.ChannelClient(key, "127.0.0.1", _closed_port(), b"0" * 32, None)
    _channel_client._channels[key] = nowhere
    with dask_calls(cluster) as calls:
        study = _study(storage)
        study.optimize(objective, n_trials=3)
    assert calls  # every call went through Dask's comm, none was lost
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 3
    assert isinstance(_channel_client._channels[key], float)  # this process tries again in a while
    assert storage._remote.transport() == "dask"
    _channel_client.retry_channel(client)
    assert storage._remote.transport() == "channel"


def test_a_peer_without_the_token_gets_nothing(cluster: Any, client: Any) -> None:
    storage = DaskStorage(client=client)
    study_id = storage.create_new_study([albacore.study.StudyDirection.MINIMIZE], "secret")
    port = _channel(cluster).port
    name = storage.name.encode()
    request = f'["get_study_name_from_id",[{study_id}]]'.encode()
    for first in (HELLO + b"x" * 32, NAME.pack(len(name)) + name + request, b"y" * 1000):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as peer:
            send_frame(peer, first)
            try:
                reply = receive_frame(peer)
            except OSError:
                reply = None
            assert reply is None  # closed without a word
    key = client.scheduler.address
    wrong = _channel_client.ChannelClient(key, "127.0.0.1", port, b"z" * 32, None)
    assert wrong.call(storage.name, request) is None  # refused before sending: the caller uses Dask's comm


def test_a_channel_that_breaks_mid_run_gives_a_clear_error_then_calls_go_through_dask() -> None:
    with _cluster() as own, distributed.Client(own) as client:
        storage = DaskStorage(client=client)
        study = _study(storage)
        study.optimize(objective, n_trials=2)
        _channel(own).close()  # the scheduler stays
        with pytest.raises(StorageInternalError, match="cannot be reached"):
            study.optimize(objective, n_trials=1)
        study.optimize(objective, n_trials=2)  # through Dask's comm now
        assert storage._remote.transport() == "dask"
        states = [t.state for t in study.trials]
        assert states.count(TrialState.COMPLETE) == 4 and len(states) <= 6
    _channel_client.close_channels()


def test_the_channel_port_can_be_set_for_a_firewall() -> None:
    port = _closed_port()
    with dask_config.set({CHANNEL_PORT_CONFIG: port}), _cluster() as own, distributed.Client(own) as client:
        storage = DaskStorage(client=client)
        assert _channel(own).port == port
        assert storage._remote.transport() == "channel"
    _channel_client.close_channels()


def test_closing_the_scheduler_closes_the_channel() -> None:
    with _cluster() as own, distributed.Client(own) as client:
        DaskStorage(client=client).get_all_studies()
        channel = _channel(own)
        port = channel.port
    assert channel.closed and not channel._thread.is_alive()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    _channel_client.close_channels()


def _accepted(peer: socket.socket, token: bytes) -> bool:
    """Whether the channel accepts ``token`` from ``peer`` (False when it closes the connection or it breaks)."""
    try:
        send_frame(peer, HELLO + token)
        return receive_frame(peer) == ACCEPTED
    except OSError:
        return False


def test_a_tls_cluster_gets_a_tls_channel_closed_to_peers_without_its_certificates() -> None:
    pytest.importorskip("cryptography")
    security = distributed.Security.temporary()
    with (
        distributed.LocalCluster(
            n_workers=1, processes=False, protocol="tls://", security=security, dashboard_address=":0"
        ) as own,
        distributed.Client(own, security=security) as client,
    ):
        storage = DaskStorage(client=client)
        assert storage._remote.transport() == "channel-tls"
        with dask_calls(own) as calls:
            study = _study(storage)
            study.optimize(objective, n_trials=2)
            client.submit(study.optimize, objective, n_trials=2, pure=False).result()
        assert calls == [] and len(study.trials) == 4
        channel = _channel(own)
        with socket.create_connection(("127.0.0.1", channel.port), timeout=5) as plain:
            assert not _accepted(plain, channel.token)  # the right token in clear text: refused
        anonymous = ssl.create_default_context()
        anonymous.check_hostname = False
        anonymous.verify_mode = ssl.CERT_NONE
        address = ("127.0.0.1", channel.port)
        # Without a certificate of the cluster the handshake fails, or (TLS 1.3) the first read does.
        with contextlib.suppress(OSError), anonymous.wrap_socket(socket.create_connection(address, timeout=5)) as peer:
            assert not _accepted(peer, channel.token)
        client.connection_args = {**client.connection_args, "ssl_context": None}
        _channel_client.close_channels()
        assert storage._remote.transport() == "dask"  # a client without the cluster's TLS context keeps to Dask
    _channel_client.close_channels()
