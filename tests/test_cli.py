"""The CLI in-process: exit codes, output format, summary line."""

from __future__ import annotations

from click.testing import CliRunner

from aigc_resources.cli import main

from .conftest import FIXTURES


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_validate_clean_catalog(tmp_catalog):
    result = run("validate", "--catalog", str(tmp_catalog()))
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("OK: 4 files, 3 entries, 0 errors")


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
