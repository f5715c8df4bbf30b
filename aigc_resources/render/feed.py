"""The Atom feed of newly added entries (RFC 4287), one per site language.

Every required element is present: the feed has ``id``, ``title``, ``updated`` and an
``author`` (entries have no authors of their own, RFC 4287 §4.1.1); each entry has ``id``,
``title``, ``updated``, an ``alternate`` link and a ``summary``. Ids are ``urn:uuid:`` IRIs
derived from the entry id (UUID version 5, RFC 9562 §5.5), so they never change between
builds and need no host name. Links are relative references, resolved against the feed's
own URL (RFC 4287 §4.2.7.1, RFC 3986 §5.1), so the feed works wherever the site is served.
Dates are the entries' ``added`` days at 00:00 UTC; the build is deterministic.
"""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: How many of the newest entries the feed carries.
FEED_SIZE = 50


@dataclass(frozen=True)
class FeedItem:
    """One entry of the feed: catalog id, title, plain-text summary, page link, date, categories."""

    entry_id: str
    title: str
    summary: str
    link: str
    added: dt.date
    categories: Sequence[tuple[str, str]] = ()  # (term, label)


def stable_id(*parts: str) -> str:
    """A ``urn:uuid:`` IRI that depends only on ``parts`` (UUID v5 in the URL namespace)."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "aigc-resources:" + ":".join(parts)))


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def atom_feed(*, lang: str, title: str, subtitle: str, author: str, self_link: str, home_link: str,
              items: Sequence[FeedItem]) -> str:
    """The feed document as UTF-8 XML text. ``items`` are written in the order given.

    ``updated`` is the newest item's date (1970-01-01 for an empty feed, which RFC 4287 allows).
    """
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed", {f"{{{XML_NS}}}lang": lang})
    sub(feed, "id", stable_id(lang, "feed"))
    sub(feed, "title", title)
    sub(feed, "subtitle", subtitle)
    newest = max((item.added for item in items), default=dt.date(1970, 1, 1))
    sub(feed, "updated", _timestamp(newest))
    sub(sub(feed, "author"), "name", author)
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_link)
    sub(feed, "link", rel="alternate", type="text/html", href=home_link)
    sub(feed, "generator", "aigc-resources")
    for item in items:
        entry = sub(feed, "entry")
        sub(entry, "id", stable_id(lang, "entry", item.entry_id))
        sub(entry, "title", item.title, type="text")
        sub(entry, "link", rel="alternate", type="text/html", href=item.link)
        sub(entry, "published", _timestamp(item.added))
        sub(entry, "updated", _timestamp(item.added))
        sub(entry, "summary", item.summary, type="text")
        for term, label in item.categories:
            sub(entry, "category", term=term, label=label)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
