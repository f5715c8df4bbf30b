"""``check-links`` and ``link-report`` through the CLI, in-process: outputs, exit codes, --fix."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from aigc_resources.cli import main
from aigc_resources.linkcheck.history import History
from aigc_resources.linkcheck.result import LinkResult, LinkStatus

from .conftest import make_catalog
from .test_learning import GOOD_CONCEPT
from .linkcheck_support import FixtureServer, server, servers  # noqa: F401


def assert_valid_but_for_loopback(catalog: Path) -> None:
    """The catalog is valid as the link checker loads it under --allow-private; `validate`,
    which never allows private hosts, refuses only the test servers' 127.0.0.x URLs."""
    from aigc_resources.catalog import load_catalog

    assert not load_catalog(catalog, allow_private_hosts=True).failed(strict=False)
    result = CliRunner().invoke(main, ["validate", "--catalog", str(catalog)])
    codes = {line.split(": ")[1].split()[0] for line in result.output.splitlines() if ": E-" in line}
    assert result.exit_code == 2 and codes == {"E-URL-PRIVATE-HOST"}, result.output

JSON_KEYS = {"url", "status", "http_status", "final_url", "reason", "elapsed_ms", "attempts", "origins"}


def entry(entry_id: str, url: str, extra: str = "") -> str:
    return (f"# An entry written by a person, with comments.\nid: {entry_id}\ntitle: Entry {entry_id}\n"
            f"url: {url}\n{extra}type: library\ntopics: [attention]\nlevel: advanced\nlanguages: [en]\n"
            "access: free\ndescription: A library used only by the link-checker tests, long enough to pass.\n"
            "description_zh: 仅供链接检查测试使用的代码库，描述足够长。\nadded: 2026-03-01\n")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder as the working directory (its own pyproject.toml and history)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check-links", "--allow-private", "--min-interval", "0", "--retries", "0",
                                       *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_url_file_json_output_and_exit_codes(server: FixtureServer, project: Path) -> None:
    server.routes["/gone"] = lambda r: r.page("Gone", status=404)
    urls = project / "urls.txt"
    urls.write_text(f"# links to check\n{server.url('/fine')}\n\n{server.url('/gone')}\n{server.url('/fine')}\n",
                    encoding="utf-8")
    code, out, err = run("--url-file", str(urls), "--format", "json")
    assert code == 2  # a URL file fails on any broken URL by default
    results = {r["url"]: r for r in json.loads(out)}
    assert all(set(r) == JSON_KEYS for r in results.values())
    fine, gone = results[server.url("/fine")], results[server.url("/gone")]
    assert (fine["status"], fine["http_status"], fine["attempts"]) == ("ok", 200, 1)
    assert [(o["line"], o["field"]) for o in fine["origins"]] == [(2, "url"), (5, "url")]  # checked once
    assert gone["status"] == "broken" and gone["reason"] == "404 Not Found"
    assert server.counts == {"/fine": 1, "/gone": 1}
    assert "[1/2]" in err and "[2/2]" in err  # plain progress lines when not on a terminal
    urls.write_text(server.url("/fine") + "\n", encoding="utf-8")
    assert run("--url-file", str(urls), "--no-cache")[0] == 0


def test_catalog_run_reports_every_origin_and_fails_only_when_persistently_broken(servers, project: Path) -> None:
    site = servers("127.0.0.2")
    site.routes["/dead"] = lambda r: r.page("Gone", status=404)
    shared = site.url("/shared-repo")
    catalog = make_catalog(project / "catalog", {
        "library/one.yaml": entry("one", site.url("/one"), f"links:\n  code: {shared}\n"),
        "library/two.yaml": entry("two", site.url("/dead"), f"links:\n  code: {shared}\n"),
    }, good=False)
    code, out, _ = run("--catalog", str(catalog), "--format", "json")
    assert code == 0  # broken once: a scheduled run does not fail yet
    results = {r["url"]: r for r in json.loads(out)}
    assert [(o["path"].endswith("one.yaml"), o["line"], o["field"]) for o in results[shared]["origins"]] == [
        (True, 6, "links.code"), (False, 6, "links.code")]
    assert results[site.url("/dead")]["origins"][0]["line"] == 4
    # The history says it was broken 21 hours ago too: now the run fails.
    with History(project / ".linkcheck" / "history.sqlite") as history:
        key = site.url("/dead")
        earlier = history.observations([key])[key][0]
        run_id = history.start_run("catalog", 1, at=earlier.checked_at - 21 * 3600)
        history.record(run_id, LinkResult(key, key, LinkStatus.BROKEN, "404", 404,
                                          checked_at=earlier.checked_at - 21 * 3600))
    code, out, _ = run("--catalog", str(catalog), "--format", "text")
    assert code == 2 and "FAIL broken" in out and "broken on 3 consecutive checks" in out


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@t", *args], check=True,
                   capture_output=True)


def test_changed_since_checks_only_changed_entries_and_fails_at_once(server: FixtureServer, project: Path) -> None:
    server.routes["/dead"] = lambda r: r.page("Gone", status=404)
    catalog = make_catalog(project / "catalog", {"library/old.yaml": entry("old", server.url("/old"))}, good=False)
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-qm", "base")
    (catalog / "resources/library/new.yaml").write_text(entry("new", server.url("/dead")), encoding="utf-8")
    code, out, _ = run("--catalog", str(catalog), "--changed-since", "HEAD", "--format", "github")
    assert code == 2
    assert server.counts == {"/dead": 1}  # the unchanged entry was not checked
    assert "::error file=catalog/resources/library/new.yaml,line=4,title=broken link (fails the run)::" in out
    code, _, err = run("--catalog", str(catalog), "--changed-since", "no-such-ref")
    assert code == 3 and "unknown git ref" in err


def test_markdown_and_junit_reports(server: FixtureServer, project: Path) -> None:
    server.routes["/gone"] = lambda r: r.page("Gone", status=404)
    server.routes["/wall"] = lambda r: r.send(403, "x", headers={"cf-mitigated": "challenge"})
    urls = project / "urls.txt"
    urls.write_text("\n".join(server.url(p) for p in ("/fine", "/gone", "/wall")) + "\n", encoding="utf-8")
    code, out, _ = run("--url-file", str(urls), "--format", "markdown")
    assert code == 2 and out.startswith("## Link check") and "| ❌ | broken | 404 |" in out
    assert "| blocked | 1 |" in out
    report = project / "report.xml"
    code, out, _ = run("--url-file", str(urls), "--format", "junit", "--output", str(report), "--no-cache")
    assert code == 2 and out == ""
    suite = ET.parse(report).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")


def test_exclusions_from_pyproject_carry_their_reason(server: FixtureServer, project: Path) -> None:
    (project / "pyproject.toml").write_text(
        "[tool.aigc-resources.linkcheck]\nmax-concurrency = 2\n"
        "[[tool.aigc-resources.linkcheck.exclude]]\npattern = '/private/'\nreason = 'behind a login on purpose'\n",
        encoding="utf-8")
    urls = project / "urls.txt"
    urls.write_text(server.url("/private/page") + "\n", encoding="utf-8")
    code, out, _ = run("--url-file", str(urls), "--format", "json")
    result = json.loads(out)[0]
    assert code == 0 and result["status"] == "excluded" and "behind a login on purpose" in result["reason"]
    assert server.log == []


@pytest.mark.parametrize("args,config,message", [
    (["--max-concurrency", "0"], "", "max-concurrency: must be at least 1"),
    (["--timeout", "abc"], "", "is not a valid float"),
    ([], "[tool.aigc-resources.linkcheck]\nper-host = 'many'\n", "per-host: expected a whole number"),
    ([], "[[tool.aigc-resources.linkcheck.exclude]]\npattern = 'x'\n", "`reason` is missing"),
    (["--url-file", "missing.txt"], "", "URL file not found"),
    (["--config", "nope.toml"], "", "configuration file not found"),
    (["--catalog", "no-catalog"], "", "catalog folder not found"),
])
def test_usage_and_config_errors_exit_3(project: Path, args: list[str], config: str, message: str) -> None:
    (project / "pyproject.toml").write_text(config, encoding="utf-8")
    code, out, err = run(*args)
    assert code == 3 and message in out + err


def test_history_file_that_is_not_a_database_exits_3(project: Path) -> None:
    (project / "junk.sqlite").write_bytes(b"junk" * 1000)
    (project / "urls.txt").write_text("", encoding="utf-8")
    code, _, err = run("--url-file", "urls.txt", "--history", "junk.sqlite")
    assert code == 3 and "not a link-check history database" in err


FIXABLE = """# yaml-language-server: $schema=../../../schema/resource.schema.json
id: movable
title: Movable   # the title
url: "{old}"  # moved in 2026, keep this comment
type: library
topics: [attention]
level: advanced
languages: [en]
access: free
links:
  code: {old_code}
description: A library used only by the link-checker tests, long enough to pass.
description_zh: 仅供链接检查测试使用的代码库，描述足够长。
added: 2026-03-01
"""


def test_fix_rewrites_only_the_url_on_its_line_and_revalidates(servers, project: Path) -> None:
    site = servers("127.0.0.2")
    site.routes["/old"] = lambda r: r.redirect(301, "/new")
    site.routes["/old-code"] = lambda r: r.redirect(308, "/code?utm_source=redirect")  # would break validation
    before = FIXABLE.format(old=site.url("/old"), old_code=site.url("/old-code"))
    catalog = make_catalog(project / "catalog", {"library/movable.yaml": before}, good=False)
    path = catalog / "resources/library/movable.yaml"
    code, out, _ = run("--catalog", str(catalog), "--fix")
    assert code == 0
    after = path.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [(f'url: "{site.url("/old")}"  # moved in 2026, keep this comment',
                        f'url: "{site.url("/new")}"  # moved in 2026, keep this comment')]
    assert "fix: " in out and "skipped: new URL refused" in out and "tracking parameters" in out
    assert_valid_but_for_loopback(catalog)


def test_fix_restores_a_file_that_no_longer_validates(servers, project: Path) -> None:
    site = servers("127.0.0.2")
    site.routes["/moved"] = lambda r: r.redirect(301, "/taken")
    catalog = make_catalog(project / "catalog", {
        "library/first.yaml": entry("first", site.url("/taken")),
        "library/second.yaml": entry("second", site.url("/moved")),
    }, good=False)
    path = catalog / "resources/library/second.yaml"
    before = path.read_text(encoding="utf-8")
    code, out, _ = run("--catalog", str(catalog), "--fix")
    assert path.read_text(encoding="utf-8") == before
    assert "re-validation failed, file restored" in out and "E-URL-DUPLICATE" in out


def test_fix_needs_the_catalog(project: Path) -> None:
    (project / "urls.txt").write_text("", encoding="utf-8")
    code, _, err = run("--url-file", "urls.txt", "--fix")
    assert code == 3 and "--fix" in err


def test_link_report_lists_broken_links_longest_first(project: Path) -> None:
    db = project / "h.sqlite"
    with History(db) as history:
        for url, at in [("https://new.org/broken", 2_000_000_000.0), ("https://old.org/broken", 1_900_000_000.0),
                        ("https://fine.org/", 1_950_000_000.0)]:
            run_id = history.start_run("catalog", 1, at=at)
            status = LinkStatus.OK if "fine" in url else LinkStatus.BROKEN
            history.record(run_id, LinkResult(url, url, status, "404 Not Found", 404, checked_at=at))
    result = CliRunner().invoke(main, ["link-report", "--history", str(db)])
    assert result.exit_code == 0
    assert result.stdout.index("old.org") < result.stdout.index("new.org") and "fine.org" not in result.stdout
    data = json.loads(CliRunner().invoke(main, ["link-report", "--history", str(db), "--format", "json"]).stdout)
    assert [d["url"] for d in data] == ["https://old.org/broken", "https://new.org/broken"]
    empty = CliRunner().invoke(main, ["link-report", "--history", str(project / "none.sqlite")])
    assert empty.exit_code == 0 and "no broken links" in empty.stdout


@pytest.mark.parametrize("output,message", [
    ("no-such-folder/report.md", "the folder no-such-folder does not exist"),
    ("urls.txt/report.md", "urls.txt is not a folder"),
    ("", "give a file name"),
    ("a-folder", "a-folder"),
])
def test_output_that_cannot_be_written_fails_before_any_checking(server: FixtureServer, project: Path,
                                                                 output: str, message: str) -> None:
    (project / "a-folder").mkdir()
    (project / "urls.txt").write_text(server.url("/page") + "\n", encoding="utf-8")
    code, out, err = run("--url-file", "urls.txt", "--output", output)
    assert code == 3 and message in err and "Traceback" not in out + err
    assert server.log == [] and not (project / ".linkcheck").exists()  # nothing checked, nothing recorded
    result = CliRunner().invoke(main, ["link-report", "--output", output or "", "--history", "h.sqlite"])
    assert result.exit_code == 3 and message in result.stderr


def test_empty_changed_since_is_a_usage_error_not_a_full_run(project: Path) -> None:
    catalog = make_catalog(project / "catalog", {"library/one.yaml": entry("one", "https://a.org/x")}, good=False)
    code, _, err = run("--catalog", str(catalog), "--changed-since", "")
    assert code == 3 and "--changed-since needs a git ref" in err


def test_a_valid_catalog_reports_no_skipped_files(server: FixtureServer, project: Path) -> None:
    catalog = make_catalog(project / "catalog", {"library/one.yaml": entry("one", server.url("/one"))}, good=False)
    (catalog / "concepts").mkdir()
    (catalog / "concepts/attention.yaml").write_text(GOOD_CONCEPT, encoding="utf-8")  # not an entry: not "skipped"
    assert_valid_but_for_loopback(catalog)
    code, out, _ = run("--catalog", str(catalog))
    assert code == 0 and "with errors were not checked" not in out
    (catalog / "resources/library/bad.yaml").write_text("id: bad\n", encoding="utf-8")
    code, out, _ = run("--catalog", str(catalog))
    assert "note: 1 file(s) with errors were not checked" in out


def test_link_report_on_an_unreadable_history_exits_3(project: Path) -> None:
    (project / "junk.sqlite").write_bytes(b"junk" * 1000)
    result = CliRunner().invoke(main, ["link-report", "--history", "junk.sqlite"])
    assert result.exit_code == 3 and "not a link-check history database" in result.stderr
    result = CliRunner().invoke(main, ["link-report", "--history", "none.sqlite"])
    assert result.exit_code == 0 and "no link-check history at none.sqlite yet" in result.stderr


def test_history_path_under_a_file_exits_3(project: Path) -> None:
    (project / "urls.txt").write_text("", encoding="utf-8")
    code, _, err = run("--url-file", "urls.txt", "--history", "urls.txt/h.sqlite")
    assert code == 3 and "cannot create the folder urls.txt for the history" in err


def test_url_file_from_a_windows_editor_bom_crlf_comments_and_duplicates(server: FixtureServer,
                                                                          project: Path) -> None:
    a, b = server.url("/a"), server.url("/b")
    text = f"{a}\r\n# a comment\x0cwith a form feed\r\n\r\n  {b}   # why this link is here\r\n\t{a}\t\r\n"
    (project / "urls.txt").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    code, out, _ = run("--url-file", "urls.txt", "--format", "json")
    results = {r["url"]: [o["line"] for o in r["origins"]] for r in json.loads(out)}
    assert code == 0 and results == {a: [1, 5], b: [4]}
    assert server.counts == {"/a": 1, "/b": 1}
    (project / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + f"{a}\n".encode("utf-16-le"))
    code, out, _ = run("--url-file", "utf16.txt", "--format", "json", "--no-cache")
    assert code == 0 and [r["url"] for r in json.loads(out)] == [a]


def test_url_file_with_bytes_that_are_not_utf8_names_the_line(project: Path) -> None:
    (project / "urls.txt").write_bytes(b"https://a.org/\nhttps://b.org/caf\xe9\n")
    code, _, err = run("--url-file", "urls.txt")
    assert code == 3 and "urls.txt:2: not valid UTF-8 (byte 0xe9); save the file as UTF-8" in err


def test_url_file_from_standard_input(server: FixtureServer, project: Path) -> None:
    result = CliRunner().invoke(main, ["check-links", "--allow-private", "--url-file", "-", "--format", "json"],
                                input=server.url("/in") + "\n")
    assert result.exit_code == 0
    assert [(r["url"], r["origins"][0]["path"]) for r in json.loads(result.stdout)] == [(server.url("/in"), "<stdin>")]


TRICKY = """# old address: {old} (kept as history; only values change)
id: tricky
title: Tricky
url: {old}  # moved from {old} in 2025
type: library
topics: [attention]
level: advanced
languages: [en]
access: free
links: {{code: '{old_code}', docs: "{old_code}/docs", paper: {old}}}
description: A library used only by the link-checker tests, long enough to pass.
description_zh: 仅供链接检查测试使用的代码库，描述足够长。
added: 2026-03-01
"""


def test_fix_changes_only_the_values_not_comments_nor_look_alikes_on_the_line(servers, project: Path) -> None:
    site = servers("127.0.0.2")
    site.routes["/old"] = lambda r: r.redirect(301, "/new,v2")        # a comma: unsafe plain in a flow mapping
    site.routes["/old-code"] = lambda r: r.redirect(308, "/it's-new")  # a quote inside single quotes
    before = TRICKY.format(old=site.url("/old"), old_code=site.url("/old-code"))
    catalog = make_catalog(project / "catalog", {"library/tricky.yaml": before.replace("\n", "\r\n")}, good=False)
    path = catalog / "resources/library/tricky.yaml"
    code, out, _ = run("--catalog", str(catalog), "--fix")
    assert code == 0, out
    after = path.read_bytes().decode("utf-8")
    new, new_code = site.url("/new,v2"), site.url("/it's-new")
    assert after == before.replace("\n", "\r\n").replace(
        f"url: {site.url('/old')}  #", f'url: "{new}"  #').replace(
        f"code: '{site.url('/old-code')}'", f"code: '{new_code.replace(chr(39), chr(39) * 2)}'").replace(
        f"paper: {site.url('/old')}}}", f'paper: "{new}"}}')
    assert f"# old address: {site.url('/old')}" in after and f"moved from {site.url('/old')} in 2025" in after
    assert f'docs: "{site.url("/old-code")}/docs"' in after  # not a redirect: untouched, though it contains one
    assert_valid_but_for_loopback(catalog)
    assert [p.name for p in path.parent.iterdir()] == ["tricky.yaml"]  # no temporary file left behind


def test_fix_finds_a_url_written_with_yaml_escapes(servers, project: Path) -> None:
    site = servers("127.0.0.2")
    site.routes["/old"] = lambda r: r.redirect(301, "/new")
    text = entry("quoted", "PLACEHOLDER").replace("url: PLACEHOLDER", f'url: "{site.url("/ol")}\\x64"')
    catalog = make_catalog(project / "catalog", {"library/quoted.yaml": text}, good=False)
    path = catalog / "resources/library/quoted.yaml"
    code, out, _ = run("--catalog", str(catalog), "--fix")
    assert code == 0 and f'url: "{site.url("/new")}"\n' in path.read_text(encoding="utf-8"), out


@pytest.mark.parametrize("source,new", [
    ('"http://a.org/old"', 'http://a.org/new"quoted"\\path'), ("'http://a.org/old'", "http://a.org/it's"),
    ("http://a.org/old", "http://a.org/x,y[1]"), ("http://a.org/old", "http://a.org/plain"),
])
def test_the_new_url_reads_back_exactly_in_the_style_it_is_written(source: str, new: str) -> None:
    import yaml

    from aigc_resources.linkcheck.fix import quote_like

    written = quote_like(source, new)
    assert yaml.safe_load(f"{{code: {written}, next: 1}}") == {"code": new, "next": 1}
    assert written[0] == source[0] or written[0] == '"'


def test_output_through_a_symlink_or_to_a_device_never_replaces_them(server: FixtureServer, project: Path) -> None:
    (project / "urls.txt").write_text(server.url("/page") + "\n", encoding="utf-8")
    (project / "reports").mkdir()
    (project / "reports/real.md").write_text("old", encoding="utf-8")
    (project / "latest.md").symlink_to(project / "reports/real.md")
    code, _, _ = run("--url-file", "urls.txt", "--format", "markdown", "--output", "latest.md")
    assert code == 0 and (project / "latest.md").is_symlink()
    assert (project / "reports/real.md").read_text(encoding="utf-8").startswith("## Link check")
    fifo = project / "pipe"
    os.mkfifo(fifo)  # stands for /dev/null and /dev/stdout: os.replace over them as root replaces the device
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    code, _, _ = run("--url-file", "urls.txt", "--format", "json", "--output", str(fifo), "--no-cache")
    received = reader.communicate(timeout=30)[0]
    assert code == 0 and fifo.is_fifo() and json.loads(received)[0]["status"] == "ok"


def test_fix_on_a_file_that_cannot_be_written_is_skipped_not_a_traceback(servers, project: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    site = servers("127.0.0.2")
    site.routes["/old"] = lambda r: r.redirect(301, "/new")
    catalog = make_catalog(project / "catalog", {"library/one.yaml": entry("one", site.url("/old"))}, good=False)
    path = catalog / "resources/library/one.yaml"
    before = path.read_bytes()

    def read_only(target: Path, data: bytes) -> None:  # what a read-only checkout does (root ignores chmod)
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr("aigc_resources.linkcheck.fix.atomic_write", read_only)
    code, out, err = run("--catalog", str(catalog), "--fix")
    assert code == 0 and "Traceback" not in out + err
    assert "skipped: cannot write the file (Permission denied)" in out and path.read_bytes() == before


def test_output_onto_the_history_or_the_url_file_is_refused(project: Path) -> None:
    (project / "urls.txt").write_text("", encoding="utf-8")
    assert run("--url-file", "urls.txt", "--history", "h.sqlite")[0] == 0
    before = (project / "h.sqlite").read_bytes()
    for target, option in [("h.sqlite", "--history"), ("./urls.txt", "--url-file")]:
        code, _, err = run("--url-file", "urls.txt", "--history", "h.sqlite", "--output", target)
        assert code == 3 and f"this is the {option} file" in err
    result = CliRunner().invoke(main, ["link-report", "--history", "h.sqlite", "--output", "h.sqlite"])
    assert result.exit_code == 3 and "this is the --history file" in result.stderr
    assert (project / "h.sqlite").read_bytes() == before


def test_control_characters_in_a_url_file_keep_every_report_readable(project: Path) -> None:
    (project / "urls.txt").write_text("http://a.org/\x1b[31mred\nhttp://b.org/\x07bell\n", encoding="utf-8")
    code, _, _ = run("--url-file", "urls.txt", "--format", "junit", "--output", "report.xml")
    assert code == 2
    names = [case.get("name") for case in ET.parse(project / "report.xml").getroot().iter("testcase")]
    assert names == ["http://a.org/\\x1b[31mred", "http://b.org/\\x07bell"]
    for fmt in ("text", "markdown", "github"):
        out = run("--url-file", "urls.txt", "--format", fmt)[1]
        assert "\x1b" not in out and "\x07" not in out and "\\x1b[31mred" in out


def test_unknown_ref_in_a_shallow_clone_says_how_to_fetch_it(project: Path) -> None:
    origin = project / "origin"
    catalog = make_catalog(origin / "catalog", {"library/one.yaml": entry("one", "https://a.org/x")}, good=False)
    _git(origin, "init", "-q")
    for n in range(2):
        (catalog / "resources/library/one.yaml").write_text(entry("one", f"https://a.org/{n}"), encoding="utf-8")
        _git(origin, "add", ".")
        _git(origin, "commit", "-qm", f"c{n}")
    subprocess.run(["git", "clone", "-q", "--depth", "1", origin.as_uri(), str(project / "shallow")], check=True,
                   capture_output=True)
    code, _, err = run("--catalog", str(project / "shallow/catalog"), "--changed-since", "HEAD~1")
    assert code == 3 and "unknown git ref 'HEAD~1'; this clone is shallow" in err and "fetch-depth: 0" in err
