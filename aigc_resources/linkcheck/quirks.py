"""Site knowledge in one place: the host quirk rules, bot-wall signatures, built-in exclusions.

Every rule has a name and the reason it exists, so a surprising verdict can be traced to the
line that caused it (the rule name appears in the result's reason). Sources: the peer survey
in ``shared/research/linkcheck-peers.md`` (lychee ``quirks/mod.rs`` and fragment checker,
linkinator's bot-wall handling, hecat's production exclusions).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .config import Exclusion


@dataclass(frozen=True)
class HostRule:
    """A named adjustment for some hosts.

    ``hosts`` are exact host names; each also matches its subdomains (``github.com`` matches
    ``gist.github.com``). ``headers`` are added to every request. ``force_get`` skips HEAD
    (``method = "head"``). ``fragment_prefixes`` are prefixes the site adds to element ids
    (GitHub renders ``#intro`` as ``id="user-content-intro"``). Fragments matching
    ``unchecked_fragments`` are not looked for (built client-side). ``forbidden_is_bot_wall``
    makes every 403 a bot wall for these hosts.
    """

    name: str
    hosts: tuple[str, ...]
    reason: str
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    force_get: bool = False
    fragment_prefixes: tuple[str, ...] = ()
    unchecked_fragments: re.Pattern[str] | None = None
    forbidden_is_bot_wall: bool = False

    def matches(self, host: str) -> bool:
        """True when ``host`` (lower-case) is one of ``hosts`` or a subdomain of one."""
        return any(host == h or host.endswith("." + h) for h in self.hosts)


#: The host quirk table. Add a rule here, never an ``if host == ...`` elsewhere.
HOST_RULES: tuple[HostRule, ...] = (
    HostRule(
        "github-fragments", ("github.com",),
        "GitHub prefixes the ids of headings in rendered Markdown with `user-content-`, and "
        "draws line anchors (#L10, #L10-L20) in the browser (lychee fragment checker, html-proofer).",
        fragment_prefixes=("user-content-",), unchecked_fragments=re.compile(r"^L\d+(?:C\d+)?(?:-L\d+(?:C\d+)?)?$"),
    ),
    HostRule(
        "crates-io-accept", ("crates.io",),
        "crates.io answers 404 unless the request accepts text/html (lychee quirks, muffet notes).",
        headers=MappingProxyType({"Accept": "text/html"}),
    ),
    HostRule(
        "client-side-apps", ("colab.research.google.com", "huggingface.co"),
        "These pages build their content (and element ids) in the browser: fragments cannot "
        "be verified from the HTML.",
        unchecked_fragments=re.compile(r".*"),
    ),
    HostRule(
        "cloudflare-walled", ("medium.com", "openai.com", "platform.openai.com", "x.com", "twitter.com"),
        "These hosts answer 403 to any non-browser client (Cloudflare or their own wall), with "
        "or without a challenge marker; a 403 there says nothing about the page.",
        forbidden_is_bot_wall=True, force_get=True,
    ),
)


@dataclass(frozen=True)
class HostQuirks:
    """The merged effect of every rule that matches one host (see :func:`quirks_for`)."""

    names: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    force_get: bool = False
    fragment_prefixes: tuple[str, ...] = ()
    unchecked_fragments: tuple[re.Pattern[str], ...] = ()
    forbidden_is_bot_wall: bool = False

    def fragment_checked(self, fragment: str) -> bool:
        """False when a rule says this fragment cannot be verified from the HTML."""
        return not any(p.match(fragment) for p in self.unchecked_fragments)


def quirks_for(host: str, rules: Iterable[HostRule] = HOST_RULES) -> HostQuirks:
    """Merge the rules of ``rules`` that match ``host`` (lower-case) into one :class:`HostQuirks`."""
    matched = [r for r in rules if r.matches(host)]
    if not matched:
        return HostQuirks()
    headers: dict[str, str] = {}
    for rule in matched:
        headers.update(rule.headers)
    return HostQuirks(
        names=tuple(r.name for r in matched),
        headers=MappingProxyType(headers),
        force_get=any(r.force_get for r in matched),
        fragment_prefixes=tuple(p for r in matched for p in r.fragment_prefixes),
        unchecked_fragments=tuple(r.unchecked_fragments for r in matched if r.unchecked_fragments),
        forbidden_is_bot_wall=any(r.forbidden_is_bot_wall for r in matched),
    )


@dataclass(frozen=True)
class BotWallSignature:
    """A sign that a 403/503/429 answer comes from bot protection, not from the page."""

    name: str
    header: str | None = None          # header name (lower-case) whose presence/value is the sign
    header_value: re.Pattern[str] | None = None
    body: re.Pattern[str] | None = None  # searched in the first 64 KiB of the body, case-insensitive


#: Known bot-wall signatures (linkinator treats `cf-mitigated` as "skipped"; lychee PR #2187).
BOT_WALL_SIGNATURES: tuple[BotWallSignature, ...] = (
    BotWallSignature("cloudflare-challenge-header", header="cf-mitigated", header_value=re.compile("challenge", re.I)),
    BotWallSignature("cloudflare-challenge-page",
                     body=re.compile(r"challenge-platform|cf-chl-|<title>\s*just a moment\.\.\.|"
                                     r"attention required!\s*\|\s*cloudflare", re.I)),
    BotWallSignature("akamai-reference", body=re.compile(r"access denied.{0,400}reference\s*#", re.I | re.S)),
    BotWallSignature("captcha", body=re.compile(r"\bcaptcha\b|hcaptcha|recaptcha", re.I)),
    BotWallSignature("ddos-guard", body=re.compile(r"ddos protection by|ddos-guard", re.I)),
    BotWallSignature("perimeterx", body=re.compile(r"px-captcha|_pxAppId", re.I)),
    BotWallSignature("imperva", body=re.compile(r"_Incapsula_Resource", re.I)),
    BotWallSignature("datadome", header="x-datadome"),
)


def bot_wall_signature(headers: Mapping[str, str], body_text: str) -> str | None:
    """The name of the first :data:`BOT_WALL_SIGNATURES` entry found, or ``None``.

    ``headers`` must have lower-case names; ``body_text`` is the start of the body.
    """
    for sig in BOT_WALL_SIGNATURES:
        if sig.header is not None:
            value = headers.get(sig.header)
            if value is not None and (sig.header_value is None or sig.header_value.search(value)):
                return sig.name
        elif sig.body is not None and sig.body.search(body_text):
            return sig.name
    return None


#: Non-standard status codes that always mean "a robot was refused" (LinkedIn's 999).
BOT_WALL_STATUSES = frozenset({999})

#: URLs never fetched, whatever the configuration says, each with its reason.
BUILTIN_EXCLUSIONS: tuple[Exclusion, ...] = (
    Exclusion(re.compile(r"^https?://(?:[^/?#@]*\.)?example\.(?:com|net|org)(?:[:/?#]|$)", re.I),
              "reserved example domain (RFC 2606): no real resource lives there", "built-in"),
    Exclusion(re.compile(r"^https?://[^/?#@]*\.(?:example|invalid|test|localhost)\.?(?:[:/?#]|$)", re.I),
              "reserved top-level domain (RFC 2606, RFC 6761): never resolves to a real resource", "built-in"),
)
