"""Exports: JSON (round trip, JSON Schema), CSV, BibTeX and the README, each read back by an
independent parser."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from aigc_resources.bibtex import base_key, citation_keys, latex_escape
from aigc_resources.catalog import load_catalog
from aigc_resources.cli import main
from aigc_resources.exporters import (CSV_COLUMNS, export_bibtex, export_csv, export_json, export_json_schema,
                                      export_markdown, resources_from_json)

from . import curation
from .conftest import PROJECT_ROOT

SCHEMA_FILE = PROJECT_ROOT / "schema" / "catalog-export.schema.json"


@pytest.fixture
def catalog(tmp_path):
    return load_catalog(curation.build(tmp_path / "catalog")).catalog


@pytest.fixture(scope="module")
def real_catalog():
    return load_catalog(PROJECT_ROOT / "catalog").catalog


def test_json_round_trip_equals_the_models(catalog, real_catalog):
    for each in (catalog, real_catalog):
        data = json.loads(export_json(each))
        assert data["schema_version"] == 1
        assert resources_from_json(data) == each.resources


def test_json_matches_the_committed_schema(catalog, real_catalog):
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema == export_json_schema(), "schema/catalog-export.schema.json is stale: run `aigc-resources schema`"
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    for each in (catalog, real_catalog):
        data = json.loads(export_json(each))
        assert list(validator.iter_errors(data)) == []
    data = json.loads(export_json(catalog))
    data["entries"][0]["surprise"] = 1
    assert list(validator.iter_errors(data)), "the schema must refuse unknown fields"


def test_csv_one_row_per_entry_in_a_stable_order(catalog):
    text = export_csv(catalog)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["id"] for r in rows] == [e.id for e in catalog.entries]
    by_id = {r["id"]: r for r in rows}
    assert by_id["jegou-diffusion"]["authors"].split(";") == ["Hervé Jégou", "王小明", "Stability AI"]
    assert by_id["transformer-course"]["languages"] == "en;zh"
    assert by_id["vaswani-attention"]["arxiv"] == "1706.03762" and by_id["vaswani-attention"]["open_source"] == ""
    assert by_id["jegou-diffusion"]["title"] == 'Diffusion & Noise: 100% of {Everything} in $x_t$ ~ fast'
    assert export_csv(catalog) == text


def test_bibtex_parses_and_keeps_the_facts(catalog):
    text = export_bibtex(catalog)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    entries = {e.key: e for e in library.entries}
    assert set(entries) == {"vaswani2017attention", "bahdanau2014neural", "jegou2024diffusion", "jegou2024diffusionb"}
    vaswani = entries["vaswani2017attention"]
    assert vaswani.fields_dict["eprint"].value == "1706.03762"
    assert vaswani.fields_dict["archivePrefix"].value == "arXiv"
    assert vaswani.fields_dict["author"].value == "Ashish Vaswani and Noam Shazeer"
    special = entries["jegou2024diffusion"].fields_dict
    assert special["title"].value == r"{Diffusion \& Noise: 100\% of \{Everything\} in \$x\_t\$ \textasciitilde{} fast}"
    assert special["author"].value == r"Herv{\'e} J{\'e}gou and 王小明 and {Stability AI}"
    assert "eprint" not in special
    assert {e.entry_type for e in library.entries} == {"misc"}


def test_bibtex_keys_do_not_depend_on_order(catalog):
    papers = [r for r in catalog.resources if r.type == "paper"]
    assert citation_keys(papers) == citation_keys(list(reversed(papers)))
    assert base_key(papers[0]).isascii()


@pytest.mark.parametrize("text, escaped", [
    ("a & b", r"a \& b"), ("50%", r"50\%"), ("x_1", r"x\_1"), ("#1", r"\#1"), ("{x}", r"\{x\}"),
    ("$", r"\$"), ("~", r"\textasciitilde{}"), ("^", r"\textasciicircum{}"), ("\\", r"\textbackslash{}"),
    ("Gödel", r'G{\"o}del'), ("Ça", r"{\c C}a"), ("Straße", r"Stra{\ss}e"), ("Łukasz", r"{\L}ukasz"),
    ("a–b—c", "a--b---c"), ("注意力", "注意力"),
])
def test_latex_escape(text, escaped):
    assert latex_escape(text) == escaped


def test_markdown_readme_links_every_entry(catalog, real_catalog):
    for each in (catalog, real_catalog):
        text = export_markdown(each)
        tokens = MarkdownIt("commonmark").parse(text)
        links = {}
        for token in tokens:
            children = token.children or []
            for index, child in enumerate(children):
                if child.type == "link_open" and children[index + 1].type == "text":
                    links.setdefault(child.attrGet("href"), children[index + 1].content)
        for resource in each.resources:
            assert links.get(resource.url) == resource.title, resource.id
        assert "## Paper · 论文" in text
    text = export_markdown(catalog)
    assert "注意力机制入门" in text and "仅用于测试的条目" in text


def test_markdown_escapes_titles_into_text(catalog):
    text = export_markdown(catalog)
    [line] = [l for l in text.splitlines() if "jegou-diffusion)" in l or "example.org/jegou-diffusion)" in l]
    html = MarkdownIt("commonmark").render(line)
    assert "Diffusion &amp; Noise: 100% of {Everything} in $x_t$ ~ fast</a>" in html


@pytest.mark.parametrize("fmt", ["json", "csv", "bibtex", "markdown"])
def test_cli_export_to_stdout_and_file(tmp_path, fmt):
    root = curation.build(tmp_path / "catalog")
    runner = CliRunner()
    out = runner.invoke(main, ["export", "--format", fmt, "--catalog", str(root)])
    assert out.exit_code == 0, out.output
    target = tmp_path / f"export.{fmt}"
    written = runner.invoke(main, ["export", "--format", fmt, "--catalog", str(root), "--output", str(target)])
    assert written.exit_code == 0
    assert target.read_text(encoding="utf-8") == out.output
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export")] == []  # no temporary file left


def test_cli_export_reports_invalid_entries(tmp_path):
    root = curation.build(tmp_path / "catalog", replace={"level: advanced": "level: expert"})
    result = CliRunner().invoke(main, ["export", "--format", "csv", "--catalog", str(root)])
    assert result.exit_code == 2 and "E-TAXONOMY-UNKNOWN" in result.output
    assert result.output.count("\n") > 3  # the valid entries were still exported


def test_cli_export_needs_a_format(tmp_path):
    result = CliRunner().invoke(main, ["export", "--format", "yaml"])
    assert result.exit_code == 3


def test_csv_cells_never_run_as_spreadsheet_formulas(tmp_path):
    """A title starting with = + - @ used to reach the CSV as is: `=HYPERLINK(...)` runs in Excel."""
    root = curation.build(tmp_path / "catalog", replace={
        "title: Attention Kernels": "title: '=HYPERLINK(\"http://x.invalid\",\"a, b\")'",
        "title: Transformers from Zero": "title: '@SUM(A1:A2)'",
        "title: Transformer Toolkit": "title: \"+1 trick\\nnext line\"",
        "title: Diffusion for Everyone": "title: '-2+3 cmd|calc'"})
    catalog = load_catalog(root).catalog
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(export_csv(catalog)))}
    assert rows["attention-lib"]["title"] == "'=HYPERLINK(\"http://x.invalid\",\"a, b\")"
    assert rows["transformer-course"]["title"] == "'@SUM(A1:A2)"
    assert rows["diffusion-course"]["title"] == "'-2+3 cmd|calc"
    assert rows["transformer-lib"]["title"].startswith("'+1 trick")
    assert rows["vaswani-attention"]["title"] == "Attention Is All You Need"  # ordinary text untouched


def test_bibtex_keys_stay_unique_and_valid_past_z_and_against_real_keys(tmp_path):
    """29 papers by one author with one title word used to give keys `...same{`, `...same|`, and a
    suffixed `...sameb` clashing with the key of a paper titled `Sameb`."""
    entries = {f"paper/dup-{i:02d}.yaml": curation.entry_text(
        f"dup-{i:02d}", "paper", "attention", "advanced", "[en]", 2021, "authors: [Jane Doe]\ntitle_x: Same Title")
        for i in range(29)}
    entries["paper/other.yaml"] = curation.entry_text(
        "other", "paper", "attention", "advanced", "[en]", 2021, "authors: [Jane Doe]\ntitle_x: Sameb")
    entries["paper/oster.yaml"] = curation.entry_text(
        "oster", "paper", "attention", "advanced", "[en]", 2020,
        "authors: [\"Åsa Øster\", \"R&D Team\"]\ntitle_x: \"50% of {a} & #1 é\"")
    root = curation.make_catalog(tmp_path / "catalog", entries, good=False)
    catalog = load_catalog(root).catalog
    library = bibtexparser.parse_string(export_bibtex(catalog))
    assert not library.failed_blocks
    keys = [e.key for e in library.entries]
    assert len(keys) == len(set(keys)) == 31
    assert all(re.fullmatch(r"[a-z0-9]+", k) for k in keys)
    by_key = {e.key: e for e in library.entries}
    assert by_key["doe2021sameb"].fields_dict["title"].value == "{Sameb}"
    assert {"doe2021samez", "doe2021sameaa", "doe2021sameab"} <= set(keys)
    assert by_key["oster202050"].fields_dict["author"].value == r"{\AA}sa {\O}ster and {R\&D Team}"
    papers = catalog.resources
    assert citation_keys(papers) == citation_keys(list(reversed(papers)))


def test_cli_export_to_an_unwritable_place_is_a_clear_error(tmp_path):
    """`--output` under a file used to end in a FileExistsError traceback (exit 1)."""
    root = curation.build(tmp_path / "catalog")
    blocker = tmp_path / "a-file"
    blocker.write_text("x\n")
    result = CliRunner().invoke(main, ["export", "--format", "json", "--catalog", str(root),
                                       "--output", str(blocker / "out" / "catalog.json")])
    assert result.exit_code == 3 and "cannot write" in result.output and "--output" in result.output
    missing = tmp_path / "new" / "dir" / "catalog.csv"  # a missing folder is created
    assert CliRunner().invoke(main, ["export", "--format", "csv", "--catalog", str(root),
                                     "--output", str(missing)]).exit_code == 0
    assert missing.read_text(encoding="utf-8").startswith("id,title")


def test_bibtex_author_names_holding_and_stay_one_author():
    from aigc_resources.bibtex import bibtex_name

    assert bibtex_name("Tom and Jerry") == "{Tom and Jerry}"  # not an organisation by its words
    assert bibtex_name("Anders Andersen") == "Anders Andersen"  # "and" inside a word is harmless
    library = bibtexparser.parse_string("@misc{k, author = {" + " and ".join(
        bibtex_name(a) for a in ["Jane Doe", "Rock AND Roll"]) + "}}\n")
    assert library.entries[0].fields_dict["author"].value == "Jane Doe and {Rock AND Roll}"  # two authors


def test_markdown_readme_keeps_every_url_the_validator_accepts(tmp_path):
    """`<https://e.org/?q=<y>>` is no link in CommonMark, and a backslash before punctuation was
    read as an escape and lost: the README linked those entries to nothing or to the wrong URL."""
    urls = {"transformer-lib": "https://example.org/q?x=<y>", "attention-lib": "https://example.org/a\\\\`b",
            "transformer-course": "https://example.org/a)b(c", "diffusion-course": "https://example.org/w\\\\x"}
    root = curation.build(tmp_path / "catalog", replace={
        f"url: https://example.org/{entry_id}\n": f'url: "{url}"\n' for entry_id, url in urls.items()})
    catalog = load_catalog(root).catalog
    assert {r.id: r.url for r in catalog.resources if r.id in urls} == {k: v.replace("\\\\", "\\") for k, v in urls.items()}
    md = MarkdownIt("commonmark")
    hrefs = {}
    for token in md.parse(export_markdown(catalog)):
        for index, child in enumerate(token.children or []):
            if child.type == "link_open":
                hrefs[token.children[index + 1].content] = child.attrGet("href")
    for resource in catalog.resources:
        assert hrefs.get(resource.title) == md.normalizeLink(resource.url), resource.id


def test_bibtex_urls_with_braces_and_backslashes_keep_entries_parseable(tmp_path):
    """A paper URL with `{` (the validator accepts it) unbalanced its BibTeX entry, which swallowed
    the entries after it."""
    root = curation.build(tmp_path / "catalog", replace={
        "url: https://example.org/jegou-diffusion\n": 'url: "https://example.org/a{b%20c#d"\n',
        "url: https://example.org/jegou-diffusion-two\n": 'url: "https://example.org/x}y\\\\z"\n'})
    catalog = load_catalog(root).catalog
    assert {r.url for r in catalog.resources} >= {"https://example.org/a{b%20c#d", "https://example.org/x}y\\z"}
    library = bibtexparser.parse_string(export_bibtex(catalog))
    assert not library.failed_blocks and len(library.entries) == 4
    urls = {e.fields_dict["url"].value for e in library.entries}
    assert {r"https://example.org/a\%7Bb\%20c\#d", r"https://example.org/x\%7Dy\%5Cz"} <= urls
