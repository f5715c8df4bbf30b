"""The typed values the link-check stages exchange: targets in, results out.

``collect`` makes :class:`LinkTarget` values (one per URL, with every place it is written),
``check`` turns each into a :class:`LinkResult` whose :class:`LinkStatus` is one of a closed
set, and ``history`` stores the results as rows. Nothing here does I/O.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any

from ..urls import host_of


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters (except tab and line feed) written as ``\\xNN``.

    Reasons quote what servers send (status lines, page titles): an ESC would drive the
    reader's terminal and most control characters make JUnit XML unreadable (XML 1.0 §2.2).
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class LinkStatus(str, enum.Enum):
    """What one check found out about a URL (closed set; stored by value in the history).

    * ``OK``: the resource answered 2xx (possibly through temporary redirects).
    * ``REDIRECTED``: it answered 2xx through a permanent redirect (301/308, RFC 9110 §15.4);
      the URL after the permanent hops is suggested, and ``--fix`` writes it into the entry.
    * ``BROKEN``: the resource is gone: 404/410 and other client errors, unknown host,
      refused connection, TLS handshake failure, redirect loop, soft 404, missing fragment.
    * ``BLOCKED``: the server refused a robot (bot wall, 401, 999, unverifiable certificate):
      the link may well work for a reader; shown as unverified, never a failure.
    * ``TRANSIENT``: no conclusion this time (timeout, reset, 429, 5xx after retries).
    * ``INVALID``: the URL cannot or may not be fetched (malformed, unsupported scheme,
      resolves to a private address).
    * ``EXCLUDED``: skipped on purpose by an exclusion rule, whose reason is reported.
    """

    OK = "ok"
    REDIRECTED = "redirected"
    BROKEN = "broken"
    BLOCKED = "blocked"
    TRANSIENT = "transient"
    INVALID = "invalid"
    EXCLUDED = "excluded"

    @property
    def is_conclusive(self) -> bool:
        """True when the observation says whether the resource exists (counts in streaks)."""
        return self in (LinkStatus.OK, LinkStatus.REDIRECTED, LinkStatus.BROKEN)

    @property
    def is_success(self) -> bool:
        """True for ``OK`` and ``REDIRECTED``: the resource was reached."""
        return self in (LinkStatus.OK, LinkStatus.REDIRECTED)


class ErrorKind(str, enum.Enum):
    """Why a check did not simply succeed: the raw fact stored with each observation."""

    HTTP = "http"                      # the final HTTP status decided it
    DNS = "dns"                        # the host name does not exist (EAI_NONAME)
    DNS_TEMPORARY = "dns-temporary"    # the resolver could not answer now (EAI_AGAIN)
    REFUSED = "refused"                # TCP connection refused
    RESET = "reset"                    # connection reset or closed mid-answer
    TIMEOUT = "timeout"                # connect/read timeout or the total deadline passed
    TLS = "tls"                        # TLS handshake failed
    TLS_VERIFY = "tls-verify"          # the certificate could not be verified
    DECODING = "decoding"              # the body could not be decompressed
    PROTOCOL = "protocol"              # the answer is not valid HTTP (status line, headers)
    REDIRECT_LOOP = "redirect-loop"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    INVALID_URL = "invalid-url"
    ADDRESS_REFUSED = "address-refused"  # private/loopback/... address refused by policy
    SOFT_404 = "soft-404"
    FRAGMENT_MISSING = "fragment-missing"
    BOT_WALL = "bot-wall"
    SIGN_IN = "sign-in"
    EXCLUDED = "excluded"
    NETWORK = "network"                # another network error
    UNEXPECTED = "unexpected"          # a bug in the checker, kept with its traceback


@dataclass(frozen=True, order=True)
class Origin:
    """Where a URL is written: file (as displayed), 1-based line, field path, entry id."""

    path: str
    line: int
    field: str
    entry_id: str | None = None

    def format(self) -> str:
        """``PATH:LINE (field)``."""
        return f"{self.path}:{self.line} ({self.field})"


@dataclass(frozen=True)
class LinkTarget:
    """One URL to check, once, with every place it is written.

    ``url`` is the spelling to fetch (the first one met); ``key`` is
    :func:`aigc_resources.urls.fetch_key` of it, under which the history stores it.
    """

    url: str
    key: str
    origins: tuple[Origin, ...] = ()

    @property
    def host(self) -> str:
        """Lower-case host name (``""`` when the URL has none): the unit of politeness."""
        return host_of(self.url)


@dataclass(frozen=True)
class Hop:
    """One redirect: the URL asked, the 3xx status it answered and the absolute target."""

    url: str
    status: int
    location: str

    @property
    def permanent(self) -> bool:
        """301 and 308 are permanent (RFC 9110 §15.4.2, §15.4.9); 302, 303, 307 are not."""
        return self.status in (301, 308)


@dataclass(frozen=True)
class LinkResult:
    """The outcome of checking one :class:`LinkTarget`.

    Units: ``elapsed_ms`` in milliseconds over all attempts (waits between attempts
    excluded), ``checked_at`` in seconds since the Unix epoch (UTC), ``body_bytes`` in bytes
    read from the last response (decompressed). ``suggested_url`` is set for
    ``REDIRECTED`` only. ``cached`` is true when the result was re-used from the history
    instead of fetched (``--max-age``).
    """

    url: str
    key: str
    status: LinkStatus
    reason: str
    http_status: int | None = None
    final_url: str | None = None
    suggested_url: str | None = None
    error_kind: ErrorKind | None = None
    elapsed_ms: int = 0
    attempts: int = 0
    origins: tuple[Origin, ...] = ()
    redirects: tuple[Hop, ...] = ()
    checked_at: float = 0.0
    cached: bool = False
    body_bytes: int = 0
    detail: str | None = field(default=None, repr=False)

    @property
    def target_host(self) -> str:
        """Lower-case host name of :attr:`url` (``""`` when it has none)."""
        return host_of(self.url)

    def to_json(self) -> dict[str, Any]:
        """The public JSON form (``check-links --format json``): a stable set of keys."""
        return {
            "url": self.url,
            "status": self.status.value,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "reason": self.reason,
            "elapsed_ms": self.elapsed_ms,
            "attempts": self.attempts,
            "origins": [{"path": o.path, "line": o.line, "field": o.field, "entry": o.entry_id}
                        for o in self.origins],
        }
