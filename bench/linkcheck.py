"""Benchmark: our link checker against the ideal bound and against LinkChecker (PyPI ``linkchecker``).

Set-up (issue 4): a local server answers N URLs spread over H host names (127.0.0.1 ...
127.0.0.H, one port), each answer delayed by D seconds. With C requests in flight, no checker
can finish before the bound ``N x D / C``. We print our wall time, the bound, our ratio to it
(target <= 1.3) and our speed-up over LinkChecker checking the same URLs from one HTML page
with the same thread count and recursion level 1 (target >= 3).

The server runs in its own process (asyncio, keep-alive, one write per answer), so it does not
compete with the checker for the GIL. LinkChecker is installed into ``bench/.venv-linkchecker``
on first use (``pip install linkchecker``); it is not a project dependency. ``--no-peer``
skips it.

Usage::

    .venv/bin/python bench/linkcheck.py [--urls 2000] [--hosts 20] [--delay 0.1] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import multiprocessing.sharedctypes
import multiprocessing.synchronize
import os
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aigc_resources.linkcheck import FailPolicy, LinkStatus, Settings, check_links  # noqa: E402
from aigc_resources.linkcheck.collect import group_targets  # noqa: E402
from aigc_resources.linkcheck.result import Origin  # noqa: E402

PEER_VENV = Path(__file__).resolve().parent / ".venv-linkchecker"


def serve(hosts: int, port: int, delay: float, urls: int, ready: multiprocessing.synchronize.Event,
          answered: multiprocessing.sharedctypes.Synchronized) -> None:
    """Answer every GET/HEAD after ``delay`` seconds: ``/`` is the HTML page listing all URLs.
    ``answered`` counts the delayed page answers, so each checker's work can be verified."""
    index = ("<!doctype html><html><head><title>links</title></head><body>"
             + "".join(f'<a href="{u}">{i}</a>\n' for i, u in enumerate(url_list(urls, hosts, port)))
             + "</body></html>").encode()
    page = b"<!doctype html><html><head><title>A page</title></head><body><p>ok</p></body></html>"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, path = head.split(b" ", 2)[:2]
                if path == b"/":
                    body, status = index, b"200 OK"
                elif path == b"/robots.txt":
                    body, status = b"", b"404 Not Found"
                else:
                    await asyncio.sleep(delay)
                    body, status = page, b"200 OK"
                    with answered.get_lock():
                        answered.value += 1
                writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + (b"" if method == b"HEAD" else body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        servers = [await asyncio.start_server(handle, f"127.0.0.{i}", port, backlog=1024) for i in range(1, hosts + 1)]
        ready.set()
        await asyncio.gather(*(s.serve_forever() for s in servers))

    asyncio.run(main())


def url_list(urls: int, hosts: int, port: int) -> list[str]:
    return [f"http://127.0.0.{i % hosts + 1}:{port}/page/{i}" for i in range(urls)]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_ours(urls: list[str], concurrency: int) -> tuple[float, dict[str, int]]:
    targets = group_targets((u, Origin("bench", i + 1, "url")) for i, u in enumerate(urls))
    settings = Settings().replace(max_concurrency=concurrency, allow_private=True, retries=0)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        run = check_links(targets, settings, policy=FailPolicy.ANY, history_path=Path(tmp) / "history.sqlite")
        took = time.perf_counter() - started
    return took, {s.value: n for s, n in run.counts().items() if n}


def linkchecker_binary() -> Path:
    binary = PEER_VENV / "bin" / "linkchecker"
    if not binary.exists():
        print(f"installing linkchecker into {PEER_VENV} ...", file=sys.stderr)
        venv.create(PEER_VENV, with_pip=True)
        subprocess.run([str(PEER_VENV / "bin" / "pip"), "install", "-q", "linkchecker"], check=True)
    return binary


def run_peer(port: int, concurrency: int) -> tuple[float, str]:
    binary = linkchecker_binary()
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home}
        started = time.perf_counter()
        done = subprocess.run([str(binary), "--threads", str(concurrency), "--recursion-level", "1", "--check-extern",
                               "--no-status", "--no-warnings", "--output", "none", f"http://127.0.0.1:{port}/"],
                              env=env, capture_output=True, text=True)
        took = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"linkchecker failed ({done.returncode}): {done.stderr[-2000:]}")
    return took, version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds each answer is delayed")
    parser.add_argument("--concurrency", type=int, default=32, help="our max-concurrency = LinkChecker --threads")
    parser.add_argument("--no-peer", action="store_true", help="do not run LinkChecker")
    args = parser.parse_args()

    port = free_port()
    ready = multiprocessing.Event()
    answered = multiprocessing.Value("i", 0)
    server = multiprocessing.Process(target=serve, args=(args.hosts, port, args.delay, args.urls, ready, answered),
                                     daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise SystemExit("the benchmark server did not start")
        urls = url_list(args.urls, args.hosts, port)
        bound = args.urls * args.delay / args.concurrency
        ours, counts = run_ours(urls, args.concurrency)
        defaults = Settings()
        print(f"set-up: {args.urls} URLs over {args.hosts} hosts, {args.delay * 1000:.0f} ms per answer, "
              f"concurrency {args.concurrency}, per-host {defaults.per_host}, min-interval {defaults.min_interval} s")
        print(f"aigc-resources: {ours:.2f} s wall  ({counts}; server answered {answered.value} page requests)")
        print(f"bound N x delay / concurrency: {bound:.2f} s")
        print(f"ratio to bound: {ours / bound:.2f}x  (target <= 1.3x)")
        if counts != {LinkStatus.OK.value: args.urls}:
            print("WARNING: not every URL was ok")
        if not args.no_peer:
            before = answered.value
            peer, version = run_peer(port, args.concurrency)
            print(f"LinkChecker ({version}), --threads {args.concurrency} -r1 --check-extern: {peer:.2f} s wall  "
                  f"(server answered {answered.value - before} page requests)")
            print(f"speed-up over LinkChecker: {peer / ours:.2f}x  (target >= 3x)")
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
