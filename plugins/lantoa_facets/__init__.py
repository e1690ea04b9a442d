"""Pelican plugin: listing pages for the home page and every facet term, and the 404 page.

Turns the declarations of `lantoa.facets` into paginated listing pages
(`…/trang/N/`), the overview pages (`/dia-phuong/`, `/nam/`, …) and the links
each profile page shows (breadcrumbs, neighbours in its province, related).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lantoa.facets import (
    Term,
    TermIndex,
    facet_terms,
    field_term,
    index_profiles,
    kind_term,
    level_term,
    province_term,
    related,
)
from lantoa.gazetteer import gazetteer
from lantoa.model import Field, Kind, Level, Profile
from pelican import signals
from pelican.generators import Generator

OVERVIEWS = (
    # (url, title, facet shown, intro)
    ("dia-phuong/", "Địa phương", "province",
     "34 tỉnh, thành phố sau sắp xếp đơn vị hành chính từ 01/7/2025."),
    ("nam/", "Theo năm công nhận", "year", ""),
    ("linh-vuc/", "Theo lĩnh vực", "field", ""),
    ("cap/", "Theo cấp công nhận", "level", ""),
)


ALL_PROFILES = Term("all", "", "ho-so/", "Tất cả hồ sơ, mới nhất trước", ())


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


def children_of(index: dict[str, dict[str, TermIndex]]) -> dict[str, dict[str, list[TermIndex]]]:
    """term url → facet name → the terms whose breadcrumbs end at that term."""
    children: dict[str, dict[str, list[TermIndex]]] = {}
    for facet_name, terms in index.items():
        for entry in terms.values():
            if entry.term.crumbs:
                parent_url = entry.term.crumbs[-1][1]
                children.setdefault(parent_url, {}).setdefault(facet_name, []).append(entry)
    return children


def profile_extras(profiles: list[Profile], index: dict[str, dict[str, TermIndex]],
                   terms: dict[str, dict[str, list[Term]]]) -> dict[str, dict]:
    """Per profile: breadcrumbs, previous/next in its province, related profiles, its terms."""
    extras: dict[str, dict] = {}
    related_profiles = related(profiles)
    for entry in index["province"].values():
        ordered = entry.profiles
        for position, profile in enumerate(ordered):
            crumbs = [*entry.term.crumbs, (entry.term.title, entry.term.url)]
            commune = next(iter(terms[profile.url]["commune"]), None)
            if commune:
                crumbs.append((commune.title.split(",")[0], commune.url))
            extras[profile.url] = {
                "crumbs": crumbs,
                "newer": ordered[position - 1] if position > 0 else None,
                "older": ordered[position + 1] if position + 1 < len(ordered) else None,
                "related": related_profiles[profile.url],
                "terms": terms[profile.url],
            }
    return extras


class FacetsGenerator(Generator):
    """Writes the home page, one listing per facet term, and the overview pages."""

    def generate_context(self) -> None:
        profiles = self.context.get("profiles")
        if profiles is None:
            raise RuntimeError("lantoa_facets cần plugin lantoa_profiles đứng trước trong PLUGINS")
        terms = facet_terms(profiles)
        index = index_profiles(profiles, terms=terms)
        self.context["facet_index"] = index
        self.context["facet_children"] = children_of(index)
        self.context["profile_extras"].update(profile_extras(profiles, index, terms))
        self.context["overview_pages"] = [(url, title) for url, title, _, _ in OVERVIEWS]
        # Provinces, kinds, fields and levels have a page (and feeds) even before their
        # first profile: portals link to and subscribe to all of them.
        fixed = [*map(province_term, gazetteer().provinces()), *map(kind_term, Kind),
                 *map(field_term, Field), *map(level_term, Level)]
        self.context["fixed_terms"] = [t for t in fixed if t.key not in index[t.facet]]

    def generate_output(self, writer) -> None:
        per_page = self.settings["LANTOA_PER_PAGE"]
        template = self.get_template("listing")
        index = self.context["facet_index"]
        # The front page is the portal's (lantoa_portal); every profile is listed here.
        self._write_listing(writer, template, TermIndex(ALL_PROFILES, self.context["profiles"]), per_page)
        for terms in index.values():
            for entry in terms.values():
                self._write_listing(writer, template, entry, per_page)
        for term in self.context["fixed_terms"]:
            self._write_listing(writer, template, TermIndex(term, []), per_page)
        self._write_overviews(writer, index)
        # Static hosts answer a missing page with /404.html; it only links, so it never changes.
        self.context["page_cache"].write_page(writer, "404.html", self.get_template("404"),
                                              self.context, "404", page_url="404.html")
        self.context["page_cache"].flush()

    def _write_listing(self, writer, template, entry: TermIndex, per_page: int) -> None:
        children = self.context["facet_children"].get(entry.term.url, {})
        shown_children = [(name, [(c.term.url, c.term.title, len(c.profiles)) for c in entries])
                          for name, entries in children.items()]
        cache, digests = self.context["page_cache"], self.context["profile_digests"]
        # A term's map (a province's, from lantoa_portal) shows every profile of the term.
        term_map = self.context.get("term_maps", {}).get(entry.term.url)
        for pagination, chunk in paginate(entry.term.url, entry.profiles, per_page):
            inputs = (entry.term, pagination, [digests[p.url] for p in chunk], shown_children,
                      term_map if pagination.number == 1 else None)
            cache.write_page(
                writer, f"{pagination.url}index.html", template, self.context, inputs,
                lastmod=max((p.updated for p in chunk), default=None),
                term=entry.term, listing=chunk, count=len(entry.profiles),
                pagination=pagination, children=children, page_url=pagination.url,
                term_map=term_map if pagination.number == 1 else None,
            )

    def _write_overviews(self, writer, index: dict[str, dict[str, TermIndex]]) -> None:
        template = self.get_template("overview")
        for url, title, facet_name, intro in OVERVIEWS:
            # Terms without profiles yet (a province, a field) are listed too, with 0.
            rows = [(entry.term, len(entry.profiles)) for entry in index[facet_name].values()]
            rows += [(term, 0) for term in self.context["fixed_terms"] if term.facet == facet_name]
            rows.sort(key=lambda row: row[0].sort_key)
            total = len(self.context["profiles"])
            self.context["page_cache"].write_page(
                writer, f"{url}index.html", template, self.context, (title, intro, rows, total),
                overview_title=title, overview_intro=intro, rows=rows, page_url=url, total=total)


def get_generators(pelican):
    return FacetsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
