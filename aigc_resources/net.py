"""Network safety under requests: address policy on every connection, and a total deadline.

Used wherever the tool fetches a URL someone else wrote: the link checker
(:mod:`aigc_resources.linkcheck`) and ``aigc-resources new --from-url``
(:mod:`aigc_resources.pagemeta`).

Two things requests cannot do by itself are done here, at the urllib3 connection level, so
they hold for the first request and for every redirect hop alike:

* **Address policy.** Before a connection is opened, the host name is resolved once; if any
  address is loopback, private, link-local, multicast, reserved or otherwise not global
  (:func:`address_refusal`), the connection is refused with :class:`AddressRefused`.
  The socket is then opened to the very address that was checked, so a second DNS answer
  cannot swap in another one (DNS rebinding).
* **Total deadline.** requests' ``timeout`` bounds each socket operation, not the response:
  a server that sends one byte every half second never trips it. A :class:`Deadline` is
  registered with a :class:`Watchdog` thread, and every connection used during the attempt is
  attached to it; when the deadline passes, the watchdog shuts those sockets down, which wakes
  the blocked read at once.

Both rely on :func:`attempt_scope`, a per-thread context set by the worker around one attempt.
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from .urls import address_refusal  # (the one classification of IP addresses, shared with the validator)


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be connected to.

    ``allow_private`` lifts the refusal entirely (``--allow-private``); ``allowed`` lists
    single addresses that are allowed although not global (used by tests to show that the
    check still runs on a later redirect hop).
    """

    allow_private: bool = False
    allowed: frozenset[str] = frozenset()

    def refusal(self, address: str) -> str | None:
        """Why ``address`` is refused under this policy, or ``None``."""
        if self.allow_private or address in self.allowed:
            return None
        return address_refusal(address)


class AddressRefused(Exception):
    """The host resolved to an address the :class:`AddressPolicy` refuses (never retried).

    Deliberately not an ``OSError``: urllib3 would wrap and retry those.
    """

    def __init__(self, host: str, address: str, kind: str) -> None:
        super().__init__(f"{host} resolves to {kind} address {address}; refused")
        self.host, self.address, self.kind = host, address, kind


class Deadline:
    """The total time allowed for one attempt, in seconds, measured with :func:`time.monotonic`.

    Connections attached while the deadline runs are shut down by :meth:`expire`. After
    :meth:`finish` nothing is shut down any more, so a connection handed back to the pool can
    never be cut by an old deadline (one URL's timeout does not leak into another's result).
    """

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.expired = False
        self._finished = False
        self._lock = threading.Lock()
        self._conns: list[Any] = []

    def remaining(self) -> float:
        """Seconds left (0 when passed)."""
        return max(0.0, self.at - time.monotonic())

    def attach(self, conn: Any) -> None:
        """Watch a connection; shut it down at once if the deadline has already passed."""
        with self._lock:
            if self._finished:
                return
            self._conns.append(conn)
            if self.expired:
                _shutdown(conn)

    def detach(self, conn: Any) -> bool:
        """Stop watching ``conn`` before it goes back to the pool.

        Returns False when the deadline has already expired (the connection may be shut
        down and must be closed, not reused).
        """
        with self._lock:
            if conn in self._conns:
                self._conns.remove(conn)
            return not self.expired

    def expire(self) -> None:
        """Mark the deadline passed and shut down every attached connection (watchdog thread)."""
        with self._lock:
            if self._finished:
                return
            self.expired = True
            for conn in self._conns:
                _shutdown(conn)

    def finish(self) -> None:
        """The attempt is over: stop watching its connections."""
        with self._lock:
            self._finished = True
            self._conns.clear()


def _shutdown(conn: Any) -> None:
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    try:
        # The plain socket method, also for TLS sockets: it only touches the file descriptor.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class Watchdog:
    """One thread that expires :class:`Deadline` objects on time. Stop it with :meth:`close`."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="aigc-resources-watchdog", daemon=True)
        self._thread.start()

    def watch(self, deadline: Deadline) -> Deadline:
        """Expire ``deadline`` when its time comes (unless it finished first)."""
        with self._cond:
            heapq.heappush(self._heap, (deadline.at, next(self._seq), deadline))
            self._cond.notify()
        return deadline

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._heap or self._heap[0][0] > time.monotonic()):
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                if self._closed:
                    return
                _, _, deadline = heapq.heappop(self._heap)
            deadline.expire()

    def close(self) -> None:
        """Stop the thread (pending deadlines are dropped)."""
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=5)


_local = threading.local()


@dataclass(frozen=True)
class _Scope:
    policy: AddressPolicy
    deadline: Deadline | None


@contextmanager
def attempt_scope(policy: AddressPolicy, deadline: Deadline | None) -> Iterator[None]:
    """Apply ``policy`` and ``deadline`` to every connection this thread uses inside the block."""
    previous = getattr(_local, "scope", None)
    _local.scope = _Scope(policy, deadline)
    try:
        yield
    finally:
        _local.scope = previous


def _scope() -> _Scope:
    return getattr(_local, "scope", None) or _Scope(AddressPolicy(), None)


class _GuardedConnectionMixin:
    """Checks addresses before connecting and attaches each connection to the deadline."""

    host: str
    port: int
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        scope = _scope()
        host = self._dns_host
        try:
            infos = socket.getaddrinfo(host, self.port, 0, socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        for address in addresses:
            kind = scope.policy.refusal(address)
            if kind:
                raise AddressRefused(self.host, address, kind)
        error: Exception | None = None
        for address in addresses:  # connect to the checked address itself, trying each in turn
            self._dns_host = address
            try:
                sock = super()._new_conn()  # type: ignore[misc]
                break
            except (NewConnectionError, ConnectTimeoutError) as exc:
                error = exc
            finally:
                self._dns_host = host
        else:
            raise error or NewConnectionError(self, f"no address for {host}")  # type: ignore[arg-type]
        if scope.deadline is not None:
            scope.deadline.attach(self)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> Any:
        scope = _scope()
        if scope.deadline is not None:
            scope.deadline.attach(self)  # a kept-alive connection from the pool, too
        return super().request(*args, **kwargs)  # type: ignore[misc]


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    """:class:`urllib3.connection.HTTPConnection` under the address policy and deadline."""


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    """:class:`urllib3.connection.HTTPSConnection` under the address policy and deadline."""


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """A requests transport whose connections obey :func:`attempt_scope`. Never retries itself.

    ``pools`` is how many per-host connection pools are kept, ``per_pool`` how many idle
    connections each keeps for reuse.
    """

    def __init__(self, *, pools: int = 64, per_pool: int = 4) -> None:
        super().__init__(pool_connections=pools, pool_maxsize=per_pool, max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102 - requests hook
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
