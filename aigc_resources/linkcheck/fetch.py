"""One attempt at a URL: follow redirects by hand, read as much body as the checks need.

:func:`fetch` gathers facts and never judges them; :mod:`.classify` does that. Redirects are
followed here (not by requests) so that every hop is recorded, loops are seen, each hop goes
through the address policy, relative ``Location`` values are resolved against the URL that
sent them (RFC 9110 §10.2.2, RFC 3986 §5) and a fragment is carried over when the target has
none. Cookies live in one jar per attempt, so nothing set for one URL reaches another.

Bodies are streamed and read only as far as needed, through the decompressing reader (a
compressed bomb inflates at most the bytes asked for): the first :data:`SNIFF_BYTES` for a
soft-404 or bot-wall check, up to ``max_body_bytes`` when a fragment must be found.
"""

from __future__ import annotations

import codecs
import html
import http.client
import re
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urldefrag, urljoin, urlsplit, urlunsplit

import requests
import urllib3.exceptions
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar
from requests.utils import requote_uri

from ..urls import url_problems
from .config import Settings
from ..net import AddressRefused, Deadline
from .quirks import HostQuirks
from .result import Hop

#: Bytes of a page read when no fragment must be found (title, first heading, bot markers).
SNIFF_BYTES = 64 * 1024
_CHUNK = 16 * 1024
#: Longest wait (seconds) for the unread rest of an answer whose status is already known.
DRAIN_WAIT = 0.5
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Answers whose body is read to look for a bot wall (see :mod:`.quirks`).
_SNIFF_ERROR_STATUSES = frozenset({401, 403, 429, 503})


class ProtocolViolation(Exception):
    """The server's answer breaks HTTP in a way that decides nothing about the resource
    (several different ``Location`` headers); classified like a malformed answer."""


class RedirectError(Exception):
    """Too many redirects, or a loop (``loop`` true), or a target that may not be fetched."""

    def __init__(self, message: str, *, loop: bool = False, invalid: bool = False) -> None:
        super().__init__(message)
        self.loop, self.invalid = loop, invalid


@dataclass
class PageFacts:
    """What an HTML page says: element ids (and ``<a name>``), title and first h1 (from its
    first :data:`SNIFF_BYTES`), and that start as text. ``truncated`` is true when the body
    was longer than what was read."""

    ids: set[str] = field(default_factory=set)
    title: str = ""
    h1: str = ""
    text: str = ""
    truncated: bool = False


# Start tags and their id/name attributes. Regular expressions, not html.parser: a 4 MiB page
# takes html.parser seconds of CPU (holding the GIL) and these a few milliseconds. Comments and
# scripts are not skipped, which can only make a fragment look present (never a false alarm).
_START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>")
_ID_ATTR = re.compile(r"""(?:^|\s)(id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_TAGS = re.compile(r"<[^>]*>")


def _inner_text(match: re.Match[str] | None) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", match.group(1))).split()) if match else ""


def parse_page(text: str, *, truncated: bool = False) -> PageFacts:
    """Collect :class:`PageFacts` from HTML text (tolerant of broken markup). Never raises.

    Ids: every ``id`` attribute, and ``name`` on ``<a>`` (the targets a fragment can name,
    HTML §7.4.6.4 "find a potential indicated element").
    """
    ids: set[str] = set()
    for tag in _START_TAG.finditer(text):
        attrs = tag.group(2)
        if not attrs:
            continue
        for attr in _ID_ATTR.finditer(attrs):
            name = attr.group(1).lower()
            if name == "id" or tag.group(1).lower() == "a":
                ids.add(html.unescape(attr.group(2) or attr.group(3) or attr.group(4) or ""))
    head = text[:SNIFF_BYTES]
    return PageFacts(ids=ids, title=_inner_text(_TITLE.search(head)), h1=_inner_text(_H1.search(head)),
                     text=head, truncated=truncated)


@dataclass
class Fetched:
    """The facts of one attempt.

    ``status`` is the final HTTP status (``None`` when no answer came); ``final_url`` the URL
    that gave it, with the original fragment carried over; ``headers`` have lower-case names.
    ``error`` is the exception that ended the attempt, if any; ``expired`` is true when the
    total deadline cut it. ``elapsed`` is in seconds; ``body_bytes`` counts decompressed bytes.
    """

    url: str
    method: str
    hops: list[Hop] = field(default_factory=list)
    status: int | None = None
    final_url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    page: PageFacts | None = None
    body_bytes: int = 0
    error: BaseException | None = None
    expired: bool = False
    elapsed: float = 0.0


def fragment_of(url: str) -> str:
    """The decoded fragment of ``url`` (``""`` when none)."""
    return unquote(urldefrag(url)[1])


def needs_fragment_check(url: str, quirks: HostQuirks) -> bool:
    """True when the fragment of ``url`` must be looked for in the page.

    Empty, ``top`` and text fragments (``:~:text=``) are always valid, as in browsers
    (HTML §7.4.6.3 "scroll to the fragment"); some hosts' fragments cannot be checked.
    """
    fragment = fragment_of(url)
    if not fragment or fragment.lower() == "top" or fragment.startswith(":~:"):
        return False
    return quirks.fragment_checked(fragment)


def fetch(url: str, *, settings: Settings, quirks: HostQuirks, adapter: requests.adapters.HTTPAdapter,
          deadline: Deadline) -> Fetched:
    """Make one attempt at ``url`` within ``deadline``; return the facts, never raise for I/O.

    Network, URL and protocol errors (requests' and urllib3's, including those that escape
    requests such as ``LocationParseError``, and :class:`RedirectError`) end up in
    ``Fetched.error``. Anything else is a bug and propagates.
    """
    started = time.monotonic()
    want_fragment = needs_fragment_check(url, quirks)
    method = "GET" if settings.method == "get" or want_fragment or quirks.force_get else "HEAD"
    result = _attempt(url, method, settings, quirks, adapter, deadline, want_fragment)
    if method == "HEAD" and result.error is None and not (result.status and 200 <= result.status < 300):
        # Servers refuse or mishandle HEAD with 403/404/405/501...: ask again with GET.
        # Not after an error: a timeout would only be repeated.
        result = _attempt(url, "GET", settings, quirks, adapter, deadline, want_fragment)
        result.method = "HEAD,GET"
    result.elapsed = time.monotonic() - started
    # The last read's socket timeout is the remaining time, so it can fire a moment before the
    # watchdog marks the deadline expired: both mean the total deadline ended the attempt.
    result.expired = deadline.expired or deadline.remaining() <= 0.01
    return result


def _attempt(url: str, method: str, settings: Settings, quirks: HostQuirks,
             adapter: requests.adapters.HTTPAdapter, deadline: Deadline, want_fragment: bool) -> Fetched:
    out = Fetched(url=url, method=method)
    jar = RequestsCookieJar()
    headers = {"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
               **quirks.headers}
    fragment = urldefrag(url)[1]
    current = urldefrag(url)[0]
    # A loop is the same URL asked with the same cookies: a site that sets a cookie and
    # redirects to itself once (a common consent or session dance) is not looping.
    seen = [(current, _cookie_state(jar))]
    try:
        for _ in range(settings.max_redirects + 1):
            response = _send(adapter, method, current, headers, jar, settings, deadline)
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECT_STATUSES and location:
                    locations = set(response.raw.headers.getlist("location"))
                    if len(locations) > 1:  # browsers refuse this answer (Chromium: MULTIPLE_LOCATION)
                        raise ProtocolViolation(f"{response.status_code} with {len(locations)} different Location "
                                                f"headers: {', '.join(sorted(locations))}")
                    try:
                        target = _redirect_target(current, location)
                    except RedirectError:
                        out.hops.append(Hop(current, response.status_code, location.strip()))  # where it led
                        raise
                    out.hops.append(Hop(current, response.status_code, target))
                    state = (target, _cookie_state(jar))
                    if state in seen:
                        chain = " -> ".join([u for u, _ in seen[seen.index(state):]] + [target])
                        raise RedirectError(f"redirect loop: {chain}", loop=True)
                    seen.append(state)
                    current = target
                    continue
                out.status = response.status_code
                out.final_url = current + (f"#{fragment}" if fragment and not urldefrag(current)[1] else "")
                out.headers = {k.lower(): v for k, v in response.headers.items()}
                _read_body(response, out, settings, deadline, want_fragment)
                return out
            finally:
                _release(response, deadline)
        raise RedirectError(f"more than {settings.max_redirects} redirects")
    except _EXPECTED_ERRORS as exc:
        out.error = exc
    return out


#: Every exception family one attempt can meet on bad input or a bad network. urllib3's own
#: errors escape requests in places (``LocationParseError`` for an empty host label,
#: ``ProtocolError`` while streaming a body): they are caught here too.
_EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException,
    ValueError, OSError, RedirectError, AddressRefused, ProtocolViolation,
)


def _cookie_state(jar: RequestsCookieJar) -> tuple[tuple[str, str, str, str], ...]:
    return tuple(sorted((c.domain, c.path, c.name, c.value or "") for c in jar))


def _redirect_target(current: str, location: str) -> str:
    """Absolute target of a ``Location`` value, resolved against the URL that sent it.

    Raises:
        RedirectError: the target is not an http(s) URL that may be fetched.
    """
    try:  # header values arrive as latin-1; most servers mean UTF-8 (as requests assumes)
        location = location.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    target = _percent_encode(urljoin(current, location.strip()))
    problems = [m for code, m in url_problems(target) if code != "E-URL-TRACKING"]
    if problems:
        raise RedirectError(f"redirect to a URL that cannot be checked: {problems[0]}", invalid=True)
    return target


def _percent_encode(url: str) -> str:
    """``url`` with spaces and other characters a URL cannot hold percent-encoded in its path,
    query and fragment, as browsers do with a ``Location`` (WHATWG URL, "percent-encode sets");
    existing ``%XX`` escapes are kept and the host is left to IDNA. Unparseable input is
    returned unchanged for :func:`~aigc_resources.urls.url_problems` to name."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return urlunsplit(parts._replace(path=requote_uri(parts.path), query=requote_uri(parts.query),
                                     fragment=requote_uri(parts.fragment)))


def _send(adapter: requests.adapters.HTTPAdapter, method: str, url: str, headers: dict[str, str],
          jar: RequestsCookieJar, settings: Settings, deadline: Deadline) -> requests.Response:
    prepared = requests.Request(method, url, headers=headers, cookies=jar).prepare()
    remaining = deadline.remaining()
    if remaining <= 0:
        raise requests.exceptions.Timeout(f"total deadline of {settings.timeout:g} s passed")
    timeout = (min(settings.connect_timeout, remaining), max(remaining, 0.001))
    response = adapter.send(prepared, stream=True, timeout=timeout, verify=True)
    extract_cookies_to_jar(jar, prepared, response.raw)
    return response


def _release(response: requests.Response, deadline: Deadline) -> None:
    """Give the connection back to the pool when the answer was read to its end (keep-alive),
    else close it. It is detached from the deadline first, so a late expiry cannot cut it
    while another URL uses it."""
    raw = response.raw
    length = response.headers.get("content-length", "")
    try:
        if length.isdigit() and int(length) > 2 * _CHUNK:
            raise ValueError("long body: not worth draining")
        # Drain a short rest (a redirect's small body) so the connection can be reused, waiting
        # at most DRAIN_WAIT: a Content-Length that promises bytes never sent must not hold the
        # answer (already known) until the total deadline, which would turn it into a timeout.
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        if sock is not None:
            sock.settimeout(max(0.001, min(DRAIN_WAIT, deadline.remaining())))
        drained = not raw.read(_CHUNK, decode_content=False) or not raw.read(_CHUNK, decode_content=False)
        reusable = drained and not deadline.expired
    except Exception:  # noqa: BLE001 - any failure here only means "do not reuse"
        reusable = False
    conn = getattr(raw, "connection", None)
    if reusable and conn is not None and deadline.detach(conn):
        raw.release_conn()
    else:
        response.close()


def _is_html(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() in _HTML_TYPES


def _charset(content_type: str) -> str:
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I)
    return match.group(1) if match else "utf-8"


_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


#: ``<meta charset=...>`` or ``<meta http-equiv=Content-Type content="...; charset=...">``,
#: looked for in the first 1024 bytes (WHATWG HTML §13.2.3.2, "prescan a byte stream").
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
#: Labels browsers decode with a wider encoding (WHATWG Encoding §4.2, "labels").
_ENCODING_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
                     "iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252",
                     "ascii": "cp1252", "big5": "big5hkscs", "shift_jis": "cp932", "euc-kr": "cp949"}


def decode_body(body: bytes, content_type: str) -> str:
    """The text of an HTML body, decoded as browsers do (WHATWG Encoding §6, HTML §13.2.3):
    a byte-order mark wins, then the header's ``charset``, then a ``<meta>`` charset in the
    first 1024 bytes, else UTF-8; labels map to the encodings browsers use for them (``gb2312``
    is read as GB18030). An unknown label, or a UTF-16/32 label on a body with no NUL byte
    (HTML markup in UTF-16/32 always has them, so the label is a server's mistake, and
    believing it would hide every id), means UTF-8. Never raises.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    label = _charset(content_type) if "charset=" in content_type.lower() else None
    if label is None:
        meta = _META_CHARSET.search(body[:1024])
        label = meta.group(1).decode("ascii") if meta else "utf-8"
    label = _ENCODING_ALIASES.get(label.lower(), label)
    try:
        name = codecs.lookup(label).name
    except LookupError:  # an unknown charset name
        name = "utf-8"
    if name.startswith(("utf-16", "utf-32")) and b"\0" not in body[:4096]:
        name = "utf-8"
    return body.decode(name, errors="replace")


def _read_body(response: requests.Response, out: Fetched, settings: Settings, deadline: Deadline,
               want_fragment: bool) -> None:
    """Read what the checks need: HTML of a 2xx answer, or the start of a bot-wall suspect."""
    if response.request.method == "HEAD":
        return
    content_type = out.headers.get("content-type", "")
    status = out.status or 0
    if 200 <= status < 300 and _is_html(content_type):
        cap = settings.max_body_bytes if want_fragment else min(SNIFF_BYTES, settings.max_body_bytes)
    elif status in _SNIFF_ERROR_STATUSES:
        cap = SNIFF_BYTES
    else:
        return
    chunks: list[bytes] = []
    size = 0
    truncated = False
    while size < cap:
        if deadline.expired:
            raise requests.exceptions.Timeout(f"total deadline of {settings.timeout:g} s passed while reading")
        data = response.raw.read(min(_CHUNK, cap - size), decode_content=True)
        if not data:
            break
        chunks.append(data)
        size += len(data)
    else:
        truncated = bool(response.raw.read(1, decode_content=True))
    out.body_bytes = size
    out.page = parse_page(decode_body(b"".join(chunks), content_type), truncated=truncated)
