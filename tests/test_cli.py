"""The CLI in-process: exit codes, output format, summary line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from aigc_resources.cli import main

from .conftest import FIXTURES


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_validate_clean_catalog(tmp_catalog):
    result = run("validate", "--catalog", str(tmp_catalog()))
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("OK: 4 files, 3 entries, 0 errors")


def test_build_of_an_invalid_catalog_prints_each_error_with_its_location(tmp_catalog, tmp_path):
    """The build refuses an invalid catalog and says where each error is (from the one load)."""
    bad = (FIXTURES / "bad" / "unknown-key.yaml").read_text()
    root = tmp_catalog({"paper/unknown-key.yaml": bad})
    result = run("build", "--catalog", str(root), "--project-root", str(Path(__file__).resolve().parent.parent),
                 "--site-dir", str(tmp_path / "site"))
    assert result.exit_code == 2, result.output
    assert "unknown-key.yaml:4:1: E-FIELD-UNKNOWN titel:" in result.output
    assert "the catalog is invalid" in result.output and not (tmp_path / "site").exists()


def test_validate_strict_fails_on_warnings(tmp_catalog):
    result = run("validate", "--strict", "--catalog", str(tmp_catalog()))
    assert result.exit_code == 2
    assert "W-THIN-TOPIC" in result.output and "(strict)" in result.output


def test_validate_reports_every_problem_with_location(tmp_catalog):
    bad = (FIXTURES / "bad" / "unknown-key.yaml").read_text()
    other = (FIXTURES / "bad" / "javascript-url.yaml").read_text()
    root = tmp_catalog({"paper/unknown-key.yaml": bad, "paper/javascript-url.yaml": other})
    result = run("validate", "--catalog", str(root))
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert any(line.endswith("E-FIELD-UNKNOWN titel: unknown field `titel` (did you mean `title`?)")
               and "unknown-key.yaml:4:1:" in line for line in lines)
    assert any("javascript-url.yaml:5:6: E-URL-SCHEME url:" in line for line in lines)
    assert lines[-1].startswith("FAILED: 6 files, 5 entries (2 invalid), 2 errors")


def test_usage_errors_exit_3(tmp_path):
    assert run("validate", "--catalog", str(tmp_path / "missing")).exit_code == 3
    assert run("validate", "--no-such-flag").exit_code == 3
    assert run("no-such-command").exit_code == 3


def test_help_lists_exit_codes():
    result = run("--help")
    assert result.exit_code == 0 and "3 usage" in result.output


def test_each_diagnostic_prints_on_one_line_whatever_the_key_holds(tmp_catalog):
    """A quoted key with a line break, `::` and `%` (and an escaped bidi override in a value)
    gives one text line and one GitHub annotation per diagnostic; JSON keeps the raw text."""
    import json

    bad = (FIXTURES / "bad" / "key-with-line-break.yaml").read_text(encoding="utf-8")
    bidi = (FIXTURES / "bad" / "escaped-bidi-title.yaml").read_text(encoding="utf-8")
    root = tmp_catalog({"paper/key-with-line-break.yaml": bad, "paper/escaped-bidi-title.yaml": bidi})
    text = run("validate", "--catalog", str(root))
    assert text.exit_code == 2
    lines = [line for line in text.output.splitlines() if "key-with-line-break.yaml" in line]
    assert lines == [line for line in lines if line.startswith(str(root))] and len(lines) == 1, text.output
    assert "15:1: E-FIELD-UNKNOWN notes\\n::error file=x.yaml::100%: unknown field" in lines[0]
    assert "\u202e" not in text.output and "\\u202e" in text.output

    github = run("validate", "--catalog", str(root), "--format", "github")
    annotations = [line for line in github.output.splitlines() if line.startswith("::error")]
    assert len(annotations) == 2, github.output
    key = next(a for a in annotations if "key-with-line-break" in a)
    assert key.startswith("::error file=") and ",line=15,col=1,title=E-FIELD-UNKNOWN::" in key
    # The line break and `%` are escaped as the runner requires; `::` is harmless in the message.
    assert "notes%0A::error file=x.yaml::100%25" in key
    assert not any(line.startswith("::error file=x.yaml") for line in github.output.splitlines())

    data = json.loads(run("validate", "--catalog", str(root), "--format", "json").output)
    assert any(d["field"] == "notes\n::error file=x.yaml::100%" for d in data["diagnostics"])


def test_static_server_answers_missing_pages_with_the_site_404(tmp_path):
    import threading
    import urllib.error
    import urllib.request

    from aigc_resources.render.serve import make_server

    (tmp_path / "index.html").write_text("home", encoding="utf-8")
    (tmp_path / "404.html").write_text("<title>our 404</title>", encoding="utf-8")
    server = make_server(tmp_path, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert urllib.request.urlopen(base + "/", timeout=10).read() == b"home"
        try:
            urllib.request.urlopen(base + "/no/such/page/", timeout=10)
            raise AssertionError("a missing page was served")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404 and exc.read() == b"<title>our 404</title>"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_serve_announces_only_a_bound_port(tmp_path):
    """A taken port is an error (exit 3) and is not first announced as being served."""
    import socket

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("home", encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--no-build", "--project-root", str(tmp_path), "--port", str(port)])
    assert result.exit_code == 3, result.output
    assert "serving" not in result.output and f"cannot listen on 127.0.0.1:{port}" in result.output


def test_output_paths_that_cannot_be_written_are_usage_errors(tmp_path, tmp_catalog):
    """An output path under a file was a traceback (exit 1) in every command that writes one."""
    root = str(tmp_catalog())
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    for args in (["export", "--format", "json", "--output", str(blocker / "out.json")],
                 ["schema", "--out", str(blocker / "schema")],
                 ["check-links", "--url-file", str(blocker), "--output", str(blocker / "report.txt")]):
        result = run(*args, "--catalog", root)
        assert result.exit_code == 3, (args, result.output)
        assert result.output.startswith("error: ") and str(blocker) in result.output, (args, result.output)
        assert "Traceback" not in result.output, (args, result.output)


def test_contributing_names_the_file_it_cannot_use(tmp_path, tmp_catalog):
    root = str(tmp_catalog())
    binary = tmp_path / "guide.md"
    binary.write_bytes(b"# Guide\n\x89PNG not text")
    result = run("contributing", "--catalog", root, "--file", str(binary))
    assert result.exit_code == 3 and f"error: {binary}:2: not valid UTF-8 (byte 0x89)" in result.output
    binary.write_text("# A guide without the generated tables\n", encoding="utf-8")
    result = run("contributing", "--catalog", root, "--file", str(binary))
    assert result.exit_code == 3 and f"error: {binary} lacks the markers" in result.output


def test_catalog_one_level_off_gets_a_hint(tmp_catalog, monkeypatch):
    """`--catalog .` from the project root, or `--catalog catalog/resources`, is the usual slip."""
    root = tmp_catalog()
    monkeypatch.chdir(root.parent)
    for wrong in (".", "catalog/resources", "catalog/resources/paper"):
        result = run("validate", "--catalog", wrong)
        assert result.exit_code == 3 and "(did you mean --catalog catalog/?)" in result.output, (wrong, result.output)


def test_github_format_keeps_problems_beyond_the_annotation_limit(tmp_catalog):
    """GitHub drops error annotations after the 10th of a step; the rest must still be seen."""
    entries = {f"paper/bad-{n:02d}.yaml": f"id: bad-{n:02d}\n" for n in range(4)}  # several errors each
    result = run("validate", "--catalog", str(tmp_catalog(entries)), "--format", "github")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    plain = [line for line in lines[:-2] if not line.startswith("::")]  # before the note and the summary
    assert len(errors) == 10 and any(": E-" in line for line in plain)
    assert f"the other {len(plain)} problems are the PATH:LINE:COL lines above" in result.output
    assert lines[-1].startswith("FAILED: ")


def test_serve_checks_the_port_before_building(tmp_path, tmp_catalog, monkeypatch):
    """`make serve` with port 8000 taken used to build for a minute, then fail on the port."""
    import socket

    import aigc_resources.cli as cli_module

    built = []
    monkeypatch.setattr(cli_module, "_build", lambda *args: built.append(args))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--catalog", str(tmp_catalog()), "--project-root", str(tmp_path),
                                           "--port", str(port)])
    assert result.exit_code == 3 and f"cannot listen on 127.0.0.1:{port}" in result.output
    assert built == []
