"""One link-check run, end to end: re-use fresh successes, check the rest, store, judge.

:func:`check_links` is what ``aigc-resources check-links`` calls; it returns a
:class:`CheckRun`, the one summary object every output format is rendered from.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .check import Checker
from .config import Settings
from .history import FailPolicy, History, Verdict, judge
from ..net import AddressPolicy
from .quirks import HOST_RULES, HostRule
from .result import ErrorKind, LinkResult, LinkStatus, LinkTarget


@dataclass
class CheckRun:
    """The results of a run with their verdicts (times in epoch seconds, UTC).

    ``results`` are sorted by URL; ``verdicts`` are keyed by :attr:`LinkResult.key`.
    """

    results: list[LinkResult]
    verdicts: dict[str, Verdict]
    policy: FailPolicy
    started_at: float
    finished_at: float
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False

    @property
    def failures(self) -> list[LinkResult]:
        """Results whose verdict fails the run."""
        return [r for r in self.results if self.verdicts[r.key].fails]

    @property
    def unexpected(self) -> list[LinkResult]:
        """Results where the checker itself failed (bugs, with their traceback in ``detail``)."""
        return [r for r in self.results if r.error_kind is ErrorKind.UNEXPECTED]

    def counts(self) -> Counter[LinkStatus]:
        """How many results have each status."""
        return Counter(r.status for r in self.results)

    def summary(self) -> str:
        """One line: URL count, count per status, failures and time taken."""
        counts = self.counts()
        parts = ", ".join(f"{counts[s]} {s.value}" for s in LinkStatus if counts[s])
        cached = sum(r.cached for r in self.results)
        return (f"{len(self.results)} URLs{' (interrupted)' if self.interrupted else ''}: {parts or 'none'}"
                + (f" ({cached} re-used from history)" if cached else "")
                + f"; {len(self.failures)} failing ({self.policy.value} policy)"
                + f"; {self.finished_at - self.started_at:.1f} s")


def check_links(targets: Sequence[LinkTarget], settings: Settings, *, policy: FailPolicy,
                history_path: Path | None = None, use_cache: bool = True, mode: str = "catalog",
                address_policy: AddressPolicy | None = None, rules: Sequence[HostRule] = HOST_RULES,
                on_result: Callable[[LinkResult], None] | None = None) -> CheckRun:
    """Check ``targets`` and judge them under ``policy``.

    With ``history_path``, a success younger than ``settings.max_age`` hours is re-used
    (unless ``use_cache`` is false), every new result is stored as it arrives, and verdicts
    are computed from all stored rows. "Unknown host" results are stored at the end: when
    every name of the run failed that way (at least :data:`RESOLVER_DOWN_HOSTS`) and no
    server was reached, the resolver is down, and they are ``transient``, not ``broken``. ``mode`` is recorded with the run (``catalog``,
    ``changed``, ``url-file``). ``on_result`` is called for every result (progress).

    Interrupted (Ctrl-C, ``KeyboardInterrupt``), it stops starting requests and returns the
    results that arrived, with ``interrupted`` set and a note; every one of them is already in
    the history, and the run stays unfinished there (``finished_at`` NULL).

    Raises:
        HistoryError: the history file cannot be used.
    """
    started = time.time()
    history = History(history_path) if history_path is not None else None
    try:
        run_id = history.start_run(mode, len(targets)) if history else None
        results: list[LinkResult] = []
        to_check: list[LinkTarget] = []
        for target in targets:
            fresh = history.recent_success(target.key, settings.max_age) if history and use_cache else None
            if fresh is None:
                to_check.append(target)
                continue
            result = LinkResult(
                url=target.url, key=target.key, status=fresh.status, http_status=fresh.http_status,
                reason=f"{fresh.reason} (re-used: checked {(started - fresh.checked_at) / 3600:.1f} h ago)",
                final_url=fresh.final_url, suggested_url=fresh.suggested_url, elapsed_ms=0, attempts=0,
                origins=target.origins, checked_at=fresh.checked_at, cached=True)
            results.append(result)
            if on_result:
                on_result(result)

        def store(result: LinkResult) -> None:
            if history is not None:
                history.record(run_id, result)
            if on_result:
                on_result(result)

        arrived: list[LinkResult] = []
        unknown_hosts: list[LinkResult] = []  # stored at the end: they may be the resolver's fault

        def keep(result: LinkResult) -> None:
            if result.error_kind is ErrorKind.DNS:  # shown with its final status, at the end
                unknown_hosts.append(result)
                return
            store(result)
            arrived.append(result)  # after storing: a reported result is always in the history

        interrupted = False
        try:
            with Checker(settings, policy=address_policy, rules=rules) as checker:
                checker.check(to_check, on_result=keep)
        except KeyboardInterrupt:
            interrupted = True
        if _resolver_down(unknown_hosts, arrived):
            hosts = len({r.target_host for r in unknown_hosts})
            unknown_hosts = [replace(r, status=LinkStatus.TRANSIENT, reason=f"{r.reason}; all {hosts} host names "
                                     "failed to resolve and no server was reached: the checker's DNS is down, "
                                     "not the links") for r in unknown_hosts]
        for result in unknown_hosts:
            store(result)
            arrived.append(result)
        results += arrived
        if history is not None and not interrupted:
            history.finish_run(run_id)
        rows = history.observations(r.key for r in results) if history else {}
    finally:
        if history is not None:
            history.close()
    verdicts = {r.key: judge(r, rows.get(r.key, []), run_id, policy, settings) for r in results}
    results.sort(key=lambda r: (r.url, r.key))
    notes = [f"interrupted: {len(results)} of {len(targets)} URLs checked (kept in the history); "
             "the others were not"] if interrupted else []
    return CheckRun(results, verdicts, policy, started, time.time(), notes, interrupted)


#: Distinct host names that must all be "unknown", with no server reached by any other URL,
#: before a run blames its own resolver (a CI runner without DNS) instead of every link.
RESOLVER_DOWN_HOSTS = 5
#: Outcomes that prove a server was reached (so name resolution worked for someone).
_REACHED = {ErrorKind.REFUSED, ErrorKind.RESET, ErrorKind.TLS, ErrorKind.TLS_VERIFY, ErrorKind.PROTOCOL,
            ErrorKind.DECODING}


def _resolver_down(unknown: Sequence[LinkResult], others: Sequence[LinkResult]) -> bool:
    """True when every name lookup of the run said "no such host" (at least
    :data:`RESOLVER_DOWN_HOSTS` distinct names) and no other URL reached a server."""
    if len({r.target_host for r in unknown}) < RESOLVER_DOWN_HOSTS:
        return False
    return not any(r.http_status is not None or r.error_kind in _REACHED for r in others)


def with_notes(run: CheckRun, *notes: str) -> CheckRun:
    """``run`` with extra notes for the report (skipped entries, fixes applied)."""
    return replace(run, notes=[*run.notes, *notes])
