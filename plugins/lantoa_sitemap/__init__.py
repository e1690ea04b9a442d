"""Pelican plugin: `/sitemap.xml` with every HTML page of the site, and `/robots.txt`.

Lan Tỏa's own pages are known to the page cache (with the newest profile date
each shows, even when a page was kept from the previous build); Pelican's static
pages are collected as its writer writes them. `lastmod` is never the build
time, so an unchanged site gives an identical sitemap. Listed last in PLUGINS,
this generator runs after every other one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from lantoa.site import absolute_url
from pelican import signals
from pelican.generators import Generator

_written: dict[str, dict[str, datetime | None]] = {}


def remember(path: str, context: dict) -> None:
    """Pages Pelican itself writes (content/pages/)."""
    if path.endswith(".html"):
        relative = Path(path).relative_to(Path(context["OUTPUT_PATH"])).as_posix()
        page = context.get("page")
        date = getattr(page, "modified", None) or getattr(page, "date", None)
        _written.setdefault(context["OUTPUT_PATH"], {})[relative.removesuffix("index.html")] = date


class SitemapGenerator(Generator):
    def generate_output(self, writer) -> None:
        siteurl = self.settings["SITEURL"]
        output = Path(self.output_path)
        pages = {**_written.pop(self.settings["OUTPUT_PATH"], {}),
                 **self.context["page_cache"].lastmod}
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for url in sorted(pages):
            if url == "404.html":
                continue
            lastmod = pages[url]
            lines.append(f"<url><loc>{escape(absolute_url(siteurl, url))}</loc>"
                         + (f"<lastmod>{lastmod.date().isoformat()}</lastmod>" if lastmod else "")
                         + "</url>")
        lines.append("</urlset>")
        (output / "sitemap.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (output / "robots.txt").write_text(
            f"User-agent: *\nAllow: /\n\nSitemap: {absolute_url(siteurl, 'sitemap.xml')}\n",
            encoding="utf-8")


def get_generators(pelican):
    return SitemapGenerator


def register() -> None:
    signals.content_written.connect(remember)
    signals.get_generators.connect(get_generators)
