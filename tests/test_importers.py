"""The awesome-list importer: every item form on our own fixtures, then the five real lists."""

from __future__ import annotations

import collections
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from aigc_resources.catalog import load_catalog, load_taxonomy
from aigc_resources.cli import main
from aigc_resources.errors import UserError
from aigc_resources.importers import import_awesome
from aigc_resources.importers.awesome import read_list
from aigc_resources.importers.drafts import create_new, scalar
from aigc_resources.importers.mapping import BADGE_MAP, HEADING_MAP, TaxonomyMatcher, candidate_phrases
from aigc_resources.importers.markdown import Image
from aigc_resources.yamlio import LoadedDocument, load_yaml_text

from .conftest import FIXTURES, PROJECT_ROOT, require

AWESOME = FIXTURES / "awesome"
TAXONOMY_DIR = PROJECT_ROOT / "catalog"
#: The corpus sits beside the repository (CI lays shared/ next to its clone); a work tree
#: elsewhere can point AIGC_AWESOME_CORPUS at it.
CORPUS = Path(os.environ.get("AIGC_AWESOME_CORPUS") or PROJECT_ROOT.parent / "shared" / "corpus" / "awesome")
ADDED = "2026-11-29"


@pytest.fixture(scope="module")
def matcher() -> TaxonomyMatcher:
    taxonomy, _ = load_taxonomy(TAXONOMY_DIR)
    return TaxonomyMatcher(taxonomy)


def by_title(imported) -> dict:
    return {c.title: c for c in imported.candidates}


def make_catalog(tmp_path: Path, entries: dict[str, str] | None = None) -> Path:
    root = tmp_path / "catalog"
    (root / "resources").mkdir(parents=True)
    shutil.copy(TAXONOMY_DIR / "taxonomy.yaml", root / "taxonomy.yaml")
    for rel, text in (entries or {}).items():
        (root / "resources" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "resources" / rel).write_text(text, encoding="utf-8")
    return root


CHAT_ENTRY = """id: delta-chat
title: Delta Chat
url: https://chat.example.org
type: service
topics: [large-language-models]
level: beginner
languages: [en]
access: free
description: A pretend chat service that exists only in the importer's tests.
description_zh: 只在导入器测试里存在的虚构聊天服务。
added: 2026-01-01
"""


# -- item forms ---------------------------------------------------------------------------------

def test_dash_items_with_hashtags_and_extra_links(matcher):
    imported = read_list(AWESOME / "dash-items.md", matcher)
    found = by_title(imported)
    assert imported.items == 6 and len(imported.candidates) == 6  # the Contents anchors are not items
    alpha = found["Alpha Model"]
    assert (alpha.line, alpha.url, alpha.type, alpha.modalities, alpha.open_source) == (
        14, "https://example.org/alpha", "model", ["text"], True)
    assert alpha.section == "Awesome Test List > Text > Models"
    beta = found["Beta Model"]
    assert beta.open_source is True and beta.links == {"code": "https://github.com/example/beta"}
    gamma = found["Gamma Model"]
    assert gamma.links == {} and gamma.unplaced == ["https://example.org/gamma/news"]
    assert found["Delta Chat"].type == "service"  # mapping table: Chatbots
    paper = found["Tiny Paper"]
    assert (paper.type, paper.arxiv, paper.year) == ("paper", "2401.01234", 2024)
    # The list's own words are kept verbatim in the note, and nowhere else.
    assert alpha.note == "- [Alpha Model](https://example.org/alpha) - A pretend model that writes text. #opensource"


def test_colon_items_markers_bare_urls_nesting(matcher):
    imported = read_list(AWESOME / "colon-items.md", matcher)
    found = by_title(imported)
    assert set(found) == {"Paint Tool", "A Made-up Diffusion Paper", "Sketch App", "bare.example.org/tool",
                          "Nested Example", "Parent Item", "Control Demo", "Made-up Corpus"}
    assert found["Paint Tool"].topics == ["text-to-image"] and found["Paint Tool"].modalities == ["image"]
    assert found["A Made-up Diffusion Paper"].arxiv == "2402.00001"
    sketch = found["Sketch App"]
    assert sketch.links == {"video": "https://www.youtube.com/watch?v=abc123", "dataset": "https://data.example.org/sketch"}
    bare = found["bare.example.org/tool"]
    assert bare.url == "https://bare.example.org/tool" and bare.title_from_url  # ':' is not part of the URL
    assert found["Nested Example"].line == 12
    assert "a note under the parent, with no link of its own" in found["Parent Item"].note
    control = found["Control Demo"]
    assert control.authors == ["Someone Example"]
    assert set(control.topics) == {"text-to-image", "diffusion-models"}
    assert found["Made-up Corpus"].type == "dataset"


def test_badges_levels_formats_and_organisations(matcher):
    imported = read_list(AWESOME / "badges.md", matcher)
    found = by_title(imported)
    intro = found["Intro Course"]
    assert (intro.level, intro.type, intro.authors, intro.languages) == ("beginner", "video", ["某大学"], ["en"])
    book = found["Hard Book"]
    assert (book.level, book.type, book.authors) == ("advanced", "book", ["Ann Author", "Bob Writer"])
    diffusion = found["扩散模型入门"]
    assert (diffusion.level, diffusion.type, diffusion.languages) == ("intermediate", "video", ["zh"])
    assert set(diffusion.topics) >= {"diffusion-models"} and "image" in diffusion.modalities
    assert "我们自己写的一句备注。" in diffusion.note
    lab = found["Notebook Lab"]
    assert (lab.level, lab.type) == ("beginner", "tutorial")  # Notebook badge -> tutorial (BADGE_MAP)


def test_numbered_items_bilingual_headings_html_blocks(matcher):
    imported = read_list(AWESOME / "numbered.md", matcher)
    found = by_title(imported)
    assert set(found) == {"TuneKit", "LoRA Lab", "ChunkTool", "测试之书", "example/reasoner", "Mini-Reasoner",
                          "Virgo", "Search-x"}
    assert found["TuneKit"].topics == ["fine-tuning"] and found["TuneKit"].type == "library"
    assert "This continuation line belongs to the item above." in found["ChunkTool"].note
    book = found["测试之书"]
    assert (book.type, book.languages) == ("book", ["zh"])
    assert found["Virgo"].url == "https://arxiv.org/abs/2501.00002"
    assert (found["Search-x"].url, found["Search-x"].arxiv) == ("https://arxiv.org/abs/2501.00003v1", "2501.00003")
    strays = {u.url: u.use for u in imported.link_uses if u.use == "stray"}
    # Links in HTML blocks and quotes are accounted for, not imported.
    assert strays == {"https://hidden.example.org/": "stray", "https://note.example.org/": "stray"}


def test_course_tables_references_and_concept_bullets(matcher):
    imported = read_list(AWESOME / "course.md", matcher)
    found = by_title(imported)
    assert set(found) == {"Auto Eval", "Lazy Merge", "Visual Intro", "Decoding Notes"}
    auto = found["Auto Eval"]
    assert (auto.url, auto.type, auto.links) == (
        "https://github.com/example/auto-eval", "tutorial", {"notebook": "https://colab.research.google.com/drive/AAA"})
    assert found["Lazy Merge"].url == "https://colab.research.google.com/drive/BBB"
    assert found["Decoding Notes"].authors == ["Ann Author", "Bob Writer"]
    assert found["Visual Intro"].topics == ["transformer", "large-language-models"]
    assert imported.items == 5 and imported.mentions == 1  # the **bold** concept bullet with a link
    assert ("https://tok.example.org/", "mention") in {(u.url, u.use) for u in imported.link_uses}


def test_badge_reader_follows_the_shields_escapes():
    assert Image("https://img.shields.io/badge/Level-简单-green", "").badge() == ("Level", "简单")
    assert Image("https://img.shields.io/badge/书籍-%2391672c", "").badge() == (None, "书籍")
    assert Image("https://img.shields.io/badge/two--part_name-a__b-blue", "").badge() == ("two-part name", "a_b")
    assert Image("https://example.org/badge/Level-x-y", "").badge() is None


def test_heading_phrases_and_mapping(matcher):
    assert candidate_phrases("微调 Fine-Tuning") == ["微调 Fine-Tuning", "微调", "Fine-Tuning"]
    assert "RAG" in candidate_phrases("Retrieval-Augmented Generation (RAG)")
    assert matcher.heading("Video and Animation").modalities == ("video",)
    assert matcher.heading("Video and Animation").types == ()  # a subject heading, not a format
    assert matcher.heading("Papers Collection").types == ("paper",)
    assert matcher.heading("Awesome AIGC Tutorials").types == ()  # whole phrases only
    assert matcher.heading("### 3. Neural Networks".lstrip("# ")).topics == ("deep-learning-basics",)


def test_mapping_tables_name_only_real_taxonomy_ids():
    taxonomy, _ = load_taxonomy(TAXONOMY_DIR)
    for table in (HEADING_MAP, BADGE_MAP):
        for heading, values in table.items():
            for axis, ids in values.items():
                known = {term.id for term in getattr(taxonomy, axis)}
                assert set(ids) <= known, f"{heading}: {set(ids) - known} not in taxonomy {axis}"


# -- planning, drafts and the CLI ---------------------------------------------------------------

def test_import_writes_drafts_and_reports_duplicates(tmp_path):
    catalog = make_catalog(tmp_path, {"service/delta-chat.yaml": CHAT_ENTRY})
    out = tmp_path / "drafts"
    plan = import_awesome([AWESOME / "dash-items.md"], out, catalog, added=ADDED)
    assert [(d.where, d.other) for d in plan.duplicates] == [
        ("catalog", "delta-chat (url)"), ("import", "dash-items.md:14")]
    assert sorted(plan.written) == sorted(d.relpath for d in plan.drafts)
    assert {d.id for d in plan.drafts} == {"alpha-model", "beta-model", "gamma-model", "tiny-paper"}
    text = (out / "model" / "alpha-model.yaml").read_text(encoding="utf-8")
    assert "source_note: |-\n  - [Alpha Model](https://example.org/alpha)" in text
    # A second run writes nothing new: every resource is now a draft in --out.
    again = import_awesome([AWESOME / "dash-items.md"], out, catalog, added=ADDED)
    assert again.drafts == [] and {d.where for d in again.duplicates} == {"catalog", "drafts"}


def test_drafts_cannot_be_published_unedited(tmp_path):
    """A draft moved into the catalog as it is fails: placeholders, source_note, missing fields."""
    catalog = make_catalog(tmp_path)
    out = tmp_path / "drafts"
    import_awesome([AWESOME / "badges.md"], out, catalog, added=ADDED)
    shutil.copytree(out, catalog / "resources", dirs_exist_ok=True)
    report = load_catalog(catalog)
    codes = collections.Counter(d.code for d in report.diagnostics if d.severity.value == "error")
    drafts = len(list(out.rglob("*.yaml")))
    assert drafts == 4
    assert codes["E-SOURCE-NOTE"] == drafts and codes["E-TEXT-PLACEHOLDER"] == 2 * drafts
    assert codes["E-FIELD-MISSING"] == drafts  # access, which no list states
    assert set(codes) == {"E-SOURCE-NOTE", "E-TEXT-PLACEHOLDER", "E-FIELD-MISSING"}
    [note] = [d for d in report.diagnostics if d.code == "E-SOURCE-NOTE" and "hard-book" in d.path]
    assert "delete `source_note`" in note.hint


def test_drafts_round_trip_through_the_yaml_reader(tmp_path):
    catalog = make_catalog(tmp_path)
    out = tmp_path / "drafts"
    plan = import_awesome(sorted(AWESOME.glob("*.md")), out, catalog, added=ADDED)
    for draft in plan.drafts:
        doc = load_yaml_text((out / draft.relpath).read_text(encoding="utf-8"), LoadedDocument(path=draft.relpath))
        assert doc.diagnostics == [] and doc.data["url"] == draft.candidate.url
        assert doc.data["source"] == {"file": draft.file, "line": draft.candidate.line,
                                      "section": draft.candidate.section}


def test_never_overwrites_a_file(tmp_path):
    target = tmp_path / "x.yaml"
    target.write_text("mine\n")
    assert create_new(target, "theirs\n") is False
    assert target.read_text() == "mine\n" and [p.name for p in tmp_path.iterdir()] == ["x.yaml"]
    assert create_new(tmp_path / "y.yaml", "new\n") is True


@pytest.mark.parametrize("text", ["plain words", "yes", "1.10", "2024-01-01", "a: b", "ends:", "[x]", "#tag",
                                  "https://e.org/a?b=1#c", " lead", "《书》", "- dash", "null"])
def test_scalar_reads_back_exactly(text):
    doc = load_yaml_text(f"value: {scalar(text)}\n", LoadedDocument(path="t"))
    assert doc.diagnostics == [] and doc.data == {"value": text}


def test_refuses_an_output_folder_inside_the_catalog(tmp_path):
    catalog = make_catalog(tmp_path)
    with pytest.raises(UserError, match="inside the catalog"):
        import_awesome([AWESOME / "dash-items.md"], catalog / "resources" / "drafts", catalog)


def test_cli_skips_sources_md_and_reports(tmp_path):
    catalog = make_catalog(tmp_path)
    lists = tmp_path / "lists"
    lists.mkdir()
    shutil.copy(AWESOME / "numbered.md", lists / "numbered.md")
    (lists / "SOURCES.md").write_text("# Sources\n\n- [a list](https://example.org/list)\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "awesome", str(lists), "--out", str(tmp_path / "d"),
                                       "--catalog", str(catalog), "-v"])
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output and "SOURCES.md" in result.output
    assert "numbered.md: 8 items, 8 resources" in result.output
    assert not list((tmp_path / "d").rglob("list*.yaml"))
    missing = CliRunner().invoke(main, ["import", "awesome", str(tmp_path / "nope.md"), "--out", str(tmp_path / "d"),
                                        "--catalog", str(catalog)])
    assert missing.exit_code == 3 and "no such file" in missing.output


# -- the five real lists ------------------------------------------------------------------------

#: Items per corpus file: list items and table rows with a link; resources (imported items);
#: prose bullets whose links are mentions. steven2358 states 344 items in SOURCES.md; the
#: others were counted by hand from the files (see the module docstring of importers.awesome).
CORPUS_COUNTS = {
    "steven2358__awesome-generative-ai.md": (344, 344, 0),
    "filipecalegario__awesome-generative-ai.md": (1138, 1137, 1),
    "luban-agi__Awesome-AIGC-Tutorials.md": (48, 48, 0),
    "WangRongsheng__awesome-LLM-resourses.md": (649, 649, 0),
    "mlabonne__llm-course.md": (154, 128, 26),
}

_ITEM_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s|^\s*\|")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\]\((https?://[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)\)")
_HREF = re.compile(r"href=\"(https?://[^\"]+)\"")
# A URL in running text: not a link destination "](", not inside an attribute or a word, and
# not link text "[https://...]" (except right after "(", a malformed destination).
_BARE = re.compile(r"(?<!\]\()(?<![<\"'=/\w])(?<!(?<!\()\[)https?://[^\s<>()\[\]\"'，。）]+")


def regex_link_urls(text: str) -> collections.Counter:
    """URLs of links on list-item and table-row lines, found by plain regular expressions
    (images removed first; bare URLs lose trailing punctuation as in GFM §6.9)."""
    found: list[str] = []
    for line in text.splitlines():
        if _ITEM_LINE.match(line):
            line = _IMAGE.sub("", line)
            found += _MD_LINK.findall(line) + _HREF.findall(line)
            found += [url.rstrip("?!.,:*_~") for url in _BARE.findall(line)]
    return collections.Counter(found)


def corpus_files() -> list[Path]:
    require(CORPUS.is_dir(), f"the awesome-list corpus is not at {CORPUS}", "AIGC_REQUIRE_CORPUS")
    return [CORPUS / name for name in CORPUS_COUNTS]


_CORPUS_READS: dict[str, object] = {}


def read_corpus(matcher, name: str):
    """Each corpus list is parsed once per test session (the parse is the slow part)."""
    [path] = [p for p in corpus_files() if p.name == name]
    if name not in _CORPUS_READS:
        _CORPUS_READS[name] = read_list(path, matcher)
    return path, _CORPUS_READS[name]


@pytest.mark.parametrize("name", list(CORPUS_COUNTS))
def test_corpus_item_counts(matcher, name):
    _, imported = read_corpus(matcher, name)
    assert (imported.items, len(imported.candidates), imported.mentions) == CORPUS_COUNTS[name]


@pytest.mark.parametrize("name", list(CORPUS_COUNTS))
def test_corpus_no_url_lost_or_mangled(matcher, name):
    """Every link on an item line is accounted for, byte for byte: the entry's URL, a typed
    link, an unplaced link, a mention or a malformed destination, each once per occurrence."""
    path, imported = read_corpus(matcher, name)
    seen = collections.Counter(u.url for u in imported.link_uses if u.use != "stray")
    expected = regex_link_urls(path.read_text(encoding="utf-8"))
    assert seen == expected, (f"lost: {list((expected - seen).items())[:5]}; "
                              f"not in the file: {list((seen - expected).items())[:5]}")
    # Each imported URL occurs in the file exactly as the draft holds it.
    text = path.read_text(encoding="utf-8")
    assert all(c.url in text for c in imported.candidates)


def test_corpus_all_five_lists_import_together(tmp_path):
    files = corpus_files()
    plan = import_awesome([CORPUS], tmp_path / "drafts", TAXONOMY_DIR, dry_run=True)
    assert [Path(p).name for p, _ in plan.skipped_files] == ["SOURCES.md"]
    assert sorted(li.name for li in plan.lists) == sorted(p.name for p in files)
    candidates = sum(len(li.candidates) for li in plan.lists)
    assert len(plan.drafts) + len(plan.duplicates) == candidates
    assert len({d.id for d in plan.drafts}) == len(plan.drafts)
    assert any(d.where == "import" for d in plan.duplicates)  # the lists share resources


# -- odd Markdown and hostile input -------------------------------------------------------------

def test_reference_autolink_html_and_code_span_forms(matcher):
    imported = read_list(AWESOME / "odd-markdown.md", matcher)
    urls = {c.url: c for c in imported.candidates}
    assert set(urls) == {
        "https://ref.example.org/one", "https://ref.example.org/two", "https://ref.example.org/three",
        "https://autolink.example.org/tool", "https://html.example.org/tool?a=1&b=2", "https://plain.example.org",
        "https://emoji.example.org/rocket", "https://unread.example.org/status", "https://markup.example.org",
        "https://setext.example.org/course", "https://marked.example.org", "https://badged.example.org"}
    assert not any("code.example.org" in use.url for use in imported.link_uses)  # code spans hold no links
    titles = {url: c.title for url, c in urls.items()}
    assert titles["https://ref.example.org/three"] == "Shortcut Tool"
    assert titles["https://html.example.org/tool?a=1&b=2"] == "HTML Tool"  # <a href> text, not the URL
    assert titles["https://emoji.example.org/rocket"] == "Rocket Tool"
    assert titles["https://unread.example.org/status"] == "Someone on Twitter"
    assert any("unread count" in note for note in urls["https://unread.example.org/status"].guesses)
    assert titles["https://markup.example.org"] == "Bold Tool v2"
    assert urls["https://autolink.example.org/tool"].title_from_url
    assert titles["https://marked.example.org"] == "Marked Tool"
    badged = urls["https://badged.example.org"]  # the badge link is not the resource, and not lost
    assert badged.title == "Badged Tool" and badged.level == "beginner"
    assert badged.links.get("code") == "https://badge.example.org/repo" or "https://badge.example.org/repo" in badged.unplaced
    assert urls["https://ref.example.org/one"].type == "tool"  # "## Tools ##": closing hashes ignored
    assert urls["https://setext.example.org/course"].type == "course"  # setext heading


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbf# Tools\n\n- [One Tool](https://one.example.org) - after a BOM\n",
    b"# Tools\r\n\r\n- [One Tool](https://one.example.org) - CRLF\r\n\t- [Nested](https://two.example.org)\r\n",
])
def test_bom_crlf_and_tabs(tmp_path, matcher, data):
    path = tmp_path / "list.md"
    path.write_bytes(data)
    imported = read_list(path, matcher)
    assert imported.candidates[0].title == "One Tool" and imported.candidates[0].type == "tool"
    assert all("\r" not in c.note and "\ufeff" not in c.title for c in imported.candidates)


def test_one_oversized_item_is_reported_and_the_rest_drafted(tmp_path):
    """A URL longer than entries may hold used to abort the whole run with a RuntimeError."""
    catalog = make_catalog(tmp_path)
    lists = tmp_path / "lists"
    lists.mkdir()
    long_url = "https://long.example.org/" + "a" * 3000
    long_title = "T" * 500
    (lists / "list.md").write_text(
        f"# Tools\n\n- [Too Long]({long_url}) - huge\n- [{long_title}](https://ok.example.org) - long title\n"
        f"- [Fine](https://fine.example.org) - by {'Someone ' * 30}\n- [Extra](https://x.example.org) [code]({long_url})\n"
        f"\n## {'Section ' * 80}\n\n- [Deep](https://deep.example.org)\n", encoding="utf-8")
    out = tmp_path / "drafts"
    result = CliRunner().invoke(main, ["import", "awesome", str(lists / "list.md"), "--out", str(out),
                                       "--catalog", str(catalog)])
    assert result.exit_code == 2, result.output
    assert "not drafted list.md:3: the URL has 3025 characters" in result.output
    assert "Traceback" not in result.output
    written = {p.stem for p in out.rglob("*.yaml")}
    assert len(written) == 4 and not any("too-long" in w for w in written)
    titles = [load_yaml_text(p.read_text(encoding="utf-8"), LoadedDocument(path=p.name)).data["title"]
              for p in out.rglob("*.yaml")]
    assert any(len(t) == 200 and t.endswith("…") for t in titles)


def test_unwritable_output_folder_is_a_clear_error(tmp_path):
    catalog = make_catalog(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    result = CliRunner().invoke(main, ["import", "awesome", str(AWESOME / "numbered.md"), "--out",
                                       str(blocker / "drafts"), "--catalog", str(catalog)])
    assert result.exit_code == 3 and "cannot write drafts to" in result.output
    assert not isinstance(result.exception, OSError) or result.exception is None


def test_folder_without_lists_and_special_paths_are_named(tmp_path):
    catalog = make_catalog(tmp_path)
    (tmp_path / "empty.md").mkdir()
    for path, message in ((tmp_path / "empty.md", "folder without a .md file"),
                          (Path("/dev/null"), "neither a file nor a folder")):
        result = CliRunner().invoke(main, ["import", "awesome", str(path), "--out", str(tmp_path / "d"),
                                           "--catalog", str(catalog)])
        assert result.exit_code == 3 and message in result.output, result.output
    (tmp_path / "blank.md").write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "awesome", str(tmp_path / "blank.md"), "--out", str(tmp_path / "d"),
                                       "--catalog", str(catalog)])
    assert result.exit_code == 0 and "0 items" in result.output and "links: none" in result.output
    (tmp_path / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    result = CliRunner().invoke(main, ["import", "awesome", str(tmp_path / "binary.md"), "--out", str(tmp_path / "d"),
                                       "--catalog", str(catalog)])
    assert result.exit_code == 3 and "binary.md:1: not valid UTF-8 (byte 0x89)" in result.output


def test_deep_nesting_is_read_or_reported(tmp_path):
    """markdown-it's CommonMark preset skips, without a sign, everything nested deeper than ten
    list levels: 300 nested items gave 9 drafts and exit 0."""
    catalog = make_catalog(tmp_path)

    def nested(levels: int) -> str:
        return "# Tools\n\n" + "".join("  " * i + f"- [Deep {i}](https://d{i}.example.org)\n" for i in range(levels))

    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "thirty.md").write_text(nested(30), encoding="utf-8")
    (lists / "eighty.md").write_text(nested(80), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "awesome", str(lists / "thirty.md"), "--out", str(tmp_path / "a"),
                                       "--catalog", str(catalog), "--dry-run"])
    assert result.exit_code == 0 and "thirty.md: 30 items" in result.output, result.output
    result = CliRunner().invoke(main, ["import", "awesome", str(lists / "eighty.md"), "--out", str(tmp_path / "b"),
                                       "--catalog", str(catalog), "--dry-run"])
    assert result.exit_code == 2, result.output
    assert "not read eighty.md:52-82" in result.output and "flatten them" in result.output


def test_form_feeds_line_separators_and_controls_keep_notes_aligned(tmp_path, matcher):
    """str.splitlines() also splits at form feeds and U+2028, which CommonMark does not: every
    later item got the wrong source_note, and an empty one crashed the run (RuntimeError)."""
    path = tmp_path / "list.md"
    path.write_text("# Tools\n\nIntro with a form\x0cfeed and a line\u2028separator.\n\n"
                    "- [First](https://first.example.org) - one\x01\x85two\n"
                    "- [Second](https://second.example.org) - two\n", encoding="utf-8")
    notes = {c.title: c.note for c in read_list(path, matcher).candidates}
    assert notes == {"First": "- [First](https://first.example.org) - one  two",
                     "Second": "- [Second](https://second.example.org) - two"}
    catalog = make_catalog(tmp_path)
    result = CliRunner().invoke(main, ["import", "awesome", str(path), "--out", str(tmp_path / "d"),
                                       "--catalog", str(catalog)])
    assert result.exit_code == 0, result.output
    second = load_yaml_text((tmp_path / "d" / "tool" / "second.yaml").read_text(encoding="utf-8"),
                            LoadedDocument(path="second.yaml"))
    assert second.data["source_note"] == notes["Second"]


def test_invisible_characters_never_crash_the_run(tmp_path):
    """A zero-width space or a control character in a list's link text made the draft unreadable
    to the project's own YAML reader (E-TEXT-CONTROL) and the run died with a RuntimeError."""
    catalog = make_catalog(tmp_path)
    path = tmp_path / "list.md"
    path.write_text("# Tools\n\n- [Ti\x01tle\u200b](https://t.example.org) - [other](https://o.example.org/x\u202ey)\n"
                    "- [Bad URL](https://u.example.org/a\u200bb)\n\n## Sec\u200btion\n\n- [In](https://s.example.org)\n",
                    encoding="utf-8")
    out = tmp_path / "d"
    result = CliRunner().invoke(main, ["import", "awesome", str(path), "--out", str(out), "--catalog", str(catalog)])
    assert result.exit_code == 2, result.output  # the URL with U+200B cannot be an entry's URL
    assert "not drafted list.md:4: the URL holds the invisible character U+200B" in result.output
    assert "https://u.example.org/a\\u200bb" in result.output
    texts = {p.stem: p.read_text(encoding="utf-8") for p in out.rglob("*.yaml")}
    assert set(texts) == {"title", "s-example-org"}
    assert "title: Title\n" in texts["title"] and "#   https://o.example.org/x\\u202ey" in texts["title"]
    assert "section: Tools > Section" in texts["s-example-org"]
    for name, text in texts.items():
        assert load_yaml_text(text, LoadedDocument(path=name)).diagnostics == []


def test_a_draft_that_does_not_read_back_spares_the_others(tmp_path, monkeypatch):
    """One bad entry never aborts a run: a bug in one draft's text used to stop every draft."""
    from aigc_resources.importers import drafts

    real = drafts.render_draft

    def render(draft, *, added):
        if draft.candidate.title.startswith("Alpha"):
            raise RuntimeError("draft does not read back")
        return real(draft, added=added)

    monkeypatch.setattr(drafts, "render_draft", render)
    catalog = make_catalog(tmp_path)
    out = tmp_path / "d"
    result = CliRunner().invoke(main, ["import", "awesome", str(AWESOME / "dash-items.md"), "--out", str(out),
                                       "--catalog", str(catalog)])
    assert result.exit_code == 1 and "internal error: draft for dash-items.md" in result.output, result.output
    written = {p.stem for p in out.rglob("*.yaml")}
    assert "alpha-model" not in written and {"beta-model", "gamma-model"} <= written
