"""Pelican plugin: `/sitemap.xml` with every HTML page of the site, and `/robots.txt`.

Lan Tỏa's own pages are known to the page cache (with the newest profile date
each shows, even when a page was kept from the previous build); Pelican's static
pages are taken from its own list of pages. `lastmod` is never the build
time, so an unchanged site gives an identical sitemap. Listed last in PLUGINS,
this generator runs after every other one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from lantoa.site import absolute_url
from lantoa.state import build_state, require_plugins
from pelican import signals
from pelican.generators import Generator


class SitemapGenerator(Generator):
    def generate_output(self, writer) -> None:
        siteurl = self.settings["SITEURL"]
        output = Path(self.output_path)
        state = build_state(self.context, "lantoa_sitemap")
        pages = {**_pelican_pages(self.context), **state.pages.lastmod}
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


def _pelican_pages(context: dict) -> dict[str, datetime | None]:
    """The pages Pelican itself writes (content/pages/), with their dates."""
    found = {}
    for page in context.get("pages", ()):
        if page.save_as.endswith(".html"):
            found[page.save_as.removesuffix("index.html")] = (getattr(page, "modified", None)
                                                              or getattr(page, "date", None))
    return found


def get_generators(pelican):
    return SitemapGenerator


def check_plugins(pelican) -> None:
    require_plugins(pelican.settings, "lantoa_sitemap", ("lantoa_profiles",))


def register() -> None:
    signals.initialized.connect(check_plugins)
    signals.get_generators.connect(get_generators)
