"""Politeness: the scheduler's decisions under a fake clock, then real limits against servers."""

from __future__ import annotations

import threading
import time

from .linkcheck_support import Checker, FixtureServer, fast_settings, server, servers  # noqa: F401

from aigc_resources.linkcheck import LinkStatus, LinkTarget
from aigc_resources.linkcheck.schedule import HostScheduler, Job


def _scheduler(per_host: int = 1, min_interval: float = 0.0, now: list[float] | None = None) -> HostScheduler:
    clock = now or [0.0]
    return HostScheduler(per_host=per_host, min_interval=min_interval, clock=lambda: clock[0])


def test_per_host_limit_and_other_hosts_keep_going() -> None:
    sched = _scheduler(per_host=1)
    for host, item in [("a", 1), ("a", 2), ("b", 3)]:
        sched.add(Job(host, item))
    first, _ = sched.pick(0.0)
    second, _ = sched.pick(0.0)
    assert {first.host, second.host} == {"a", "b"}      # round robin, not a's queue first
    assert sched.pick(0.0) == (None, None)               # a is busy, b has nothing: wait for a job to end
    sched.done(first if first.host == "a" else second)
    third, _ = sched.pick(0.0)
    assert third.item == 2


def test_minimum_interval_between_starts_on_one_host() -> None:
    sched = _scheduler(per_host=5, min_interval=0.5)
    sched.add(Job("a", 1))
    sched.add(Job("a", 2))
    job, _ = sched.pick(10.0)
    assert job.item == 1
    job, wait = sched.pick(10.1)
    assert job is None and abs(wait - 0.4) < 1e-9
    assert sched.pick(10.5)[0].item == 2


def test_host_pause_and_delayed_retry() -> None:
    now = [0.0]
    sched = _scheduler(per_host=2, now=now)
    sched.add(Job("a", "x"))
    sched.add(Job("a", "y"))
    x, _ = sched.pick(0.0)
    sched.done(x, retry_at=3.0, pause_host_until=2.0)
    job, wait = sched.pick(1.0)
    assert job is None and wait == 1.0                   # y waits for the pause, not just x
    y, _ = sched.pick(2.0)
    assert y.item == "y"
    now[0] = 3.0
    retry, _ = sched.pick(3.0)
    assert retry.item == "x" and retry.attempt == 2


def test_all_done_is_reported() -> None:
    sched = _scheduler()
    sched.add(Job("a", 1))
    job, _ = sched.pick(0.0)
    assert sched.pick(0.0) == (None, None)
    sched.done(job)
    assert sched.pick(0.0) == (None, -1.0)
    assert sched.take() is None


def test_close_releases_waiting_workers() -> None:
    sched = _scheduler(min_interval=100.0)
    sched.clock = time.monotonic
    sched.add(Job("a", 1))
    sched.add(Job("a", 2))
    assert sched.take().item == 1
    got: list[object] = []
    worker = threading.Thread(target=lambda: got.append(sched.take()))
    worker.start()
    sched.close()
    worker.join(timeout=10)
    assert not worker.is_alive() and got == [None]


def _slow(server: FixtureServer, delay: float) -> None:
    def handler(r):
        time.sleep(delay)
        r.page("slow")
    server.routes.update({f"/{i}": handler for i in range(40)})


def test_per_host_concurrency_is_respected(server: FixtureServer) -> None:
    _slow(server, 0.2)
    urls = [server.url(f"/{i}") for i in range(8)]
    with Checker(fast_settings(per_host=2, max_concurrency=8)) as checker:
        results = checker.check([LinkTarget(u, u) for u in urls])
    assert {r.status for r in results} == {LinkStatus.OK}
    assert server.max_in_flight == 2


def test_global_concurrency_is_respected(servers) -> None:
    hosts = [servers(f"127.0.0.{i}") for i in (2, 3, 4)]
    gauge = {"now": 0, "max": 0}
    lock = threading.Lock()

    def handler(r):
        with lock:
            gauge["now"] += 1
            gauge["max"] = max(gauge["max"], gauge["now"])
        time.sleep(0.15)
        with lock:
            gauge["now"] -= 1
        r.page("ok")

    for host in hosts:
        host.routes.update({f"/{i}": handler for i in range(4)})
    urls = [h.url(f"/{i}") for h in hosts for i in range(4)]
    with Checker(fast_settings(per_host=4, max_concurrency=3)) as checker:
        checker.check([LinkTarget(u, u) for u in urls])
    assert gauge["max"] <= 3 and gauge["max"] >= 2


def test_minimum_interval_spaces_requests_to_one_host(server: FixtureServer) -> None:
    urls = [server.url(f"/{i}") for i in range(5)]
    with Checker(fast_settings(per_host=5, min_interval=0.3)) as checker:
        checker.check([LinkTarget(u, u) for u in urls])
    times = sorted(e.at for e in server.log)
    assert times[-1] - times[0] >= 4 * 0.3 - 0.1
