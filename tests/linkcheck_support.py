"""Local HTTP fixture servers that behave like the real web, for the link-checker tests.

Each :class:`FixtureServer` listens on one loopback address (127.0.0.x, so several "hosts"
live on one machine) and answers from a table of routes. Every request is logged with its
arrival time (``time.monotonic()``), method, path and headers, and the number of requests in
flight is tracked, so tests can assert what the checker sent. Handlers that drip or hang use
bounded loops that end by themselves (or when the client goes away), so no test can hang.
"""

from __future__ import annotations

import gzip
import http.server
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from aigc_resources.linkcheck import Checker, LinkResult, Settings

Handler = Callable[["Request"], None]


@dataclass
class Logged:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    at: float


class Request(http.server.BaseHTTPRequestHandler):
    """Request handler dispatching to the server's routes (path without query first, then exact)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: "_Server"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def _dispatch(self) -> None:
        fixture = self.server.fixture
        with fixture.lock:
            fixture.log.append(Logged(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                      time.monotonic()))
            fixture.in_flight += 1
            fixture.max_in_flight = max(fixture.max_in_flight, fixture.in_flight)
            fixture.counts[self.path] = fixture.counts.get(self.path, 0) + 1
        try:
            handler = fixture.routes.get(self.path) or fixture.routes.get(self.path.split("?")[0])
            (handler or fixture.default)(self)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        finally:
            with fixture.lock:
                fixture.in_flight -= 1

    do_GET = do_HEAD = _dispatch

    # -- helpers for handlers ------------------------------------------------------------------
    def send(self, status: int, body: bytes | str = b"", *, content_type: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        """A complete answer with Content-Length (no body for HEAD)."""
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def redirect(self, status: int, location: str) -> None:
        self.send(status, b"", headers={"Location": location})

    def page(self, title: str = "A page", body: str = "", status: int = 200) -> None:
        self.send(status, f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fixture: "FixtureServer"

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up (the checker stops reading on purpose) are expected


@dataclass
class FixtureServer:
    """A server on ``host`` (127.0.0.x) with ``routes``; unknown paths answer a plain page."""

    host: str = "127.0.0.1"
    routes: dict[str, Handler] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    max_in_flight: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self._server = _Server((self.host, 0), Request)
        self._server.fixture = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    @staticmethod
    def default(request: Request) -> None:
        request.page("Default page", "<p id='here'>here</p>")

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str) -> Callable[[Handler], Handler]:
        """Decorator: ``@server.route("/x")`` registers a handler."""
        def register(handler: Handler) -> Handler:
            self.routes[path] = handler
            return handler
        return register

    def requests_to(self, path: str) -> list[Logged]:
        return [entry for entry in self.log if entry.path == path]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def fast_settings(**changes: object) -> Settings:
    """Settings for tests: loopback allowed, no politeness gaps, short waits, generous deadline."""
    base = dict(allow_private=True, timeout=10.0, retries=0, retry_wait=0.05, min_interval=0.0,
                max_concurrency=8, per_host=4, retry_after_cap=5.0)
    base.update(changes)
    return Settings().replace(**base)


# -- handlers for awkward behaviour ---------------------------------------------------------------

def raw_answer(data: bytes) -> Handler:
    """A handler that writes ``data`` as the whole answer (malformed HTTP on purpose), then closes.

    Put ``Connection: close`` in ``data`` when the client must follow up (a redirect): without
    it the client may reuse the connection before it sees the close (a race under load)."""
    def handler(request: Request) -> None:
        request.wfile.write(data)
        request.wfile.flush()
        request.close_connection = True
    return handler


def drip_headers(request: Request, *, every: float = 0.2, limit: float = 30.0) -> None:
    """Send a status line one byte at a time, forever (bounded by ``limit`` seconds)."""
    end = time.monotonic() + limit
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
        if time.monotonic() > end:
            break
        request.wfile.write(bytes([byte]))
        request.wfile.flush()
        time.sleep(every)
    request.close_connection = True


def drip_body(request: Request, *, every: float = 0.2, limit: float = 30.0) -> None:
    """Headers at once, then an HTML body one byte at a time (bounded by ``limit`` seconds)."""
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.send_header("Content-Length", "100000")
    request.end_headers()
    end = time.monotonic() + limit
    while time.monotonic() < end:
        request.wfile.write(b" ")
        request.wfile.flush()
        time.sleep(every)
    request.close_connection = True


def never_answer(request: Request, *, limit: float = 30.0) -> None:
    """Read the request, then say nothing until the client leaves or ``limit`` seconds pass."""
    sock = request.connection
    sock.settimeout(0.1)
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            if sock.recv(1024) == b"":
                break
        except TimeoutError:
            continue
        except OSError:
            break
    request.close_connection = True


def reset_connection(request: Request) -> None:
    """Close the connection with a TCP reset (SO_LINGER 0) instead of answering."""
    request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.connection.close()
    request.close_connection = True


def huge_body(request: Request, *, total: int = 200 * 1024 * 1024, title: str = "Huge") -> None:
    """A 200 MB HTML page streamed in 64 KiB chunks (stops when the client leaves)."""
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.send_header("Content-Length", str(total))
    request.end_headers()
    head = f"<html><head><title>{title}</title></head><body>".encode()
    request.wfile.write(head)
    sent, chunk = len(head), b"<p>filler</p>" * 5000
    while sent < total:
        piece = chunk[: total - sent]
        request.wfile.write(piece)
        sent += len(piece)
    request.server.fixture.counts["huge-sent"] = sent


_BOMB_MEMBER: list[bytes] = []


def gzip_bomb(request: Request, *, megabytes: int = 100) -> None:
    """``megabytes`` MiB of spaces as ~1 KB gzip members back to back (RFC 1952 §2.2 allows
    several members), sent with Content-Encoding: gzip: about 100 KB that inflate to 100 MiB."""
    if not _BOMB_MEMBER:
        _BOMB_MEMBER.append(gzip.compress(b" " * (1024 * 1024), compresslevel=9))
    head = gzip.compress(b"<html><head><title>Bomb</title></head><body>")
    request.send(200, head + _BOMB_MEMBER[0] * megabytes, headers={"Content-Encoding": "gzip"})


@pytest.fixture
def servers() -> Iterator[Callable[[str], FixtureServer]]:
    """A factory of :class:`FixtureServer` on 127.0.0.x; all are closed after the test."""
    made: list[FixtureServer] = []

    def make(host: str = "127.0.0.2") -> FixtureServer:
        server = FixtureServer(host)
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


@pytest.fixture
def server(servers: Callable[[str], FixtureServer]) -> FixtureServer:
    """One fixture server on 127.0.0.2."""
    return servers("127.0.0.2")


def check(url: str, **settings: object) -> LinkResult:
    """Check one URL with :func:`fast_settings` changed by ``settings``."""
    with Checker(fast_settings(**settings)) as checker:
        return checker.check_one(url)
