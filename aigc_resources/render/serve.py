"""Serving the built site locally: a static server for ``site/``, or MkDocs' live server."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import UserError


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site's files without logging each request; a missing page gets the site's own
    ``404.html`` (as on a static host) instead of the standard library's bare error page: the
    one nearest the missing path, so ``/zh/...`` gets the Chinese ``zh/404.html``."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self._not_found_page()
        if code != HTTPStatus.NOT_FOUND or page is None:
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_found_page(self) -> Path | None:
        """The ``404.html`` of the deepest folder of the request path that has one (the site's
        language folder), else the site's own; None if the site has none."""
        root = Path(self.directory)
        parts = [part for part in unquote(urlsplit(self.path).path).split("/") if part not in ("", ".", "..")]
        for depth in range(len(parts), -1, -1):
            page = root.joinpath(*parts[:depth], "404.html")
            if page.is_file():
                return page
        return None


def _require_site(site_dir: Path) -> None:
    if not (site_dir / "index.html").is_file():
        raise UserError(f"{site_dir} holds no built site; run `aigc-resources build` first")


def make_server(site_dir: Path, host: str = "127.0.0.1", port: int = 8000, *,
                require_site: bool = True) -> ThreadingHTTPServer:
    """An HTTP server for the files of ``site_dir`` (port 0 picks a free port), bound but not
    yet serving. ``require_site=False`` binds before the site exists (it is built next).

    Raises:
        UserError: ``site_dir`` has no ``index.html`` (build first), or the port is taken.
    """
    if require_site:
        _require_site(site_dir)
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    try:
        return ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def serve_static(site_dir: Path, host: str, port: int, *, announce: Callable[[str], None] | None = None,
                 prepare: Callable[[], object] | None = None) -> None:
    """Serve ``site_dir`` until interrupted.

    The port is bound first, then ``prepare`` runs (the build: a taken port is reported at
    once, not after a minute of building), then ``announce`` gets the site's URL (never before
    the port is bound and the site exists), then the server runs.

    Raises:
        UserError: as :func:`make_server`; whatever ``prepare`` raises (the port is released).
    """
    server = make_server(site_dir, host, port, require_site=prepare is None)
    try:
        if prepare is not None:
            prepare()
            _require_site(site_dir)
        if announce is not None:
            announce(f"http://{host}:{server.server_address[1]}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:  # Ctrl-C while serving is the way to stop (while building, an abort)
            pass
    finally:
        server.server_close()


def serve_live(project_root: Path, catalog_dir: Path, host: str, port: int) -> None:
    """Run ``mkdocs serve`` with the catalog hook: edits under catalog/ rebuild and reload."""
    from mkdocs.commands.serve import serve

    os.environ["AIGC_CATALOG"] = str(catalog_dir.resolve())
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config_file = project_root / "mkdocs.yml"
    if not config_file.is_file():
        raise UserError(f"{config_file} not found")
    serve(str(config_file), dev_addr=f"{host}:{port}", watch=[str(catalog_dir)])
