"""`aigc-resources new`: page metadata over HTTP (a local server on 127.0.0.1), the safety
limits of that fetch, and entries written so that they read back exactly and validate."""

from __future__ import annotations

import datetime as dt
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from aigc_resources.authoring import Draft, render_entry, slugify
from aigc_resources.fsutil import atomic_create
from aigc_resources.catalog import load_catalog
from aigc_resources.cli import main
from aigc_resources.pagemeta import FetchError, FetchPolicy, address_refusal, fetch_page_metadata, parse_metadata
from aigc_resources.schema import ENTRY_SCHEMA_COMMENT
from aigc_resources.yamlio import LoadedDocument, load_yaml_text

ARXIV_PAGE = """<!DOCTYPE html><html><head>
<title>[1706.03762] Attention Is All You Need</title>
<meta name="citation_title" content="Attention Is All You Need" />
<meta name="citation_author" content="Vaswani, Ashish" />
<meta name="citation_author" content="Shazeer, Noam" />
<meta name="citation_date" content="2017/06/12" />
<meta name="citation_arxiv_id" content="1706.03762" />
<meta property="og:description" content="The dominant sequence transduction models are based on complex recurrent or convolutional neural networks." />
</head><body>abstract</body></html>"""

OG_PAGE = """<html><head><title>Fallback title</title>
<meta property="og:title" content="A Course on Diffusion &amp; Flows">
<meta name="description" content="Lessons on diffusion models and flow matching, with notebooks and exercises.">
</head></html>"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server hook
        path = self.path
        if path == "/arxiv":
            self.send(200, ARXIV_PAGE.encode())
        elif path == "/og":
            self.send(200, OG_PAGE.encode())
        elif path == "/gbk":
            self.send(200, '<html><head><meta charset="gbk"><title>注意力机制入门</title></head></html>'.encode("gbk"),
                      content_type="text/html")
        elif path == "/redirect":
            self.send(302, b"", Location="/og")
        elif path == "/loop":
            self.send(302, b"", Location="/loop")
        elif path == "/pdf":
            self.send(200, b"%PDF-1.4", content_type="application/pdf")
        elif path == "/missing":
            self.send(404, b"not here")
        elif path == "/big":
            head = b'<html><head><meta property="og:title" content="Early title">'
            self.send(200, head + b" " * (512 * 1024) + b'<meta name="description" content="Past the cap.">')
        elif path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(40):  # bounded: at most ~10 s
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.25)
            except OSError:
                pass
        else:
            self.send(404, b"")


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


ALLOW = FetchPolicy(allow_private=True, connect_timeout=2, read_timeout=2, deadline=5)


def test_arxiv_page_gives_title_authors_year_and_id(server):
    meta = fetch_page_metadata(f"{server}/arxiv", ALLOW)
    assert meta.title == "Attention Is All You Need"
    assert meta.authors == ["Ashish Vaswani", "Noam Shazeer"]
    assert (meta.year, meta.arxiv, meta.scholarly) == (2017, "1706.03762", True)
    assert meta.description.startswith("The dominant sequence")


def test_og_page_and_redirect(server):
    meta = fetch_page_metadata(f"{server}/redirect", ALLOW)
    assert meta.title == "A Course on Diffusion & Flows" and meta.description.startswith("Lessons on")
    assert meta.url == f"{server}/redirect" and not meta.scholarly


def test_charset_from_meta(server):
    assert fetch_page_metadata(f"{server}/gbk", ALLOW).title == "注意力机制入门"


def test_loopback_is_refused_without_the_test_flag(server):
    with pytest.raises(FetchError, match="loopback address 127.0.0.1; refused"):
        fetch_page_metadata(f"{server}/arxiv")


@pytest.mark.parametrize("path, message", [
    ("/loop", "more than 5 redirects"), ("/pdf", "not an HTML page"), ("/missing", "HTTP 404"),
])
def test_fetch_failures(server, path, message):
    with pytest.raises(FetchError, match=message):
        fetch_page_metadata(f"{server}{path}", ALLOW)


def test_byte_cap(server):
    meta = fetch_page_metadata(f"{server}/big", FetchPolicy(allow_private=True, max_bytes=64 * 1024))
    assert meta.title == "Early title" and meta.description == ""  # the tag after the cap was never read


def test_total_deadline_cuts_a_dripping_server(server):
    """The server drips one byte every 0.25 s for 10 s, never tripping the read timeout; the
    total deadline shuts the socket and the fetch fails (without it, it returned the spaces)."""
    with pytest.raises(FetchError, match="longer than 1 s"):
        fetch_page_metadata(f"{server}/slow", FetchPolicy(allow_private=True, read_timeout=5, deadline=1))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "https://user:pw@example.org/"])
def test_unacceptable_urls_are_not_fetched(url):
    with pytest.raises(FetchError, match="cannot fetch"):
        fetch_page_metadata(url)


@pytest.mark.parametrize("address, refused", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("100.64.0.1", "non-global"),
    ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"), ("::ffff:127.0.0.1", "loopback"),
    ("fc00::1", "private"), ("93.184.216.34", None), ("2606:4700::1111", None),
])
def test_address_policy(address, refused):
    assert address_refusal(address) == refused


def test_malformed_html_never_raises():
    meta = parse_metadata(b"<html><head><title>Half <meta name=description content='x", "https://e.org")
    assert meta.url == "https://e.org"


def test_slugify():
    assert slugify("Attention Is All You Need") == "attention-is-all-you-need"
    assert slugify("Über GANs: a (short) tour!") == "uber-gans-a-short-tour"
    assert slugify("注意力机制") == ""
    assert len(slugify("word " * 40)) <= 80


@pytest.mark.parametrize("title", ["1.10", "no", "2024-01-01", "A: colon", "# hash", "'quoted'", "[brackets]",
                                   "null", "Emoji 🤗 and 中文", "-dash", "@at", "%percent", "tab\tinside"])
def test_written_values_read_back_exactly(title):
    draft = Draft(id="x", title=title, url="https://example.org/x", type="paper", level="beginner",
                  topics=["attention", "a, b"], languages=["en"], access="free", authors=["O'Brien, Pat", "no"],
                  year=2020, arxiv="1706.03762", description="A: " + "word " * 20 + "- not a list",
                  description_zh="中文：" + "描述" * 10)
    text = render_entry(draft, dt.date(2026, 1, 1))
    doc = load_yaml_text(text, LoadedDocument(path="x.yaml"))
    assert [d.code for d in doc.diagnostics if d.code != "E-YAML-TAB"] == []
    data = doc.data
    assert data["title"] == " ".join(title.split())
    assert data["topics"] == ["attention", "a, b"] and data["authors"] == ["O'Brien, Pat", "no"]
    assert data["description"] == "A: " + " ".join(("word " * 20).split()) + " - not a list"
    assert data["arxiv"] == "1706.03762" and data["added"] == dt.date(2026, 1, 1)


def test_atomic_create_never_replaces(tmp_path):
    target = tmp_path / "a" / "x.yaml"
    atomic_create(target, b"first")
    with pytest.raises(FileExistsError):
        atomic_create(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in target.parent.iterdir()] == ["x.yaml"]  # no temporary file left


NEW = ["--type", "paper", "--level", "intermediate", "--topic", "attention", "--modality", "text",
       "--no-input", "--today", "2026-11-29"]


def run_new(root: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["new", "--catalog", str(root), *args], input=input)


def test_new_from_url_writes_a_valid_entry(server, tmp_catalog):
    root = tmp_catalog()
    result = run_new(root, "--from-url", f"{server}/arxiv", "--allow-private-addresses", "--url",
                     "https://arxiv.org/abs/1706.03762v1", *NEW,
                     "--description-zh", "提出 Transformer 的论文，只用注意力完成序列转换。")
    # The arXiv URL duplicates the good fixture transformer-paper: refused, nothing written.
    assert result.exit_code == 2, result.output
    assert "E-URL-DUPLICATE" in result.output and "not written" in result.output
    assert not (root / "resources" / "paper" / "attention-is-all-you-need.yaml").exists()

    result = run_new(root, "--from-url", f"{server}/arxiv", "--allow-private-addresses", *NEW,
                     "--description-zh", "提出 Transformer 的论文，只用注意力完成序列转换。")
    assert result.exit_code == 0, result.output
    path = root / "resources" / "paper" / "attention-is-all-you-need.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(ENTRY_SCHEMA_COMMENT + "\n")
    assert "authors: [Ashish Vaswani, Noam Shazeer]" in text and "year: 2017" in text
    assert "# Taken from the page's own description: rewrite it" in text
    assert "rewrite it in your own words" in result.output
    # The page's URL is on the loopback test server: valid only where private hosts are allowed
    # (as `new` was told to); `validate` refuses exactly that.
    report = load_catalog(root, today=dt.date(2026, 11, 29), allow_private_hosts=True)
    assert [d.format() for d in report.diagnostics if d.path.endswith(path.name)] == []
    assert report.catalog.get("attention-is-all-you-need") is not None
    published = load_catalog(root, today=dt.date(2026, 11, 29))
    assert [(d.code, d.field) for d in published.diagnostics if d.path.endswith(path.name)] == [
        ("E-URL-PRIVATE-HOST", "url")]

    again = run_new(root, "--from-url", f"{server}/arxiv", "--allow-private-addresses", *NEW)
    assert again.exit_code == 3 and "already exists" in again.output
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("url", ["http://localhost:8000/x", "http://192.168.1.1/", "http://printer.local/",
                                 "http://intranet/"])
def test_new_refuses_a_private_host_url_without_the_flag(tmp_catalog, url):
    root = tmp_catalog()
    result = run_new(root, "--url", url, "--id", "private-page", "--title", "A page on a private host",
                     "--description", "A description that is long enough to pass the length rule of the catalog.",
                     "--description-zh", "一段足够长的中文描述，用来通过长度检查。", "--year", "2020", *NEW)
    assert result.exit_code == 2 and "E-URL-PRIVATE-HOST" in result.output and "public address" in result.output
    assert "not written" in result.output and not (root / "resources" / "paper" / "private-page.yaml").exists()


def test_new_refuses_loopback_without_the_flag(server, tmp_catalog):
    result = run_new(tmp_catalog(), "--from-url", f"{server}/arxiv", *NEW)
    assert result.exit_code == 3 and "refused" in result.output


def test_new_without_input_names_what_is_missing(tmp_catalog):
    result = run_new(tmp_catalog(), "--type", "paper", "--no-input")
    assert result.exit_code == 3
    for option in ("--title", "--url", "--level", "--topic", "--year", "--description"):
        assert option in result.output


def test_new_with_a_bad_value_writes_nothing(tmp_catalog):
    root = tmp_catalog()
    result = run_new(root, "--title", "Some Paper", "--url", "https://example.org/p?utm_source=x", "--year", "2020",
                     "--description", "A description long enough to pass the length rule of the catalog.",
                     "--type", "paper", "--level", "beginner", "--topic", "atention", "--no-input")
    assert result.exit_code == 2
    assert "E-URL-TRACKING" in result.output and "E-TAXONOMY-UNKNOWN" in result.output and "did you mean `attention`" in result.output
    assert not (root / "resources" / "paper" / "some-paper.yaml").exists()


def test_new_asks_for_missing_values(tmp_catalog):
    root = tmp_catalog()
    answers = "\n".join([
        "course",                                 # type
        "A Gentle Course",                        # title
        "not a url",                              # url: refused, asked again
        "https://example.org/gentle",             # url
        "beginner",                               # level
        "diffusion-models",                       # topics
        "image",                                  # modalities
        "free",                                   # access
        "Too short.",                             # description: refused, asked again
        "A gentle course on diffusion models, from noise schedules to sampling, with exercises.",
        "一门循序渐进的扩散模型课程，从加噪到采样，配有练习。",
    ]) + "\n"
    result = run_new(root, "--today", "2026-11-29", input=answers)
    assert result.exit_code == 0, result.output
    data = load_yaml_text((root / "resources" / "course" / "a-gentle-course.yaml").read_text(encoding="utf-8"),
                          LoadedDocument(path="x")).data
    assert data["url"] == "https://example.org/gentle" and data["topics"] == ["diffusion-models"]
    assert data["modalities"] == ["image"] and data["description_zh"].startswith("一门")


def test_new_refuses_an_id_the_validator_refuses_as_a_file_name(tmp_catalog):
    """`con.yaml` (a Windows device name) was written, then failed `validate` with E-FILE-NAME."""
    root = tmp_catalog()
    result = run_new(root, "--id", "con", "--title", "Some Paper", "--url", "https://example.org/con", "--year", "2020",
                     "--description", "A description long enough to pass the length rule of the catalog.",
                     "--description-zh", "一段足够长的中文描述，用来通过长度检查，没有问题。",
                     "--type", "paper", "--level", "beginner", "--topic", "attention", "--access", "free", "--no-input")
    assert result.exit_code == 2, result.output
    assert "E-FILE-NAME id: `con.yaml` is a device name on Windows" in result.output
    assert not (root / "resources" / "paper" / "con.yaml").exists()
