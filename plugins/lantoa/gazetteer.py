"""The gazetteer: Vietnam's provinces, districts and communes, before and after 1 July 2025.

The only module that touches the `vietnam-provinces` dataset. The rest of Lan Tỏa
asks it questions ("which current province is 'Đắk Nông' in?", "is Lâm Hà a
district of this province?") and gets back small frozen `Unit` values.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, cached_property

from vietnam_provinces import Province as CurrentProvince
from vietnam_provinces import Ward as CurrentWard
from vietnam_provinces import legacy

from .text import loose_key, name_key, place_slug, sort_vietnamese, strip_unit_prefix, unit_prefix

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


def _unit(level: str, code: int, name: str, division: object, legacy: bool,
          parent_code: int | None, slug: str) -> Unit:
    return Unit(level, code, name, _division(division), legacy, parent_code, slug, name_key(name))


def _matching(units: list[Unit], text: str) -> list[Unit]:
    """Units named `text`; a unit word in `text` ("Thị xã Cai Lậy") picks among namesakes."""
    key = name_key(text)
    found = [u for u in units if u.key == key]
    division = unit_prefix(text)
    if division and len(found) > 1:
        found = [u for u in found if u.division.endswith(division)] or found
    return found


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


class Gazetteer:
    """Look-ups over current and legacy units; build once with `gazetteer()`."""

    def __init__(self) -> None:
        self.current_provinces: dict[int, Unit] = {}
        self.legacy_provinces: dict[int, Unit] = {}
        self.legacy_districts: dict[int, Unit] = {}
        self.current_communes: dict[int, Unit] = {}
        self.legacy_communes: dict[int, Unit] = {}
        self._load_provinces()
        self._load_communes_and_districts()
        self._build_indexes()

    # -- loading ------------------------------------------------------------
    def _load_provinces(self) -> None:
        current = list(CurrentProvince.iter_all())
        slugs = _unique_slugs([(int(p.code), p.name) for p in current])
        for p in current:
            code = int(p.code)
            self.current_provinces[code] = _unit(
                "province", code, p.name, p.division_type, False, None, slugs[code])
        old = list(legacy.Province.iter_all())
        slugs = _unique_slugs([(int(p.code), p.name) for p in old])
        self.legacy_to_current_province: dict[int, int] = {}
        for p in old:
            code = int(p.code)
            self.legacy_provinces[code] = _unit(
                "province", code, p.name, p.division_type, True, None, slugs[code])
            successors = CurrentProvince.search_from_legacy(code=code)
            self.legacy_to_current_province[code] = int(successors[0].province.code)

    def _load_communes_and_districts(self) -> None:
        by_province: dict[int, list] = defaultdict(list)
        for ward in CurrentWard.iter_all():
            by_province[int(ward.province_code)].append(ward)
        for province_code, wards in by_province.items():
            slugs = _unique_slugs([(int(w.code), w.name) for w in wards])
            for w in wards:
                code = int(w.code)
                self.current_communes[code] = _unit(
                    "commune", code, w.name, w.division_type, False, province_code, slugs[code])
        # Historical districts get their page under the current province, so their
        # slugs must be unique among all districts that province absorbed.
        districts_by_current: dict[int, list] = defaultdict(list)
        for d in legacy.District.iter_all():
            current = self.legacy_to_current_province[int(d.province_code)]
            districts_by_current[current].append(d)
        for districts in districts_by_current.values():
            slugs = _unique_slugs([(int(d.code), d.name) for d in districts])
            for d in districts:
                code = int(d.code)
                self.legacy_districts[code] = _unit(
                    "district", code, d.name, d.division_type, True, int(d.province_code), slugs[code])
        for w in legacy.Ward.iter_all():
            code = int(w.code)
            self.legacy_communes[code] = _unit(
                "commune", code, w.name, w.division_type, True, int(w.district_code), place_slug(w.name))

    def _build_indexes(self) -> None:
        self._province_by_key: dict[str, list[Unit]] = defaultdict(list)
        for unit in [*self.current_provinces.values(), *self.legacy_provinces.values()]:
            self._province_by_key[unit.key].append(unit)
        for former_name, code in FORMER_PROVINCE_NAMES.items():
            self._province_by_key[name_key(former_name)].append(self.legacy_provinces[code])
        self._districts_by_province: dict[int, list[Unit]] = defaultdict(list)
        for d in self.legacy_districts.values():
            self._districts_by_province[d.parent_code].append(d)  # type: ignore[index]
        self._communes_by_district: dict[int, list[Unit]] = defaultdict(list)
        for c in self.legacy_communes.values():
            self._communes_by_district[c.parent_code].append(c)  # type: ignore[index]
        self._communes_by_current_province: dict[int, list[Unit]] = defaultdict(list)
        for c in self.current_communes.values():
            self._communes_by_current_province[c.parent_code].append(c)  # type: ignore[index]
        self._legacy_by_current: dict[int, list[Unit]] = defaultdict(list)
        for code, current in self.legacy_to_current_province.items():
            self._legacy_by_current[current].append(self.legacy_provinces[code])

    # -- questions ----------------------------------------------------------
    def provinces(self) -> list[Unit]:
        """The 34 current provinces in Vietnamese alphabetical order."""
        return sort_vietnamese(self.current_provinces.values(), key=lambda u: u.short_name)

    def province_by_slug(self, slug: str) -> Unit | None:
        return next((p for p in self.current_provinces.values() if p.slug == slug), None)

    def find_province(self, text: str) -> tuple[Unit, Unit | None] | None:
        """Resolve a province name or code to (current province, legacy province named).

        The legacy province is given when the name is a pre-2025 one, including a
        name that still exists ("Lâm Đồng" was a province before and after).
        """
        text = text.strip()
        if text.isascii() and text.isdigit():
            unit = self.current_provinces.get(int(text))
            return (unit, None) if unit else None
        matches = self._province_by_key.get(name_key(text), [])
        current = next((u for u in matches if not u.legacy), None)
        old = next((u for u in matches if u.legacy), None)
        if current:
            return current, old
        if old:
            return self.current_provinces[self.legacy_to_current_province[old.code]], old
        return None

    def legacy_provinces_of(self, current: Unit) -> list[Unit]:
        """The pre-2025 provinces whose territory is now (at least partly) this province."""
        return self._legacy_by_current.get(current.code, [])

    def current_province_of(self, unit: Unit) -> Unit:
        """The current province a legacy province, district or commune lies in."""
        if unit.level == "commune" and unit.legacy:
            unit = self.legacy_districts[unit.parent_code]  # type: ignore[index]
        if unit.level == "district":
            unit = self.legacy_provinces[unit.parent_code]  # type: ignore[index]
        if unit.level == "commune":
            return self.current_provinces[unit.parent_code]  # type: ignore[index]
        if unit.legacy:
            return self.current_provinces[self.legacy_to_current_province[unit.code]]
        return unit

    def legacy_province_of(self, district: Unit) -> Unit:
        return self.legacy_provinces[district.parent_code]  # type: ignore[index]

    def districts_in(self, legacy_provinces: list[Unit]) -> list[Unit]:
        return [d for p in legacy_provinces for d in self._districts_by_province.get(p.code, [])]

    def find_district(self, text: str, legacy_provinces: list[Unit]) -> list[Unit]:
        return _matching(self.districts_in(legacy_provinces), text)

    def current_communes_in(self, province: Unit) -> list[Unit]:
        return self._communes_by_current_province.get(province.code, [])

    def legacy_communes_in(self, districts: list[Unit]) -> list[Unit]:
        return [c for d in districts for c in self._communes_by_district.get(d.code, [])]

    def find_current_commune(self, text: str, province: Unit) -> list[Unit]:
        return _matching(self.current_communes_in(province), text)

    def find_legacy_commune(self, text: str, districts: list[Unit]) -> list[Unit]:
        return _matching(self.legacy_communes_in(districts), text)

    def district_of(self, legacy_commune: Unit) -> Unit:
        return self.legacy_districts[legacy_commune.parent_code]  # type: ignore[index]

    @cache  # noqa: B019 — one gazetteer per process, kept for its lifetime
    def successors(self, legacy_commune_code: int) -> tuple[Unit, ...]:
        """Current communes a pre-2025 commune became (several when it was split)."""
        found = CurrentWard.search_from_legacy(code=legacy_commune_code)
        return tuple(self.current_communes[int(w.ward.code)] for w in found)

    @cache  # noqa: B019 — one gazetteer per process, kept for its lifetime
    def district_successors(self, district: Unit) -> list[Unit]:
        """Current communes that now hold the territory of a pre-2025 district."""
        seen: dict[int, Unit] = {}
        for commune in self._communes_by_district.get(district.code, []):
            for successor in self.successors(commune.code):
                seen[successor.code] = successor
        return sort_vietnamese(seen.values(), key=lambda u: u.short_name)

    def suggest(self, text: str, candidates: list[Unit], limit: int = 3) -> list[str]:
        """Nearest candidate names, compared without diacritics ("Lâm Đông" → "Lâm Đồng")."""
        by_key: dict[str, str] = {}
        for unit in candidates:
            by_key.setdefault(loose_key(unit.name), unit.short_name)
        wanted = loose_key(text)
        close = difflib.get_close_matches(wanted, list(by_key), n=limit, cutoff=0.6)
        if not close:
            close = [k for k in by_key if wanted and (wanted in k or k in wanted)][:limit]
        return [by_key[k] for k in close]

    def all_provinces(self) -> list[Unit]:
        return [*self.current_provinces.values(), *self.legacy_provinces.values()]


@cache
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer (about 0.5 s to build, then shared)."""
    return Gazetteer()
