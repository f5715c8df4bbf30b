"""Judge the facts of one attempt: a :class:`~.result.LinkStatus` with a reason, and whether to retry.

This is the one place that decides what an answer means (:func:`classify`), whether an
outcome is worth another attempt and how long to wait first (:func:`retry_delay`). Sources
for the rules: RFC 9110 (status codes §15, redirects §15.4, ``Retry-After`` §10.2.3), the
behaviour of peers and their false-positive lists (``shared/research/linkcheck-peers.md``).
"""

from __future__ import annotations

import datetime as dt
import errno
import http.client
import re
import socket
import ssl
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urldefrag, urlsplit

import requests
import urllib3.exceptions

from .config import Settings
from .fetch import Fetched, ProtocolViolation, RedirectError, fragment_of, needs_fragment_check
from ..net import AddressRefused
from .quirks import BOT_WALL_STATUSES, HostQuirks, bot_wall_signature
from .result import ErrorKind, LinkStatus, printable

#: Title or first heading of a page that is really a "not found" page served with 200.
SOFT_404_TEXT = re.compile(
    r"\b404\b|\bnot found\b|page (?:does not|doesn't|could not|couldn't|cannot|can't|can not) (?:be )?(?:exist|found)|"
    r"no longer (?:exists|available)|页面不存在|找不到(?:页面|该页)|页面未找到|未找到页面", re.I)
#: A redirect target that asks the reader to sign in (the page is behind a login wall).
SIGN_IN_PATH = re.compile(r"/(?:login|log-in|signin|sign-in|sign_in|auth|sso|accounts/login)\b", re.I)
#: Single path segments that name a home page, not a deep link (``/index.html``, ``/en/``).
_HOME_SEGMENT = re.compile(r"^(?:index\.(?:html?|php|aspx?)|default\.aspx?|home|[a-z]{2}(?:[-_][a-z]{2,4})?)$", re.I)
#: Statuses worth another attempt (RFC 9110: 408 Request Timeout, 429 Too Many Requests
#: (RFC 6585 §4), 5xx server errors), as lychee ``retry.rs`` also decides.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Classification:
    """The verdict on one attempt.

    ``retry_after`` is the server's ``Retry-After`` in seconds (already parsed, not capped),
    ``pause_host`` true when the whole host should wait (429, 503: the server is overloaded,
    not just this URL). ``suggested_url`` is set for ``REDIRECTED``.
    """

    status: LinkStatus
    reason: str
    error_kind: ErrorKind | None = None
    http_status: int | None = None
    final_url: str | None = None
    suggested_url: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    pause_host: bool = False


def classify(fetched: Fetched, quirks: HostQuirks, settings: Settings,
             now: dt.datetime | None = None) -> Classification:
    """Turn the facts of one attempt into a :class:`Classification`. Pure; never raises."""
    if fetched.error is not None or fetched.status is None:
        return _classify_error(fetched, settings)
    status = fetched.status
    final = fetched.final_url
    base = dict(http_status=status, final_url=final)
    if 200 <= status < 300:
        return _classify_success(fetched, quirks, base)
    if status in (404, 410):
        return Classification(LinkStatus.BROKEN, f"{status} {_phrase(status)}", ErrorKind.HTTP, **base)
    if not 100 <= status <= 599 and status not in BOT_WALL_STATUSES:  # RFC 9110 §15: 100-599
        return Classification(LinkStatus.TRANSIENT, f"the server's answer is not valid HTTP (status {status}); "
                              "no conclusion", ErrorKind.PROTOCOL, retryable=True, **base)
    if status in BOT_WALL_STATUSES:
        return Classification(LinkStatus.BLOCKED, f"{status}: the site refuses robots (non-standard status)",
                              ErrorKind.BOT_WALL, **base)
    body = fetched.page.text if fetched.page else ""
    if status in (403, 429, 503):
        signature = bot_wall_signature(fetched.headers, body)
        if signature or (status == 403 and quirks.forbidden_is_bot_wall):
            why = f"signature {signature}" if signature else f"host rule {', '.join(quirks.names)}"
            return Classification(LinkStatus.BLOCKED, f"{status}: bot wall ({why}); not verified",
                                  ErrorKind.BOT_WALL, **base)
    if status == 401:
        return Classification(LinkStatus.BLOCKED, "401: requires sign-in; not verified", ErrorKind.SIGN_IN, **base)
    if status == 451:
        return Classification(LinkStatus.BLOCKED, "451: unavailable for legal reasons where the checker runs",
                              ErrorKind.HTTP, **base)
    if status in RETRY_STATUSES:
        retry_after = parse_retry_after(fetched.headers.get("retry-after"), now)
        label = "rate limited" if status == 429 else "server error" if status >= 500 else "request timeout"
        return Classification(LinkStatus.TRANSIENT, f"{status} {_phrase(status)} ({label})", ErrorKind.HTTP,
                              retryable=True, retry_after=retry_after, pause_host=status in (429, 503), **base)
    if 500 <= status < 600:
        return Classification(LinkStatus.TRANSIENT, f"{status} {_phrase(status)}", ErrorKind.HTTP, **base)
    if 300 <= status < 400:
        return Classification(LinkStatus.BROKEN, f"{status} redirect without a usable Location header",
                              ErrorKind.HTTP, **base)
    return Classification(LinkStatus.BROKEN, f"{status} {_phrase(status)}", ErrorKind.HTTP, **base)


def _classify_success(fetched: Fetched, quirks: HostQuirks, base: dict) -> Classification:
    final = fetched.final_url
    status = fetched.status
    if fetched.hops:
        if is_deep_link(fetched.url) and not is_deep_link(final):
            return Classification(LinkStatus.BROKEN, f"soft 404: deep link redirects to the home page {final}",
                                  ErrorKind.SOFT_404, **base)
        if SIGN_IN_PATH.search(urlsplit(final).path) and not SIGN_IN_PATH.search(urlsplit(fetched.url).path):
            return Classification(LinkStatus.BLOCKED, f"redirects to a sign-in page ({final}); not verified",
                                  ErrorKind.SIGN_IN, **base)
    page = fetched.page
    if page is not None:
        heading = page.title or page.h1
        if heading and SOFT_404_TEXT.search(heading):
            return Classification(LinkStatus.BROKEN, f"soft 404: {status} with a not-found page ({heading[:80]!r})",
                                  ErrorKind.SOFT_404, **base)
    note = ""
    if needs_fragment_check(fetched.url, quirks):
        fragment = fragment_of(fetched.url)
        if page is None:
            note = f"; fragment #{fragment} not verified (not an HTML page)"
        elif not _fragment_found(fragment, page.ids, quirks):
            if page.truncated:
                note = f"; fragment #{fragment} not verified (page larger than the read limit)"
            else:
                return Classification(LinkStatus.BROKEN, f"fragment #{fragment} not found in the page",
                                      ErrorKind.FRAGMENT_MISSING, **base)
    permanent = permanent_target(fetched)
    if permanent is not None:
        return Classification(LinkStatus.REDIRECTED, f"moved permanently to {permanent}{note}",
                              suggested_url=permanent, **base)
    if fetched.hops:
        return Classification(LinkStatus.OK, f"{status} via temporary redirect to {final}{note}", **base)
    return Classification(LinkStatus.OK, f"{status} {_phrase(status)}{note}", **base)


def _fragment_found(fragment: str, ids: set[str], quirks: HostQuirks) -> bool:
    return fragment in ids or any(prefix + fragment in ids for prefix in quirks.fragment_prefixes)


def permanent_target(fetched: Fetched) -> str | None:
    """The URL to write instead of the original: the target of the leading permanent hops.

    Only 301 and 308 say "use the new URL from now on" (RFC 9110 §15.4.2, §15.4.9); a chain
    301 -> 302 suggests the 301's target, a chain starting with 302 suggests nothing. The
    original fragment is kept when the target has none (RFC 9110 §10.2.2).
    """
    target = None
    for hop in fetched.hops:
        if not hop.permanent:
            break
        target = hop.location
    if target is None:
        return None
    fragment = urldefrag(fetched.url)[1]
    if fragment and not urldefrag(target)[1]:
        target = f"{target}#{fragment}"
    return target


def is_deep_link(url: str) -> bool:
    """True when ``url`` points below a site's home page (``/docs/x``, not ``/``, ``/index.html``, ``/en/``)."""
    try:
        segments = [s for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return False
    if not segments:
        return False
    return not (len(segments) == 1 and _HOME_SEGMENT.match(segments[0]))


def _classify_error(fetched: Fetched, settings: Settings) -> Classification:
    exc = fetched.error
    if fetched.expired:
        return Classification(LinkStatus.TRANSIENT, f"no complete answer within the total deadline of "
                              f"{settings.timeout:g} s", ErrorKind.TIMEOUT, retryable=True)
    refused = _find(exc, AddressRefused)
    if refused is not None:
        return Classification(LinkStatus.INVALID, str(refused), ErrorKind.ADDRESS_REFUSED)
    if isinstance(exc, RedirectError):
        if exc.invalid:
            return Classification(LinkStatus.INVALID, str(exc), ErrorKind.INVALID_URL)
        kind = ErrorKind.REDIRECT_LOOP if exc.loop else ErrorKind.TOO_MANY_REDIRECTS
        return Classification(LinkStatus.BROKEN, str(exc), kind)
    gai = _find(exc, socket.gaierror)
    if gai is not None:
        if gai.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            return Classification(LinkStatus.BROKEN, f"unknown host ({gai.strerror})", ErrorKind.DNS)
        return Classification(LinkStatus.TRANSIENT, f"name resolution failed for now ({gai.strerror})",
                              ErrorKind.DNS_TEMPORARY, retryable=True)
    if isinstance(exc, (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError)) \
            or _find(exc, TimeoutError) is not None:
        return Classification(LinkStatus.TRANSIENT, f"timed out ({_short(exc)})", ErrorKind.TIMEOUT, retryable=True)
    verify = _find(exc, ssl.SSLCertVerificationError)
    if verify is not None:
        return Classification(LinkStatus.BLOCKED, f"TLS certificate not verifiable ({verify.verify_message}); "
                              "not verified", ErrorKind.TLS_VERIFY)
    if isinstance(exc, requests.exceptions.SSLError) or _find(exc, ssl.SSLError) is not None:
        return Classification(LinkStatus.BROKEN, f"TLS handshake failed ({_short(exc)})", ErrorKind.TLS)
    if _find(exc, ConnectionRefusedError) is not None:
        return Classification(LinkStatus.BROKEN, "connection refused", ErrorKind.REFUSED)
    if isinstance(exc, (requests.exceptions.ContentDecodingError, urllib3.exceptions.DecodeError)):
        return Classification(LinkStatus.TRANSIENT, f"body could not be decompressed ({_short(exc)})",
                              ErrorKind.DECODING)
    violation = _protocol_violation(exc)
    if violation is not None:
        return Classification(LinkStatus.TRANSIENT, f"the server's answer is not valid HTTP ({violation}); "
                              "no conclusion", ErrorKind.PROTOCOL, retryable=True)
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema, urllib3.exceptions.LocationValueError,
                        urllib3.exceptions.URLSchemeUnknown, ValueError)):
        return Classification(LinkStatus.INVALID, f"URL cannot be fetched ({_short(exc)})", ErrorKind.INVALID_URL)
    if _find(exc, ConnectionResetError) is not None or _is_cut(exc):
        return Classification(LinkStatus.TRANSIENT, f"connection reset or closed mid-answer ({_short(exc)})",
                              ErrorKind.RESET, retryable=True)
    return Classification(LinkStatus.TRANSIENT, f"network error ({_short(exc)})", ErrorKind.NETWORK, retryable=True)


def _protocol_violation(exc: BaseException | None) -> str | None:
    """What is wrong with a malformed answer (a bad status line, a header line too long, too
    many headers, contradictory headers), or ``None``. Checked before the URL errors: requests'
    ``InvalidHeader`` is a ``ValueError`` too, and must not make the *URL* invalid. A server
    that closed the connection (``RemoteDisconnected``, a ``BadStatusLine`` subclass) or cut
    the body short (``IncompleteRead``) is a reset, not a violation."""
    if isinstance(exc, ProtocolViolation):
        return str(exc)
    cut = _find(exc, (http.client.RemoteDisconnected, http.client.IncompleteRead))
    if cut is not None:
        return None
    found = _find(exc, (http.client.HTTPException, requests.exceptions.InvalidHeader,
                        urllib3.exceptions.InvalidHeader))
    if found is None:
        return None
    text = _short(found)
    if isinstance(found, http.client.HTTPException) and "more than" in str(found) and "headers" in str(found):
        text += " (the limit of Python's HTTP client; a browser may read it)"
    return text


def _is_cut(exc: BaseException | None) -> bool:
    cut = (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError,
           ConnectionAbortedError, BrokenPipeError)
    return isinstance(exc, cut) or _find(exc, (http.client.RemoteDisconnected, http.client.IncompleteRead,
                                               urllib3.exceptions.ProtocolError)) is not None \
        or (isinstance(exc, OSError) and exc.errno in (errno.ECONNRESET, errno.EPIPE))


def _find(exc: BaseException | None, kind: type | tuple[type, ...]) -> BaseException | None:
    """The first exception of ``kind`` among ``exc``, its causes, contexts and urllib3 reasons."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None),
                  getattr(current, "_reason", None), *getattr(current, "args", ())]  # urllib3 keeps causes there
        stack += [e for e in linked if isinstance(e, BaseException)]
    return None


def _short(exc: BaseException | None) -> str:
    """``Type: message`` in one line of at most 160 characters. Messages can quote what a
    server sent (a status line with NUL bytes and CR LF): control characters are escaped so
    they reach no terminal, report or history row."""
    text = f"{type(exc).__name__}: {exc}".strip() if exc is not None else "no answer"
    text = printable(" ".join(text.split()))
    return text if len(text) <= 160 else text[:157] + "..."


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "(non-standard status)"


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, or ``None`` when absent or malformed.

    RFC 9110 §10.2.3: either ``delay-seconds`` (a non-negative decimal integer) or an
    HTTP-date (IMF-fixdate; the obsolete RFC 850 and asctime forms are accepted too, §5.6.7).
    A date in the past means 0. ``now`` (UTC) is for tests. The caller applies the cap.
    """
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+", value):  # any length: a huge value is valid and gets the cap, not a retry now
        return float(min(int(value), 10**12))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    now = now or dt.datetime.now(dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def retry_delay(result: Classification, attempt: int, settings: Settings) -> float | None:
    """Seconds to wait before attempt ``attempt + 1``, or ``None`` to stop retrying.

    Retries only retryable outcomes, at most ``settings.retries`` times. The wait is the
    server's ``Retry-After`` when it sent a valid one, else ``retry_wait * 2**(attempt-1)``
    (exponential backoff), and never more than ``retry_after_cap`` seconds: urllib3's own
    ``Retry`` would honour up to 6 hours, so it is not used (``retries=0`` on the transport).
    """
    if not result.retryable or attempt > settings.retries:
        return None
    wait = result.retry_after if result.retry_after is not None else settings.retry_wait * 2 ** (attempt - 1)
    return min(wait, settings.retry_after_cap)
