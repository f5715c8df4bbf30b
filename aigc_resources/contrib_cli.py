"""Contributor commands: ``schema`` (JSON Schemas for editors), ``new`` (scaffold an entry) and
``contributing`` (refresh the generated tables of CONTRIBUTING.md).

Thin, like every command: parse options, call one library function, print, return an exit
code (:class:`aigc_resources.errors.ExitCode`). Registered in :mod:`aigc_resources.cli`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .cliutil import catalog_option, handle_errors
from .errors import ExitCode, UserError
from .fsutil import decode_text_file


def _taxonomy_or_fail(catalog_dir: Path):
    """The catalog's taxonomy; its problems printed and ``None`` returned when it is invalid."""
    from .catalog import load_taxonomy

    taxonomy, doc = load_taxonomy(catalog_dir)
    if taxonomy is None:
        for diagnostic in doc.diagnostics:
            click.secho(diagnostic.format(), fg="red", err=True)
    return taxonomy


@click.command()
@catalog_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("schema"),
              show_default=True, help="Folder to write the *.schema.json files into.")
@click.option("--check", is_flag=True, help="Write nothing; exit 2 when a committed schema is missing or stale.")
@handle_errors
def schema(catalog_dir: Path, out_dir: Path, check: bool) -> int:
    """Write the JSON Schemas (resource, taxonomy) from the models, taxonomy values as enums.

    Editors read them through the `# yaml-language-server: $schema=...` comment at the top of
    every entry. Files are rewritten only when their content changes.
    """
    from .fsutil import atomic_write
    from .schema_export import render_all, stale_files

    taxonomy = _taxonomy_or_fail(catalog_dir)
    if taxonomy is None:
        return ExitCode.FAILURES
    if check:
        stale = stale_files(out_dir, taxonomy)
        for name in stale:
            click.secho(f"{out_dir / name}: stale or missing; run `aigc-resources schema`", fg="red")
        if not stale:
            click.echo(f"OK: the schemas in {out_dir} are up to date")
        return ExitCode.FAILURES if stale else ExitCode.OK
    for name, text in render_all(taxonomy).items():
        path = out_dir / name
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            click.echo(f"unchanged {path}")
            continue
        atomic_write(path, text.encode("utf-8"))
        click.echo(f"wrote {path}")
    return ExitCode.OK


@click.command()
@catalog_option
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path), default=Path("CONTRIBUTING.md"),
              show_default=True, help="The guide whose generated tables to refresh.")
@click.option("--check", is_flag=True, help="Write nothing; exit 2 when the tables are stale.")
@handle_errors
def contributing(catalog_dir: Path, path: Path, check: bool) -> int:
    """Refresh the field, error-code and taxonomy tables between the markers of CONTRIBUTING.md."""
    from .render.contribute import update_contributing
    from .fsutil import atomic_write

    taxonomy = _taxonomy_or_fail(catalog_dir)
    if taxonomy is None:
        return ExitCode.FAILURES
    if not path.is_file():
        raise UserError(f"{path} not found")
    text = decode_text_file(path.read_bytes(), str(path))
    updated = update_contributing(text, taxonomy, str(path))
    if updated == text:
        click.echo(f"OK: {path} is up to date")
        return ExitCode.OK
    if check:
        click.secho(f"{path}: the generated tables are stale; run `aigc-resources contributing`", fg="red")
        return ExitCode.FAILURES
    atomic_write(path, updated.encode("utf-8"))
    click.echo(f"wrote {path}")
    return ExitCode.OK


@click.command()
@catalog_option
@click.option("--type", "type_", help="Resource type (a `types` id of the taxonomy).")
@click.option("--id", "entry_id", help="Slug; default: made from the title.")
@click.option("--title", help="Title as the authors give it.")
@click.option("--url", help="Canonical http(s) URL of the resource.")
@click.option("--level", help="beginner, intermediate or advanced.")
@click.option("--topic", "topics", multiple=True, help="A topic id (repeat for several).")
@click.option("--modality", "modalities", multiple=True, help="A modality id (repeat for several).")
@click.option("--language", "languages", multiple=True, help="Language of the resource (repeat); default en.")
@click.option("--access", type=click.Choice(["free", "freemium", "paid"]), help="Cost to a learner.")
@click.option("--author", "authors", multiple=True, help="An author (repeat for several).")
@click.option("--year", type=int, help="Year of first publication (required for papers).")
@click.option("--arxiv", help="arXiv identifier, e.g. 1706.03762.")
@click.option("--description", help="English description, 40-400 characters, your own words.")
@click.option("--description-zh", help="Chinese description, 15-300 characters, your own words.")
@click.option("--from-url", "from_url", metavar="URL",
              help="Fill title, description, authors and year from the page's <title>, og: and citation_ tags.")
@click.option("--allow-private-addresses", is_flag=True, hidden=True,
              help="Test only: let --from-url fetch from loopback and private addresses, and the new "
                   "entry's URL point at one.")
@click.option("--no-input", is_flag=True, help="Never prompt; fail when a required value is missing.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, hidden=True,
              help="The `added` date (default: today).")
@handle_errors
def new(catalog_dir: Path, type_: str | None, entry_id: str | None, title: str | None, url: str | None,
        level: str | None, topics: tuple[str, ...], modalities: tuple[str, ...], languages: tuple[str, ...],
        access: str | None, authors: tuple[str, ...], year: int | None, arxiv: str | None,
        description: str | None, description_zh: str | None, from_url: str | None,
        allow_private_addresses: bool, no_input: bool, today: dt.datetime | None) -> int:
    """Scaffold a new entry file under catalog/resources/<type>/<id>.yaml, then validate it.

    Values come from the options, then from --from-url, then from prompts (unless --no-input).
    The file is written atomically, never over an existing one; the command prints every
    problem the validator finds in it and exits 2 if there is any error.

    \b
    Example:
      aigc-resources new --from-url https://arxiv.org/abs/1706.03762 --type paper \\
        --level intermediate --topic transformer --topic attention
    """
    from .authoring import Draft, create_entry
    from .pagemeta import FetchPolicy, fetch_page_metadata

    taxonomy = _taxonomy_or_fail(catalog_dir)
    if taxonomy is None:
        return ExitCode.FAILURES
    draft = Draft(id=entry_id, title=title, url=url, type=type_, level=level, topics=list(topics),
                  modalities=list(modalities), languages=list(languages), access=access, authors=list(authors),
                  year=year, arxiv=arxiv, description=description, description_zh=description_zh)
    if from_url:
        meta = fetch_page_metadata(from_url, FetchPolicy(allow_private=allow_private_addresses))
        draft = draft.filled_from(meta)
        click.echo(f"read {meta.url}: {', '.join(meta.found()) or 'no metadata found'}")
    result = create_entry(catalog_dir, taxonomy, draft, today=(today.date() if today else dt.date.today()),
                          ask=None if no_input else _prompt, allow_private_hosts=allow_private_addresses)
    for diagnostic in result.diagnostics:
        click.secho(diagnostic.format(), fg="red" if diagnostic.severity.fails(False) else "yellow")
    if not result.written:
        click.secho("not written: fix the problems above, then run the command again", fg="red")
        return ExitCode.FAILURES
    click.echo(f"wrote {result.path}")
    if "description" in draft.from_page:
        click.secho("the description is the page's own text: rewrite it in your own words", fg="yellow")
    return ExitCode.OK


def _prompt(label: str, default: str | None, choices: list[str] | None) -> str:
    kind = click.Choice(choices) if choices else str
    return click.prompt(label, default=default, type=kind, show_choices=bool(choices) and len(choices) <= 12)
