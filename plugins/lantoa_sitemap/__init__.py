"""Pelican plugin: `/sitemap.xml` with every HTML page written, and `/robots.txt`.

Pages are collected as the writer writes them, so every facet, listing page and
profile is in the sitemap without being declared twice. `lastmod` is the newest
profile date a page shows, never the build time, so an unchanged site gives an
identical sitemap.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from lantoa.site import absolute_url
from pelican import signals

_pages: dict[str, datetime | None] = {}


def reset(pelican) -> None:
    _pages.clear()


def remember(path: str, context: dict) -> None:
    if not path.endswith(".html"):
        return
    output = Path(context["OUTPUT_PATH"])
    relative = Path(path).relative_to(output).as_posix()
    if relative == "404.html":
        return
    url = relative.removesuffix("index.html")
    profile = context.get("profile")
    dates = [profile.updated] if profile else [p.updated for p in context.get("listing") or []]
    _pages[url] = max(dates) if dates else None


def write_sitemap(pelican) -> None:
    siteurl = pelican.settings["SITEURL"]
    output = Path(pelican.settings["OUTPUT_PATH"])
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url in sorted(_pages):
        lastmod = _pages[url]
        lines.append(f"<url><loc>{escape(absolute_url(siteurl, url))}</loc>"
                     + (f"<lastmod>{lastmod.date().isoformat()}</lastmod>" if lastmod else "")
                     + "</url>")
    lines.append("</urlset>")
    (output / "sitemap.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (output / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\n\nSitemap: {absolute_url(siteurl, 'sitemap.xml')}\n",
        encoding="utf-8")


def register() -> None:
    signals.initialized.connect(reset)
    signals.content_written.connect(remember)
    signals.finalized.connect(write_sitemap)
