"""The client's side of the DaskStorage channel: blocking sockets to the channel beside the scheduler (``_channel``).

:func:`channel_for` gives the channel of a Dask client's scheduler: asked once per process and scheduler through
Dask's comm (which gives the port and the token; the host is the one this process reaches the scheduler at),
then kept. A call takes an idle connection (or opens one: a TCP connection, TLS with the Dask client's own
context when the scheduler's comm is TLS, and the token), sends one frame, reads one frame, and gives the
connection back, so each thread that calls at a time has a connection of its own and none is opened per call.

What happens when the channel is not there:

- It cannot be reached (no channel on this scheduler, a firewall, a TLS client without a context, a refused
  token): :meth:`ChannelClient.call` returns None before sending anything, the caller uses Dask's comm, and this
  process tries the channel again only after a minute (then two, four, ... up to an hour).
- A connection breaks during a call (the scheduler went away): the error goes to the caller, as a Dask comm
  broken during a call does, because the request may have been carried out; the next call asks Dask afresh
  where the channel is.
"""

from __future__ import annotations

import atexit
import os
import socket
import ssl
import threading
import time
from typing import Any

from albacore.integration._dask._channel import ACCEPTED, HELLO, NAME, receive_frame, send_frame, set_keepalive
from albacore.integration._dask._server import CHANNEL_CONFIG, CHANNEL_HANDLER
from albacore.logging import get_logger

__all__ = ["ChannelClient", "channel_for", "close_channels", "retry_channel"]

RETRY_SECONDS = 60.0
"""How long a process keeps to Dask's comm after a channel could not be reached (doubled at each new failure, up
to an hour: a cluster whose channel is firewalled pays a connection timeout rarely)."""

_MAX_RETRY_SECONDS = 3600.0

CONNECT_TIMEOUT = 5.0
"""Seconds to connect and be accepted before giving up on the channel."""

_logger = get_logger(__name__)

_channels: dict[str, ChannelClient | float] = {}  # scheduler address -> its channel, or when to try again
_failures: dict[str, int] = {}  # scheduler address -> channels in a row that could not be reached
_channels_lock = threading.Lock()


class ChannelClient:
    """Connections to the channel of one scheduler (``key`` is the address this process reaches it at)."""

    def __init__(self, key: str, host: str, port: int, token: bytes, ssl_context: ssl.SSLContext | None) -> None:
        self.key = key
        self.host = host
        self.port = port
        self.tls = ssl_context is not None
        self._token = token
        self._ssl_context = ssl_context
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False

    def call(self, name: str, request: bytes) -> bytes | None:
        """The reply of the storage ``name`` to ``request``; None when the channel cannot be reached.

        None means nothing was sent (use Dask's comm instead). An OSError means the connection broke during the
        call, when the request may have been carried out.
        """
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._connect()
            if conn is None:
                return None
        encoded = name.encode()
        try:
            send_frame(conn, NAME.pack(len(encoded)), encoded, request)
            reply = receive_frame(conn)
            if reply is None:
                raise ConnectionError("the DaskStorage channel closed the connection")
        except BaseException:
            conn.close()
            _forget(self, retry_after=0.0)
            raise
        with self._lock:
            if not self._closed:
                self._idle.append(conn)
                return reply
        conn.close()
        return reply

    def _connect(self) -> socket.socket | None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=CONNECT_TIMEOUT)
        except OSError as err:
            self._unreachable(err)
            return None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            set_keepalive(sock)
            if self._ssl_context is not None:
                sock = self._ssl_context.wrap_socket(sock, server_hostname=None)
            send_frame(sock, HELLO + self._token)
            if receive_frame(sock, limit=len(ACCEPTED)) != ACCEPTED:
                raise ConnectionError("the channel did not accept the token")
            sock.settimeout(None)
            _failures.pop(self.key, None)
        except (OSError, ValueError) as err:  # ssl.SSLError is an OSError
            sock.close()
            self._unreachable(err)
            return None
        return sock

    def _unreachable(self, err: BaseException) -> None:
        _logger.debug(f"The DaskStorage channel at {self.host}:{self.port} cannot be reached ({err!r}): using Dask.")
        _forget(self, retry_after=_retry_after(self.key))

    def close(self) -> None:
        """Close the idle connections, and each busy one when it is given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def __repr__(self) -> str:
        return f"ChannelClient({self.host!r}, {self.port}, tls={self.tls})"


def _retry_after(key: str) -> float:
    failures = _failures[key] = _failures.get(key, 0) + 1
    return float(min(RETRY_SECONDS * 2 ** (failures - 1), _MAX_RETRY_SECONDS))


def _forget(channel: ChannelClient, retry_after: float) -> None:
    with _channels_lock:
        if _channels.get(channel.key) is channel:
            if retry_after > 0:
                _channels[channel.key] = time.monotonic() + retry_after
            else:
                del _channels[channel.key]
    channel.close()


def channel_for(client: Any) -> ChannelClient | None:
    """The channel of ``client``'s scheduler, or None when this process uses Dask's comm for it."""
    key: str = client.scheduler.address
    found = _channels.get(key)
    if isinstance(found, ChannelClient):
        return found
    if found is not None and time.monotonic() < found:
        return None
    with _channels_lock:
        found = _channels.get(key)
        if isinstance(found, ChannelClient):
            return found
        if found is not None and time.monotonic() < found:
            return None
        channel = _describe(client, key)
        _channels[key] = channel if channel is not None else time.monotonic() + _retry_after(key)
        return channel


def _describe(client: Any, key: str) -> ChannelClient | None:
    import dask.config
    from distributed.comm.addressing import parse_address, parse_host_port

    if not dask.config.get(CHANNEL_CONFIG, default=True):
        return None
    scheme, location = parse_address(key)
    if scheme not in ("tcp", "tls"):
        return None
    try:
        described = client.sync(getattr(client.scheduler, CHANNEL_HANDLER))
    except Exception as err:  # noqa: BLE001 - a scheduler without the channel: Dask's comm serves
        _logger.debug(f"No DaskStorage channel beside {key} ({err!r}): using Dask.")
        return None
    if described is None:
        return None
    kind, port, token = described
    ssl_context = None
    if kind == "tls":
        ssl_context = (getattr(client, "connection_args", None) or {}).get("ssl_context")
        if ssl_context is None:
            return None
    return ChannelClient(key, parse_host_port(location)[0], int(port), bytes.fromhex(token), ssl_context)


def retry_channel(client: Any) -> None:
    """Forget that the channel of ``client``'s scheduler could not be reached (a storage was just registered)."""
    with _channels_lock:
        key = client.scheduler.address
        if isinstance(_channels.get(key), float):
            del _channels[key]
        _failures.pop(key, None)


def close_channels() -> None:
    """Close every channel of this process (at exit; tests use it to start afresh)."""
    with _channels_lock:
        channels = [c for c in _channels.values() if isinstance(c, ChannelClient)]
        _channels.clear()
        _failures.clear()
    for channel in channels:
        channel.close()


def _after_fork_in_child() -> None:
    # The parent's connections are the parent's: a child starts afresh (closing its copies sends nothing).
    global _channels_lock
    _channels_lock = threading.Lock()
    for channel in _channels.values():
        if isinstance(channel, ChannelClient):
            channel._lock = threading.Lock()
            channel.close()
    _channels.clear()
    _failures.clear()


atexit.register(close_channels)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
