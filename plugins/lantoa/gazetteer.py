"""The gazetteer: Vietnam's provinces, districts and communes, before and after 1 July 2025.

The only module that touches the `vietnam-provinces` dataset. The rest of Lan Tỏa
asks it questions ("which current province is 'Đắk Nông' in?", "is Lâm Hà a
district of this province?") and gets back small frozen `Unit` values.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from functools import cache, cached_property
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

from .files import read_pickle, write_pickle
from .gazetteer_fixes import (
    COMMUNE_ALIASES,
    COMMUNE_RENAMES,
    NAME_CORRECTIONS,
    STABLE_DISTRICT_SLUGS,
    SUCCESSOR_FIXES,
    SUPPLEMENTS,
)
from .text import (
    collation_key,
    folded_key,
    loose_key,
    name_key,
    place_slug,
    sort_vietnamese,
    strip_unit_prefix,
    unit_prefix,
    variant_key,
)

REFORM_DATE_LABEL = "01/7/2025"

# Names in common use that the dataset no longer carries, mapped to a legacy
# province code: Thừa Thiên Huế became Thành phố Huế on 1 January 2025.
FORMER_PROVINCE_NAMES = {"Thừa Thiên Huế": 46}


@dataclass(frozen=True)
class Unit:
    """One administrative unit, current or pre-2025 ("legacy")."""

    level: str  # "province", "district" or "commune"
    code: int
    name: str  # official full name: "Tỉnh Lâm Đồng", "Huyện Lâm Hà"
    division: str  # unit-type word, lowercase: "tỉnh", "huyện", "thị trấn"
    legacy: bool
    parent_code: int | None  # province of a district or current commune; district of a legacy commune
    slug: str  # unique among its siblings (DESIGN §4)
    key: str = ""  # name_key of the name, for matching what editors type

    @cached_property
    def short_name(self) -> str:
        """The name without its unit-type word: "Lâm Đồng"."""
        return strip_unit_prefix(self.name)

    @cached_property
    def label(self) -> str:
        """Lower-case unit word and name, for running text: "huyện Lâm Hà"."""
        division = "thành phố" if self.division == "thành phố trung ương" else self.division
        return f"{division} {self.short_name}"


def _reference(unit: Unit) -> str:
    """A unit's level, era and code as one short string: "c0-26734" (a current commune)."""
    return f"{unit.level[0]}{int(unit.legacy)}-{unit.code}"


def _unit(level: str, code: int, name: str, division: object, legacy: bool,
          parent_code: int | None, slug: str) -> Unit:
    return Unit(level, code, name, _division(division), legacy, parent_code, slug, name_key(name))


def _division(value: object) -> str:
    return str(getattr(value, "value", value)).lower()


def _unique_slugs(units: list[tuple[int, str]]) -> dict[int, str]:
    """Slug per code; names that would collide under one parent carry their code."""
    by_slug: dict[str, list[int]] = defaultdict(list)
    for code, name in units:
        by_slug[place_slug(name)].append(code)
    slugs = {}
    for slug, codes in by_slug.items():
        for code in codes:
            slugs[code] = slug if len(codes) == 1 else f"{slug}-{code}"
    return slugs


class Tier(IntEnum):
    """How closely a name as written matches a unit's name (DESIGN §3)."""

    EXACT = 0  # same name: case, unit word, tone placement and punctuation aside
    VARIANT = 1  # a spelling variant of the official lists, or another official name
    FOLDED = 2  # the same letters without diacritics ("Lam Dong")


_TIER_KEYS = (name_key, variant_key, folded_key)


@dataclass(frozen=True)
class Match:
    """The units a name matches at the closest tier that matches any."""

    units: tuple[Unit, ...] = ()
    tier: Tier | None = None

    def __bool__(self) -> bool:
        return bool(self.units)


class _NameIndex:
    """Units of one scope (a province, a district …) by the key of every tier."""

    __slots__ = ("keys",)

    def __init__(self) -> None:
        self.keys: tuple[dict[str, list[Unit]], ...] = ({}, {}, {})

    def add(self, unit: Unit, name: str, from_tier: Tier = Tier.EXACT) -> None:
        for tier in Tier:
            if tier >= from_tier:
                bucket = self.keys[tier].setdefault(_TIER_KEYS[tier](name), [])
                if unit not in bucket:
                    bucket.append(unit)


def _match(indexes: Iterable[_NameIndex | None], text: str) -> Match:
    """Units named `text` in any of the scopes, at the closest tier that finds any;
    a unit word in `text` ("Thị xã Cai Lậy") picks among namesakes.

    A later tier is never asked once one has found a unit, even of another kind:
    "Xã Tân Hòa" that became a phường must not turn into a Xã Tân Hóa nearby.
    """
    indexes = [i for i in indexes if i is not None]
    for tier in Tier:
        key = _TIER_KEYS[tier](text)
        if not key:
            break
        found: list[Unit] = []
        for index in indexes:
            found.extend(u for u in index.keys[tier].get(key, ()) if u not in found)
        if found:
            division = unit_prefix(text)
            if division and len(found) > 1:
                found = [u for u in found if u.division.endswith(division)] or found
            return Match(tuple(found), tier)
    return Match()


def _main_first(old: Unit, successors: list[Unit]) -> tuple[Unit, ...]:
    """Successors of a split commune, the main one first (documented in docs/dia-gioi.md).

    The datasets carry no area or population per part, so the main successor is
    the new commune that kept the old commune's name, otherwise the first one in
    the official conversion table.
    """
    namesakes = [u for u in successors if u.key == old.key]
    main = namesakes[0] if len(namesakes) == 1 else successors[0]
    return (main, *[u for u in successors if u is not main])


@cache
def _dataset() -> ModuleType:
    """The `vietnam-provinces` dataset, imported when the gazetteer is built, not before:
    its modules take a third of a second to import, and a build or check whose cache holds
    the gazetteer (`keep_gazetteer`) never needs them."""
    import vietnam_provinces
    import vietnam_provinces.legacy

    return vietnam_provinces


class Gazetteer:
    """Look-ups over current and legacy units; build once with `gazetteer()`."""

    def __init__(self) -> None:
        self.current_provinces: dict[int, Unit] = {}
        self.legacy_provinces: dict[int, Unit] = {}
        self.legacy_districts: dict[int, Unit] = {}
        self.current_communes: dict[int, Unit] = {}
        self.legacy_communes: dict[int, Unit] = {}
        self._load_provinces()
        self._load_current_communes()
        self._load_legacy_communes()
        self._load_successors()
        self._load_districts()
        self._build_indexes()
        # Each unit by a short name of its own (`reference`): what a cache that keeps many
        # profiles' places pickles in place of the unit, and reads back from here.
        self.units_by_reference: dict[str, Unit] = {
            _reference(unit): unit
            for table in (self.current_provinces, self.legacy_provinces, self.legacy_districts,
                          self.current_communes, self.legacy_communes)
            for unit in table.values()}

    def reference(self, value: object) -> str | None:
        """`value`'s name in `units_by_reference` when it is one of this gazetteer's units (or
        equal to one: a profile read by a worker process holds a copy), else None: a
        pickler's `persistent_id`, for which any other value is pickled as usual."""
        if type(value) is not Unit:
            return None
        name = _reference(value)  # type: ignore[arg-type]
        found = self.units_by_reference.get(name)
        return name if found is value or found == value else None

    # -- loading ------------------------------------------------------------
    def _load_provinces(self) -> None:
        current = list(_dataset().Province.iter_all())
        slugs = _unique_slugs([(int(p.code), p.name) for p in current])
        for p in current:
            code = int(p.code)
            self.current_provinces[code] = _unit(
                "province", code, p.name, p.division_type, False, None, slugs[code])
        old = list(_dataset().legacy.Province.iter_all())
        slugs = _unique_slugs([(int(p.code), p.name) for p in old])
        for p in old:
            code = int(p.code)
            self.legacy_provinces[code] = _unit(
                "province", code, p.name, p.division_type, True, None, slugs[code])

    def _load_current_communes(self) -> None:
        by_province: dict[int, list] = defaultdict(list)
        for ward in _dataset().Ward.iter_all():
            by_province[int(ward.province_code)].append(ward)
        for province_code, wards in by_province.items():
            slugs = _unique_slugs([(int(w.code), w.name) for w in wards])
            for w in wards:
                code = int(w.code)
                self.current_communes[code] = _unit(
                    "commune", code, w.name, w.division_type, False, province_code, slugs[code])

    def _load_legacy_communes(self) -> None:
        self._province_of_district = {int(d.code): int(d.province_code)
                                      for d in _dataset().legacy.District.iter_all()}
        for w in _dataset().legacy.Ward.iter_all():
            code = int(w.code)
            name = NAME_CORRECTIONS.get(code, w.name)
            self.legacy_communes[code] = _unit(
                "commune", code, name, w.division_type, True, int(w.district_code), place_slug(name))
        for extra in SUPPLEMENTS:
            self.legacy_communes[extra.code] = _unit(
                "commune", extra.code, extra.name, extra.division, True, extra.district_code,
                place_slug(extra.name))

    def _load_successors(self) -> None:
        """Current communes of every legacy commune, and from them the current
        provinces of every legacy province.

        A province's successors are counted from its own communes rather than read
        from the dataset's province table, which lists Tây Ninh as a second
        successor of Tiền Giang because of one record (Phường 4, Tân An, Long An)
        filed under the wrong province (docs/dia-gioi.md).
        """
        self._successors: dict[int, tuple[Unit, ...]] = {}
        self._predecessors: dict[int, tuple[Unit, ...]] | None = None  # built on first use
        for code, old in self.legacy_communes.items():
            if code in SUCCESSOR_FIXES:
                units = [self.current_communes[c] for c in SUCCESSOR_FIXES[code]]
            else:
                found = _dataset().Ward.search_from_legacy(code=code)
                units = list(dict.fromkeys(self.current_communes[int(w.ward.code)] for w in found))
            self._successors[code] = _main_first(old, units) if units else ()
        received: dict[int, Counter[int]] = defaultdict(Counter)
        for code, successors in self._successors.items():
            province = self._province_of_district[self.legacy_communes[code].parent_code]  # type: ignore[index]
            for province_code in dict.fromkeys(u.parent_code for u in successors):
                received[province][province_code] += 1  # type: ignore[index]
        self._province_successors: dict[int, tuple[Unit, ...]] = {}
        for code in self.legacy_provinces:
            counts = received.get(code)
            if counts:
                ranked = sorted(counts, key=lambda c: (-counts[c], c))
            else:  # no commune data: the dataset's province table
                ranked = [int(p.province.code) for p in _dataset().Province.search_from_legacy(code=code)]
            self._province_successors[code] = tuple(self.current_provinces[c] for c in ranked)
        self.legacy_to_current_province: dict[int, int] = {
            code: successors[0].code for code, successors in self._province_successors.items()}

    def _load_districts(self) -> None:
        # Historical districts get their page under the current province, so their
        # slugs must be unique among all districts that province absorbed.
        districts_by_current: dict[int, list] = defaultdict(list)
        for d in _dataset().legacy.District.iter_all():
            current = self.legacy_to_current_province[int(d.province_code)]
            districts_by_current[current].append(d)
        for districts in districts_by_current.values():
            slugs = _unique_slugs([(int(d.code), d.name) for d in districts])
            slugs.update((code, slug) for code, slug in STABLE_DISTRICT_SLUGS.items() if code in slugs)
            for d in districts:
                code = int(d.code)
                self.legacy_districts[code] = _unit(
                    "district", code, d.name, d.division_type, True, int(d.province_code), slugs[code])

    def _build_indexes(self) -> None:
        self._provinces = _NameIndex()
        for unit in [*self.current_provinces.values(), *self.legacy_provinces.values()]:
            self._provinces.add(unit, unit.name)
        for former_name, code in FORMER_PROVINCE_NAMES.items():
            self._provinces.add(self.legacy_provinces[code], former_name)
        self._districts_by_province: dict[int, list[Unit]] = defaultdict(list)
        for d in self.legacy_districts.values():
            self._districts_by_province[d.parent_code].append(d)  # type: ignore[index]
        self._communes_by_district: dict[int, list[Unit]] = defaultdict(list)
        for c in self.legacy_communes.values():
            self._communes_by_district[c.parent_code].append(c)  # type: ignore[index]
        self._communes_by_current_province: dict[int, list[Unit]] = defaultdict(list)
        for c in self.current_communes.values():
            self._communes_by_current_province[c.parent_code].append(c)  # type: ignore[index]
        self._name_indexes: dict[tuple[str, int], _NameIndex | None] = {}
        self._legacy_by_current: dict[int, list[Unit]] = defaultdict(list)
        for code, successors in self._province_successors.items():
            for current in successors:
                self._legacy_by_current[current.code].append(self.legacy_provinces[code])

    def _names(self, kind: str, scope: int) -> _NameIndex | None:
        """The name index of one scope — the districts of a legacy province, the
        communes of a district or of a current province — built on first use: most
        sites name a few provinces, and building all of them would double start-up."""
        index = self._name_indexes.get((kind, scope), False)
        if index is False:
            units = {"district": self._districts_by_province, "legacy": self._communes_by_district,
                     "current": self._communes_by_current_province}[kind].get(scope, [])
            index = _NameIndex() if units else None
            for unit in units:
                index.add(unit, unit.name)  # type: ignore[union-attr]
                for name in COMMUNE_RENAMES.get(unit.code, ()) if kind == "legacy" else ():
                    index.add(unit, name)  # type: ignore[union-attr]
                for alias in COMMUNE_ALIASES.get(unit.code, ()) if kind == "legacy" else ():
                    index.add(unit, alias, Tier.VARIANT)  # type: ignore[union-attr]
            self._name_indexes[(kind, scope)] = index
        return index  # type: ignore[return-value]

    # -- provinces ----------------------------------------------------------
    def provinces(self) -> list[Unit]:
        """The 34 current provinces in Vietnamese alphabetical order."""
        return sort_vietnamese(self.current_provinces.values(), key=lambda u: u.short_name)

    def province_by_slug(self, slug: str) -> Unit | None:
        return next((p for p in self.current_provinces.values() if p.slug == slug), None)

    def match_provinces(self, text: str) -> Match:
        """Current and legacy provinces named `text` (or a current province's code)."""
        text = text.strip()
        if text.isascii() and text.isdigit():
            unit = self.current_provinces.get(int(text))
            return Match((unit,), Tier.EXACT) if unit else Match()
        return _match([self._provinces], text)

    def find_province(self, text: str) -> tuple[Unit, Unit | None] | None:
        """Resolve a province name or code to (current province, legacy province named).

        The legacy province is given when the name is a pre-2025 one, including a
        name that still exists ("Lâm Đồng" was a province before and after). Any
        tier of match counts; `match_provinces` tells which.
        """
        return self.pair(self.match_provinces(text).units)

    def pair(self, units: Iterable[Unit]) -> tuple[Unit, Unit | None] | None:
        """(current province, legacy province) out of the provinces one name matched."""
        units = list(units)
        current = next((u for u in units if not u.legacy), None)
        old = next((u for u in units if u.legacy), None)
        if current:
            return current, old
        if old:
            return self.province_successors(old)[0], old
        return None

    def province_successors(self, legacy_province: Unit) -> tuple[Unit, ...]:
        """Current provinces that received communes of a legacy province, the one
        that received most first (every one so far has exactly one)."""
        return self._province_successors[legacy_province.code]

    def legacy_provinces_of(self, current: Unit) -> list[Unit]:
        """The pre-2025 provinces whose territory is now (at least partly) this province."""
        return self._legacy_by_current.get(current.code, [])

    def current_province_of(self, unit: Unit) -> Unit:
        """The current province a legacy province, district or commune lies in
        (for a commune: the province of its main current commune)."""
        if unit.level == "commune" and unit.legacy:
            successors = self.successors(unit.code)
            if successors:
                return self.current_provinces[successors[0].parent_code]  # type: ignore[index]
            unit = self.legacy_districts[unit.parent_code]  # type: ignore[index]
        if unit.level == "district":
            unit = self.legacy_provinces[unit.parent_code]  # type: ignore[index]
        if unit.level == "commune":
            return self.current_provinces[unit.parent_code]  # type: ignore[index]
        if unit.legacy:
            return self.province_successors(unit)[0]
        return unit

    def legacy_province_of(self, district: Unit) -> Unit:
        return self.legacy_provinces[district.parent_code]  # type: ignore[index]

    def all_provinces(self) -> list[Unit]:
        return [*self.current_provinces.values(), *self.legacy_provinces.values()]

    # -- districts ----------------------------------------------------------
    def districts_in(self, legacy_provinces: list[Unit]) -> list[Unit]:
        return [d for p in legacy_provinces for d in self._districts_by_province.get(p.code, [])]

    def match_districts(self, text: str, legacy_provinces: Iterable[Unit] | None = None) -> Match:
        """Legacy districts named `text` in these legacy provinces (all when None)."""
        codes = self.legacy_provinces if legacy_provinces is None else [p.code for p in legacy_provinces]
        return _match([self._names("district", code) for code in codes], text)

    def find_district(self, text: str, legacy_provinces: list[Unit]) -> list[Unit]:
        return list(self.match_districts(text, legacy_provinces).units)

    def district_as_commune(self, district: Unit) -> tuple[Unit, ...]:
        """The current commune a pre-2025 district without communes became: the island
        districts (Côn Đảo, Lý Sơn, Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa) are now đặc khu."""
        if self._communes_by_district.get(district.code):
            return ()
        province = self.current_province_of(district)
        return self.match_current_communes(district.short_name, province).units[:1]

    # -- communes -----------------------------------------------------------
    def current_communes_in(self, province: Unit) -> list[Unit]:
        return self._communes_by_current_province.get(province.code, [])

    def legacy_communes_in(self, districts: list[Unit]) -> list[Unit]:
        return [c for d in districts for c in self._communes_by_district.get(d.code, [])]

    def match_current_communes(self, text: str, province: Unit) -> Match:
        return _match([self._names("current", province.code)], text)

    def match_legacy_communes(self, text: str, districts: Iterable[Unit]) -> Match:
        indexes = [self._names("legacy", d.code) for d in districts]
        found = _match(indexes, text)
        if found and not all(self.successors(u.code) for u in found.units):
            # The dataset keeps communes abolished before 2025 beside the namesake that
            # absorbed them ("Phường 14", Bình Thạnh; "Thị trấn Yên Châu", which the
            # dataset still files as the xã it absorbed): the name is the one that lived on.
            homes = {u.parent_code for u in found.units}
            wider = _match(indexes, strip_unit_prefix(text)) if unit_prefix(text) else found
            alive = [u for u in wider.units if u.parent_code in homes and self.successors(u.code)]
            if len(alive) == 1 and len(homes) == 1:
                return Match((alive[0],), min(found.tier, wider.tier))  # type: ignore[type-var]
        return found

    def find_current_commune(self, text: str, province: Unit) -> list[Unit]:
        return list(self.match_current_communes(text, province).units)

    def find_legacy_commune(self, text: str, districts: list[Unit]) -> list[Unit]:
        return list(self.match_legacy_communes(text, districts).units)

    def district_of(self, legacy_commune: Unit) -> Unit:
        return self.legacy_districts[legacy_commune.parent_code]  # type: ignore[index]

    def successors(self, legacy_commune_code: int) -> tuple[Unit, ...]:
        """Current communes a pre-2025 commune became, the main one first (several
        when it was split; none when neither dataset knows)."""
        return self._successors.get(legacy_commune_code, ())

    def predecessors(self, current_commune: Unit) -> tuple[Unit, ...]:
        """Pre-2025 communes whose territory is now (at least partly) this commune."""
        return self.index_predecessors().get(current_commune.code, ())

    def index_predecessors(self) -> dict[int, tuple[Unit, ...]]:
        """Current commune code → its predecessors, made once (0.15 s): the first commune
        term of a process asks for it, so the kept gazetteer holds it already."""
        if self._predecessors is None:
            found: dict[int, list[Unit]] = defaultdict(list)
            for code, successors in self._successors.items():
                for successor in successors:
                    found[successor.code].append(self.legacy_communes[code])
            self._predecessors = {code: tuple(sort_vietnamese(units, key=lambda u: u.short_name))
                                  for code, units in found.items()}
        return self._predecessors

    @cache  # noqa: B019 — one gazetteer per process, kept for its lifetime
    def district_successors(self, district: Unit) -> list[Unit]:
        """Current communes that now hold the territory of a pre-2025 district."""
        seen: dict[int, Unit] = {}
        for commune in self._communes_by_district.get(district.code, []):
            for successor in self.successors(commune.code):
                seen[successor.code] = successor
        return sort_vietnamese(seen.values(), key=lambda u: u.short_name)

    def suggest(self, text: str, candidates: list[Unit], limit: int = 3) -> list[str]:
        """The nearest candidate names, compared without diacritics ("Lâm Đông" →
        "Lâm Đồng"): only those about as near as the nearest one."""
        by_key: dict[str, str] = {}
        for unit in candidates:
            by_key.setdefault(loose_key(unit.name), unit.short_name)
        wanted = loose_key(text)
        if not wanted:
            return []
        # A name that holds every word written ("Binh" → "Hòa Bình") is nearer than one
        # that merely shares letters ("Bắc Ninh"); then by similarity, then alphabetically.
        words = set(wanted.split())
        scored = []
        for key, name in by_key.items():
            ratio = difflib.SequenceMatcher(None, wanted, key).ratio()
            whole_words = len(wanted) >= 3 and words <= set(key.split())
            if ratio >= 0.6 or whole_words or (len(wanted) >= 3 and (wanted in key or key in wanted)):
                scored.append((not whole_words, -ratio, collation_key(name), name))
        scored.sort()
        if not scored:
            return []
        best_class, best = scored[0][0], -scored[0][1]
        return [name for other, ratio, _, name in scored
                if other == best_class and -ratio >= best - 0.1][:limit]


_kept: Path | None = None  # where `keep_gazetteer` put it
# Where this installation keeps the gazetteer it built, beside its compiled modules: like
# them, it is made from the code and the installed datasets alone, never from a site.
INSTALLED_FOLDER = Path(__file__).parent / "__pycache__"


def keep_gazetteer(folder: Path) -> Path:
    """Keep the gazetteer, once built, in `folder` (a build's cache) too: read when this
    installation's own copy (`installed_gazetteer`) cannot be written. Returns the file,
    which the cache counts as used.

    The file is named by everything the gazetteer is built from, so other code or another
    release of the datasets never reads it.
    """
    global _kept
    _kept = folder / _file_name()
    return _kept


def installed_gazetteer() -> Path:
    """This installation's copy of the gazetteer: written by the first command that builds
    it (as Python writes a module's compiled code on its first import), then loaded in
    35 ms by every command, whatever its cache, instead of built in 0.5 s (the datasets'
    modules alone take a third of a second to import)."""
    return INSTALLED_FOLDER / _file_name()


def _file_name() -> str:
    return f"gazetteer-{gazetteer_version()}.pickle"


@cache
def gazetteer_version() -> str:
    """A digest of what the gazetteer is built from (the Python, the datasets, the code):
    it changes whenever the gazetteer may."""
    digest = hashlib.sha256(repr((sys.version, *(version(n) for n in ("vietnam-provinces", "python-slugify")))
                                 ).encode())
    for source in ("gazetteer.py", "gazetteer_fixes.py", "text.py"):
        digest.update((Path(__file__).parent / source).read_bytes())
    return digest.hexdigest()[:20]


@cache
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer: loaded from this installation's copy or the cache's
    (`installed_gazetteer`, `keep_gazetteer`), else built (about 0.5 s) and kept."""
    kept = [installed_gazetteer(), *([_kept] if _kept is not None else [])]
    for path in kept:
        found = read_pickle(path, None)
        if isinstance(found, Gazetteer):
            return found
    built = Gazetteer()
    built.index_predecessors()
    for path in kept:  # the first place that can be written; read-only ones only cost time
        with contextlib.suppress(OSError):
            write_pickle(path, built)
            if path.parent == INSTALLED_FOLDER:
                _forget_other_releases(path)
            break
    return built


def _forget_other_releases(path: Path) -> None:
    """Remove the copies that other code or datasets built: no later command reads them."""
    for other in path.parent.glob("gazetteer-*.pickle"):
        if other != path:
            with contextlib.suppress(OSError):
                other.unlink()
