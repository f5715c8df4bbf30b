"""Rendering the catalog into a site: pure page rendering, a writer, and the MkDocs build."""

from .site import render_site, site_nav
from .writer import write_pages

__all__ = ["render_site", "site_nav", "write_pages"]
