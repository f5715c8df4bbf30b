"""URL rules shared by the validator and the link checker.

Two jobs, one place:

* :func:`url_problems` says what is wrong with a URL written in an entry (scheme, host,
  credentials, whitespace, tracking parameters), as ``(code, message)`` pairs;
* :func:`canonical_url` maps the many spellings of one resource to one key, so duplicates are
  found however they were written (RFC 3986 §6 normalisation, plus the arXiv and GitHub forms).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that only track the visitor (Google Analytics' ``utm_*`` and friends).
TRACKING_PARAMS = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|yclid|spm)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ARXIV_PATH = re.compile(r"^/(?:abs|pdf|html)/(?P<id>[^/?#]+?)(?:v\d+)?(?:\.pdf)?/?$")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def url_problems(url: str) -> list[tuple[str, str]]:
    """Check a URL as written in an entry.

    Returns a list of ``(rule code, message)``; empty when the URL is acceptable: an absolute
    ``http``/``https`` URL with a valid host name or IP literal, no credentials, no whitespace,
    no tracking parameters. Never raises.
    """
    if not isinstance(url, str):
        return [("E-URL-INVALID", "the URL must be text")]
    if re.search(r"\s", url):
        return [("E-URL-WHITESPACE", f"{url!r} contains whitespace")]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return [("E-URL-INVALID", f"{url!r} cannot be parsed: {exc}")]
    scheme = parts.scheme.lower()
    if not scheme:
        return [("E-URL-INVALID", f"{url!r} is not absolute: it has no scheme")]
    if scheme not in ("http", "https"):
        return [("E-URL-SCHEME", f"the scheme {scheme!r} is not allowed; only http and https are")]
    problems: list[tuple[str, str]] = []
    if parts.username is not None or parts.password is not None:
        problems.append(("E-URL-CREDENTIALS", "the URL carries credentials before the host"))
    host = parts.hostname or ""
    if not host:
        problems.append(("E-URL-INVALID", f"{url!r} has no host"))
    elif not _valid_host(host):
        problems.append(("E-URL-INVALID", f"the host {host!r} is not a valid host name"))
    if port == 0:
        problems.append(("E-URL-INVALID", "port 0 is not a valid port"))
    tracking = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True) if TRACKING_PARAMS.match(k)})
    if tracking:
        problems.append(("E-URL-TRACKING", f"tracking parameters {', '.join(tracking)} in the query string"))
    return problems


def _valid_host(host: str) -> bool:
    if host.startswith("[") or ":" in host:  # IPv6 literal (urlsplit strips the brackets)
        return True
    host = host.rstrip(".")
    labels = host.split(".")
    if any(not label for label in labels):
        return False
    try:
        host.encode("idna")
    except UnicodeError:
        return False
    return all(_HOST_LABEL.match(label) or not label.isascii() for label in labels)


def canonical_url(url: str) -> str:
    """Map equivalent spellings of a resource URL to one key for duplicate detection.

    Applies RFC 3986 §6.2.2 syntax normalisation (lower-case scheme and host, default port
    removed), then drops what does not change the resource for a reader of this catalog:
    ``http`` vs ``https``, a leading ``www.``, a trailing slash, the fragment and tracking
    parameters; arXiv ``abs``/``pdf``/``html`` and version forms become ``arxiv:<id>``;
    GitHub owner/repo paths are compared case-insensitively. Not for fetching: the result may
    not be a working URL. Never raises; an unparsable URL is returned stripped.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    scheme = parts.scheme.lower()
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if host in ("arxiv.org", "export.arxiv.org"):
        match = _ARXIV_PATH.match(path)
        if match:
            return f"arxiv:{match.group('id').lower()}"
    if host == "github.com":
        segments = [s for s in path.split("/") if s]
        if len(segments) >= 2:
            segments[0], segments[1] = segments[0].lower(), segments[1].lower().removesuffix(".git")
        path = "/" + "/".join(segments)
    path = path.rstrip("/") or "/"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not TRACKING_PARAMS.match(k)))
    return urlunsplit(("https", host, path, query, ""))


def fetch_key(url: str) -> str:
    """The form of a URL used to check it once however it was spelled, still fetchable.

    Applies only RFC 3986 §6.2.2 syntax normalisation, which never changes the resource a
    server returns: lower-case scheme and host, no default port, no trailing dot on the host,
    an empty path becomes ``/``. Query, path case and fragment are kept (``#a`` and ``#b`` are
    different checks of one page). Unlike :func:`canonical_url`, the result is a working URL.
    Never raises; an unparsable URL is returned stripped, so it can still be reported.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return url
    netloc = host.lower().rstrip(".")
    if ":" in netloc:  # IPv6 literal: urlsplit removed the brackets
        netloc = f"[{netloc}]"
    if parts.username is not None or parts.password is not None:
        return url  # credentials are refused elsewhere; keep them visible in the report
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def host_of(url: str) -> str:
    """Lower-case host name of ``url``; ``""`` when it has none or cannot be parsed. Never raises."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
