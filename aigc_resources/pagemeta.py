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

The address check and the total deadline are :mod:`aigc_resources.net`'s, shared with the link
checker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import requests

from . import __version__
from .errors import UserError
from .net import AddressPolicy, AddressRefused, Deadline, GuardedAdapter, Watchdog, address_refusal, attempt_scope
from .urls import url_problems

__all__ = ["FetchError", "FetchPolicy", "PageMetadata", "address_refusal", "fetch_page_metadata", "parse_metadata"]

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
    adapter = GuardedAdapter(pools=4, per_pool=1)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    watchdog = Watchdog()
    deadline = watchdog.watch(Deadline(policy.deadline))
    too_slow = f"{url} took longer than {policy.deadline:g} s; gave up"
    try:
        with attempt_scope(AddressPolicy(allow_private=policy.allow_private), deadline), \
                session.get(url, stream=True, timeout=(policy.connect_timeout, policy.read_timeout),
                            headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml"}) as response:
            if not 200 <= response.status_code < 300:
                raise FetchError(f"{response.url} answered HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_content(chunk_size=4096):
                chunks.append(chunk)
                size += len(chunk)
                if size >= policy.max_bytes:
                    break
            if deadline.expired:  # the sockets were shut down mid-body: what was read is partial
                raise FetchError(too_slow)
            return b"".join(chunks)[: policy.max_bytes], response.url, response.headers.get("Content-Type", "").lower()
    except FetchError:
        raise
    except AddressRefused as exc:
        raise FetchError(str(exc)) from exc
    except requests.TooManyRedirects as exc:
        raise FetchError(f"more than {policy.max_redirects} redirects from {url}") from exc
    except (requests.RequestException, OSError) as exc:
        if deadline.expired:
            raise FetchError(too_slow) from exc
        raise FetchError(f"cannot fetch {url}: {type(exc).__name__}: {exc}") from exc
    finally:
        deadline.finish()
        watchdog.close()
        session.close()


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
