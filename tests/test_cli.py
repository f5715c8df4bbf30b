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
