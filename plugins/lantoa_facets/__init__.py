"""Pelican plugin: listing pages for every profile and every facet term, and the 404 page.

Turns the facet indexes of the build state into paginated listing pages
(`…/trang/N/`) and the overview pages each declaration asks for (`/dia-phuong/`,
`/nam/`, …).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from lantoa.facets import Term, TermIndex
from lantoa.model import Profile
from lantoa.output import Page, value_digest
from lantoa.state import BuildState, build_state, require_plugins
from pelican import signals
from pelican.generators import Generator

ALL_PROFILES = Term("all", "", "ho-so/", "Tất cả hồ sơ, mới nhất trước", (), name="Tất cả hồ sơ")


@dataclass(frozen=True)
class Pagination:
    number: int
    total: int
    base_url: str
    per_page: int
    count: int

    def url_of(self, number: int) -> str:
        return self.base_url if number == 1 else f"{self.base_url}trang/{number}/"

    @property
    def url(self) -> str:
        return self.url_of(self.number)

    @property
    def prev_url(self) -> str | None:
        return self.url_of(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url_of(self.number + 1) if self.number < self.total else None

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.count, self.number * self.per_page)


def paginate(base_url: str, profiles: list[Profile], per_page: int):
    """(Pagination, the profiles of that page) for every page; an empty list has one page."""
    total = max(1, math.ceil(len(profiles) / per_page))
    for number in range(1, total + 1):
        chunk = profiles[(number - 1) * per_page: number * per_page]
        yield Pagination(number, total, base_url, per_page, len(profiles)), chunk


class FacetsGenerator(Generator):
    """Writes the home page, one listing per facet term, and the overview pages."""

    def generate_context(self) -> None:
        state = build_state(self.context, "lantoa_facets")
        self.context["overview_pages"] = [(f.overview.url, f.overview.title)
                                          for f in state.facets if f.overview]

    def generate_output(self, writer) -> None:
        state = build_state(self.context, "lantoa_facets")
        per_page = self.settings["LANTOA_PER_PAGE"]
        # A term's map (a province's, from lantoa_portal) shows every profile of the term.
        term_maps = self.context.get("term_maps", {})
        pages, changed = state.pages, state.pages.changed
        entries = listed_terms(state)
        if state.structure_as_before:
            # While every term has the profiles and children it had, so has each listing:
            # one that shows no changed profile is kept as it was (4,300 at 10,000 profiles).
            entries = pages.keep_as_before(entries, list(map(listing_owner, entries)),
                                           [state.urls(e.profiles) for e in entries])
        for entry in entries:
            term_map = term_maps.get(entry.term.url)
            listing = Listing(state, entry, term_map)
            # While every term has the profiles and children it had, so has this one: its
            # signature is the previous build's, not made again.
            signature = pages.kept_signature(listing.owner, state.structure_as_before,
                                             lambda listing=listing: listing.signature)
            if not pages.visit(listing.owner, signature, listing.members):
                continue
            # The same term, members and map as before: only the pages that show a changed
            # profile can differ (an edit touches one page of the 500 of "all profiles").
            as_before = pages.signature_as_before(listing.owner, signature)

            def kept(pagination: Pagination, urls: Sequence[str], owner: str = listing.owner,
                     as_before: bool = as_before) -> bool:
                return as_before and changed is not None and changed.isdisjoint(urls) \
                    and pages.keep_file(f"{pagination.url}index.html", owner)

            for page in listing_pages(state, entry, per_page, term_map, listing, kept):
                pages.write(writer, self, page)
        for page in overview_pages(state):
            state.pages.write(writer, self, page)
        state.pages.write(writer, self, not_found_page())
        state.pages.flush("Trang danh sách")


def not_found_page() -> Page:
    """Static hosts answer a missing page with /404.html; it only links, so it never changes."""
    return Page("404.html", "404", "404", {"page_url": "404.html"})


def listed_terms(state: BuildState) -> list[TermIndex]:
    """Every listing: all profiles (the front page is the portal's), each term with profiles,
    each term without any yet."""
    with_profiles = (entry for terms in state.index.values() for entry in terms.values())
    return [TermIndex(ALL_PROFILES, list(state.profiles)), *with_profiles,
            *(TermIndex(term, []) for term in state.empty_terms)]


def listing_owner(entry: TermIndex) -> str:
    """The group of a term's listing pages in the output manifest (`PageCache.visit`)."""
    return f"danh-sach:{entry.term.url}"


class Listing:
    """What a term's listing pages show besides its profiles' digests: the term, its
    children, its map; its `signature` and `members` let an unchanged listing be kept
    without making its pages (`PageCache.visit`)."""

    def __init__(self, state: BuildState, entry: TermIndex, term_map: Any = None):
        self.state, self.entry, self.term_map = state, entry, term_map
        self.children = state.children.get(entry.term.url, {})
        self.owner = listing_owner(entry)
        self.members = state.urls(entry.profiles)

    @cached_property
    def shown(self) -> tuple[str, str]:
        """The term and its children once, as digests: a term has up to hundreds of pages."""
        shown_children = tuple((name, tuple((c.term.url, c.term.title, len(c.profiles)) for c in entries))
                               for name, entries in self.children.items())
        return self.entry.term.digest, value_digest(shown_children)

    @cached_property
    def signature(self) -> tuple:
        return self.shown, self.state.urls_digest(self.entry.profiles), value_digest(self.term_map)


def listing_pages(state: BuildState, entry: TermIndex, per_page: int, term_map: Any = None,
                  listing: Listing | None = None,
                  kept: Callable[[Pagination, Sequence[str]], bool] | None = None) -> Iterator[Page]:
    """The pages of one listing (the preview server renders one of them alone, from memory);
    the first shows `term_map` when the term has one. A page `kept` says is kept as the
    previous build made it, given the URLs of the profiles it shows, is not made."""
    listing = listing or Listing(state, entry, term_map)
    digests = state.digests
    # Sliced from the term's URLs: read again from each of its profiles, scattered in memory,
    # they cost 20 ms of an edit's listings at 10,000 profiles.
    urls = state.urls(entry.profiles) if kept is not None else ()
    for pagination, chunk in paginate(entry.term.url, entry.profiles, per_page):
        if kept is not None and kept(pagination, urls[pagination.first_index - 1:pagination.last_index]):
            continue
        shown_map = term_map if pagination.number == 1 else None
        inputs = (listing.shown, pagination, [digests[p.url] for p in chunk], value_digest(shown_map))
        yield Page(f"{pagination.url}index.html", "listing", inputs,
                   {"term": entry.term, "listing": chunk, "count": len(entry.profiles),
                    "pagination": pagination, "children": listing.children, "page_url": pagination.url,
                    "term_map": shown_map},
                   max((p.updated for p in chunk), default=None), listing.owner)


def overview_pages(state: BuildState) -> Iterator[Page]:
    """One page per facet that has an overview: every term with its count."""
    for facet in state.facets:
        if not facet.overview:
            continue
        url, title, intro = facet.overview.url, facet.overview.title, facet.overview.intro
        # Terms without profiles yet (a province, a field) are listed too, with 0.
        rows = [(entry.term, len(entry.profiles)) for entry in state.index[facet.name].values()]
        rows += [(term, 0) for term in state.empty_terms if term.facet == facet.name]
        rows.sort(key=lambda row: row[0].sort_key)
        total = len(state.profiles)
        yield Page(f"{url}index.html", "overview", (title, intro, rows, total),
                   {"overview_title": title, "overview_intro": intro, "rows": rows, "page_url": url,
                    "total": total})


def get_generators(pelican):
    return FacetsGenerator


def check_plugins(pelican) -> None:
    require_plugins(pelican.settings, "lantoa_facets", ("lantoa_profiles",))


def register() -> None:
    signals.initialized.connect(check_plugins)
    signals.get_generators.connect(get_generators)
