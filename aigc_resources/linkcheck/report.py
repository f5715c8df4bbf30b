"""Render a :class:`~.run.CheckRun` (or the history's broken links) in each output format.

Each format is one function from the summary object to text, picked from :data:`FORMATS`
by name: plain ``text`` (terminal and CI logs), ``json`` (a list of results with a stable
set of keys), ``markdown`` (an issue or a GitHub job summary), ``junit`` (XML test report)
and ``github`` (workflow-command annotations at file:line, shown on the pull request).
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable

from .history import LinkHealth
from .result import LinkResult, LinkStatus, printable
from .run import CheckRun

#: Order of statuses in human-readable reports: what needs action first.
_ORDER = [LinkStatus.INVALID, LinkStatus.BROKEN, LinkStatus.REDIRECTED, LinkStatus.BLOCKED,
          LinkStatus.TRANSIENT, LinkStatus.EXCLUDED, LinkStatus.OK]


def _problems(run: CheckRun) -> list[LinkResult]:
    """Results worth showing (not plain OK), failures first, then by status and URL."""
    shown = [r for r in run.results if r.status is not LinkStatus.OK]
    return sorted(shown, key=lambda r: (not run.verdicts[r.key].fails, _ORDER.index(r.status), r.url))


def _where(result: LinkResult) -> str:
    return ", ".join(o.format() for o in result.origins)


def format_text(run: CheckRun) -> str:
    """One block per result that is not plain OK, then notes and the summary line."""
    lines = []
    for r in _problems(run):
        verdict = run.verdicts[r.key]
        flag = "FAIL " if verdict.fails else "     "
        code = str(r.http_status or "-")
        lines.append(f"{flag}{r.status.value:<10} {code:>4}  {printable(r.url)}")
        lines.append(f"{'':21}{r.reason}")
        if r.suggested_url:
            lines.append(f"{'':21}suggested: {r.suggested_url}")
        if verdict.why:
            lines.append(f"{'':21}verdict: {verdict.why}")
        if r.origins:
            lines.append(f"{'':21}in: {_where(r)}")
    lines += [f"note: {n}" for n in run.notes]
    lines.append(("FAILED: " if run.failures else "OK: ") + run.summary())
    return "\n".join(lines) + "\n"


def format_json(run: CheckRun) -> str:
    """A JSON list of ``{url, status, http_status, final_url, reason, elapsed_ms, attempts, origins}``."""
    return json.dumps([r.to_json() for r in run.results], ensure_ascii=False, indent=2) + "\n"


def _md(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def format_markdown(run: CheckRun) -> str:
    """A Markdown report: summary, then a table of every result that is not plain OK."""
    counts = run.counts()
    out = ["## Link check", "", ("**Failed**: " if run.failures else "**Passed**: ") + _md(run.summary()), ""]
    out += ["| status | count |", "| --- | ---: |"]
    out += [f"| {s.value} | {counts[s]} |" for s in _ORDER if counts[s]]
    problems = _problems(run)
    if problems:
        out += ["", "| | status | code | URL | reason | where |", "| --- | --- | --- | --- | --- | --- |"]
        for r in problems:
            mark = "❌" if run.verdicts[r.key].fails else ""
            reason = r.reason + (f"; suggested: {r.suggested_url}" if r.suggested_url else "")
            out.append(f"| {mark} | {r.status.value} | {r.http_status or ''} | {_md(printable(r.url))} | {_md(reason)} "
                       f"| {_md(_where(r))} |")
    out += [f"- {_md(n)}" for n in run.notes]
    return "\n".join(out) + "\n"


def format_junit(run: CheckRun) -> str:
    """JUnit XML: one test case per URL; failing verdicts are failures, excluded/blocked skipped."""
    suite = ET.Element("testsuite", name="aigc-resources links", tests=str(len(run.results)),
                       failures=str(len(run.failures)), errors="0",
                       skipped=str(sum(r.status in (LinkStatus.EXCLUDED, LinkStatus.BLOCKED) for r in run.results)),
                       time=f"{run.finished_at - run.started_at:.3f}")
    for r in run.results:
        case = ET.SubElement(suite, "testcase", name=printable(r.url),
                             classname=r.origins[0].path if r.origins else "links", time=f"{r.elapsed_ms / 1000:.3f}")
        verdict = run.verdicts[r.key]
        if verdict.fails:
            failure = ET.SubElement(case, "failure", message=f"{r.status.value}: {r.reason}", type=r.status.value)
            failure.text = f"{verdict.why}\n{_where(r)}"
        elif r.status in (LinkStatus.EXCLUDED, LinkStatus.BLOCKED):
            ET.SubElement(case, "skipped", message=f"{r.status.value}: {r.reason}")
        ET.SubElement(case, "system-out").text = f"{r.status.value} {r.http_status or ''} {r.reason}".strip()
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(run: CheckRun) -> str:
    """GitHub workflow commands: ``::error`` for failures, ``::warning`` for other problems,
    one per place the URL is written (``file=`` and ``line=``), then the summary as a notice."""
    lines = []
    for r in _problems(run):
        if r.status in (LinkStatus.EXCLUDED, LinkStatus.OK):
            continue
        verdict = run.verdicts[r.key]
        level = "error" if verdict.fails else "warning"
        title = f"{r.status.value} link" + (" (fails the run)" if verdict.fails else "")
        message = f"{printable(r.url)}: {r.reason}" + (f" -> suggested {r.suggested_url}" if r.suggested_url else "")
        if verdict.why:
            message += f" [{verdict.why}]"
        for origin in r.origins or ():
            lines.append(f"::{level} file={_gh_property(origin.path)},line={origin.line},"
                         f"title={_gh_property(title)}::{_gh_data(message)}")
        if not r.origins:
            lines.append(f"::{level} title={_gh_property(title)}::{_gh_data(message)}")
    lines.append(f"::notice title=link check::{_gh_data(run.summary())}")
    return "\n".join(lines) + "\n"


#: Output formats of ``check-links --format``.
FORMATS: dict[str, Callable[[CheckRun], str]] = {
    "text": format_text, "json": format_json, "markdown": format_markdown,
    "junit": format_junit, "github": format_github,
}


def _date(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def format_broken(links: list[LinkHealth], fmt: str, now: dt.datetime | None = None) -> str:
    """The ``link-report`` listing (broken longest first) as ``text``, ``json`` or ``markdown``."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if fmt == "json":
        return json.dumps([{"url": h.url, "status": h.status.value, "http_status": h.http_status,
                            "broken_since": h.broken_since.isoformat() if h.broken_since else None,
                            "last_checked": h.last_checked.isoformat(), "checks": h.streak,
                            "final_url": h.final_url, "reason": h.reason} for h in links], indent=2) + "\n"
    rows = [(f"{(now - h.broken_since).total_seconds() / 86400:.1f}", _date(h.broken_since), str(h.streak),
             str(h.http_status or "-"), printable(h.url), printable(h.reason)) for h in links if h.broken_since]
    if fmt == "markdown":
        out = ["## Broken links, longest first", "", "| days | since | checks | code | URL | last reason |",
               "| ---: | --- | ---: | --- | --- | --- |"]
        out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
        return "\n".join(out if rows else ["## Broken links", "", "None."]) + "\n"
    if not rows:
        return "no broken links in the history\n"
    lines = [f"{'days':>6}  {'since':<20} {'checks':>6} {'code':>4}  URL / last reason"]
    lines += [f"{d:>6}  {s:<20} {c:>6} {code:>4}  {url}\n{'':42}{reason}" for d, s, c, code, url, reason in rows]
    return "\n".join(lines) + "\n"
