"""The checker against local servers that misbehave like the real web (issue 4, "Behaviour").

Assertions about time are lower bounds (a loaded machine only makes things slower) or generous
upper bounds far below what the misbehaving server would take without the feature.
"""

from __future__ import annotations

import codecs
import email.utils
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from .linkcheck_support import (Checker, FixtureServer, check, drip_body, drip_headers, fast_settings, gzip_bomb,
                               huge_body, never_answer, raw_answer, reset_connection, server, servers)  # noqa: F401

from aigc_resources.linkcheck import ErrorKind, FailPolicy, LinkStatus, LinkTarget
from aigc_resources.linkcheck.history import judge
from aigc_resources.net import AddressPolicy
from aigc_resources.linkcheck.quirks import HOST_RULES, HostRule

OK, REDIRECTED, BROKEN, BLOCKED, TRANSIENT, INVALID = (LinkStatus.OK, LinkStatus.REDIRECTED, LinkStatus.BROKEN,
                                                       LinkStatus.BLOCKED, LinkStatus.TRANSIENT, LinkStatus.INVALID)


# -- HEAD refused or wrong -------------------------------------------------------------------------

@pytest.mark.parametrize("head_status", [405, 404, 403, 501])
def test_head_refused_falls_back_to_get(server: FixtureServer, head_status: int) -> None:
    @server.route("/page")
    def page(r):
        if r.command == "HEAD":
            r.send(head_status)
        else:
            r.page("Real page")

    result = check(server.url("/page"), method="head")
    assert result.status is OK, result.reason
    assert [e.method for e in server.requests_to("/page")] == ["HEAD", "GET"]


def test_head_success_needs_no_get(server: FixtureServer) -> None:
    result = check(server.url("/page"), method="head")
    assert result.status is OK
    assert [e.method for e in server.requests_to("/page")] == ["HEAD"]


def test_default_method_is_a_single_streamed_get(server: FixtureServer) -> None:
    assert check(server.url("/page")).status is OK
    assert [e.method for e in server.log] == ["GET"]


# -- redirects -----------------------------------------------------------------------------------

def test_permanent_redirect_chain_suggests_the_final_url(server: FixtureServer) -> None:
    server.routes["/a"] = lambda r: r.redirect(301, "/b")
    server.routes["/b"] = lambda r: r.redirect(308, "/c")
    result = check(server.url("/a"))
    assert result.status is REDIRECTED
    assert result.suggested_url == result.final_url == server.url("/c")
    assert [(h.status, h.location) for h in result.redirects] == [(301, server.url("/b")), (308, server.url("/c"))]


def test_permanent_then_temporary_suggests_the_permanent_target(server: FixtureServer) -> None:
    server.routes["/a"] = lambda r: r.redirect(301, "/b")
    server.routes["/b"] = lambda r: r.redirect(302, "/c")
    result = check(server.url("/a"))
    assert result.status is REDIRECTED and result.suggested_url == server.url("/b")


@pytest.mark.parametrize("status", [302, 303, 307])
def test_temporary_redirect_is_ok_without_suggestion(server: FixtureServer, status: int) -> None:
    server.routes["/a"] = lambda r: r.redirect(status, "/b")
    result = check(server.url("/a"))
    assert result.status is OK and result.suggested_url is None
    assert result.final_url == server.url("/b")


def test_relative_locations_are_resolved_against_the_url_that_sent_them(servers) -> None:
    one, two = servers("127.0.0.2"), servers("127.0.0.3")
    one.routes["/docs/guide/start"] = lambda r: r.redirect(301, "../api/next")   # dot segments
    one.routes["/docs/api/next"] = lambda r: r.redirect(301, "last")             # path-relative
    one.routes["/docs/api/last"] = lambda r: r.redirect(301, f"//127.0.0.3:{two.port}/there")  # scheme-relative
    result = check(one.url("/docs/guide/start"))
    assert result.status is REDIRECTED
    assert result.final_url == two.url("/there")
    assert [e.path for e in two.log] == ["/there"]


def test_redirect_loop_is_broken(server: FixtureServer) -> None:
    server.routes["/a"] = lambda r: r.redirect(302, "/b")
    server.routes["/b"] = lambda r: r.redirect(302, "/a")
    result = check(server.url("/a"))
    assert result.status is BROKEN and result.error_kind is ErrorKind.REDIRECT_LOOP
    assert "loop" in result.reason
    assert len(server.log) == 2


def test_too_many_redirects_is_broken(server: FixtureServer) -> None:
    for i in range(20):
        server.routes[f"/r{i}"] = (lambda n: lambda r: r.redirect(302, f"/r{n + 1}"))(i)
    result = check(server.url("/r0"), max_redirects=5)
    assert result.status is BROKEN and result.error_kind is ErrorKind.TOO_MANY_REDIRECTS
    assert len(server.log) == 6


@pytest.mark.parametrize("location", ["ftp://files.example.org/x", "mailto:a@b.org", "javascript:alert(1)",
                                      "data:text/html,hi", "file:///etc/passwd"])
def test_redirect_to_an_unsupported_scheme_is_invalid(server: FixtureServer, location: str) -> None:
    server.routes["/a"] = lambda r: r.redirect(301, location)
    result = check(server.url("/a"))
    assert result.status is INVALID and "redirect to a URL that cannot be checked" in result.reason
    assert [h.location for h in result.redirects] == [location]  # the verdict says the URL itself is fine
    verdict = judge(result, [], None, FailPolicy.PERSISTENT, fast_settings())
    assert verdict.fails and verdict.why.startswith("it redirects to a URL that cannot be checked")


@pytest.mark.parametrize("location,expected", [
    ("/a page with spaces", "/a%20page%20with%20spaces"),  # browsers percent-encode; it was "invalid"
    ("/caf\u00e9/\u65e5\u672c?q=\u00e9#s\u00e9", "/caf%C3%A9/%E6%97%A5%E6%9C%AC?q=%C3%A9#s%C3%A9"),
    ("/already%20encoded", "/already%20encoded"),
])
def test_location_with_spaces_or_unicode_is_followed_percent_encoded(server: FixtureServer, location: str,
                                                                     expected: str) -> None:
    server.routes["/moved"] = raw_answer(b"HTTP/1.1 301 Moved\r\nLocation: " + location.encode("utf-8")
                                         + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    result = check(server.url("/moved"))
    assert result.status is REDIRECTED and result.suggested_url == server.url(expected), result.reason
    assert server.requests_to(expected.split("#")[0])


@pytest.mark.parametrize("answer,kind,fragment", [
    (b"HTTP/1.1 abc OK\r\n\r\n", ErrorKind.PROTOCOL, "BadStatusLine"),
    (b"\x00\x01garbage\r\n\r\n", ErrorKind.PROTOCOL, "\\x00\\x01garbage"),
    (b"<html>HTTP/0.9 has no status line</html>", ErrorKind.PROTOCOL, "BadStatusLine"),
    (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", ErrorKind.PROTOCOL, "LineTooLong"),
    (b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(120)) + b"Content-Length: 0\r\n\r\n",
     ErrorKind.PROTOCOL, "a browser may read it"),
    # requests' InvalidHeader is a ValueError: it made the *URL* "invalid", failing the run.
    (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello", ErrorKind.PROTOCOL,
     "Content-Length"),
    (b"HTTP/1.1 301 Moved\r\nLocation: /one\r\nLocation: /two\r\nContent-Length: 0\r\n\r\n", ErrorKind.PROTOCOL,
     "2 different Location headers: /one, /two"),
    (b"HTTP/1.1 600 Beyond\r\nContent-Length: 0\r\n\r\n", ErrorKind.PROTOCOL, "status 600"),
    # urllib3's DecodeError escapes requests while streaming: it was a retried "network error".
    (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello",
     ErrorKind.DECODING, "DecodeError"),
    (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 9000\r\n\r\n<title>short</title>",
     ErrorKind.RESET, "IncompleteRead"),  # a Content-Length that lies: the body ends early
])
def test_malformed_answers_are_transient_with_an_honest_reason(server: FixtureServer, answer: bytes,
                                                               kind: ErrorKind, fragment: str) -> None:
    server.routes["/bad"] = raw_answer(answer)
    result = check(server.url("/bad"))
    assert result.status is TRANSIENT and result.error_kind is kind, result.reason
    assert fragment in result.reason and not any(c in result.reason for c in "\x00\r\n")


def _promise_unsent_bytes(head: bytes):
    def handler(r):  # headers promise 10 body bytes that never come; the socket stays open (bounded)
        r.wfile.write(head + b"Content-Length: 10\r\n\r\n")
        r.wfile.flush()
        time.sleep(4)
        r.close_connection = True
    return handler


def test_a_content_length_that_promises_bytes_never_sent_does_not_hide_the_answer(server: FixtureServer) -> None:
    # The status is known from the headers: waiting for the body turned a 301 and a 404 into
    # "no complete answer within the total deadline" (transient), after the whole deadline.
    server.routes["/moved"] = _promise_unsent_bytes(b"HTTP/1.1 301 Moved\r\nLocation: /moved-here\r\n")
    server.routes["/gone"] = _promise_unsent_bytes(b"HTTP/1.1 404 Not Found\r\n")
    moved, gone = check(server.url("/moved"), timeout=3.0), check(server.url("/gone"), timeout=3.0)
    assert moved.status is REDIRECTED and moved.suggested_url == server.url("/moved-here"), moved.reason
    assert gone.status is BROKEN and gone.http_status == 404, gone.reason


def test_content_length_shorter_than_the_body_is_read_as_sent(server: FixtureServer) -> None:
    server.routes["/a"] = raw_answer(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 3\r\n\r\n"
                                     b"<title>Not Found</title>")
    assert check(server.url("/a")).status is OK  # only 3 bytes belong to the answer, as in browsers


@pytest.mark.parametrize("content_type,body", [
    ("text/html; charset=utf-16", "<h2 id='sec'>x</h2>".encode("utf-8")),       # wrong label: no NUL bytes
    ("text/html; charset=utf-32", "<h2 id='sec'>x</h2>".encode("utf-8")),
    ("text/html; charset=no-such-charset", "<h2 id='sec'>caf\u00e9</h2>".encode("utf-8")),
    ("text/html; charset=iso-8859-1", codecs.BOM_UTF8 + "<h2 id='s\u00e9c'>x</h2>".encode("utf-8")),  # BOM wins
    ("text/html; charset=utf-16", codecs.BOM_UTF16_LE + "<h2 id='s\u00e9c'>x</h2>".encode("utf-16-le")),
    ("text/html; charset=utf-16", "<h2 id='sec'>x</h2>".encode("utf-16-le")),   # a true label
])
def test_a_wrong_charset_does_not_hide_fragment_ids(server: FixtureServer, content_type: str, body: bytes) -> None:
    fragment = "s%C3%A9c" if "\u00e9c" in body.decode("utf-8", "ignore") + body.decode("utf-16", "ignore") else "sec"
    server.routes["/page"] = lambda r: r.send(200, body, content_type=content_type)
    result = check(server.url(f"/page#{fragment}"))
    assert result.status is OK, result.reason


@pytest.mark.parametrize("body,content_type", [
    ('<meta charset="gbk"><title>页面不存在</title>'.encode("gbk"), "text/html"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>页面不存在</title>'.encode("gbk"),
     "text/html"),
    ("<title>页面不存在</title>".encode("gbk"), "text/html; charset=GB2312"),  # browsers read gb2312 as GBK
])
def test_chinese_soft_404_in_a_legacy_encoding_is_found(server: FixtureServer, body: bytes,
                                                        content_type: str) -> None:
    server.routes["/gone"] = lambda r: r.send(200, body, content_type=content_type)
    result = check(server.url("/gone"))
    assert result.status is BROKEN and result.error_kind is ErrorKind.SOFT_404, result.reason


def test_control_characters_a_server_sends_never_reach_reports(server: FixtureServer) -> None:
    server.routes["/esc"] = lambda r: r.send(200, b"<title>404 \x1b[2J\x07 gone</title>")
    result = check(server.url("/esc"))
    assert result.status is BROKEN and "\\x1b[2J\\x07" in result.reason
    assert not any(ord(c) < 32 for c in result.reason)


def test_idn_host_is_resolved_in_its_ascii_form(server: FixtureServer, monkeypatch: pytest.MonkeyPatch) -> None:
    real, asked = socket.getaddrinfo, []

    def getaddrinfo(name, port, *args, **kwargs):
        if name == "127.0.0.2":  # the connection to the checked address itself
            return real(name, port, *args, **kwargs)
        asked.append(name)
        if name == "xn--bcher-kva.aigc-test":
            return real("127.0.0.2", port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "fake resolver")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    result = check(f"http://b\u00fccher.aigc-test:{server.port}/katalog")
    assert result.status is OK and asked == ["xn--bcher-kva.aigc-test"], (result.reason, asked)
    assert server.log[0].headers["host"] == f"xn--bcher-kva.aigc-test:{server.port}"


def test_redirect_to_a_dead_page_is_broken(server: FixtureServer) -> None:
    server.routes["/a"] = lambda r: r.redirect(301, "/gone")
    server.routes["/gone"] = lambda r: r.page("Gone", status=410)
    result = check(server.url("/a"))
    assert result.status is BROKEN and result.http_status == 410


def test_fragment_is_carried_over_a_redirect_and_checked_at_the_target(server: FixtureServer) -> None:
    server.routes["/a"] = lambda r: r.redirect(301, "/b")
    server.routes["/b"] = lambda r: r.page("B", "<h2 id='sec'>Section</h2>")
    result = check(server.url("/a#sec"))
    assert result.status is REDIRECTED and result.suggested_url == server.url("/b#sec")
    assert check(server.url("/a#other")).status is BROKEN


# -- 429 / 503 and Retry-After -------------------------------------------------------------------

def _fail_first(server: FixtureServer, path: str, status: int, retry_after: str | None, times: int = 1) -> None:
    def handler(r):
        if server.counts[path] <= times:
            r.send(status, "busy", headers={"Retry-After": retry_after} if retry_after is not None else {})
        else:
            r.page("Fine")
    server.routes[path] = handler


def _gap(server: FixtureServer, path: str) -> float:
    first, second = server.requests_to(path)[:2]
    return second.at - first.at


def test_retry_after_in_seconds_is_honoured(server: FixtureServer) -> None:
    _fail_first(server, "/a", 429, "1")
    result = check(server.url("/a"), retries=2)
    assert result.status is OK and result.attempts == 2
    assert _gap(server, "/a") >= 0.9


def test_retry_after_as_http_date_is_honoured(server: FixtureServer) -> None:
    when = email.utils.formatdate(time.time() + 2.5, usegmt=True)  # whole seconds: at least 1.5 s ahead
    _fail_first(server, "/a", 503, when)
    result = check(server.url("/a"), retries=1)
    assert result.status is OK and result.attempts == 2
    assert _gap(server, "/a") >= 1.0


def test_malformed_retry_after_falls_back_to_backoff(server: FixtureServer) -> None:
    _fail_first(server, "/a", 429, "soon, maybe")
    result = check(server.url("/a"), retries=1, retry_wait=0.3)
    assert result.status is OK and result.attempts == 2
    assert _gap(server, "/a") >= 0.25


def test_retry_after_wait_is_capped(server: FixtureServer) -> None:
    _fail_first(server, "/a", 429, "3600")
    started = time.monotonic()
    result = check(server.url("/a"), retries=1, retry_after_cap=0.5)
    assert result.status is OK and result.attempts == 2
    assert _gap(server, "/a") >= 0.45
    assert time.monotonic() - started < 60  # far below the hour asked for


def test_rate_limit_that_persists_is_transient_not_broken(server: FixtureServer) -> None:
    _fail_first(server, "/a", 429, "0", times=99)
    result = check(server.url("/a"), retries=2)
    assert result.status is TRANSIENT and result.http_status == 429 and result.attempts == 3


def test_429_pauses_the_whole_host(server: FixtureServer) -> None:
    _fail_first(server, "/a", 429, "1")
    urls = [server.url("/a"), server.url("/b"), server.url("/c")]
    with Checker(fast_settings(retries=1, per_host=1)) as checker:
        results = checker.check([LinkTarget(u, u) for u in urls])
    assert {r.status for r in results} == {OK}
    first_429 = server.requests_to("/a")[0].at
    later = [e.at for e in server.log if e.path in ("/b", "/c")]
    assert later and min(later) - first_429 >= 0.9  # nothing else was sent to the paused host


# -- bot walls -----------------------------------------------------------------------------------

@pytest.mark.parametrize("status,headers,body", [
    (403, {"cf-mitigated": "challenge"}, "x"),
    (403, {}, "<html><head><title>Just a moment...</title></head><body>challenge-platform</body></html>"),
    (403, {}, "<title>Attention Required! | Cloudflare</title>"),
    (503, {}, "<html><script src='/cdn-cgi/challenge-platform/h/b/orchestrate'></script></html>"),
    (403, {}, "<h1>Access Denied</h1>You don't have permission. Reference #18.1234"),
    (999, {}, ""),
])
def test_bot_walls_are_blocked_not_broken(server: FixtureServer, status, headers, body) -> None:
    server.routes["/a"] = lambda r: r.send(status, body, headers=headers)
    result = check(server.url("/a"))
    assert result.status is BLOCKED, result.reason
    assert result.error_kind is ErrorKind.BOT_WALL


def test_plain_403_without_signature_is_broken(server: FixtureServer) -> None:
    server.routes["/a"] = lambda r: r.page("Forbidden", "You may not see this file.", status=403)
    assert check(server.url("/a")).status is BROKEN


def test_host_rule_makes_any_403_a_bot_wall(server: FixtureServer) -> None:
    server.routes["/a"] = lambda r: r.page("Forbidden", status=403)
    rule = HostRule("walled-test-host", ("127.0.0.2",), "test: this host walls every robot",
                    forbidden_is_bot_wall=True)
    with Checker(fast_settings(), rules=(*HOST_RULES, rule)) as checker:
        result = checker.check_one(server.url("/a"))
    assert result.status is BLOCKED and "walled-test-host" in result.reason


def test_401_is_blocked(server: FixtureServer) -> None:
    server.routes["/a"] = lambda r: r.send(401, "sign in", headers={"WWW-Authenticate": "Basic"})
    assert check(server.url("/a")).status is BLOCKED


# -- soft 404 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("title,h1", [("Page Not Found", ""), ("", "404"), ("页面不存在 - 某网站", ""),
                                      ("Oops! That page can't be found", "")])
def test_soft_404_page_served_with_200_is_broken(server: FixtureServer, title: str, h1: str) -> None:
    server.routes["/docs/old"] = lambda r: r.page(title, f"<h1>{h1}</h1>" if h1 else "<p>Sorry.</p>")
    result = check(server.url("/docs/old"))
    assert result.status is BROKEN and result.error_kind is ErrorKind.SOFT_404


def test_normal_page_is_not_a_soft_404(server: FixtureServer) -> None:
    server.routes["/docs/notes"] = lambda r: r.page("Notes on the 4040 chip", "<h1>Not foundational</h1>")
    assert check(server.url("/docs/notes")).status is OK


def test_deep_link_redirected_to_the_home_page_is_a_soft_404(server: FixtureServer) -> None:
    server.routes["/docs/removed-page"] = lambda r: r.redirect(302, "/")
    result = check(server.url("/docs/removed-page"))
    assert result.status is BROKEN and result.error_kind is ErrorKind.SOFT_404


def test_home_page_spellings_redirected_to_root_are_fine(server: FixtureServer) -> None:
    server.routes["/index.html"] = lambda r: r.redirect(301, "/")
    server.routes["/en/"] = lambda r: r.redirect(302, "/")
    assert check(server.url("/index.html")).status is REDIRECTED
    assert check(server.url("/en/")).status is OK


def test_redirect_to_a_sign_in_page_is_blocked(server: FixtureServer) -> None:
    server.routes["/team/private"] = lambda r: r.redirect(302, "/login?next=/team/private")
    assert check(server.url("/team/private")).status is BLOCKED


# -- fragments -----------------------------------------------------------------------------------

PAGE = ("<h2 id='intro'>Intro</h2><a name='legacy'></a><h2 id='user-content-setup'>Setup</h2>"
        "<p id=\"caf\u00e9\">x</p><div class=x id=unquoted>y</div>")


@pytest.mark.parametrize("fragment,status", [
    ("intro", OK), ("legacy", OK), ("unquoted", OK), ("caf%C3%A9", OK), ("top", OK), ("", OK),
    (":~:text=hello", OK), ("missing", BROKEN), ("setup", BROKEN),
])
def test_fragments_are_looked_for_in_the_html(server: FixtureServer, fragment: str, status: LinkStatus) -> None:
    server.routes["/doc"] = lambda r: r.page("Doc", PAGE)
    result = check(server.url(f"/doc#{fragment}"))
    assert result.status is status, result.reason


def test_github_user_content_prefix_and_line_anchors(server: FixtureServer) -> None:
    server.routes["/repo"] = lambda r: r.page("Repo", PAGE)
    github = next(r for r in HOST_RULES if r.name == "github-fragments")
    rule = HostRule(github.name, ("127.0.0.2",), github.reason, fragment_prefixes=github.fragment_prefixes,
                    unchecked_fragments=github.unchecked_fragments)
    with Checker(fast_settings(), rules=(rule,)) as checker:
        assert checker.check_one(server.url("/repo#setup")).status is OK
        assert checker.check_one(server.url("/repo#L10-L20")).status is OK
        assert checker.check_one(server.url("/repo#nothing")).status is BROKEN


def test_fragment_in_a_page_larger_than_the_cap_is_not_called_missing(server: FixtureServer) -> None:
    server.routes["/big"] = lambda r: r.page("Big", "<p>x</p>" * 40_000 + "<h2 id='late'>Late</h2>")
    result = check(server.url("/big#late"), max_body_bytes=64 * 1024)
    assert result.status is OK and "not verified" in result.reason


# -- slow, silent, huge and compressed bodies ---------------------------------------------------

@pytest.mark.parametrize("handler", [drip_headers, drip_body, never_answer], ids=["drip-headers", "drip-body", "silent"])
def test_total_deadline_stops_slow_and_silent_servers(server: FixtureServer, handler) -> None:
    server.routes["/slow"] = handler
    started = time.monotonic()
    result = check(server.url("/slow#x"), timeout=1.5)
    took = time.monotonic() - started
    assert result.status is TRANSIENT and result.error_kind is ErrorKind.TIMEOUT, result.reason
    assert "deadline" in result.reason
    assert took < 15  # the servers go on for 30 s; requests' per-read timeout alone never fires on a drip


def test_huge_body_is_read_only_up_to_the_cap(server: FixtureServer) -> None:
    server.routes["/huge"] = huge_body
    started = time.monotonic()
    result = check(server.url("/huge#absent"), max_body_bytes=256 * 1024)
    assert result.status is OK and result.body_bytes == 256 * 1024
    assert time.monotonic() - started < 20


def test_compression_bomb_inflates_only_up_to_the_cap(server: FixtureServer) -> None:
    server.routes["/bomb"] = gzip_bomb
    tracemalloc.start()
    try:
        result = check(server.url("/bomb#absent"), max_body_bytes=1024 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.status is OK and result.body_bytes == 1024 * 1024
    assert peak < 48 * 1024 * 1024  # the body inflates to 100 MiB


# -- network failures ----------------------------------------------------------------------------

def test_connection_reset_is_transient_after_retries(server: FixtureServer) -> None:
    server.routes["/reset"] = reset_connection
    result = check(server.url("/reset"), retries=1)
    assert result.status is TRANSIENT and result.error_kind is ErrorKind.RESET
    assert result.attempts == 2 and len(server.log) == 2


def test_connection_refused_is_broken() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.5", 0))
        port = probe.getsockname()[1]
    result = check(f"http://127.0.0.5:{port}/")
    assert result.status is BROKEN and result.error_kind is ErrorKind.REFUSED


def _fake_resolver(monkeypatch: pytest.MonkeyPatch, host: str, errno_: int) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(name, *args, **kwargs):
        if name == host:
            raise socket.gaierror(errno_, "fake resolver")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_unknown_host_is_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_resolver(monkeypatch, "gone.aigc-test", socket.EAI_NONAME)
    result = check("http://gone.aigc-test/paper")
    assert result.status is BROKEN and result.error_kind is ErrorKind.DNS


def test_resolver_failure_for_now_is_transient(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_resolver(monkeypatch, "flaky.aigc-test", socket.EAI_AGAIN)
    result = check("http://flaky.aigc-test/", retries=1)
    assert result.status is TRANSIENT and result.error_kind is ErrorKind.DNS_TEMPORARY and result.attempts == 2


def test_tls_to_a_plain_http_server_is_broken(server: FixtureServer) -> None:
    result = check(f"https://127.0.0.2:{server.port}/")
    assert result.status is BROKEN and result.error_kind is ErrorKind.TLS


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.4", "-addext", "subjectAltName=IP:127.0.0.4"],
                   check=True, capture_output=True)
    return cert, key


def test_unverifiable_certificate_is_blocked_not_broken(servers, self_signed: tuple[Path, Path]) -> None:
    tls = servers("127.0.0.4")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed)
    tls._server.socket = context.wrap_socket(tls._server.socket, server_side=True)
    result = check(f"https://127.0.0.4:{tls.port}/")
    assert result.status is BLOCKED and result.error_kind is ErrorKind.TLS_VERIFY, result.reason


# -- bad URLs never stop the run -----------------------------------------------------------------

BAD_URLS = ["http://exa mple.com/", "http://a..b/", "http://.example.org/", "http://[::1/", "ftp://files.org/x",
            "mailto:someone@example.org", "https://", "http://host.org:99999/", "javascript:alert(1)",
            "http://user:pw@host.org/", "not a url at all", "http://\u00e9..com/"]


def test_malformed_urls_are_invalid_each_and_the_run_goes_on(server: FixtureServer) -> None:
    targets = [LinkTarget(u, u) for u in [*BAD_URLS, server.url("/fine")]]
    with Checker(fast_settings()) as checker:
        results = {r.url: r for r in checker.check(targets)}
    assert all(results[u].status is INVALID for u in BAD_URLS), {u: results[u].reason for u in BAD_URLS}
    assert results[server.url("/fine")].status is OK


@pytest.mark.parametrize("url", ["http://a..b/", "http://\u00e9..com/", "http://[::1/"])
def test_errors_that_escape_requests_are_caught_by_the_fetch_itself(url: str) -> None:
    # Bypass the pre-check: the fetch must survive urllib3's and the idna codec's ValueErrors.
    with Checker(fast_settings()) as checker:
        verdict, fetched = checker._attempt(LinkTarget(url, url))
    assert isinstance(fetched.error, ValueError)
    assert verdict.status is INVALID and verdict.error_kind is ErrorKind.INVALID_URL


# -- safety --------------------------------------------------------------------------------------

def test_private_addresses_are_refused_by_default(server: FixtureServer) -> None:
    result = check(server.url("/"), allow_private=False)
    assert result.status is INVALID and result.error_kind is ErrorKind.ADDRESS_REFUSED
    assert "loopback" in result.reason
    assert server.log == []


def test_private_address_is_refused_after_a_redirect_hop(servers) -> None:
    public, private = servers("127.0.0.2"), servers("127.0.0.3")
    public.routes["/a"] = lambda r: r.redirect(302, private.url("/secret"))
    policy = AddressPolicy(allow_private=False, allowed=frozenset({"127.0.0.2"}))
    with Checker(fast_settings(allow_private=False), policy=policy) as checker:
        result = checker.check_one(public.url("/a"))
    assert result.status is INVALID and result.error_kind is ErrorKind.ADDRESS_REFUSED
    assert [e.path for e in public.log] == ["/a"] and private.log == []


def test_project_user_agent_is_sent(server: FixtureServer) -> None:
    check(server.url("/"))
    assert server.log[0].headers["user-agent"].startswith("aigc-resources-linkcheck/")


def test_cookies_of_one_url_never_reach_another(server: FixtureServer) -> None:
    def set_cookie(r):
        if "session=1" in r.headers.get("Cookie", ""):
            r.page("In")
        else:
            r.send(302, "", headers={"Location": "/login-flow", "Set-Cookie": "session=1; Path=/"})
    server.routes["/login-flow"] = set_cookie
    with Checker(fast_settings(max_concurrency=1)) as checker:
        first = checker.check_one(server.url("/login-flow"))
        second = checker.check_one(server.url("/plain"))
    assert first.status is OK  # the jar works within one URL's redirect chain
    assert second.status is OK and "cookie" not in server.requests_to("/plain")[0].headers


def test_failures_do_not_leak_into_other_results(server: FixtureServer) -> None:
    server.routes["/reset"] = reset_connection
    server.routes["/slow"] = never_answer
    server.routes["/404"] = lambda r: r.page("Nope", status=404)
    paths = ["/reset", "/slow", "/404"] * 3 + [f"/ok{i}" for i in range(12)]
    with Checker(fast_settings(timeout=1.5, per_host=8)) as checker:
        results = {r.url: r for r in checker.check([LinkTarget(server.url(p), server.url(p)) for p in paths])}
    for i in range(12):
        assert results[server.url(f"/ok{i}")].status is OK, results[server.url(f"/ok{i}")].reason


def test_a_bug_on_one_url_is_reported_and_the_others_are_checked(server: FixtureServer,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import aigc_resources.linkcheck.check as check_module

    real = check_module.classify

    def buggy(fetched, *args, **kwargs):
        if fetched.url.endswith("/bug"):
            raise RuntimeError("boom")
        return real(fetched, *args, **kwargs)

    monkeypatch.setattr(check_module, "classify", buggy)
    with Checker(fast_settings()) as checker:
        results = {r.url: r for r in checker.check([LinkTarget(server.url(p), p) for p in ("/bug", "/fine")])}
    bug = results[server.url("/bug")]
    assert bug.error_kind is ErrorKind.UNEXPECTED and "RuntimeError: boom" in bug.detail
    assert results[server.url("/fine")].status is OK


def test_threads_end_after_a_run(server: FixtureServer) -> None:
    before = threading.active_count()
    with Checker(fast_settings()) as checker:
        checker.check([LinkTarget(server.url(f"/{i}"), str(i)) for i in range(10)])
    deadline = time.monotonic() + 10
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before
