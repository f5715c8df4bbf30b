"""Read a web page's own metadata (``<title>``, Open Graph, Highwire ``citation_*`` tags) to
pre-fill a new entry (``aigc-resources new --from-url``).

Fetching a URL a contributor pastes is fetching untrusted input, so:

* only ``http``/``https`` URLs that pass :func:`aigc_resources.urls.url_problems`;
* every connection, the first and each redirect hop, is opened to an address that was checked
  first: loopback, private, link-local (169.254.169.254, the cloud metadata address), shared,
  multicast, reserved and unspecified addresses are refused (:func:`address_refusal`), unless
  :attr:`FetchPolicy.allow_private` is set (tests, which serve pages on 127.0.0.1). The socket is
  opened to the checked address itself, so a second DNS answer cannot swap another one in;
* connect and read timeouts, a total deadline that shuts the socket down however slowly a
  server drips its bytes, at most :attr:`FetchPolicy.max_redirects` redirects, and a cap on the
  bytes read (metadata lives in ``<head>``);
* environment proxies are ignored (``trust_env = False``): the checked address is the peer.

Tag sources: Open Graph protocol (ogp.me: ``og:title``, ``og:description``), Highwire Press
tags as Google Scholar reads them (``citation_title``, ``citation_author``,
``citation_publication_date``/``citation_date``, ``citation_arxiv_id``; arXiv abstract pages
carry them), and HTML's ``<title>`` and ``<meta name="description">``.

The link checker (``aigc_resources.linkcheck``) guards its connections the same way; when both
are merged the two guards should become one.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError, NewConnectionError

from . import __version__
from .errors import UserError
from .urls import url_problems

USER_AGENT = f"aigc-resources/{__version__} (new-entry scaffolder)"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)


class FetchError(UserError):
    """The page could not be read: refused address, network error, not HTML, bad status."""


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of one metadata fetch. Times in seconds, sizes in bytes."""

    allow_private: bool = False
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 20.0
    max_bytes: int = 1024 * 1024
    max_redirects: int = 5


@dataclass
class PageMetadata:
    """What a page says about itself. Empty strings / lists where a tag is absent."""

    url: str
    title: str = ""
    description: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    arxiv: str = ""
    scholarly: bool = False  # the page carries citation_* tags (a paper's landing page)

    def found(self) -> list[str]:
        """Names of the fields that were filled."""
        return [name for name in ("title", "description", "authors", "year", "arxiv") if getattr(self, name)]


def address_refusal(address: str) -> str | None:
    """Why connecting to ``address`` (an IP literal) is refused, or ``None`` when it is global.

    Refused: everything :mod:`ipaddress` does not call global (IANA special-purpose registries:
    loopback, RFC 1918 / RFC 4193 private, link-local, shared RFC 6598, documentation,
    reserved), plus multicast and unspecified. IPv4-mapped IPv6 addresses are judged as IPv4.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "non-global"


class _Fetch(threading.local):
    """Per-thread state of the fetch in progress: its policy and the sockets it opened."""

    policy: FetchPolicy = FetchPolicy()
    sockets: list[socket.socket]

    def __init__(self) -> None:
        self.sockets = []


_current = _Fetch()


class _GuardedMixin:
    host: str
    port: int
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        host = self._dns_host
        try:
            infos = socket.getaddrinfo(host, self.port, 0, socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        if not _current.policy.allow_private:
            for address in addresses:
                kind = address_refusal(address)
                if kind:
                    raise FetchError(f"{self.host} resolves to the {kind} address {address}; refused")
        error: Exception | None = None
        for address in addresses:  # connect to the checked address itself
            self._dns_host = address
            try:
                sock = super()._new_conn()  # type: ignore[misc]
                break
            except NewConnectionError as exc:
                error = exc
            finally:
                self._dns_host = host
        else:
            raise error or NewConnectionError(self, f"no address for {host}")  # type: ignore[arg-type]
        _current.sockets.append(sock)
        return sock


class _GuardedHTTPConnection(_GuardedMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102 - requests hook
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def fetch_page_metadata(url: str, policy: FetchPolicy = FetchPolicy()) -> PageMetadata:
    """Fetch ``url`` under ``policy`` and read its metadata (see module doc).

    Raises:
        FetchError: the URL is not an acceptable http(s) URL, an address is refused, the
            request fails or times out, the status is not 2xx, or the page is not HTML.
    """
    problems = url_problems(url)
    if problems:
        raise FetchError(f"cannot fetch {url!r}: {problems[0][1]}")
    body, final_url, content_type = _fetch(url, policy)
    if not content_type.startswith(_HTML_TYPES):
        raise FetchError(f"{final_url} is {content_type or 'of unknown type'}, not an HTML page; "
                         "give --title and --description yourself")
    return parse_metadata(body, url, content_type)


def _fetch(url: str, policy: FetchPolicy) -> tuple[bytes, str, str]:
    session = requests.Session()
    session.trust_env = False
    session.max_redirects = policy.max_redirects
    adapter = _GuardedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    _current.policy, _current.sockets = policy, []
    expired = threading.Event()
    timer = threading.Timer(policy.deadline, _expire, args=(expired, _current.sockets))
    timer.daemon = True
    timer.start()
    try:
        with session.get(url, stream=True, timeout=(policy.connect_timeout, policy.read_timeout),
                         headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml"}) as response:
            if not 200 <= response.status_code < 300:
                raise FetchError(f"{response.url} answered HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_content(chunk_size=4096):
                chunks.append(chunk)
                size += len(chunk)
                if size >= policy.max_bytes:
                    break
            if expired.is_set():  # the sockets were shut down mid-body: what was read is partial
                raise FetchError(f"{url} took longer than {policy.deadline:g} s; gave up")
            return b"".join(chunks)[: policy.max_bytes], response.url, response.headers.get("Content-Type", "").lower()
    except FetchError:
        raise
    except requests.TooManyRedirects as exc:
        raise FetchError(f"more than {policy.max_redirects} redirects from {url}") from exc
    except (requests.RequestException, OSError) as exc:
        if expired.is_set():
            raise FetchError(f"{url} took longer than {policy.deadline:g} s; gave up") from exc
        cause = exc.__context__ if isinstance(exc.__context__, FetchError) else None
        if cause is None:
            cause = next((a for a in getattr(exc, "args", ()) if isinstance(a, FetchError)), None)
        raise FetchError(str(cause) if cause else f"cannot fetch {url}: {type(exc).__name__}: {exc}") from exc
    finally:
        timer.cancel()
        session.close()


def _expire(expired: threading.Event, sockets: list[socket.socket]) -> None:
    """The total deadline passed: mark it and shut every socket of the fetch down, which wakes
    a read blocked on a slow server at once."""
    expired.set()
    for sock in sockets:
        try:
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass


class _HeadParser(HTMLParser):
    """Collects ``<title>`` text and ``<meta>`` name/property -> contents (repeats kept)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.meta: dict[str, list[str]] = {}
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            values = {k.lower(): (v or "") for k, v in attrs}
            key = (values.get("property") or values.get("name") or "").lower()
            if key and "content" in values:
                self.meta.setdefault(key, []).append(values["content"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _decode(body: bytes, content_type: str) -> str:
    match = re.search(r"charset=([A-Za-z0-9_-]+)", content_type)
    charset = match.group(1) if match else None
    if charset is None:
        found = _CHARSET.search(body[:4096])
        charset = found.group(1).decode("ascii") if found else "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _clean(text: str) -> str:
    return " ".join(text.split())


def _person(name: str) -> str:
    """``Vaswani, Ashish`` (the Highwire form) -> ``Ashish Vaswani``."""
    name = _clean(name)
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if first and last:
            return f"{first} {last}"
    return name


def parse_metadata(body: bytes, url: str, content_type: str = "text/html") -> PageMetadata:
    """Read the metadata from an HTML document (bytes as served). Never raises on bad HTML."""
    parser = _HeadParser()
    try:
        parser.feed(_decode(body, content_type))
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; anything left is malformed input
        pass
    meta = parser.meta

    def first(*keys: str) -> str:
        for key in keys:
            for value in meta.get(key, []):
                if _clean(value):
                    return _clean(value)
        return ""

    result = PageMetadata(url=url)
    result.title = first("citation_title", "og:title", "dc.title") or _clean(parser.title)
    result.description = first("og:description", "description", "citation_abstract", "dc.description")
    result.authors = list(dict.fromkeys(_person(a) for a in meta.get("citation_author", []) if _clean(a)))
    date = first("citation_publication_date", "citation_date", "citation_online_date", "dc.date")
    year = re.match(r"(\d{4})", date)
    result.year = int(year.group(1)) if year else None
    result.arxiv = first("citation_arxiv_id")
    result.scholarly = any(key.startswith("citation_") for key in meta)
    return result
