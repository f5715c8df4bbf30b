"""Pure rules of the link checker: Retry-After, retries, addresses, quirks, pages, settings, URL keys."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from urllib3.exceptions import LocationParseError

from aigc_resources.linkcheck import ErrorKind, LinkStatus, Settings, load_settings
from aigc_resources.linkcheck.classify import (Classification, classify, is_deep_link, parse_retry_after,
                                               retry_delay)
from aigc_resources.linkcheck.collect import group_targets
from aigc_resources.linkcheck.config import ConfigError, cli_settings, setting_fields, toml_key
from aigc_resources.linkcheck.fetch import Fetched, parse_page
from aigc_resources.net import AddressPolicy, address_refusal
from aigc_resources.linkcheck.quirks import BUILTIN_EXCLUSIONS, HOST_RULES, bot_wall_signature, quirks_for
from aigc_resources.linkcheck.result import Origin
from aigc_resources.urls import fetch_key

NOW = dt.datetime(2026, 11, 29, 12, 0, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("value,seconds", [
    ("120", 120.0), (" 0 ", 0.0), ("Sun, 29 Nov 2026 12:00:30 GMT", 30.0),      # IMF-fixdate
    ("Sunday, 29-Nov-26 12:01:00 GMT", 60.0),                                  # obsolete RFC 850 form
    ("Sun Nov 29 12:00:05 2026", 5.0),                                         # asctime form
    ("Sun, 29 Nov 2026 11:00:00 GMT", 0.0),                                    # in the past
    ("soon", None), ("-5", None), ("1.5", None), ("", None), (None, None),
    # Valid however long (RFC 9110: 1*DIGIT); it was taken as malformed and retried at once.
    ("99999999999999999999", 1e12), ("Fri, 31 Dec 9999 23:59:59 GMT", 251_606_347_199.0),
    ("Mon, 01 Jan 0001 00:00:00 GMT", 0.0), ("Fri, 31 Dec 99999 23:59:59 GMT", None),
])
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


def test_retry_delay_backs_off_honours_retry_after_and_caps() -> None:
    settings = Settings().replace(retries=3, retry_wait=1.0, retry_after_cap=10.0)
    transient = Classification(LinkStatus.TRANSIENT, "x", retryable=True)
    assert [retry_delay(transient, n, settings) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, None]
    told = dataclasses.replace(transient, retry_after=7.0)
    assert retry_delay(told, 1, settings) == 7.0
    assert retry_delay(dataclasses.replace(transient, retry_after=3600.0), 1, settings) == 10.0
    assert retry_delay(Classification(LinkStatus.BROKEN, "x"), 1, settings) is None


@pytest.mark.parametrize("address,kind", [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.1", "private"), ("172.16.5.4", "private"),
    ("169.254.169.254", "link-local"), ("224.0.0.1", "multicast"), ("0.0.0.0", "unspecified"),
    ("240.0.0.1", "reserved"), ("100.64.0.1", "non-global"), ("::1", "loopback"), ("fe80::1", "link-local"),
    ("fd00::1", "private"), ("::ffff:127.0.0.1", "loopback"), ("ff02::1", "multicast"),
    ("93.184.215.14", None), ("2606:4700::1111", None),
])
def test_address_refusal(address: str, kind: str | None) -> None:
    assert address_refusal(address) == kind


def test_address_policy_allowances() -> None:
    assert AddressPolicy(allow_private=True).refusal("10.0.0.1") is None
    assert AddressPolicy(allowed=frozenset({"127.0.0.2"})).refusal("127.0.0.2") is None
    assert AddressPolicy(allowed=frozenset({"127.0.0.2"})).refusal("127.0.0.3") == "loopback"


def test_quirk_table_names_are_unique_and_every_rule_says_why() -> None:
    names = [r.name for r in HOST_RULES]
    assert len(names) == len(set(names))
    assert all(len(r.reason) > 30 and r.hosts for r in HOST_RULES)
    assert all(e.reason and e.source for e in BUILTIN_EXCLUSIONS)


def test_quirks_match_hosts_and_subdomains_only() -> None:
    github = quirks_for("github.com")
    assert github.names == ("github-fragments",)
    assert "user-content-" in github.fragment_prefixes
    assert not github.fragment_checked("L10-L20") and github.fragment_checked("usage")
    assert quirks_for("gist.github.com").names == ("github-fragments",)
    assert quirks_for("notgithub.com").names == ()
    assert quirks_for("crates.io").headers["Accept"] == "text/html"


@pytest.mark.parametrize("url,excluded", [
    ("https://example.com/x", True), ("http://www.example.org", True), ("https://docs.example/a", True),
    ("https://host.invalid/", True), ("https://example.community/", False), ("https://arxiv.org/abs/1", False),
])
def test_builtin_exclusions(url: str, excluded: bool) -> None:
    assert any(e.matches(url) for e in BUILTIN_EXCLUSIONS) is excluded


def test_bot_wall_signatures() -> None:
    assert bot_wall_signature({"cf-mitigated": "challenge"}, "") == "cloudflare-challenge-header"
    assert bot_wall_signature({}, "<title>Just a moment...</title>") == "cloudflare-challenge-page"
    assert bot_wall_signature({"x-datadome": "protected"}, "") == "datadome"
    assert bot_wall_signature({"server": "nginx"}, "<h1>Forbidden</h1>") is None


def test_parse_page_finds_ids_names_title_and_heading() -> None:
    page = parse_page("<html><head><title> A &amp; B </title></head><body><H1 class=x>Main <em>one</em></H1>"
                      "<section ID='s1'><a name=\"n1\" href=#></a><span name=notanchor></span>"
                      "<div data-id='fake' id=\"d&amp;1\">")
    assert page.title == "A & B" and page.h1 == "Main one"
    assert page.ids == {"s1", "n1", "d&1"}


@pytest.mark.parametrize("url,deep", [
    ("https://a.org/", False), ("https://a.org", False), ("https://a.org/index.html", False),
    ("https://a.org/en/", False), ("https://a.org/zh-CN", False), ("https://a.org/docs/x", True),
    ("https://a.org/paper", True),
])
def test_deep_links(url: str, deep: bool) -> None:
    assert is_deep_link(url) is deep


def test_classify_unescaped_urllib3_error_is_invalid() -> None:
    fetched = Fetched(url="http://a..b/", method="GET", error=LocationParseError("a..b"))
    verdict = classify(fetched, quirks_for("a..b"), Settings())
    assert verdict.status is LinkStatus.INVALID and verdict.error_kind is ErrorKind.INVALID_URL


def test_fetch_key_normalises_only_what_never_changes_the_resource() -> None:
    assert fetch_key("HTTPS://GitHub.COM:443/Owner/Repo") == "https://github.com/Owner/Repo"
    assert fetch_key("http://a.org") == "http://a.org/"
    assert fetch_key("http://a.org:8080/x?q=1#Frag") == "http://a.org:8080/x?q=1#Frag"
    assert fetch_key("http://[::1]:80/") == "http://[::1]/"
    assert fetch_key(" not a url ") == "not a url"


def test_group_targets_checks_each_url_once_with_all_origins() -> None:
    a, b, c = Origin("x.yaml", 4, "url", "x"), Origin("y.yaml", 9, "links.code", "y"), Origin("z.yaml", 2, "url", "z")
    targets = group_targets([("https://GitHub.com/o/r", a), ("https://github.com/o/r", b), ("https://b.org/", c)])
    assert [(t.url, t.origins) for t in targets] == [("https://GitHub.com/o/r", (a, b)), ("https://b.org/", (c,))]


# -- settings ------------------------------------------------------------------------------------

def test_every_setting_is_declared_with_help_and_a_default_of_its_type() -> None:
    for f, kind in setting_fields():
        assert f.metadata["help"], f.name
        if f.name != "exclude":
            assert isinstance(f.default, kind), f.name
    flags = {toml_key(f.name) for f, _ in cli_settings()}
    assert {"max-concurrency", "per-host", "timeout", "max-age", "history", "allow-private"} <= flags


def _pyproject(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\n\n[tool.aigc-resources.linkcheck]\n" + body, encoding="utf-8")
    return path


def test_settings_come_from_pyproject_then_options(tmp_path: Path) -> None:
    path = _pyproject(tmp_path, "max-concurrency = 7\ntimeout = 3\n"
                                "[[tool.aigc-resources.linkcheck.exclude]]\npattern = '^https://www\\.linkedin\\.com/'\n"
                                "reason = 'answers 999 to robots'\n")
    settings = load_settings(path, {"timeout": 9.5, "per_host": None})
    assert settings.max_concurrency == 7 and settings.timeout == 9.5 and settings.per_host == 4
    assert settings.exclude[0].reason == "answers 999 to robots"
    assert settings.exclude[0].matches("https://www.linkedin.com/in/x")
    assert load_settings(tmp_path / "missing.toml") == Settings()


@pytest.mark.parametrize("body,message", [
    ("max-concurrency = 'ten'\n", "max-concurrency: expected a whole number"),
    ("max-concurency = 3\n", "did you mean 'max-concurrency'"),
    ("per-host = 0\n", "per-host: must be at least 1"),
    ("method = 'post'\n", "must be one of get, head"),
    ("allow-private = 'yes'\n", "expected true or false"),
    ("[[tool.aigc-resources.linkcheck.exclude]]\npattern = 'x'\n", "exclude[0]: `reason` is missing"),
    ("[[tool.aigc-resources.linkcheck.exclude]]\npattern = '(('\nreason = 'r'\n", "not a valid regular expression"),
    ("timeout = [\n", "not valid TOML"),
    # Non-finite or absurd numbers hung the run (a wait of inf) or crashed every URL (a deadline
    # of inf overflows the clock); nan passed every range check and expired every deadline.
    ("timeout = nan\n", "timeout: expected a finite number (s), got nan"),
    ("timeout = inf\n", "timeout: expected a finite number (s), got inf"),
    ("min-interval = inf\n", "min-interval: expected a finite number"),
    ("max-age = nan\n", "max-age: expected a finite number (h)"),
    ("retry-after-cap = 1e300\n", "retry-after-cap: must be at most 86400 (s)"),
    ("retries = 1000000000\n", "retries: must be at most 20"),
    ("max-concurrency = 100000\n", "max-concurrency: must be at most 1024"),  # one thread per request
    # A header value with a line break or non-ASCII text made every URL "invalid".
    ('user-agent = "bot\\nX-Injected: 1"\n', "user-agent: only printable ASCII"),
    ("user-agent = '\u722c\u866b'\n", "user-agent: only printable ASCII"),
    ('history = "a\\u0000b"\n', "history: control characters are not allowed"),
    ("exclude = 'x'\n", "exclude: expected a list of tables ([[tool.aigc-resources.linkcheck.exclude]]), got 'x'"),
    ("max-concurrency = 3\nmax_concurrency = 4\n", "'max-concurrency' is given twice"),
])
def test_bad_settings_name_the_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    path = _pyproject(tmp_path, body)
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_settings(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("text", ["tool = 5\n", "[tool]\naigc-resources = 'x'\n",
                                  "[tool.aigc-resources]\nlinkcheck = 5\n"])
def test_a_settings_table_that_is_not_a_table_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a table"):
        load_settings(path)


def test_non_finite_options_are_refused_like_settings() -> None:
    with pytest.raises(ConfigError, match=re.escape("option timeout: expected a finite number (s), got nan")):
        load_settings(None, {"timeout": float("nan")})
