"""Politeness: who may send the next request, and when.

:class:`HostScheduler` hands jobs to worker threads so that, at every moment,

* no host has more than ``per_host`` requests in flight,
* two requests to one host start at least ``min_interval`` seconds apart,
* a host paused by a ``429``/``503`` (for its ``Retry-After``, capped) gets nothing until the
  pause ends, and a job waiting for a retry is not handed out before its time,

while the other hosts keep the workers busy: a worker never sleeps holding a slot for a host
that is not ready (LinkChecker sleeps while holding a global lock, which stalls every worker).
Hosts are served round-robin, so one big host does not starve the small ones.

The decision is :meth:`HostScheduler.pick`, a pure function of the state and the time, which
the tests drive with a fake clock; :meth:`HostScheduler.take` wraps it with a condition
variable for the threads.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Job(Generic[T]):
    """A unit of work for one host. ``attempt`` counts from 1; ``not_before`` is monotonic seconds."""

    host: str
    item: T
    attempt: int = 1
    not_before: float = 0.0


@dataclass
class _Host:
    ready: deque = field(default_factory=deque)
    in_flight: int = 0
    next_start: float = 0.0
    paused_until: float = 0.0


class HostScheduler(Generic[T]):
    """Thread-safe queue of :class:`Job` values with per-host limits (times in seconds).

    Raises nothing; :meth:`take` returns ``None`` when every job is done or after :meth:`close`.
    """

    def __init__(self, *, per_host: int, min_interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_host, self.min_interval, self.clock = per_host, min_interval, clock
        self._hosts: dict[str, _Host] = {}
        self._order: deque[str] = deque()
        self._delayed: list[tuple[float, int, Job[T]]] = []
        self._seq = itertools.count()
        self._in_flight = 0
        self._closed = False
        self._cond = threading.Condition()

    def add(self, job: Job[T]) -> None:
        """Queue a job (before or while workers run)."""
        with self._cond:
            self._queue(job)
            self._cond.notify()

    def _queue(self, job: Job[T]) -> None:
        if job.host not in self._hosts:
            self._hosts[job.host] = _Host()
            self._order.append(job.host)
        if job.not_before > self.clock():
            heapq.heappush(self._delayed, (job.not_before, next(self._seq), job))
        else:
            self._hosts[job.host].ready.append(job)

    def pick(self, now: float) -> tuple[Job[T] | None, float | None]:
        """Hand out the next job that may start at ``now``, or say how long to wait.

        Returns ``(job, None)`` (the job is now in flight), ``(None, seconds)`` when a job will
        be ready by then, ``(None, None)`` when nothing can start until a job finishes, or
        ``(None, -1.0)`` when all work is done. Call with the lock held (or single-threaded).
        """
        while self._delayed and self._delayed[0][0] <= now:
            job = heapq.heappop(self._delayed)[2]
            self._hosts[job.host].ready.appendleft(job)  # a retry goes first on its host
        wait: float | None = self._delayed[0][0] - now if self._delayed else None
        for _ in range(len(self._order)):
            name = self._order[0]
            self._order.rotate(-1)
            host = self._hosts[name]
            if not host.ready or host.in_flight >= self.per_host:
                continue
            start = max(host.next_start, host.paused_until)
            if start > now:
                wait = start - now if wait is None else min(wait, start - now)
                continue
            job = host.ready.popleft()
            host.in_flight += 1
            host.next_start = now + self.min_interval
            self._in_flight += 1
            return job, None
        if wait is None and self._in_flight == 0 and not any(h.ready for h in self._hosts.values()):
            return None, -1.0
        return None, wait

    def take(self) -> Job[T] | None:
        """Block until a job may start and return it; ``None`` when all work is done or closed."""
        with self._cond:
            while not self._closed:
                job, wait = self.pick(self.clock())
                if job is not None:
                    return job
                if wait is not None and wait < 0:
                    self._cond.notify_all()  # wake the other workers: nothing is left
                    return None
                self._cond.wait(wait)
            return None

    def done(self, job: Job[T], *, retry_at: float | None = None, pause_host_until: float | None = None) -> None:
        """Mark ``job`` finished; queue its next attempt at ``retry_at`` (monotonic seconds) if
        given, and keep its whole host idle until ``pause_host_until`` if given."""
        with self._cond:
            host = self._hosts[job.host]
            host.in_flight -= 1
            self._in_flight -= 1
            if pause_host_until is not None:
                host.paused_until = max(host.paused_until, pause_host_until)
            if retry_at is not None:
                self._queue(Job(job.host, job.item, job.attempt + 1, retry_at))
            # One freed slot (plus one queued retry) needs at most two workers; waking them all
            # for every finished request costs the GIL more than the requests themselves.
            self._cond.notify(2 if retry_at is not None else 1)

    def close(self) -> None:
        """Stop handing out jobs; blocked :meth:`take` calls return ``None``."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
