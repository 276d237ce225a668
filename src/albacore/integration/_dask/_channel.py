"""The scheduler's side of the DaskStorage channel: storage calls over a socket of albacore's own.

A storage call through Dask's own comm (``client.scheduler.albacore_storage``) pays Dask's price for a round trip:
the caller's thread hands the call to its process's event loop, Dask frames and routes it, the scheduler's
event loop dispatches it. The channel is a plain socket server beside Dask's, in the scheduler process, that
takes the same JSON requests and gives the same replies; a client reaches it with one blocking send and one
blocking receive (``_channel_client``).

Where it listens and who may talk to it:

- It binds the interface that the scheduler's own listener binds (all interfaces only when the scheduler's comm
  is open on all of them), on a free port (or the one set by ``albacore.dask-storage.channel-port``, for a
  firewall): it is never reachable where Dask's comm is not.
- Every connection must first send a random 32-byte token (compared in constant time); the token is given only
  through Dask's comm (the ``albacore_storage_channel`` handler), so only a peer that may already call the
  scheduler can call the channel. Until then a connection gets nothing, and is dropped after a few seconds.
- When the scheduler's comm is TLS, so is the channel, with the scheduler's own TLS context (the cluster's
  certificates, client certificates required). The channel exists only beside a ``tcp://`` or ``tls://``
  scheduler; ``inproc://`` and other transports keep to Dask's path.

The server runs in threads of its own, never on the scheduler's event loop: a thread accepts connections and
each connection has a thread that reads a request, answers it and sends the reply, with blocking calls (far
cheaper per round trip than an event loop). An in-memory storage answers on that thread (its calls take
microseconds), any other storage on the thread pool that also serves Dask's path (which bounds the queries a
database sees at once, whichever path they come by). The channel closes with the scheduler
(``StorageServer.teardown``), which drops every connection: a client in the middle of a call gets a clear error,
as it would from Dask's comm. A token not given in time, a frame too long for a hello, or more than
``MAX_CONNECTIONS`` connections end the connection (its client then uses Dask's comm).

Frames are a 4-byte big-endian length and that many bytes. A request is a 2-byte length, the storage's name in
UTF-8 and the JSON request of ``_server``; a reply is the JSON reply.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hmac
import secrets
import selectors
import socket
import ssl
import struct
import threading
from collections.abc import Callable
from typing import Any

from albacore.logging import get_logger

__all__ = ["ACCEPTED", "FRAME", "HELLO", "NAME", "ChannelServer", "receive_frame", "set_keepalive"]

FRAME = struct.Struct("!I")
"""The length that starts every frame."""

NAME = struct.Struct("!H")
"""The length of the storage's name, which starts a request."""

HELLO = b"albacore-dask-channel/1:"
"""What a connection's first frame starts with, before the token."""

ACCEPTED = b"ok"
"""The reply to a hello with the right token."""

MAX_CONNECTIONS = 1024
"""Connections beyond this many are closed at once (their clients use Dask's comm)."""

_HELLO_TIMEOUT = 10.0
_MAX_HELLO = 256

_logger = get_logger(__name__)

Serve = Callable[[str, bytes], "bytes | concurrent.futures.Future[bytes]"]


def set_keepalive(sock: socket.socket, timeout: float = 30.0) -> None:
    """Probe an idle connection, so a peer whose machine vanished is noticed within about ``timeout`` seconds."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    probes = 5
    idle = max(1, int(timeout) // 2)
    interval = max(1, (int(timeout) - idle) // probes)
    for option, value in (("TCP_KEEPIDLE", idle), ("TCP_KEEPINTVL", interval), ("TCP_KEEPCNT", probes)):
        if hasattr(socket, option):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)


def receive_frame(sock: socket.socket, limit: int | None = None) -> bytes | None:
    """The payload of the next frame; None when the peer closed the connection before one began.

    The protocol has one frame in flight per connection, so most frames arrive whole in the first receive.
    Raises ConnectionError when the connection closes in the middle of a frame, ValueError when the frame is
    longer than ``limit`` or is followed by bytes nobody asked for.
    """
    data = sock.recv(65536)
    if not data:
        return None
    while len(data) < FRAME.size:
        more = sock.recv(65536)
        if not more:
            raise ConnectionError("the DaskStorage channel's peer closed the connection in the middle of a frame")
        data += more
    (length,) = FRAME.unpack_from(data)
    if limit is not None and length > limit:
        raise ValueError(f"a frame of {length} bytes, more than the {limit} expected")
    end = FRAME.size + length
    if len(data) >= end:
        if len(data) > end:
            raise ValueError("bytes after a frame, before its reply")
        return data[FRAME.size :]
    buffer = bytearray(length)
    view = memoryview(buffer)
    got = len(data) - FRAME.size
    view[:got] = data[FRAME.size :]
    while got < length:
        count = sock.recv_into(view[got:])
        if count == 0:
            raise ConnectionError("the DaskStorage channel's peer closed the connection in the middle of a frame")
        got += count
    return bytes(buffer)


def send_frame(sock: socket.socket, *parts: bytes) -> None:
    """Send one frame made of ``parts``, in one write."""
    sock.sendall(b"".join((FRAME.pack(sum(len(p) for p in parts)), *parts)))


class ChannelServer:
    """A socket server beside the scheduler's comm, answering storage requests with ``serve``.

    One thread accepts connections; each connection has a thread of its own, which reads a request, answers it
    and sends the reply (blocking calls: a round trip costs the channel a receive, the storage's work and a send).
    A connection's thread waits in a receive while its client does anything else.

    Args:
        serve: Answers one request for the storage of the given name: the reply, or a future of it.
        host: The interface to bind; None or ``""`` for all of them.
        port: The port to bind; 0 for a free one.
        ssl_context: The scheduler's TLS server context when its comm is TLS, else None.
    """

    def __init__(self, serve: Serve, host: str | None, port: int, ssl_context: ssl.SSLContext | None) -> None:
        from tornado.netutil import bind_sockets  # a dependency of distributed: binds every family on one port

        self.serve = serve
        self.token = secrets.token_bytes(32)
        self.tls = ssl_context is not None
        self._ssl_context = ssl_context
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._listeners = bind_sockets(port, address=host or None)
        self.port: int = self._listeners[0].getsockname()[1]
        self._wake_read, self._wake_write = socket.socketpair()
        self._thread = threading.Thread(target=self._accept, name="albacore-dask-channel", daemon=True)
        self._thread.start()

    def describe(self) -> list[Any]:
        """What a client needs to connect: ``[scheme, port, token]`` (the host is the scheduler's)."""
        return ["tls" if self.tls else "tcp", self.port, self.token.hex()]

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def n_connections(self) -> int:
        """The connections open now."""
        return len(self._connections)

    def _accept(self) -> None:
        with selectors.DefaultSelector() as selector:
            for listener in self._listeners:
                selector.register(listener, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while not self._closed:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_read or self._closed:
                        break
                    try:
                        conn, _ = key.fileobj.accept()  # type: ignore[union-attr]
                    except OSError:
                        continue
                    self._start(conn)
        for listener in self._listeners:
            listener.close()
        self._wake_read.close()

    def _start(self, conn: socket.socket) -> None:
        with self._lock:
            if self._closed or len(self._connections) >= MAX_CONNECTIONS:
                conn.close()
                return
            self._connections.add(conn)
        thread = threading.Thread(target=self._serve_connection, args=(conn,), name="albacore-dask-channel-conn")
        thread.daemon = True
        thread.start()

    def _serve_connection(self, conn: socket.socket) -> None:
        tracked = conn
        try:
            conn.setblocking(True)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            set_keepalive(conn)
            conn.settimeout(_HELLO_TIMEOUT)
            if self._ssl_context is not None:
                conn = self._ssl_context.wrap_socket(conn, server_side=True)
                with self._lock:
                    self._connections.discard(tracked)
                    self._connections.add(conn)
                    tracked = conn
            hello = receive_frame(conn, limit=_MAX_HELLO)
            if hello is None or not hmac.compare_digest(hello, HELLO + self.token):
                return
            send_frame(conn, ACCEPTED)
            conn.settimeout(None)
            while not self._closed:
                frame = receive_frame(conn)
                if frame is None:
                    return
                (size,) = NAME.unpack_from(frame)
                name = frame[NAME.size : NAME.size + size].decode()
                reply = self.serve(name, frame[NAME.size + size :])
                if not isinstance(reply, bytes):
                    reply = reply.result()  # answered by the storage's thread pool
                send_frame(conn, reply)
        except Exception as err:  # noqa: BLE001 - a broken or misbehaving connection ends; the server goes on
            if not self._closed:
                _logger.debug(f"A DaskStorage channel connection ended: {err!r}")
        finally:
            with self._lock:
                self._connections.discard(tracked)
            conn.close()

    def close(self) -> None:
        """Stop listening and drop every connection (a client in the middle of a call gets an error)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            connections = list(self._connections)
        self._wake_write.send(b"x")
        self._thread.join(timeout=10)
        self._wake_write.close()
        for conn in connections:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(conn, socket.SHUT_RDWR)  # wakes its thread (TLS too), which closes it
