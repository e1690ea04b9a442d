"""The gazetteer against a second source: the `vietnamadminunits` converter (MIT).

Every one of its pre-2025 communes (and districts), written as its official list
writes them, goes through our place resolution; the province, the current commune
and the pre-2025 unit we find are compared with the converter's. Every
disagreement must be listed, with its reason, in docs/dia-gioi.md: a new one, or a
listed one that went away, fails this test.

The converter's tables are read directly (its public `convert_address` parses free
text and takes ~2 ms an address); a sample checks that reading them gives what
`convert_address` gives.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import vietnamadminunits as vau  # a test dependency: this check must not be skipped silently
from lantoa.gazetteer import gazetteer
from lantoa.model import Place
from lantoa.places import resolve_place

DOC = Path(__file__).resolve().parents[2] / "docs" / "dia-gioi.md"
DATA = Path(vau.__file__).parent / "data"


@dataclass(frozen=True)
class Expected:
    """One pre-2025 commune (or district) and what the converter makes of it."""

    province: str
    district: str
    commune: str  # "" for a district, or an island district without communes
    code: int | None  # pre-2025 commune code, or district code
    new_province: int
    new_communes: tuple[int, ...]  # every current commune it lists, the default first


def _rows(table: str) -> list[dict]:
    with sqlite3.connect(DATA / "dataset.db") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(f"SELECT * FROM {table}")]


def converter_expectations() -> list[Expected]:
    """What `convert_address` returns for "commune, district, province" without a street."""
    tables = json.loads((DATA / "converter_2025.json").read_text(encoding="utf-8"))
    new = {(r["provinceKey"], r["wardKey"]): r for r in _rows("admin_units")}
    new_province_of = {old: key for key, olds in tables["DICT_PROVINCE"].items() for old in olds}
    undivided = {old: (province, ward) for province, wards in tables["DICT_PROVINCE_WARD_NO_DIVIDED"].items()
                 for ward, olds in wards.items() for old in olds}
    found = []
    for row in _rows("admin_units_legacy"):
        key = f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey'] or ''}"
        province_key = new_province_of[row["provinceKey"]]
        if key in undivided:
            wards = [new[undivided[key]]]
        else:
            parts = tables["DICT_PROVINCE_WARD_DIVIDED"][province_key][key]
            parts = sorted(parts, key=lambda part: not part["isDefaultNewWard"])
            wards = [new[(province_key, part["newWardKey"])] for part in parts]
        found.append(Expected(row["province"], row["district"], row["ward"] or "",
                              int(row["wardCode"]) if row["wardCode"] else None,
                              int(wards[0]["provinceCode"]), tuple(int(w["wardCode"]) for w in wards)))
    return found


@dataclass
class Comparison:
    refused: dict[str, str] = field(default_factory=dict)  # key → the problem
    other_unit: dict[str, str] = field(default_factory=dict)  # resolved to another pre-2025 unit
    province: dict[str, str] = field(default_factory=dict)
    commune: dict[str, str] = field(default_factory=dict)  # converter's commune not among ours
    no_commune: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    resolved: int = 0
    split: int = 0
    main_agrees: int = 0

    def disagreements(self) -> dict[str, str]:
        return {**self.refused, **self.other_unit, **self.province, **self.commune, **self.no_commune}


def _resolve(province: str, district: str, commune: str, year: int) -> tuple[Place | None, list[tuple]]:
    problems: list[tuple] = []
    place = resolve_place(province, district, commune, year, gazetteer(), lambda *p: problems.append(p))
    return place, problems


def _key(code: int | None, district: str) -> str:
    return f"{code:05d}" if code is not None else district


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    result = Comparison()
    for row in converter_expectations():
        place, problems = _resolve(row.province, row.district, row.commune, 2023)
        key = _key(row.code, row.district)
        where = ", ".join(t for t in (row.commune, row.district, row.province) if t)
        for problem in problems:
            result.warnings[problem[1]] = result.warnings.get(problem[1], 0) + 1
        if place is None:
            result.refused[key] = f"{where}: {problems}"
            continue
        result.resolved += 1
        if row.code is not None and place.historical_commune and place.historical_commune.code != row.code:
            result.other_unit[key] = f"{where}: {place.historical_commune.code}"
        if place.province.code != row.new_province:
            result.province[key] = f"{where}: {place.province.name}"
        ours = [c.code for c in place.communes]
        if not ours:
            result.no_commune[key] = where
        elif row.new_communes[0] not in ours:
            result.commune[key] = f"{where}: {[c.name for c in place.communes]}"
        if len(ours) > 1:
            result.split += 1
            result.main_agrees += ours[0] == row.new_communes[0]
    return result


def documented() -> dict[str, str]:
    """Keys of the disagreements listed in docs/dia-gioi.md (first column of its tables)."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Khác biệt còn lại", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| `([^`]+)` \|(.*)$", section, re.M)}


def test_every_pre_2025_commune_written_as_in_the_official_list_is_resolved(comparison):
    assert len(comparison.refused) + comparison.resolved == 10_040
    assert comparison.refused == {}


def test_every_resolved_commune_is_in_the_province_the_converter_gives(comparison):
    assert comparison.province == {}


def test_every_disagreement_is_documented_and_every_documented_one_still_exists(comparison):
    assert set(comparison.disagreements()) == set(documented())


def test_the_converters_commune_is_one_of_ours_for_almost_every_commune(comparison):
    agree = comparison.resolved - len(comparison.commune) - len(comparison.no_commune)
    assert agree / comparison.resolved > 0.999


def test_the_figures_of_the_documentation_hold(comparison):
    # docs/dia-gioi.md gives these figures; update it with them.
    assert comparison.split == 441
    assert comparison.main_agrees == 221
    assert comparison.warnings == {"W030": 142, "W031": 47}


def test_every_pre_2025_district_is_in_the_converters_province():
    expectations = {}
    for row in converter_expectations():
        expectations.setdefault((row.province, row.district), row.new_province)
    assert len(expectations) == 696
    wrong = {}
    for (province, district), new_province in expectations.items():
        place, problems = _resolve(province, district, "", 2023)
        if place is None or place.province.code != new_province:
            wrong[district] = problems
    assert wrong == {}


def test_every_current_commune_of_the_official_list_is_found_under_its_own_code():
    wrong = {}
    rows = _rows("admin_units")
    assert len(rows) == 3321
    for row in rows:
        place, problems = _resolve(row["province"], "", row["ward"], 2026)
        if place is None or place.commune is None or place.commune.code != int(row["wardCode"]):
            wrong[row["ward"]] = (row["province"], place and place.commune, problems)
    assert wrong == {}


def test_the_converter_tables_are_read_as_its_api_reads_them():
    convert_address = vau.convert_address
    sample = random.Random(2025).sample(converter_expectations(), 120)
    for row in sample:
        address = ", ".join(t for t in (row.commune, row.district, row.province) if t)
        unit = convert_address(address)
        assert int(unit.province_code) == row.new_province, address
        if row.commune:
            assert int(unit.ward_code) == row.new_communes[0], address
