"""Build the real catalog with MkDocs --strict into a temporary folder and inspect the result."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from aigc_resources.render.build import build_site, require_valid
from aigc_resources.render.site import HUBS

from .conftest import PROJECT_ROOT, make_catalog

pytestmark = pytest.mark.build
KNOWN_ENTRY = "attention-is-all-you-need"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("build")
    catalog, _ = require_valid(PROJECT_ROOT / "catalog")
    result = build_site(PROJECT_ROOT, PROJECT_ROOT / "catalog", tmp / "site", docs_dir=tmp / "docs", catalog=catalog)
    return catalog, result


def search_separator() -> re.Pattern[str]:
    config = yaml.load((PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.Loader)  # noqa: S506 - our own file with !!python tags
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "search" in plugin:
            return re.compile(plugin["search"]["separator"])
    raise AssertionError("no search plugin in mkdocs.yml")


def test_every_entry_has_a_page(built):
    catalog, result = built
    assert result.entries == len(catalog.entries) >= 100
    for entry in catalog.entries:
        page = result.site_dir / "resources" / entry.id / "index.html"
        assert page.is_file(), entry.id
    html = (result.site_dir / "resources" / KNOWN_ENTRY / "index.html").read_text(encoding="utf-8")
    assert "https://arxiv.org/abs/1706.03762" in html


def test_every_hub_links_its_entries(built):
    catalog, result = built
    for folder, _, field, many in HUBS:
        for term in getattr(catalog.taxonomy, dict((h[0], h[1]) for h in HUBS)[folder]):
            html = (result.site_dir / folder / term.id / "index.html").read_text(encoding="utf-8")
            members = [e.id for e in catalog.entries
                       if term.id in (getattr(e.resource, field) if many else [getattr(e.resource, field)])]
            for entry_id in members:
                assert f'href="../../resources/{entry_id}/"' in html, (folder, term.id, entry_id)


def test_entry_pages_stay_out_of_the_sidebar(built):
    _, result = built
    home = (result.site_dir / "index.html").read_text(encoding="utf-8")
    sidebar = home[home.index('md-sidebar--primary'):home.index('md-sidebar--secondary')]
    assert 'href="topics/attention/"' in sidebar  # hubs are in the sidebar...
    assert "resources/" not in sidebar  # ...entries are not


def test_search_index_finds_english_and_chinese_terms(built):
    catalog, result = built
    index = json.loads((result.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["separator"] == search_separator().pattern
    docs = {doc["location"]: doc for doc in index["docs"]}
    page = docs[f"resources/{KNOWN_ENTRY}/"]
    assert page["title"] == catalog.get(KNOWN_ENTRY).resource.title
    tokens = {t.lower() for t in search_separator().split(page["text"]) if t}
    # A word of the English description on the English site...
    assert "encoder" in tokens or "encoder-decoder" in page["text"].lower()
    assert "sinusoidal" in tokens
    # ...and a Chinese word of the Chinese description on the Chinese site: jieba cut the
    # Chinese text at build time, so the word is a token of its own.
    index_zh = json.loads((result.site_dir / "zh" / "search" / "search_index.json").read_text(encoding="utf-8"))
    page_zh = {doc["location"]: doc for doc in index_zh["docs"]}[f"resources/{KNOWN_ENTRY}/"]
    tokens_zh = {t.lower() for t in search_separator().split(page_zh["text"]) if t}
    assert "注意力" in tokens_zh
    assert "\u200b" in page_zh["text"]


def test_no_request_leaves_the_site(built):
    _, result = built
    home = (result.site_dir / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in home and "fonts.gstatic.com" not in home
    external = set(re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', home))
    assert external == set()


def test_failed_build_keeps_the_old_site(tmp_path, tmp_catalog):
    from aigc_resources.errors import BuildError

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old")
    bad = tmp_catalog({"paper/x.yaml": "id: x\n"})
    with pytest.raises(BuildError):
        build_site(PROJECT_ROOT, bad, site, docs_dir=tmp_path / "docs")
    assert (site / "index.html").read_text() == "old"
    assert not list(tmp_path.glob("site.tmp-*"))


def _old_site(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old")
    return site


def _assert_old_site_intact(tmp_path, site):
    assert (site / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("site.")) == []


def test_interrupted_build_keeps_the_old_site(tmp_path, tmp_catalog, monkeypatch):
    """Ctrl-C while MkDocs runs: the old site stays, no temporary folder is left beside it."""
    import aigc_resources.render.build as build_module

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "mkdocs_build", interrupted)
    site = _old_site(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        build_site(PROJECT_ROOT, tmp_catalog(), site, docs_dir=tmp_path / "docs", jobs=1)
    _assert_old_site_intact(tmp_path, site)


def test_ctrl_c_during_build_says_the_site_is_unchanged(tmp_path, tmp_catalog, monkeypatch):
    """Ctrl-C used to print click's bare "Aborted!", which does not say whether site/ is usable."""
    from click.testing import CliRunner

    import aigc_resources.render.build as build_module
    from aigc_resources.cli import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "build_site", interrupted)
    site = _old_site(tmp_path)
    result = CliRunner().invoke(main, ["build", "--catalog", str(tmp_catalog()), "--project-root", str(PROJECT_ROOT),
                                       "--site-dir", str(site)])
    assert result.exit_code == 3 and isinstance(result.exception, SystemExit)
    assert f"interrupted (Ctrl-C): {site} keeps what it held before this build" in result.output
    assert "Aborted" not in result.output
    _assert_old_site_intact(tmp_path, site)


def test_no_writable_temporary_folder_is_a_clear_error(tmp_path, tmp_catalog, monkeypatch):
    """TMPDIR, /tmp and /var/tmp unusable: Python falls back to the current folder, and the build
    left its lock files (and MkDocs' search plugin its cache) in the project. Now refused."""
    import tempfile

    from aigc_resources.errors import UserError

    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    monkeypatch.setattr(tempfile, "tempdir", str(project))  # what gettempdir() falls back to
    site = _old_site(tmp_path)
    with pytest.raises(UserError, match=r"no writable temporary folder \(TMPDIR='.*missing'.*set TMPDIR to a writable"):
        build_site(PROJECT_ROOT, tmp_catalog(), site, docs_dir=tmp_path / "docs")
    assert list(project.iterdir()) == []
    _assert_old_site_intact(tmp_path, site)

    def nowhere():
        raise FileNotFoundError(2, "No usable temporary directory found in ['/tmp']")

    monkeypatch.setattr(tempfile, "gettempdir", nowhere)
    with pytest.raises(UserError, match="no writable temporary folder"):
        build_site(PROJECT_ROOT, tmp_catalog(), site, docs_dir=tmp_path / "docs")


@pytest.mark.parametrize("where", [".", "..", "catalog", "catalog/site", "notes"])
def test_a_site_folder_that_is_not_a_site_is_refused_before_anything_is_deleted(tmp_path, where, monkeypatch):
    """The build replaces the whole site folder: `build --site-dir .` from the project root
    deleted the project (catalog, configuration, everything), and any non-empty folder given
    as --site-dir was deleted the same way. (A copy of the project: never the real one.)"""
    import shutil

    from aigc_resources.errors import UserError

    project = tmp_path / "work" / "project"
    project.mkdir(parents=True)
    for name in ("mkdocs.yml", "mkdocs.zh.yml"):
        shutil.copy(PROJECT_ROOT / name, project / name)
    catalog = make_catalog(project / "catalog")
    (project / "notes").mkdir()
    (project / "notes" / "mine.txt").write_text("mine", encoding="utf-8")
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    monkeypatch.chdir(project)
    with pytest.raises(UserError, match="site folder|holds no built site"):
        build_site(project, catalog, project / where, jobs=1)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == before


def test_folders_left_by_a_killed_build_are_removed_by_the_next(tmp_path, tmp_catalog):
    """A build killed (SIGKILL, power cut) left its site.tmp-* folders (a whole site each)
    beside site/ forever; the next build, holding the lock, removes them (and only them)."""
    site = _old_site(tmp_path)
    for name in ("site.tmp-ab_9cdef", "site.old-123-456789", "site.tmp-mine", "other.tmp-abcdefgh"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text("left", encoding="utf-8")
    build_site(PROJECT_ROOT, tmp_catalog(), site, docs_dir=tmp_path / "docs", jobs=1)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in ("catalog", "docs")) == [
        "other.tmp-abcdefgh", "site", "site.tmp-mine"]


def test_an_unwritable_lock_file_names_the_temporary_folder_not_site_dir(tmp_path, tmp_catalog, monkeypatch):
    """The lock file cannot be opened (here a folder is in its way): the message said "pass
    --site-dir to build somewhere writable", which cannot help; it now points at TMPDIR."""
    import tempfile

    from aigc_resources.errors import UserError
    from aigc_resources.render import build as build_module

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    site, docs = _old_site(tmp_path), tmp_path / "docs"
    with build_module._build_lock(site.resolve(), docs.resolve()):
        pass
    for lock in scratch.glob("aigc-resources-build-*.lock"):
        lock.unlink()
        lock.mkdir()
    with pytest.raises(UserError, match=r"cannot write in the temporary folder: .*\.lock: Is a directory \(set TMPDIR") as raised:
        build_site(PROJECT_ROOT, tmp_catalog(), site, docs_dir=docs, jobs=1)
    assert "--site-dir" not in str(raised.value)
    _assert_old_site_intact(tmp_path, site)


def test_second_build_into_the_same_folders_is_refused(tmp_path, tmp_catalog):
    """Two builds at once would mix their generated pages and race on the swap of site/."""
    from aigc_resources.errors import UserError
    from aigc_resources.render.build import _build_lock

    site, docs = _old_site(tmp_path), tmp_path / "docs"
    with _build_lock(site.resolve(), docs.resolve()):
        with pytest.raises(UserError, match="another build is writing"):
            build_site(PROJECT_ROOT, tmp_catalog(), site, docs_dir=docs)
    _assert_old_site_intact(tmp_path, site)
    assert not docs.exists()


def test_site_dir_that_cannot_be_written_is_a_clear_error(tmp_path, tmp_catalog, monkeypatch):
    """A file in the way, or a folder the build may not write: one line naming the path, exit 3."""
    from click.testing import CliRunner

    import aigc_resources.render.build as build_module
    from aigc_resources.cli import main
    from aigc_resources.errors import UserError

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["build", "--catalog", str(tmp_catalog()), "--project-root", str(PROJECT_ROOT),
                                       "--site-dir", str(blocker / "site")])
    assert result.exit_code == 3 and f"{blocker} is a file" in result.output and "Traceback" not in result.output

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "site.tmp-x"))

    monkeypatch.setattr(build_module.tempfile, "mkdtemp", refused)
    site = _old_site(tmp_path)
    with pytest.raises(UserError, match="cannot write the site: .*site.tmp-x: Permission denied"):
        build_site(PROJECT_ROOT, tmp_catalog(), site, docs_dir=tmp_path / "docs", jobs=1)
    _assert_old_site_intact(tmp_path, site)


@pytest.mark.parametrize("jobs", [1, 2])
def test_generated_docs_folder_with_foreign_files_is_a_clear_error(tmp_path, tmp_catalog, jobs):
    """The writer refuses to empty a docs folder it did not write; that used to be a traceback
    (and, in a build worker, the worker's traceback inside a misleading "different pages")."""
    from aigc_resources.errors import UserError

    site, docs = _old_site(tmp_path), tmp_path / "docs"
    (docs / "zh").mkdir(parents=True)
    (docs / "zh" / "notes.md").write_text("mine", encoding="utf-8")
    with pytest.raises(UserError, match=r"cannot build the site: .*docs/zh is not empty and was not written by aigc-resources") as raised:
        build_site(PROJECT_ROOT, tmp_catalog(), site, docs_dir=docs, jobs=jobs)
    assert "Traceback" not in str(raised.value)
    assert (docs / "zh" / "notes.md").read_text(encoding="utf-8") == "mine"
    _assert_old_site_intact(tmp_path, site)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_page_conflict_in_one_language_is_a_clear_build_error(tmp_path, tmp_catalog, jobs, monkeypatch):
    """An extra (demo) page of the Chinese site only, named like one of the site's own pages:
    a ValueError traceback here (exit 1), and in a worker a misleading "the en and zh sites
    have different pages" with the worker's traceback. Now one BuildError naming the page."""
    import tempfile

    from aigc_resources.errors import BuildError
    from aigc_resources.render.extras import SiteExtras, StaticPages

    site, docs = _old_site(tmp_path), tmp_path / "docs"
    extras = SiteExtras(pages=StaticPages({"zh": {"about.md": "# clash\n"}}))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with pytest.raises(BuildError, match=r"the extra page 'about.md' \(zh\) would replace the site's own page") as raised:
        build_site(PROJECT_ROOT, tmp_catalog(), site, docs_dir=docs, extras=extras, jobs=jobs)
    assert "Traceback" not in str(raised.value) and "different pages" not in str(raised.value)
    _assert_old_site_intact(tmp_path, site)
    assert [p.name for p in scratch.iterdir() if p.name.startswith("aigc-build-") and not p.name.endswith(".lock")] == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_strict_warning_fails_the_build_in_a_worker_or_here(tmp_path, tmp_catalog, jobs):
    """An extra page linking to a missing page makes MkDocs warn; --strict turns that into a
    failed build, whether the languages are built in worker processes (jobs=2) or here."""
    from aigc_resources.errors import BuildError
    from aigc_resources.render.extras import SiteExtras, StaticPages

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old")
    page = {"broken.md": "# Broken\n\nSee [the missing page](missing.md).\n"}
    extras = SiteExtras(pages=StaticPages({"en": page, "zh": page}))
    with pytest.raises(BuildError, match="missing.md"):
        build_site(PROJECT_ROOT, tmp_catalog(), site, docs_dir=tmp_path / "docs", extras=extras, jobs=jobs)
    assert (site / "index.html").read_text() == "old"
    assert not list(tmp_path.glob("site.tmp-*"))


def test_a_worker_that_dies_is_an_internal_error_with_its_traceback(tmp_path):
    """A crash (a bug) in a build worker is not a content failure: WorkerCrashed (exit 1),
    carrying the worker's own traceback, instead of an empty "[zh]" build result."""
    from aigc_resources.errors import UserError
    from aigc_resources.render.build import WorkerCrashed, _Worker

    task = tmp_path / "task.pickle"
    task.write_bytes(b"not a pickle")
    worker = _Worker(task, ("zh", str(PROJECT_ROOT / "mkdocs.zh.yml"), str(tmp_path / "docs"), str(tmp_path / "site")))
    try:
        with pytest.raises(WorkerCrashed, match=r"(?s)the zh build worker exited with 1.*UnpicklingError") as raised:
            worker.result()
        assert not isinstance(raised.value, UserError)
    finally:
        worker.stop()
    assert not Path(worker.scratch.name).exists()
