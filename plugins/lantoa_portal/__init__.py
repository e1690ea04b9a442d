"""Pelican plugin: the front page, the map of Vietnam at `/ban-do/` and each province's map.

The front page reads like a portal: featured profiles with large photos (the
`Featured` header flag; the newest with a photo when none is flagged), headline
numbers, the newest profiles, ways in by field and by province, and the map.
Maps are drawn at build time by `lantoa.geography` from committed data (no tiles,
no JavaScript): a dot per current commune, and a linked, sized dot for each
commune with profiles. Province pages get their map through `term_maps`, which
the listing generator of `lantoa_facets` reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from lantoa.facets import Term, TermIndex, field_term, province_term
from lantoa.files import read_keyed, repr_digest, write_keyed
from lantoa.gazetteer import gazetteer, gazetteer_version
from lantoa.geography import Area, MapView, Spot, national_map, province_map
from lantoa.model import Field, Profile
from lantoa.output import Page
from lantoa.site import publisher, website_jsonld
from lantoa.state import BuildState, PhotoRenderer, build_state, require_plugins
from pelican import signals
from pelican.generators import Generator

Index = Mapping[str, Mapping[str, TermIndex]]

FEATURED_MAX = 6  # flagged profiles shown; more wait for the next ones to be unflagged
FEATURED_FALLBACK = 3  # newest profiles with a photo, when none is flagged
NEWEST = 8
PORTAL_PAGES = ("index.html", "ban-do/index.html")  # what `portal_pages` gives, in its order


@dataclass(frozen=True)
class Headline:
    number: str
    label: str
    url: str


@dataclass(frozen=True)
class Entry:
    """A way into the listings: a field or a province, with its count."""

    title: str
    url: str
    count: int
    key: str = ""


def commune_spots(index: Index, terms: Mapping[str, Mapping[str, Sequence[Term]]]) -> list[Spot]:
    """Every commune with profiles, with its page and its number of profiles.

    `terms` are the build's facet terms by profile URL (`BuildState.extras.terms`). Made
    from the commune index, a few thousand terms, not from every profile's communes: the
    unit is found among the communes of the term's newest profile.
    """
    spots = []
    for entry in index["commune"].values():
        holder = entry.profiles[0]
        # The commune facet yields one term per current commune, in `place.communes` order.
        for unit, term in zip(holder.place.communes, terms[holder.url]["commune"], strict=True):
            if term.key == entry.term.key:
                spots.append(Spot(unit.code, term.url, term.title, len(entry.profiles), term.name,
                                  unit.parent_code or 0))
                break
    return sorted(spots, key=lambda s: s.code)


def featured(profiles: Sequence[Profile], photos: PhotoRenderer) -> list[Profile]:
    """Flagged profiles, newest first; without any, the newest whose lead photo is published."""
    flagged = [p for p in profiles if p.featured]
    if flagged:
        return flagged[:FEATURED_MAX]
    return [p for p in profiles if p.image and photos.enclosure(p, "")][:FEATURED_FALLBACK]


def newest(state: BuildState, shown: list[Profile]) -> list[Profile]:
    """The latest published, as the feeds order them, leaving out the featured ones."""
    skip = {p.url for p in shown}
    latest = state.newest(state.profiles, NEWEST + len(skip))
    return [p for p in latest if p.url not in skip][:NEWEST]


def headlines(profiles: Sequence[Profile], index: Index) -> list[Headline]:
    years = sorted(int(key) for key in index["year"])
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
    provinces = len(gazetteer().provinces())
    return [
        Headline(f"{len(profiles):,}".replace(",", "."), "mô hình, điển hình", "ho-so/"),
        Headline(f"{len(index['province'])}/{provinces}", "tỉnh, thành phố có hồ sơ", "dia-phuong/"),
        Headline(f"{len(index['commune']):,}".replace(",", "."), "xã, phường có hồ sơ", "ban-do/"),
        Headline(span or "—", f"{len(years)} năm được công nhận", "nam/"),
    ]


def field_entries(index: Index) -> list[Entry]:
    entries = []
    for value in Field:
        term = field_term(value)
        found = index["field"].get(term.key)
        entries.append(Entry(value.label, term.url, len(found.profiles) if found else 0, value.value))
    return entries


def province_entries(index: Index) -> list[Entry]:
    """Provinces with profiles, in Vietnamese alphabetical order (the index's order)."""
    return [Entry(e.term.title, e.term.url, len(e.profiles), e.term.key)
            for e in index["province"].values()]


def province_areas() -> list[Area]:
    return [Area(p.code, province_term(p).url, p.name) for p in gazetteer().provinces()]


def province_maps(spots: list[Spot]) -> dict[str, MapView]:
    """Province page URL → its map, for every current province."""
    geo = gazetteer()
    return {province_term(p).url: province_map([(c.code, c.name) for c in geo.current_communes_in(p)], spots)
            for p in geo.provinces()}


def spots_by_province(spots: list[Spot]) -> list[tuple[Term, list[Spot]]]:
    """The list beside the map, for keyboards and screen readers: province by province."""
    geo = gazetteer()
    grouped: dict[int, list[Spot]] = {}
    for spot in spots:
        grouped.setdefault(spot.province, []).append(spot)
    rows = []
    for province in geo.provinces():
        if province.code in grouped:
            communes = sorted(grouped[province.code], key=lambda s: s.url)
            rows.append((province_term(province), communes))
    return rows


SPOTS_FILE = "commune-spots.pickle"
MAPS_FILE = "province-maps.pickle"
NATIONAL_MAPS_FILE = "national-maps.pickle"
_LAST_KEPT: dict[str, tuple[tuple, Any]] = {}  # this process's last value of each file, by its key


def _kept(state: BuildState, name: str, key: tuple, make: Callable[[], Any]) -> Any:
    """The value kept in the cache file `name` for `key`, made and kept when there is none."""
    store = state.cache.file(name)  # this build uses it, whether read or remembered
    last = _LAST_KEPT.get(name)
    if last is not None and last[0] == key:  # the preview asks on every save
        return last[1]
    value = read_keyed(store, key)
    if value is None:
        value = make()
        write_keyed(store, key, value)
    _LAST_KEPT[name] = (key, value)
    return value


class Communes(NamedTuple):
    """The communes with profiles (`commune_spots`) and a digest of them, which keys the maps:
    some 5,000 spots at 10,000 profiles, printed once."""

    spots: list[Spot]
    digest: str


def communes_with_profiles(state: BuildState) -> Communes:
    """`commune_spots` and their digest, kept in the cache by the profiles' structure
    (`KeptTerms.structure`: every profile's terms and localities, in order, under the code
    and the gazetteer), which they follow from: an edit that moves nobody neither finds
    them again nor prints them (70 ms at 10,000 profiles)."""
    def made() -> Communes:
        spots = commune_spots(state.index, state.extras.terms)
        return Communes(spots, repr_digest(spots))

    return made() if state.structure is None else _kept(state, SPOTS_FILE, (state.structure,), made)


def portal_maps(state: BuildState) -> tuple[Communes, dict[str, MapView]]:
    """Every commune with profiles, and each province page's map (URL → map).

    The maps are kept in the cache while the communes with profiles, their counts,
    the code and the gazetteer stay the same: an edit that moves nobody reuses them.
    """
    communes = communes_with_profiles(state)
    key = (state.cache.salt, gazetteer_version(), communes.digest)
    return communes, _kept(state, MAPS_FILE, key, lambda: province_maps(communes.spots))


def national_maps(state: BuildState, settings: Mapping, communes: Communes) -> tuple[MapView, MapView]:
    """The front page's map and `/ban-do/`'s, kept in the cache as the province maps are."""
    limit, spots = settings["LANTOA_MAP_COMMUNE_LINKS"], communes.spots
    key = (state.cache.salt, gazetteer_version(), limit, communes.digest)
    return _kept(state, NATIONAL_MAPS_FILE, key, lambda: (
        national_map(spots, background=False, areas=province_areas(), link_limit=limit // 5),
        national_map(spots, areas=province_areas(), link_limit=limit)))


def portal_pages(state: BuildState, settings: Mapping, communes: Communes) -> list[Page]:
    """The front page and `/ban-do/` (the preview server renders them from memory too)."""
    profiles, index, digests, spots = state.profiles, state.index, state.digests, communes.spots
    shown = featured(profiles, state.photos)
    latest = newest(state, shown)
    front_map, full = national_maps(state, settings, communes)
    front = {
        "featured": shown, "newest": latest, "headlines": headlines(profiles, index),
        "fields": field_entries(index), "provinces": province_entries(index),
        "map": front_map,
        "total": len(profiles),
        "flagged": any(p.featured for p in shown),
    }
    inputs = ([digests[p.url] for p in shown + latest],
              {k: v for k, v in front.items() if k not in ("featured", "newest")})
    jsonld = website_jsonld(settings.get("SITEURL", ""), settings["SITENAME"],
                            settings["LANTOA_DESCRIPTION"], publisher(settings))
    listed = spots_by_province(spots)
    return [
        Page(PORTAL_PAGES[0], "home", inputs, {"front": front, "website_jsonld": jsonld, "page_url": ""},
             max((p.updated for p in shown + latest), default=None)),
        Page(PORTAL_PAGES[1], "map", (full, listed),
             {"national": full, "listed": listed, "spots": spots, "page_url": "ban-do/"}),
    ]


class PortalGenerator(Generator):
    """Computes the maps for every page that shows one; writes `/` and `/ban-do/`."""

    def generate_context(self) -> None:
        state = build_state(self.context, "lantoa_portal")
        self.communes, self.context["term_maps"] = portal_maps(state)
        self.context["MAP_BASE"] = urlsplit(self.settings.get("SITEURL", "")).path.rstrip("/") + "/"

    def generate_output(self, writer) -> None:
        state = build_state(self.context, "lantoa_portal")
        for page in portal_pages(state, self.settings, self.communes):
            state.pages.write(writer, self, page)
        state.pages.flush()


def get_generators(pelican):
    return PortalGenerator


def check_plugins(pelican) -> None:
    require_plugins(pelican.settings, "lantoa_portal", ("lantoa_profiles", "lantoa_facets"))


def register() -> None:
    signals.initialized.connect(check_plugins)
    signals.get_generators.connect(get_generators)
