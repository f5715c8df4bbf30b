"""History: observations in SQLite, verdicts recomputed from rows, cache by age, crash safety."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aigc_resources.linkcheck import FailPolicy, LinkResult, LinkStatus, Settings, check_links, link_health
from aigc_resources.linkcheck.history import History, HistoryError, broken_links, judge
from aigc_resources.linkcheck.result import LinkTarget

from .linkcheck_support import FixtureServer, fast_settings, server, servers  # noqa: F401

H = 3600.0
T0 = 1_800_000_000.0
SETTINGS = Settings()


def _result(status: LinkStatus, at: float, url: str = "https://a.org/x", code: int | None = None) -> LinkResult:
    return LinkResult(url=url, key=url, status=status, reason=status.value, http_status=code, checked_at=at,
                      elapsed_ms=12, attempts=1)


def _verdict(db: Path, observations: list[tuple[LinkStatus, float]], policy: FailPolicy = FailPolicy.PERSISTENT):
    """Store observations (one run each), then judge the last one."""
    with History(db) as history:
        for status, at in observations:
            run = history.start_run("catalog", 1, at=at)
            history.record(run, _result(status, at))
        rows = history.observations(["https://a.org/x"])["https://a.org/x"]
    return judge(_result(*observations[-1]), rows, run, policy, SETTINGS)


B, OK, T, BL = LinkStatus.BROKEN, LinkStatus.OK, LinkStatus.TRANSIENT, LinkStatus.BLOCKED


@pytest.mark.parametrize("observations,fails", [
    ([(B, T0)], False),                                   # once is never enough for a scheduled run
    ([(B, T0), (B, T0 + 21 * H)], True),                  # two checks, 21 h apart
    ([(B, T0), (B, T0 + 10 * H)], False),                 # two checks, too close together
    ([(B, T0), (B, T0 + 10 * H), (B, T0 + 20 * H)], True),
    ([(B, T0), (OK, T0 + 10 * H), (B, T0 + 21 * H)], False),  # a success breaks the streak
    ([(B, T0), (T, T0 + 10 * H), (BL, T0 + 15 * H), (B, T0 + 21 * H)], True),  # inconclusive rows are skipped
    ([(B, T0), (B, T0 + 21 * H), (OK, T0 + 30 * H)], False),  # fixed now
])
def test_scheduled_run_fails_only_on_persistently_broken_urls(tmp_path: Path, observations, fails: bool) -> None:
    assert _verdict(tmp_path / "h.sqlite", observations).fails is fails


def test_changed_entries_fail_at_once_on_a_new_broken_url(tmp_path: Path) -> None:
    verdict = _verdict(tmp_path / "new.sqlite", [(B, T0)], FailPolicy.NEW)
    assert verdict.fails and verdict.new
    # The same URL, broken once before in an earlier run, is not this change's fault yet.
    verdict = _verdict(tmp_path / "old.sqlite", [(OK, T0), (B, T0 + H)], FailPolicy.NEW)
    assert not verdict.fails and not verdict.new


def test_invalid_always_fails_and_other_statuses_never_do(tmp_path: Path) -> None:
    for status, fails in [(LinkStatus.INVALID, True), (BL, False), (T, False), (LinkStatus.EXCLUDED, False)]:
        assert judge(_result(status, T0), [], None, FailPolicy.ANY, SETTINGS).fails is fails


def test_history_keeps_every_observation_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    with History(db) as history:
        run = history.start_run("catalog", 2)
        history.record(run, _result(OK, T0, code=200))
        history.record(run, _result(B, T0 + 5, code=404))
        history.finish_run(run)
        rows = history.observations()["https://a.org/x"]
    assert [(r.status, r.http_status) for r in rows] == [(OK, 200), (B, 404)]
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_link_health_for_the_site(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    assert link_health(db) == {} and not db.exists()       # no database: nothing, and nothing created
    with History(db) as history:
        run = history.start_run("catalog", 2, at=T0)
        history.record(run, _result(OK, T0, "https://a.org/x", 200))
        history.record(run, _result(B, T0, "https://b.org/y", 404))
        run = history.start_run("catalog", 2, at=T0 + 30 * H)
        history.record(run, _result(B, T0 + 30 * H, "https://a.org/x", 410))
        history.record(run, _result(B, T0 + 30 * H, "https://b.org/y", 404))
    health = link_health(db)
    a, b = health["https://a.org/x"], health["https://b.org/y"]
    assert (a.status, a.http_status, a.streak) == (B, 410, 1)
    assert a.broken_since.timestamp() == T0 + 30 * H and a.last_checked.tzinfo is not None
    assert b.broken_since.timestamp() == T0 and b.streak == 2
    assert [h.url for h in broken_links(db)] == ["https://b.org/y", "https://a.org/x"]  # longest first


def test_a_file_that_is_not_a_history_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HistoryError, match="not a link-check history database"):
        History(junk)
    assert link_health(junk) == {}


def test_recent_successes_are_reused_failures_always_rechecked(server: FixtureServer, tmp_path: Path) -> None:
    server.routes["/gone"] = lambda r: r.page("Gone", status=404)
    db = tmp_path / "h.sqlite"
    targets = [LinkTarget(server.url(p), server.url(p)) for p in ("/fine", "/gone")]
    settings = fast_settings(max_age=1.0)
    check_links(targets, settings, policy=FailPolicy.ANY, history_path=db)
    second = check_links(targets, settings, policy=FailPolicy.ANY, history_path=db)
    assert server.counts == {"/fine": 1, "/gone": 2}
    assert [r.cached for r in second.results] == [True, False]
    check_links(targets, settings, policy=FailPolicy.ANY, history_path=db, use_cache=False)
    check_links(targets, fast_settings(max_age=0.0), policy=FailPolicy.ANY, history_path=db)
    assert server.counts == {"/fine": 3, "/gone": 4}
    with History(db) as history:
        assert len(history.observations()[server.url("/fine")]) == 3  # re-used results are not new observations


def test_killing_a_run_leaves_the_history_consistent(server: FixtureServer, tmp_path: Path) -> None:
    def slow(r):
        time.sleep(0.03)
        r.page("slow")
    server.default = slow
    total = 400
    url_file = tmp_path / "urls.txt"
    url_file.write_text("\n".join(server.url(f"/{i}") for i in range(total)) + "\n", encoding="utf-8")
    db = tmp_path / "history.sqlite"
    command = [sys.executable, "-c", "from aigc_resources.cli import main; main()", "check-links",
               "--url-file", str(url_file), "--history", str(db), "--allow-private", "--max-concurrency", "4",
               "--min-interval", "0", "--format", "json", "--config", str(tmp_path / "none.toml")]
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    for kill_after in (20, 120):  # two kills at different moments, then a complete run
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _count(db) < kill_after and process.poll() is None:
                time.sleep(0.02)
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        assert process.returncode == -signal.SIGKILL
        db_check = sqlite3.connect(db)
        assert db_check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db_check.execute("PRAGMA foreign_key_check").fetchall() == []
        observed = db_check.execute("SELECT count(*) FROM observations WHERE run_id = "
                                    "(SELECT max(id) FROM runs)").fetchone()[0]
        assert kill_after <= observed < total
        assert db_check.execute("SELECT finished_at FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0] is None
        assert db_check.execute("SELECT count(*) FROM observations WHERE status IS NULL OR reason IS NULL "
                                "OR checked_at IS NULL").fetchone()[0] == 0
        db_check.close()
    finished = subprocess.run([*command, "--no-cache"], capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr.decode()[-2000:]
    db_check = sqlite3.connect(db)
    runs = db_check.execute("SELECT finished_at IS NOT NULL FROM runs ORDER BY id").fetchall()
    assert runs == [(0,), (0,), (1,)]
    assert db_check.execute("SELECT count(*) FROM observations WHERE run_id = 3").fetchone()[0] == total


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM observations WHERE run_id = (SELECT max(id) FROM runs)"
                                ).fetchone()[0]
    except sqlite3.Error:
        return 0


def _foreign_db(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (x)")
    db.commit()
    db.close()


def _newer_db(path: Path) -> None:
    with History(path):
        pass
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()


def _corrupt_db(path: Path) -> None:
    with History(path) as history:
        history.start_run("catalog", 1)
    data = bytearray(path.read_bytes())
    data[100:4096] = os.urandom(3996)  # the page 1 b-tree header and schema
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("make,message", [
    (lambda p: p.mkdir(), "is a folder, not a history file"),
    (lambda p: None, "cannot create the folder"),  # its parent is a file (below)
    (_foreign_db, "it holds other tables: notes"),
    (_newer_db, "newer version (schema 99"),
    (_corrupt_db, "not a link-check history database"),
])
def test_unusable_history_paths_are_clear_errors_and_left_untouched(tmp_path: Path, make, message: str) -> None:
    path = tmp_path / "h.sqlite"
    if message == "cannot create the folder":
        (tmp_path / "file").write_text("x", encoding="utf-8")
        path = tmp_path / "file" / "h.sqlite"
    make(path)
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(HistoryError, match=re.escape(message)):
        History(path)
    if before is not None:
        assert path.read_bytes() == before  # no table added to someone else's database


def test_broken_links_refuses_a_file_that_is_not_a_history(tmp_path: Path) -> None:
    _foreign_db(tmp_path / "other.sqlite")
    with pytest.raises(HistoryError, match="not a link-check history database"):
        broken_links(tmp_path / "other.sqlite")
    with pytest.raises(HistoryError, match="no history file"):
        broken_links(tmp_path / "missing.sqlite")
    _newer_db(tmp_path / "newer.sqlite")  # its columns may mean something else now: not guessed at
    with pytest.raises(HistoryError, match="newer version"):
        broken_links(tmp_path / "newer.sqlite")
    assert link_health(tmp_path / "other.sqlite") == {}  # the site builds without a history


def test_a_history_locked_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    with History(db, busy_timeout=0.05) as history:
        run = history.start_run("catalog", 1)
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another run (or a person with sqlite3) holds the lock
        try:
            with pytest.raises(HistoryError, match="another process"):
                history.record(run, _result(OK, T0))
            with pytest.raises(HistoryError, match="another process"):
                History(db, busy_timeout=0.05)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        history.record(run, _result(OK, T0))  # usable again once the lock is gone


def test_ctrl_c_writes_a_partial_report_and_keeps_the_history_consistent(server: FixtureServer,
                                                                         tmp_path: Path) -> None:
    def slow(r):
        time.sleep(0.05)
        r.page("slow")
    server.default = slow
    total = 300
    (tmp_path / "urls.txt").write_text("\n".join(server.url(f"/{i}") for i in range(total)) + "\n", encoding="utf-8")
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    db, report = tmp_path / "history.sqlite", tmp_path / "report.json"
    # The handler is set explicitly: a child of a non-interactive shell may inherit SIGINT ignored.
    command = [sys.executable, "-c", "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
               "from aigc_resources.cli import main; main()", "check-links", "--url-file", str(tmp_path / "urls.txt"),
               "--history", str(db), "--allow-private", "--max-concurrency", "2", "--min-interval", "0",
               "--format", "json", "--output", str(report), "--config", str(tmp_path / "none.toml")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _count(db) < 10 and process.poll() is None:
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err.decode()[-2000:]
    assert b"interrupted" in err and b"Traceback" not in err
    partial = json.loads(report.read_text(encoding="utf-8"))
    assert 10 <= len(partial) < total
    db_check = sqlite3.connect(db)
    assert db_check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db_check.execute("SELECT finished_at FROM runs").fetchall() == [(None,)]  # reads as interrupted
    stored = {row[0] for row in db_check.execute("SELECT url FROM observations")}
    assert {r["url"] for r in partial} <= stored  # every reported result is in the history


def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(name, *args, **kwargs):
        if name.startswith("127."):
            return real(name, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_runner_without_dns_does_not_mark_every_link_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_dns(monkeypatch)
    targets = [LinkTarget(f"http://host{i}.aigc-test/p", f"http://host{i}.aigc-test/p") for i in range(6)]
    db = tmp_path / "h.sqlite"
    run = check_links(targets, fast_settings(), policy=FailPolicy.ANY, history_path=db)
    assert {r.status for r in run.results} == {LinkStatus.TRANSIENT} and not run.failures
    assert "the checker's DNS is down" in run.results[0].reason
    with History(db) as history:  # and no broken streak starts in the history
        assert {o.status for rows in history.observations().values() for o in rows} == {LinkStatus.TRANSIENT}


def test_unknown_hosts_are_broken_when_other_servers_answer(server: FixtureServer, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _no_dns(monkeypatch)
    targets = [LinkTarget(f"http://host{i}.aigc-test/p", f"http://host{i}.aigc-test/p") for i in range(6)]
    targets.append(LinkTarget(server.url("/fine"), server.url("/fine")))
    run = check_links(targets, fast_settings(), policy=FailPolicy.ANY, history_path=tmp_path / "h.sqlite")
    statuses = {r.url: r.status for r in run.results}
    assert statuses.pop(server.url("/fine")) is LinkStatus.OK
    assert set(statuses.values()) == {LinkStatus.BROKEN} and len(run.failures) == 6


def test_progress_shows_unknown_hosts_with_their_final_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_dns(monkeypatch)
    targets = [LinkTarget(f"http://host{i}.aigc-test/p", f"http://host{i}.aigc-test/p") for i in range(6)]
    shown: list[LinkStatus] = []
    check_links(targets, fast_settings(), policy=FailPolicy.ANY, on_result=lambda r: shown.append(r.status))
    assert shown == [LinkStatus.TRANSIENT] * 6  # never "broken" on the progress lines, then transient


@pytest.mark.parametrize("column, value, message", [
    ("status", "weird", "the status 'weird'"),
    ("checked_at", "yesterday", "the time 'yesterday'"),
    ("checked_at", 1e300, "the time 1e[+]300"),
    ("checked_at", float("-inf"), "the time -inf"),
    ("http_status", "abc", "the HTTP status 'abc'"),
    ("final_url", b"\x00", "the final URL b'\\\\x00'"),
])
def test_a_history_with_odd_values_is_a_clear_error_and_the_site_builds_without_it(
        tmp_path: Path, column: str, value: object, message: str) -> None:
    """A history edited by hand (or by another tool) used to raise ValueError/TypeError/
    OverflowError from inside `build`, `link-report` and `check-links`: a traceback."""
    db = tmp_path / "h.sqlite"
    with History(db) as history:
        run = history.start_run("catalog", 1, at=T0)
        history.record(run, _result(OK, T0, "https://a.org/x", 200))
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA ignore_check_constraints = 1")
    raw.execute(f"UPDATE observations SET {column} = ?", (value,))
    raw.commit()
    raw.close()
    with pytest.raises(HistoryError, match=f"h.sqlite: an observation of 'https://a.org/x' has {message}"):
        broken_links(db)
    with History(db) as history, pytest.raises(HistoryError, match=message):
        history.observations()
    assert link_health(db) == {}  # the site builds without link health, as with any unreadable history
