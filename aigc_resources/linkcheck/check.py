"""Check many URLs at once, politely: worker threads fed by the :class:`~.schedule.HostScheduler`.

Per URL: refuse what must not be fetched (:meth:`Checker.precheck`: malformed, unsupported
scheme, credentials; excluded, with the exclusion's reason), then attempt it under the
address policy and a total deadline (:mod:`.net`), classify the facts (:mod:`.classify`) and
either report the result or queue a retry (honouring ``Retry-After``, capped, pausing the
whole host on 429/503). Results are handed to the caller's thread in completion order.

One URL's failure never reaches another's result: each attempt has its own cookie jar and
deadline, connections are detached from a deadline before they return to the pool, and an
unexpected exception (a bug) becomes that URL's ``TRANSIENT``/``unexpected`` result with its
traceback instead of stopping the run.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..urls import fetch_key, url_problems
from .classify import Classification, classify, retry_delay
from .config import Exclusion, Settings
from .fetch import Fetched, fetch
from ..net import AddressPolicy, Deadline, GuardedAdapter, Watchdog, attempt_scope
from .quirks import BUILTIN_EXCLUSIONS, HOST_RULES, HostRule, quirks_for
from .result import ErrorKind, LinkResult, LinkStatus, LinkTarget, printable
from .schedule import HostScheduler, Job

#: URL rule codes (from :func:`aigc_resources.urls.url_problems`) that make a URL unfetchable.
#: Tracking parameters are a catalog style rule, not a reason not to fetch.
_UNFETCHABLE = {"E-URL-INVALID", "E-URL-SCHEME", "E-URL-WHITESPACE", "E-URL-CREDENTIALS"}


@dataclass
class _State:
    target: LinkTarget
    attempts: int = 0
    elapsed: float = 0.0


class Checker:
    """Checks :class:`LinkTarget` values concurrently. Use as a context manager (or :meth:`close`).

    ``policy`` defaults to refusing non-global addresses unless ``settings.allow_private``;
    ``rules`` is the host quirk table; ``exclusions`` default to the built-in ones plus
    ``settings.exclude``.
    """

    def __init__(self, settings: Settings, *, policy: AddressPolicy | None = None,
                 rules: Sequence[HostRule] = HOST_RULES, exclusions: Sequence[Exclusion] | None = None) -> None:
        self.settings = settings
        self.policy = policy or AddressPolicy(allow_private=settings.allow_private)
        self.rules = tuple(rules)
        self.exclusions = tuple(exclusions) if exclusions is not None else BUILTIN_EXCLUSIONS + settings.exclude
        self._adapter = GuardedAdapter(pools=max(64, settings.max_concurrency), per_pool=settings.per_host)
        self._watchdog = Watchdog()

    def __enter__(self) -> "Checker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the watchdog and close pooled connections."""
        self._watchdog.close()
        self._adapter.close()

    def precheck(self, target: LinkTarget) -> LinkResult | None:
        """The result of a URL that must not be fetched (``INVALID``, ``EXCLUDED``), else ``None``."""
        problems = [message for code, message in url_problems(target.url) if code in _UNFETCHABLE]
        if problems:
            return _result(target, Classification(LinkStatus.INVALID, problems[0], ErrorKind.INVALID_URL))
        for rule in self.exclusions:
            if rule.matches(target.url):
                return _result(target, Classification(LinkStatus.EXCLUDED, f"excluded by {rule.source}: {rule.reason}",
                                                      ErrorKind.EXCLUDED))
        return None

    def check(self, targets: Iterable[LinkTarget],
              on_result: Callable[[LinkResult], None] | None = None) -> list[LinkResult]:
        """Check every target once (plus retries); return the results in completion order.

        ``on_result`` is called in the caller's thread for each result as it arrives (store
        it, draw progress). If it raises, the run stops: no new request starts, requests in
        flight end within their deadline, and the exception propagates.
        """
        results: list[LinkResult] = []

        def deliver(result: LinkResult) -> None:
            results.append(result)
            if on_result is not None:
                on_result(result)

        scheduler: HostScheduler[_State] = HostScheduler(per_host=self.settings.per_host,
                                                         min_interval=self.settings.min_interval)
        count = 0
        for target in targets:
            early = self.precheck(target)
            if early is not None:
                deliver(early)
            else:
                scheduler.add(Job(target.host, _State(target)))
                count += 1
        if not count:
            return results
        done: queue.Queue[LinkResult] = queue.Queue()
        workers = [threading.Thread(target=self._work, args=(scheduler, done), name=f"linkcheck-{i}", daemon=True)
                   for i in range(min(self.settings.max_concurrency, count))]
        for worker in workers:
            worker.start()
        try:
            for _ in range(count):
                deliver(done.get())
        finally:
            scheduler.close()
        for worker in workers:
            worker.join()
        return results

    def check_one(self, url: str) -> LinkResult:
        """Check a single URL (convenience for tests and scripts)."""
        return self.check([LinkTarget(url, fetch_key(url))])[0]

    def _work(self, scheduler: HostScheduler[_State], done: queue.Queue[LinkResult]) -> None:
        while (job := scheduler.take()) is not None:
            state = job.item
            state.attempts += 1
            try:
                verdict, fetched = self._attempt(state.target)
            except Exception:  # noqa: BLE001 - a bug must not stop the other URLs; it is reported
                scheduler.done(job)
                done.put(_result(state.target, Classification(
                    LinkStatus.TRANSIENT, "unexpected error in the checker (a bug; see detail)",
                    ErrorKind.UNEXPECTED), attempts=state.attempts, detail=traceback.format_exc()))
                continue
            state.elapsed += fetched.elapsed
            delay = retry_delay(verdict, job.attempt, self.settings)
            now = time.monotonic()
            pause_until = None
            if verdict.pause_host:
                wait = delay if delay is not None else min(
                    verdict.retry_after if verdict.retry_after is not None else self.settings.retry_wait,
                    self.settings.retry_after_cap)
                pause_until = now + wait
            if delay is not None:
                scheduler.done(job, retry_at=now + delay, pause_host_until=pause_until)
            else:
                scheduler.done(job, pause_host_until=pause_until)
                done.put(_result(state.target, verdict, fetched=fetched, attempts=state.attempts,
                                 elapsed=state.elapsed))

    def _attempt(self, target: LinkTarget) -> tuple[Classification, Fetched]:
        quirks = quirks_for(target.host, self.rules)
        deadline = self._watchdog.watch(Deadline(self.settings.timeout))
        try:
            with attempt_scope(self.policy, deadline):
                fetched = fetch(target.url, settings=self.settings, quirks=quirks, adapter=self._adapter,
                                deadline=deadline)
        finally:
            deadline.finish()
        return classify(fetched, quirks, self.settings), fetched


def _result(target: LinkTarget, verdict: Classification, *, fetched: Fetched | None = None, attempts: int = 0,
            elapsed: float = 0.0, detail: str | None = None) -> LinkResult:
    return LinkResult(
        url=target.url, key=target.key, status=verdict.status, reason=printable(verdict.reason),
        http_status=verdict.http_status, final_url=verdict.final_url, suggested_url=verdict.suggested_url,
        error_kind=verdict.error_kind, elapsed_ms=round(elapsed * 1000), attempts=attempts,
        origins=target.origins, redirects=tuple(fetched.hops) if fetched else (),
        checked_at=time.time(), body_bytes=fetched.body_bytes if fetched else 0, detail=detail,
    )
