"""URL rules and canonical URLs (shared by the validator and the link checker)."""

from __future__ import annotations

import pytest

from aigc_resources.urls import arxiv_id_of_url, canonical_url, private_host_problem, url_problems


@pytest.mark.parametrize("url", [
    "https://arxiv.org/abs/1706.03762",
    "http://example.org",
    "https://例子.测试/path",
    "https://[2001:db8::1]:8443/x",
    "https://example.org/search?q=a+b&page=2#frag",
])
def test_good_urls(url):
    assert url_problems(url) == []


@pytest.mark.parametrize("url, code", [
    ("javascript:alert(1)", "E-URL-SCHEME"),
    ("data:text/html,<b>x</b>", "E-URL-SCHEME"),
    ("file:///etc/passwd", "E-URL-SCHEME"),
    ("ftp://example.org/x", "E-URL-SCHEME"),
    ("//example.org/x", "E-URL-INVALID"),
    ("example.org/x", "E-URL-INVALID"),
    ("https://", "E-URL-INVALID"),
    ("https://a..b/x", "E-URL-INVALID"),
    ("https://-bad-.org/", "E-URL-INVALID"),
    ("https://user:pw@example.org/", "E-URL-CREDENTIALS"),
    ("https://example.org/a b", "E-URL-WHITESPACE"),
    ("https://example.org/\tx", "E-URL-WHITESPACE"),
    ("https://example.org/?utm_source=x", "E-URL-TRACKING"),
    ("https://example.org/?a=1&fbclid=abc", "E-URL-TRACKING"),
    ("https://example.org:99999/", "E-URL-INVALID"),
    ("https://[::1/", "E-URL-INVALID"),
])
def test_bad_urls(url, code):
    assert code in [c for c, _ in url_problems(url)]


@pytest.mark.parametrize("a, b", [
    ("http://arxiv.org/abs/1706.03762", "https://arxiv.org/pdf/1706.03762v5"),
    ("https://arxiv.org/abs/1706.03762v2", "https://arxiv.org/pdf/1706.03762.pdf"),
    ("https://www.Example.org/a/", "https://example.org/a"),
    ("https://example.org:443/a", "https://example.org/a"),
    ("http://example.org:80/a", "https://example.org/a#section"),
    ("https://github.com/HuggingFace/Transformers", "https://github.com/huggingface/transformers.git"),
    ("https://example.org/?b=2&a=1", "https://example.org/?a=1&b=2&utm_medium=x"),
    # Share parameters a list copies from the browser (the importer drafted catalog entries twice):
    ("https://www.bilibili.com/video/BV14c411J7f2/", "https://www.bilibili.com/video/BV14c411J7f2/?vd_source=a42"),
    ("https://www.bilibili.com/video/BV1Re4y1s7uV/?p=1", "https://bilibili.com/video/BV1Re4y1s7uV?spm_id_from=333&p=1"),
    ("https://github.com/ianarawjo/ChainForge", "https://github.com/ianarawjo/ChainForge?tab=readme-ov-file"),
    ("https://youtu.be/i_LwzRVP7bg", "https://www.youtube.com/watch?v=i_LwzRVP7bg&si=abc"),
    ("https://youtu.be/i_LwzRVP7bg?t=5", "https://m.youtube.com/watch?t=5&v=i_LwzRVP7bg&feature=shared"),
])
def test_same_resource_same_key(a, b):
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize("a, b", [
    ("https://arxiv.org/abs/1706.03762", "https://arxiv.org/abs/1706.03763"),
    ("https://example.org/a", "https://example.org/A"),  # paths are case-sensitive (RFC 3986 §6.2.2.1)
    ("https://github.com/a/b/issues", "https://github.com/a/b"),
    ("https://example.org:8080/a", "https://example.org/a"),
    ("https://www.bilibili.com/video/BV1Re4y1s7uV/?p=1", "https://www.bilibili.com/video/BV1Re4y1s7uV/?p=2"),
    ("https://example.org/?si=1", "https://example.org/"),  # share names matter only on their site
    ("https://github.com/a/b?tab=issues", "https://github.com/a/b"),
    ("https://youtu.be/abc", "https://youtu.be/abd"),
])
def test_different_resources_differ(a, b):
    assert canonical_url(a) != canonical_url(b)


def test_canonical_never_raises():
    assert canonical_url("https://[::1/") == "https://[::1/"


@pytest.mark.parametrize("url, named", [
    ("https://ARXIV.org/abs/1706.03762v2", "1706.03762"),
    ("http://www.ArXiv.org/html/2401.00001", "2401.00001"),
    ("https://export.arxiv.org/pdf/1706.03762.pdf", "1706.03762"),
    ("https://example.org/arxiv/abs/1706.03762", None),
    ("https://github.com/example/repo", None),
])
def test_arxiv_id_of_url_any_case_of_the_host(url, named):
    """The quick "no arXiv here" test before parsing must not miss an upper-case host."""
    assert arxiv_id_of_url(url) == named


@pytest.mark.parametrize("url, named", [
    ("http://localhost:8000/x", "localhost"),
    ("http://LOCALHOST./x", "localhost is a special-use name"),
    ("http://app.localhost/", ".localhost"),
    ("http://127.0.0.1/", "loopback"),
    ("http://127.1/", "loopback address (127.0.0.1)"),  # the shorthand a browser reads as 127.0.0.1
    ("http://0x7f.0.0.1/", "loopback"),
    ("http://2130706433/", "loopback"),
    ("http://192.168.1.1/", "private"),
    ("http://10.0.0.5/", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("http://0.0.0.0/", "is an unspecified address"),
    ("http://100.64.0.1/", "non-global"),  # shared address space, RFC 6598
    ("http://224.0.0.1/", "multicast"),
    ("http://[::1]/", "[::1] is a loopback address"),
    ("http://[fd00::1]:8080/", "private"),
    ("http://[fe80::1%25eth0]/", "link-local"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://printer.local/", ".local"),
    ("http://intranet/", "single-label"),
    ("https://wiki.corp.internal/page", ".internal"),
    ("http://nas.lan/", ".lan"),
    ("http://router.home.arpa/", ".home.arpa"),
    ("https://site.test/", ".test"),
    ("https://nowhere.invalid/", ".invalid"),
    ("https://docs.example/", ".example"),
])
def test_private_hosts_are_named(url, named):
    problem = private_host_problem(url)
    assert problem and named in problem, problem
    assert url_problems(url) == []  # well formed: the private-host rule is a separate judgement


@pytest.mark.parametrize("url", [
    "https://arxiv.org/abs/1706.03762",
    "https://example.com/",  # RFC 2606 documentation domains are real public sites
    "https://www.example.org/x",
    "https://localhost.example.com/",  # only the name localhost and names under it are local
    "https://local.github.io/",
    "https://8.8.8.8/",
    "https://[2606:4700:4700::1111]/",
    "https://例子.中国/",
    "https://github.com./owner/repo",  # a trailing dot is the same public host
    "https://1.2.3.4.5/",  # not an address, and not a name a reader could be kept from
    "not a url",
    "http://",
])
def test_public_or_unjudged_hosts_pass(url):
    assert private_host_problem(url) is None


def test_validator_refuses_private_hosts_unless_told_to_allow_them(tmp_path):
    """`validate` and `build` load with the default; only `check-links --allow-private` and
    `new --allow-private-addresses` pass allow_private_hosts (tests' loopback servers)."""
    import datetime as dt

    from aigc_resources.rules import check_entry
    from aigc_resources.yamlio import LoadedDocument, load_yaml_text

    text = ("id: x\nurl: http://127.0.0.1:8000/x\nlinks:\n  code: http://nas.lan/repo\n"
            "description: See [the demo](http://10.0.0.5/demo) for more.\n")
    path = tmp_path / "paper" / "x.yaml"
    found = {}
    for allow in (False, True):
        doc = load_yaml_text(text, LoadedDocument(path="x.yaml"))
        check_entry(doc, path, None, today=dt.date(2026, 1, 1), allow_private_hosts=allow)
        mine = [d for d in doc.diagnostics if d.code in ("E-URL-PRIVATE-HOST", "E-TEXT-LINK")]
        assert all("public address" in d.hint for d in mine), [d.hint for d in mine]
        found[allow] = sorted((d.code, d.field) for d in mine)
    assert found[False] == [("E-TEXT-LINK", "description"), ("E-URL-PRIVATE-HOST", "links.code"),
                            ("E-URL-PRIVATE-HOST", "url")]
    assert found[True] == []
