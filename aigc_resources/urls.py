"""URL rules shared by the validator and the link checker.

Two jobs, one place:

* :func:`url_problems` says what is wrong with a URL written in an entry (scheme, host,
  credentials, whitespace, tracking parameters), as ``(code, message)`` pairs;
* :func:`private_host_problem` says when the host is one no reader can reach (loopback, a
  private network, a special-use name), judged from the literal host alone, without DNS;
* :func:`canonical_url` maps the many spellings of one resource to one key, so duplicates are
  found however they were written (RFC 3986 §6 normalisation, plus the arXiv and GitHub forms).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that only track the visitor (Google Analytics' ``utm_*`` and friends).
TRACKING_PARAMS = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|yclid|spm)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Query parameters a site adds when a link is shared or clicked, per host (and its subdomains):
#: they never change the resource, so :func:`canonical_url` drops them. The validator's
#: ``E-URL-TRACKING`` keeps to :data:`TRACKING_PARAMS` (tracking on any site).
SHARE_PARAMS: dict[str, frozenset[str]] = {
    "bilibili.com": frozenset({"vd_source", "spm_id_from", "from_spmid", "share_source", "share_medium",
                               "share_plat", "share_session_id", "share_tag", "share_from", "unique_k"}),
    "youtube.com": frozenset({"si", "feature", "ab_channel"}),
    "youtu.be": frozenset({"si", "feature"}),
}
_ARXIV_PATH = re.compile(r"^/(?:abs|pdf|html)/(?P<id>[^/?#]+?)(?:v\d+)?(?:\.pdf)?/?$")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
#: An http(s) URL with a plain ASCII host, optional port, and no credentials or backslashes.
_SIMPLE_URL = re.compile(r"https?://(?P<host>[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?(?:[/?#][^\\]*)?", re.I)
_ASCII_HOST = re.compile(r"(?:(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)*(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.?")
#: Whitespace, and characters that are invisible yet change the URL (zero-width space, joiners,
#: soft hyphen, bidirectional controls, BOM): IDNA would silently drop some of them from a host.
_HIDDEN = re.compile("[\\s\x00-\x1f\x7f-\x9f\xad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
#: A Windows drive path (``C:\\x``, ``C:/x``) or UNC path (``\\\\server\\share``): urlsplit would
#: read the drive letter as a scheme.
_LOCAL_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")
#: New-style arXiv identifiers (April 2007 on): YYMM.NNNN until 2014, YYMM.NNNNN from 2015.
_ARXIV_NEW = re.compile(r"^(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5})(?:v[1-9]\d*)?$")
#: Old-style identifiers (1991 to March 2007): archive(.SUBJECT-CLASS)/YYMMNNN.
_ARXIV_OLD = re.compile(r"^[a-z-]+(?:\.[A-Z]{2})?/(?P<yy>\d{2})(?P<mm>\d{2})\d{3}(?:v[1-9]\d*)?$")


#: Special-use domain suffixes that never name a public host: ``localhost``, ``test``,
#: ``invalid`` and ``example`` (RFC 6761 §6.2-6.5), ``local`` (multicast DNS, RFC 6762),
#: ``home.arpa`` (home networks, RFC 8375), ``internal`` (reserved for private use by ICANN,
#: 2024) and ``lan`` (home routers' de facto private suffix). The second-level documentation
#: domains ``example.com``/``.net``/``.org`` (RFC 2606) are real public sites and stay allowed.
PRIVATE_SUFFIXES = ("localhost", "local", "internal", "lan", "home.arpa", "test", "invalid", "example")


def address_refusal(address: str) -> str | None:
    """Why connecting to ``address`` (an IP literal) is refused, or ``None`` when it is global.

    Refused: loopback, private (RFC 1918, RFC 4193), link-local (incl. 169.254.169.254, the
    cloud metadata address), multicast, unspecified, shared (RFC 6598), reserved and
    documentation ranges: everything :mod:`ipaddress` does not call global (IANA special
    registries), plus multicast. IPv4-mapped IPv6 addresses are judged as IPv4. A zone
    (``fe80::1%eth0``) is ignored. Shared by the link checker's connection guard
    (:mod:`aigc_resources.net`) and the validator (:func:`private_host_problem`).
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if not ip.is_global:
        return "non-global"
    return None


def private_host_problem(url: str) -> str | None:
    """Why the host of ``url`` cannot be reached by a reader of a published catalog, or ``None``.

    Judged from the host as written, never by resolving it: an IP literal that is not global
    (:func:`address_refusal`; IPv4 in any form a browser accepts, such as ``127.1`` or
    ``0x7f.0.0.1``), ``localhost`` and the names under :data:`PRIVATE_SUFFIXES`, and
    single-label names (``http://intranet/``), which only resolve inside one network.
    A URL without a parsable host gives ``None`` (:func:`url_problems` names that). Never raises.
    """
    host = host_of(url).rstrip(".")
    if not host:
        return None
    if ":" in host:  # IPv6 literal (urlsplit removed the brackets)
        kind = address_refusal(host)
        return None if kind is None or kind == "not an IP address" else f"the host [{host}] is {_a(kind)} address"
    last = host.rsplit(".", 1)[-1]
    if last.isdigit() or (last[:2] == "0x" and last.isascii()):  # an IPv4 literal, as WHATWG URL reads it
        try:
            address = str(ipaddress.IPv4Address(socket.inet_aton(host)))
        except (OSError, ValueError):
            return None  # not an address; not a host name either (url_problems may say so)
        kind = address_refusal(address)
        return None if kind is None else f"the host {host} is {_a(kind)} address" + (
            f" ({address})" if address != host else "")
    for suffix in PRIVATE_SUFFIXES:
        if host == suffix:
            return f"the host {host} is a special-use name, which no public DNS answers"
        if host.endswith("." + suffix):
            return f"the host {host} is under the special-use name .{suffix}, which no public DNS answers"
    if "." not in host:
        return f"the host {host} is a single-label name, which only resolves inside one network"
    return None


def _a(word: str) -> str:
    """``word`` with its indefinite article."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def url_problems(url: str) -> list[tuple[str, str]]:
    """Check a URL as written in an entry.

    Returns a list of ``(rule code, message)``; empty when the URL is acceptable: an absolute
    ``http``/``https`` URL with a valid host name or IP literal, no credentials, no whitespace,
    no tracking parameters. Never raises.
    """
    if not isinstance(url, str):
        return [("E-URL-INVALID", "the URL must be text")]
    hidden = _HIDDEN.search(url)
    if hidden:
        what = "whitespace" if hidden.group().isspace() else f"the invisible character U+{ord(hidden.group()):04X}"
        return [("E-URL-WHITESPACE", f"{url!r} contains {what}")]
    simple = _SIMPLE_URL.fullmatch(url)
    if simple and _ASCII_HOST.fullmatch(simple["host"]) and (simple["port"] is None or 0 < int(simple["port"]) < 65536) \
            and ("?" not in url or not _tracking(urlsplit(url).query)):
        return []  # the common case, decided without the general parser below
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return [("E-URL-INVALID", f"{url!r} cannot be parsed: {exc}")]
    scheme = parts.scheme.lower()
    if _LOCAL_PATH.match(url):
        return [("E-URL-INVALID", f"{url!r} is a path on a computer, not a web address")]
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
    tracking = _tracking(parts.query)
    if tracking:
        problems.append(("E-URL-TRACKING", f"tracking parameters {', '.join(tracking)} in the query string"))
    return problems


def _tracking(query: str) -> list[str]:
    """Names of tracking parameters in a query string, sorted."""
    return sorted({k for k, _ in parse_qsl(query, keep_blank_values=True) if TRACKING_PARAMS.match(k)})


def _valid_host(host: str) -> bool:
    if host.startswith("[") or ":" in host:  # IPv6 literal (urlsplit strips the brackets)
        return True
    if _ASCII_HOST.fullmatch(host):  # the common case, without the IDNA codec
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
    ``http`` vs ``https``, a leading ``www.``, a trailing slash, the fragment, tracking
    parameters and the share parameters of :data:`SHARE_PARAMS` (Bilibili's ``vd_source``,
    YouTube's ``si``); arXiv ``abs``/``pdf``/``html`` and version forms become ``arxiv:<id>``;
    GitHub owner/repo paths are compared case-insensitively and GitHub's repository tabs
    (``?tab=readme-ov-file``) dropped; ``youtu.be/<id>`` and ``m.youtube.com`` are
    ``youtube.com/watch?v=<id>``. Not for fetching: the result may
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
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    share = next((names for suffix, names in SHARE_PARAMS.items() if host == suffix or host.endswith("." + suffix)),
                 frozenset())
    pairs = [(k, v) for k, v in pairs if k not in share
             and not (host == "github.com" and k == "tab" and v.endswith("-ov-file"))]
    if host == "m.youtube.com":
        host = "youtube.com"  # the mobile site serves the same videos
    if host == "youtu.be" and path.count("/") == 1 and path != "/":
        host, pairs, path = "youtube.com", pairs + [("v", path[1:])], "/watch"
    query = urlencode(sorted(pairs))
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


def arxiv_id_problem(identifier: str, today_year: int) -> str | None:
    """What is wrong with an arXiv identifier, or ``None`` when it is well formed.

    Rules from arXiv's "Understanding the arXiv identifier" (info.arxiv.org/help/arxiv_identifier):
    new-style ``YYMM.NNNN`` from 0704 to 1412 and ``YYMM.NNNNN`` from 1501, old-style
    ``archive/YYMMNNN`` from 9108 to 0703, months 01-12, an optional version ``vN`` (N >= 1),
    and no month after the current year.
    """
    match = _ARXIV_NEW.match(identifier)
    if match:
        yy, mm, digits = int(match["yy"]), int(match["mm"]), len(match["num"])
        if not 1 <= mm <= 12:
            return f"month {match['mm']} in {identifier!r} is not 01-12"
        if (yy, mm) < (7, 4):
            return f"new-style identifiers start in April 2007 (0704); {identifier!r} would be older"
        if 2000 + yy > today_year:
            return f"{identifier!r} would be from 20{match['yy']}, which has not come yet"
        want = 4 if yy < 15 else 5
        if digits != want:
            return f"identifiers from 20{match['yy']} have {want} digits after the dot, {identifier!r} has {digits}"
        return None
    match = _ARXIV_OLD.match(identifier)
    if match:
        yy, mm = int(match["yy"]), int(match["mm"])
        year = 1900 + yy if yy >= 91 else 2000 + yy
        if not 1 <= mm <= 12:
            return f"month {match['mm']} in {identifier!r} is not 01-12"
        if not (1991, 8) <= (year, mm) <= (2007, 3):
            return f"old-style identifiers run from 1991 to March 2007; {identifier!r} is outside"
        return None
    return f"{identifier!r} is neither YYMM.NNNNN nor archive/YYMMNNN"


def arxiv_id_of_url(url: str) -> str | None:
    """The arXiv identifier (without version) an arxiv.org ``abs``/``pdf``/``html`` URL names."""
    if "arxiv" not in url.lower():  # no arXiv host: skip the URL parser (most links of an entry)
        return None
    key = canonical_url(url)
    return key.removeprefix("arxiv:") if key.startswith("arxiv:") else None
