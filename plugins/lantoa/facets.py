"""Facets: the ways to browse profiles, each declared once.

A `Facet` says how a profile maps to its terms (a province, a year, a field …),
where a term's page lives, how terms are titled and sorted, and everything
else that shows the facet: its overview page, the heading its terms get on a
parent's page, its row in a profile's fact box, its statistics chart, its
search filter, its open-data column and whether its terms are feed
categories. One generic indexer turns every declaration into `TermIndex`
values; listing pages, feeds, statistics, search, open data and the sitemap
loop over the declarations, so adding a facet is one declaration.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property

from .files import repr_digest
from .gazetteer import REFORM_DATE_LABEL, Unit, gazetteer
from .model import Field, Kind, Level, Profile
from .text import collation_key


@dataclass(frozen=True)
class Term:
    """One value of a facet: "Tỉnh Lâm Đồng", "2023", "Kinh tế"."""

    facet: str
    key: str
    url: str  # site-relative folder of its page, ending with "/"
    title: str  # the heading of its page
    sort_key: tuple
    crumbs: tuple[tuple[str, str], ...] = ()  # (title, url) from the top down, this term excluded
    note: str = ""  # a sentence under the heading (historical units say what became of them)
    name: str = ""  # the value's own name, for lists and fact boxes: "Xã Đinh Văn", "2023", "Kinh tế"
    short: str = ""  # a chart label: "Lâm Đồng" for "Tỉnh Lâm Đồng"; the name when empty

    @property
    def label(self) -> str:
        return self.short or self.name

    @cached_property  # pickled with the term: the kept terms carry it from one build to the next
    def digest(self) -> str:
        """What the term shows, as a short string (`lantoa.output.value_digest` of it)."""
        return repr_digest(self)


@dataclass
class TermIndex:
    term: Term
    profiles: list[Profile] = field(default_factory=list)  # newest first
    # Their URLs, in the same order, as `index_profiles` found them: a listing and its feed
    # name every profile of the term, and a URL read again from each of 10,000 profiles
    # scattered in memory cost more than the whole index.
    urls: list[str] = field(default_factory=list, repr=False, compare=False)


@dataclass(frozen=True)
class Overview:
    """A page listing every term of a facet: `/dia-phuong/`."""

    url: str
    title: str
    intro: str = ""


@dataclass(frozen=True)
class Facet:
    name: str
    label: str  # what the facet is, for headings and feed titles: "Tỉnh/thành phố"
    terms_of: Callable[[Profile], Iterable[Term]]
    # Terms that have a page (and feeds) before their first profile: portals link to them.
    every_term: Callable[[], Iterable[Term]] | None = None
    overview: Overview | None = None
    child_heading: str = ""  # its terms' heading on their parent term's page
    fact: str = ""  # its row in a profile's fact box
    chart: str = ""  # the title of its chart on /thong-ke/
    over_time: bool = False  # its chart runs left to right in time, not as ranked bars
    param: str = ""  # its search filter's URL parameter: /tim-kiem/?tinh=lam-dong
    several: bool = False  # a profile may have no term, or more than one (fields, featured)
    category: bool = False  # its terms are feed categories (scheme: the overview, or the site)


def _province_term(profile: Profile) -> Term:
    return province_term(profile.place.province)


@cache
def province_term(p: Unit) -> Term:
    """The term of a current province, whether or not it has profiles."""
    return Term("province", p.slug, f"dia-phuong/{p.slug}/", p.name, collation_key(p.short_name),
                (("Địa phương", "dia-phuong/"),), name=p.name, short=p.short_name)


def _province_terms(profile: Profile) -> Iterable[Term]:
    yield _province_term(profile)


def _commune_terms(profile: Profile) -> Iterable[Term]:
    # A pre-2025 commune split between several communes is listed on each one's page.
    geo = gazetteer()
    for commune in profile.place.communes:
        yield _commune_term(geo.current_provinces[commune.parent_code], commune)  # type: ignore[index]


@cache
def _commune_term(province_unit: Unit, commune: Unit) -> Term:
    province = province_term(province_unit)
    return Term("commune", f"{province.key}/{commune.slug}", f"{province.url}{commune.slug}/",
                f"{commune.name}, {province_unit.label}",
                (province.sort_key, collation_key(commune.short_name)),
                (*province.crumbs, (province.title, province.url)), _commune_note(commune),
                name=commune.name)


def _commune_note(commune: Unit, limit: int = 12) -> str:
    """"Trước 01/7/2025, địa bàn … thuộc xã A, xã B (một phần) (huyện X)." — so that a
    profile written with a pre-2025 commune is understood on its current commune's page."""
    geo = gazetteer()
    by_district: dict[Unit, list[str]] = defaultdict(list)
    predecessors = geo.predecessors(commune)
    for old in predecessors[:limit]:
        part = " (một phần)" if len(geo.successors(old.code)) > 1 else ""
        by_district[geo.district_of(old)].append(old.label + part)
    if not by_district:
        return ""
    places = "; ".join(f"{', '.join(names)} ({district.label})" for district, names in by_district.items())
    more = f" và {len(predecessors) - limit} xã, phường khác" if len(predecessors) > limit else ""
    return f"Trước {REFORM_DATE_LABEL}, địa bàn {commune.label} thuộc {places}{more}."


def _district_terms(profile: Profile) -> Iterable[Term]:
    if profile.place.historical_district:
        yield _district_term(profile.place.province, profile.place.historical_district)


@cache
def _district_term(province_unit: Unit, district: Unit) -> Term:
    geo = gazetteer()
    old_province = geo.legacy_province_of(district)
    province = province_term(province_unit)
    successors = geo.district_successors(district)
    names = ", ".join(c.short_name for c in successors[:12])
    more = f" và {len(successors) - 12} xã, phường khác" if len(successors) > 12 else ""
    note = (f"{district.name} ({old_province.label}) không còn từ {REFORM_DATE_LABEL}: "
            f"cấp huyện đã bỏ, địa bàn nay thuộc {province_unit.name}"
            + (f" (các xã, phường {names}{more})." if names else "."))
    return Term("district", f"{province.key}/{district.slug}",
                f"{province.url}huyen-cu/{district.slug}/",
                f"{district.name} ({old_province.label}, trước {REFORM_DATE_LABEL})",
                (province.sort_key, collation_key(district.short_name)),
                (*province.crumbs, (province.title, province.url)), note, name=district.name)


@cache
def _year_term(year: int) -> Term:
    return Term("year", str(year), f"nam/{year}/", f"Năm {year}", (-year,),
                (("Theo năm", "nam/"),), name=str(year))


def _year_terms(profile: Profile) -> Iterable[Term]:
    yield _year_term(profile.year)


def _province_year_terms(profile: Profile) -> Iterable[Term]:
    yield _province_year_term(profile.place.province, profile.year)


@cache
def _province_year_term(province_unit: Unit, year: int) -> Term:
    province = province_term(province_unit)
    return Term("province_year", f"{province.key}/{year}", f"{province.url}nam/{year}/",
                f"{province.title} — năm {year}", (province.sort_key, -year),
                (*province.crumbs, (province.title, province.url)), name=str(year))


@cache
def field_term(value: Field) -> Term:
    return Term("field", value.value, f"linh-vuc/{value.value}/", f"Lĩnh vực {value.label}",
                (list(Field).index(value),), name=value.label)


def _field_terms(profile: Profile) -> Iterable[Term]:
    return (field_term(f) for f in profile.fields)


@cache
def kind_term(value: Kind) -> Term:
    return Term("kind", value.value, f"{value.value}/", value.plural_label, (list(Kind).index(value),),
                name=value.label)


def _kind_terms(profile: Profile) -> Iterable[Term]:
    yield kind_term(profile.kind)


@cache
def level_term(value: Level) -> Term:
    return Term("level", value.value, f"cap/{value.value}/", f"Công nhận {value.label.lower()}",
                (value.rank,), name=value.label)


def _level_terms(profile: Profile) -> Iterable[Term]:
    yield level_term(profile.level)


FEATURED_TERM = Term("featured", "noi-bat", "noi-bat/", "Mô hình, điển hình nổi bật", (0,),
                     name="Nổi bật")


def _featured_terms(profile: Profile) -> Iterable[Term]:
    if profile.featured:
        yield FEATURED_TERM


FACETS: tuple[Facet, ...] = (
    Facet("province", "Tỉnh/thành phố", _province_terms,
          every_term=lambda: map(province_term, gazetteer().provinces()),
          overview=Overview("dia-phuong/", "Địa phương",
                            "34 tỉnh, thành phố sau sắp xếp đơn vị hành chính từ 01/7/2025."),
          fact="Địa phương", chart="Số hồ sơ theo tỉnh, thành phố", param="tinh", category=True),
    Facet("commune", "Xã/phường", _commune_terms, child_heading="Xã, phường có hồ sơ", several=True),
    Facet("district", "Huyện cũ (trước 01/7/2025)", _district_terms,
          child_heading="Huyện cũ (trước 01/7/2025)", several=True),
    Facet("year", "Năm công nhận", _year_terms, overview=Overview("nam/", "Theo năm công nhận"),
          fact="Năm công nhận", chart="Số hồ sơ theo năm công nhận", over_time=True, param="nam"),
    Facet("province_year", "Năm công nhận trong tỉnh", _province_year_terms, child_heading="Theo năm"),
    Facet("field", "Lĩnh vực", _field_terms, every_term=lambda: map(field_term, Field),
          overview=Overview("linh-vuc/", "Theo lĩnh vực"), fact="Lĩnh vực",
          chart="Số hồ sơ theo lĩnh vực", param="linh-vuc", several=True, category=True),
    Facet("kind", "Loại", _kind_terms, every_term=lambda: map(kind_term, Kind), fact="Loại",
          chart="Số hồ sơ theo loại", param="loai", category=True),
    Facet("level", "Cấp công nhận", _level_terms, every_term=lambda: map(level_term, Level),
          overview=Overview("cap/", "Theo cấp công nhận"), fact="Cấp công nhận",
          chart="Số hồ sơ theo cấp công nhận", param="cap", category=True),
    Facet("featured", "Nổi bật", _featured_terms, every_term=lambda: (FEATURED_TERM,), param="noi-bat",
          several=True),
)
FACET_BY_NAME: dict[str, Facet] = {facet.name: facet for facet in FACETS}


def every_term(facets: Iterable[Facet] = FACETS) -> list[Term]:
    """The terms that have a page whether or not they have profiles."""
    return [term for facet in facets if facet.every_term for term in facet.every_term()]


def children_of(index: dict[str, dict[str, TermIndex]]) -> dict[str, dict[str, list[TermIndex]]]:
    """term url → facet name → the terms whose breadcrumbs end at that term."""
    children: dict[str, dict[str, list[TermIndex]]] = {}
    for facet_name, terms in index.items():
        for entry in terms.values():
            if entry.term.crumbs:
                parent_url = entry.term.crumbs[-1][1]
                children.setdefault(parent_url, {}).setdefault(facet_name, []).append(entry)
    return children


def facet_terms(profiles: Iterable[Profile],
                facets: Iterable[Facet] = FACETS) -> dict[str, dict[str, list[Term]]]:
    """profile URL → facet name → the profile's terms: computed once, read by every page."""
    facets = tuple(facets)
    return {p.url: {f.name: list(f.terms_of(p)) for f in facets} for p in profiles}


def index_profiles(profiles: Iterable[Profile], facets: Iterable[Facet] = FACETS,
                   terms: dict[str, dict[str, list[Term]]] | None = None,
                   ) -> dict[str, dict[str, TermIndex]]:
    """facet name → term key → the term and its profiles, in the order given (newest first)."""
    facets = tuple(facets)
    profiles = list(profiles)
    terms = terms if terms is not None else facet_terms(profiles, facets)
    index: dict[str, dict[str, TermIndex]] = {f.name: {} for f in facets}
    for profile in profiles:
        url = profile.url
        mine = terms[url]
        for facet in facets:
            for term in mine[facet.name]:
                entry = index[facet.name].get(term.key)
                if entry is None:
                    entry = index[facet.name][term.key] = TermIndex(term)
                entry.profiles.append(profile)
                entry.urls.append(url)
    return {name: dict(sorted(by_key.items(), key=lambda kv: kv[1].term.sort_key))
            for name, by_key in index.items()}


class Related:
    """Up to `limit` profiles per profile: same field, nearest locality first.

    Buckets by (locality, field) keep this linear in the number of profiles; a
    profile's own list is chosen when it is asked for (a preview asks for one).
    """

    def __init__(self, profiles: Iterable[Profile], limit: int = 5,
                 places: Callable[[Profile], list[tuple]] | None = None, placement: str | None = None):
        self.limit = limit
        self.places = places or _places  # a profile's localities, nearest first (may be remembered)
        self.buckets: dict[tuple, list[Profile]] = defaultdict(list)
        # Everything the lists are chosen from, in order, as one digest: when it is the
        # previous build's, so is every profile's list (and its neighbours in its province,
        # the province being one of its places). `placement` is given when the caller has a
        # digest that covers it (`lantoa.state.kept_terms`).
        digest = hashlib.sha256() if placement is None else None
        for profile in profiles:
            places = self.places(profile)
            if digest is not None:
                digest.update(repr((profile.url, places, [f.value for f in profile.fields])).encode())
            for place in places:
                for f in profile.fields:
                    bucket = self.buckets[(place, f)]
                    if len(bucket) <= limit * 2:  # newest first; more are never needed
                        bucket.append(profile)
        self.placement = placement if digest is None else digest.hexdigest()[:32]

    @classmethod
    def kept(cls, buckets: Mapping[tuple, Sequence[Profile]], placement: str, limit: int = 5,
             places: Callable[[Profile], list[tuple]] | None = None) -> Related:
        """The lists chosen from `buckets` kept from a build whose placement was `placement`
        (`lantoa.state.KeptStructure`), instead of from every profile."""
        related = cls((), limit, places, placement)
        related.buckets = buckets  # type: ignore[assignment]
        return related

    def __call__(self, profile: Profile) -> list[Profile]:
        chosen: list[Profile] = []
        for place in self.places(profile):
            for f in profile.fields:
                for other in self.buckets.get((place, f), ()):
                    # By identity: comparing two profiles field by field is what made this slow.
                    if other is not profile and not any(other is c for c in chosen):
                        chosen.append(other)
                        if len(chosen) == self.limit:
                            return chosen
        return chosen


def places_of(p: Profile) -> list[tuple]:
    """The localities a profile's related profiles are looked for in, nearest first."""
    return _places(p)


def _places(p: Profile) -> list[tuple]:
    keys = []
    if p.place.commune:
        keys.append(("commune", p.place.commune.code))
    if p.place.historical_district:
        keys.append(("district", p.place.historical_district.code))
    keys.append(("province", p.place.province.code))
    keys.append(("country",))
    return keys


def related(profiles: list[Profile], limit: int = 5) -> dict[str, list[Profile]]:
    """Every profile's related profiles (`Related`), at once."""
    choose = Related(profiles, limit)
    return {profile.url: choose(profile) for profile in profiles}
