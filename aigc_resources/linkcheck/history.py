"""Link-check history in SQLite: every observation kept, verdicts recomputed from the rows.

Schema (``PRAGMA user_version`` = :data:`SCHEMA_VERSION`)::

    runs(id, started_at, finished_at NULL while running or if killed, mode, urls)
    observations(id, run_id -> runs, url, checked_at, status, http_status, final_url,
                 suggested_url, error_kind, reason, elapsed_ms, attempts)

Times are seconds since the Unix epoch (UTC), ``elapsed_ms`` milliseconds. ``url`` is the
:func:`aigc_resources.urls.fetch_key` of the URL.

Durability: the database runs in WAL mode and every observation is its own transaction,
committed as soon as the result arrives (unknown-host results at the end of the run, once
:func:`~.run.check_links` knows whether the resolver itself was down). A run killed at any moment (even ``SIGKILL``) leaves
every committed row intact and no partial row; the run stays with ``finished_at`` NULL, which
reads as "interrupted". Nothing here is cached in memory between calls.

Verdicts (:func:`judge`) follow DESIGN §5: a scheduled run fails on a URL only when it was
``broken`` on at least ``broken_checks`` consecutive conclusive checks spanning at least
``broken_span`` hours; a run over changed entries fails at once on a broken URL never seen
before. ``transient``/``blocked`` observations say nothing about the resource and neither
extend nor break a streak. The site reads the same rows through :func:`link_health`.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from .config import Settings
from .result import LinkResult, LinkStatus

SCHEMA_VERSION = 1

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at REAL NOT NULL,
    finished_at REAL,
    mode TEXT NOT NULL,
    urls INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    url TEXT NOT NULL,
    checked_at REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({", ".join(repr(s.value) for s in LinkStatus)})),
    http_status INTEGER,
    final_url TEXT,
    suggested_url TEXT,
    error_kind TEXT,
    reason TEXT NOT NULL,
    elapsed_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS observations_by_url ON observations (url, checked_at);
"""


class HistoryError(UserError):
    """The history file cannot be used (not a history database, or from a newer version)."""


def _explain(exc: sqlite3.Error) -> str:
    """SQLite's message, with what to do for the errors a user can fix."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"{text}: another process (another check-links run?) holds it; wait for it to end"
    if "readonly" in text or "read-only" in text:
        return f"{text}: the file or its folder is read-only; make it writable or give another --history"
    if "unable to open" in text:
        return f"{text}: check that the folder exists and is writable"
    return text


def _history_error(path: Path, exc: sqlite3.Error) -> HistoryError:
    """The :class:`HistoryError` for an SQLite error on ``path``: a file that is not (or no longer)
    a history database, or one that cannot be used now (locked, read-only, disk full)."""
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return HistoryError(f"{path}: not a link-check history database ({exc})")
    if "no such" in str(exc) or "has no column" in str(exc):
        return HistoryError(f"{path}: not a link-check history database ({exc})")
    return HistoryError(f"{path}: cannot use the history database ({_explain(exc)})")


class FailPolicy(str, enum.Enum):
    """When a broken URL fails the run.

    ``persistent`` (scheduled runs): broken on ``broken_checks`` consecutive checks spanning
    ``broken_span`` hours. ``new`` (runs over changed entries): also at once when the URL was
    never observed before. ``any``: every broken URL fails now.
    """

    PERSISTENT = "persistent"
    NEW = "new"
    ANY = "any"


@dataclass(frozen=True)
class Observation:
    """One stored row of ``observations``."""

    url: str
    run_id: int
    checked_at: float
    status: LinkStatus
    http_status: int | None
    final_url: str | None
    suggested_url: str | None
    error_kind: str | None
    reason: str
    elapsed_ms: int
    attempts: int


@dataclass(frozen=True)
class Verdict:
    """Whether a URL fails the run, and why. ``broken_since`` is epoch seconds (UTC)."""

    url: str
    fails: bool
    why: str
    streak: int = 0
    broken_since: float | None = None
    new: bool = False


@dataclass(frozen=True)
class LinkHealth:
    """What the site shows for one URL: the latest observation and how long it has been broken.

    ``last_checked`` and ``broken_since`` are timezone-aware UTC datetimes; ``broken_since``
    is ``None`` unless the latest conclusive check was ``broken``; ``streak`` counts the
    consecutive broken conclusive checks.
    """

    url: str
    status: LinkStatus
    http_status: int | None
    last_checked: dt.datetime
    broken_since: dt.datetime | None
    final_url: str | None
    reason: str
    streak: int = 0


_COLUMNS = ("url, run_id, checked_at, status, http_status, final_url, suggested_url, error_kind, reason, "
            "elapsed_ms, attempts")


def _observation(row: Sequence, path: Path) -> Observation:
    """One row of ``observations`` read back, its values checked (a file edited by hand or by
    another tool may hold any SQLite value in any column).

    Raises:
        HistoryError: names the file, the URL and the value that cannot be a check's.
    """
    url, checked_at, status, http_status = row[0], row[2], row[3], row[4]
    problem = None
    try:
        link_status = LinkStatus(status)
    except ValueError:
        problem = f"the status {status!r} (known: {', '.join(s.value for s in LinkStatus)})"
    if problem is None and (isinstance(checked_at, bool) or not isinstance(checked_at, (int, float))
                            or _utc_or_none(checked_at) is None):
        problem = f"the time {checked_at!r} (seconds since 1970 expected)"
    if problem is None and http_status is not None and (isinstance(http_status, bool)
                                                         or not isinstance(http_status, int)):
        problem = f"the HTTP status {http_status!r}"
    if problem is None and row[5] is not None and not isinstance(row[5], str):
        problem = f"the final URL {row[5]!r}"
    if problem is not None:
        raise HistoryError(f"{path}: an observation of {url!r} has {problem}, which check-links never writes; "
                           "move the file away (or delete it) to start a new history")
    return Observation(url, row[1], float(checked_at), link_status, *row[4:])


def _utc_or_none(seconds: float) -> dt.datetime | None:
    try:
        return _utc(seconds)
    except (OverflowError, OSError, ValueError):  # out of the platform's range, NaN
        return None


def _sqlite_errors(method):  # type: ignore[no-untyped-def]
    """Turn an SQLite error inside a :class:`History` method into a :class:`HistoryError`
    (locked by another process for longer than the busy timeout, disk full, file replaced)."""
    @functools.wraps(method)
    def wrapper(self: "History", *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise _history_error(self.path, exc) from None
    return wrapper


class History:
    """An open history database. Use as a context manager, or call :meth:`close`.

    ``busy_timeout`` is how long (seconds) to wait for a lock held by another process.

    Raises:
        HistoryError: the path is a folder or its folder cannot be made; the file is not a
            history database (another program's database, a corrupt file) or is from a newer
            version; it is locked by another process, read-only, or fails while in use.
    """

    def __init__(self, path: Path | str, *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise HistoryError(f"{self.path}: is a folder, not a history file; give a file path (--history)")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot create the folder {self.path.parent} for the history "
                               f"({exc.strerror or exc})") from None
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=busy_timeout)
        except sqlite3.Error as exc:
            raise HistoryError(f"{self.path}: cannot open the history database ({_explain(exc)})") from None
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise HistoryError(f"{self.path}: history written by a newer version (schema {version}, this "
                                   f"version reads {SCHEMA_VERSION}); upgrade aigc-resources or use another --history")
            tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and not {"runs", "observations"} <= tables:
                # Another program's database: adding our tables to it would be writing where we must not.
                raise HistoryError(f"{self.path}: not a link-check history database (it holds other tables: "
                                   f"{', '.join(sorted(tables)[:5])}); give another --history path")
            # Only now that the file is known to be ours (WAL mode rewrites its header).
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: consistent after any crash
            self._db.execute("PRAGMA foreign_keys=ON")
            # One transaction: a run killed while creating the schema leaves no half schema.
            self._db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise _history_error(self.path, exc) from None
        except HistoryError:
            self._db.close()
            raise

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (committed rows are already on disk)."""
        self._db.close()

    @_sqlite_errors
    def start_run(self, mode: str, urls: int, *, at: float | None = None) -> int:
        """Record the start of a run; returns its id. ``at`` is epoch seconds (default now)."""
        cursor = self._db.execute("INSERT INTO runs (started_at, mode, urls) VALUES (?, ?, ?)",
                                  (time.time() if at is None else at, mode, urls))
        return int(cursor.lastrowid)

    @_sqlite_errors
    def finish_run(self, run_id: int, *, at: float | None = None) -> None:
        """Mark a run complete."""
        self._db.execute("UPDATE runs SET finished_at = ? WHERE id = ?", (time.time() if at is None else at, run_id))

    @_sqlite_errors
    def record(self, run_id: int, result: LinkResult) -> None:
        """Store one result as an observation, in its own transaction (cached results are not stored)."""
        if result.cached:
            return
        self._db.execute(
            f"INSERT INTO observations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (result.key, run_id, result.checked_at, result.status.value, result.http_status, result.final_url,
             result.suggested_url, result.error_kind.value if result.error_kind else None, result.reason,
             result.elapsed_ms, result.attempts))

    @_sqlite_errors
    def observations(self, urls: Iterable[str] | None = None) -> dict[str, list[Observation]]:
        """Rows per URL, oldest first; all URLs when ``urls`` is ``None``."""
        out: dict[str, list[Observation]] = {}
        if urls is None:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM observations ORDER BY url, checked_at, id")
            for row in rows:
                out.setdefault(row[0], []).append(_observation(row, self.path))
            return out
        for url in urls:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM observations WHERE url = ? ORDER BY checked_at, id",
                                    (url,))
            out[url] = [_observation(row, self.path) for row in rows]
        return out

    @_sqlite_errors
    def recent_success(self, url: str, max_age_hours: float, *, now: float | None = None) -> Observation | None:
        """The latest observation of ``url`` if it is a success younger than ``max_age_hours``.

        Failures are never re-used: a fixed link must show as fixed on the next run (lychee
        keeps the same rule for its cache).
        """
        now = time.time() if now is None else now
        row = self._db.execute(f"SELECT {_COLUMNS} FROM observations WHERE url = ? ORDER BY checked_at DESC, id DESC "
                               "LIMIT 1", (url,)).fetchone()
        if row is None:
            return None
        obs = _observation(row, self.path)
        if obs.status.is_success and now - obs.checked_at <= max_age_hours * 3600:
            return obs
        return None

    @_sqlite_errors
    def runs(self) -> list[tuple[int, float, float | None, str, int]]:
        """All runs as ``(id, started_at, finished_at, mode, urls)``, oldest first."""
        return list(self._db.execute("SELECT id, started_at, finished_at, mode, urls FROM runs ORDER BY id"))


def broken_streak(rows: Sequence[Observation]) -> list[Observation]:
    """The consecutive ``broken`` conclusive observations ending with the latest conclusive one.

    ``rows`` oldest first. Inconclusive rows (transient, blocked, invalid, excluded) are
    skipped: they neither extend nor break a streak. Returns oldest first; empty when the
    latest conclusive observation is a success.
    """
    streak: list[Observation] = []
    for obs in reversed(rows):
        if not obs.status.is_conclusive:
            continue
        if obs.status is not LinkStatus.BROKEN:
            break
        streak.append(obs)
    return streak[::-1]


def judge(result: LinkResult, rows: Sequence[Observation], run_id: int | None, policy: FailPolicy,
          settings: Settings) -> Verdict:
    """Decide whether ``result`` fails the run, from the URL's stored ``rows`` (oldest first,
    including this run's) under ``policy`` and the ``broken_checks``/``broken_span`` settings.

    ``invalid`` always fails (the entry itself must change); only ``broken`` can fail
    otherwise. Nothing else in the project decides this.
    """
    if result.status is LinkStatus.INVALID:
        if result.redirects:  # the URL is fine; where it leads is not a web page that may be fetched
            return Verdict(result.key, True, "it redirects to a URL that cannot be checked (see the reason); "
                                             "link to a page that can be")
        return Verdict(result.key, True, "the URL cannot be checked as written")
    if result.status is not LinkStatus.BROKEN:
        return Verdict(result.key, False, "")
    if not rows or rows[-1].checked_at < result.checked_at:  # not stored (no history): judge this check alone
        rows = [*rows, Observation(result.key, run_id or 0, result.checked_at, result.status, result.http_status,
                                   result.final_url, None, None, result.reason, result.elapsed_ms, result.attempts)]
    streak = broken_streak(rows)
    since = streak[0].checked_at if streak else result.checked_at
    span_h = (streak[-1].checked_at - streak[0].checked_at) / 3600 if streak else 0.0
    new = all(obs.run_id == run_id for obs in rows)
    persistent = len(streak) >= settings.broken_checks and span_h >= settings.broken_span
    base = dict(streak=len(streak), broken_since=since, new=new)
    if persistent:
        return Verdict(result.key, True, f"broken on {len(streak)} consecutive checks over {span_h:.1f} h", **base)
    if policy is FailPolicy.ANY:
        return Verdict(result.key, True, "broken", **base)
    if policy is FailPolicy.NEW and new:
        return Verdict(result.key, True, "new URL, broken", **base)
    return Verdict(result.key, False, f"broken on {len(streak)} check(s) over {span_h:.1f} h; fails after "
                   f"{settings.broken_checks} checks at least {settings.broken_span:g} h apart", **base)


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def _open_read_only(path: Path) -> sqlite3.Connection:
    """``path`` opened read-only (never created, never changed).

    Raises:
        HistoryError: not a file, or not a readable history database.
    """
    if not path.is_file():
        raise HistoryError(f"{path}: no history file here" + (" (it is a folder)" if path.is_dir() else ""))
    error: sqlite3.Error | None = None
    for query in ("mode=ro", "immutable=1"):  # immutable: a read-only folder where -shm cannot be made
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True)
        except sqlite3.Error as exc:
            error = exc
            continue
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                db.close()
                raise HistoryError(f"{path}: history written by a newer version (schema {version}, this version "
                                   f"reads {SCHEMA_VERSION}); upgrade aigc-resources")
            db.execute(f"SELECT {_COLUMNS} FROM observations LIMIT 1")
            return db
        except sqlite3.Error as exc:
            db.close()
            error = exc
    assert error is not None
    raise _history_error(path, error)


def read_health(db_path: Path | str) -> dict[str, LinkHealth]:
    """Health of every URL in the history at ``db_path``, keyed by ``fetch_key(url)``.

    Opens the database read-only and never creates it.

    Raises:
        HistoryError: the file is missing, is not a history database, or cannot be read.
    """
    path = Path(db_path)
    db = _open_read_only(path)
    try:
        rows = db.execute(f"SELECT {_COLUMNS} FROM observations ORDER BY url, checked_at, id").fetchall()
    except sqlite3.Error as exc:
        raise _history_error(path, exc) from None
    finally:
        db.close()
    grouped: dict[str, list[Observation]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(_observation(row, path))
    health = {}
    for url, observations in grouped.items():
        latest = observations[-1]
        streak = broken_streak(observations)
        health[url] = LinkHealth(url=url, status=latest.status, http_status=latest.http_status,
                                 last_checked=_utc(latest.checked_at),
                                 broken_since=_utc(streak[0].checked_at) if streak else None,
                                 final_url=latest.final_url, reason=latest.reason, streak=len(streak))
    return health


def link_health(db_path: Path | str) -> dict[str, LinkHealth]:
    """:func:`read_health` for the site, which builds without a history: ``{}`` when the file
    does not exist or is not a readable history database."""
    try:
        return read_health(db_path)
    except HistoryError:
        return {}


def broken_links(db_path: Path | str) -> list[LinkHealth]:
    """URLs whose latest conclusive check was broken, broken longest first (``link-report``).

    Raises:
        HistoryError: as :func:`read_health` (a missing file included).
    """
    broken = [h for h in read_health(db_path).values() if h.broken_since is not None]
    return sorted(broken, key=lambda h: (h.broken_since, h.url))
