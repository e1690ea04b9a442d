"""Resolve the place a profile names — province, district, commune as written — to a `Place`.

Editors write places as they were when a model was recognised, in whatever
spelling they found in the decision. The gazetteer matches names at three tiers
(exact, spelling variant, without diacritics); this module turns the outcome into
a `Place` and into problems: a variant or a name without diacritics that points to
exactly one unit is accepted with a warning showing the dataset's spelling, several
units are an error listing them, no unit is an error with the nearest names.

Problems go through a `report(key, code, message, hint, severity)` callback, so
`lantoa.reading` files them with the header's line numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .gazetteer import Gazetteer, Match, Tier, Unit
from .model import Place
from .problems import Severity

REFORM_YEAR = 2025  # districts abolished on 1 July 2025

Report = Callable[[str, str, str, str, Severity], None]

# What each header key names, for messages: "xã/phường 'Sỹ Bình' …".
_WHAT = {"province": "tỉnh/thành phố", "district": "quận/huyện", "commune": "xã/phường"}


def _near_miss(report: Report, key: str, text: str, match: Match) -> None:
    """Warn that a name was accepted though not written as in the dataset."""
    unit = match.units[0]
    what = _WHAT[key]
    if match.tier is Tier.VARIANT:
        report(key, "W030", f"{what} '{text}' được hiểu là '{unit.name}' (cách viết trong danh mục)",
               f"ghi '{unit.name}' như danh mục để hết cảnh báo", Severity.WARNING)
    elif match.tier is Tier.FOLDED:
        how = "viết không dấu" if text.isascii() else "khác dấu so với danh mục"
        report(key, "W031", f"{what} '{text}' {how}, được hiểu là '{unit.name}'",
               f"ghi đủ dấu như danh mục: '{unit.name}'", Severity.WARNING)


def _names(units: tuple[Unit, ...] | list[Unit]) -> str:
    return " / ".join(f"'{u.name}'" for u in units)


def _pick(current: Match, old: Match, prefer_legacy: bool) -> tuple[Match, bool]:
    """The closer of a current and a legacy match; on a tie, the preferred one.
    Returns the match and whether it is the legacy one."""
    if current and old:
        if current.tier == old.tier:
            return (old, True) if prefer_legacy else (current, False)
        return (old, True) if old.tier < current.tier else (current, False)  # type: ignore[operator]
    return (old, True) if old else (current, False)


@dataclass
class _Resolution:
    """What is known so far while a place is resolved, province first, then district, commune."""

    written: tuple[str, str, str]  # province, district, commune as written
    year: int | None
    province: Unit
    named_legacy: Unit | None  # the pre-2025 province of the name written, if any
    is_old_name: bool  # the name is of a pre-2025 province that no longer exists as such
    scope: list[Unit]  # pre-2025 provinces whose units may be meant
    narrow: list[Unit]  # the pre-2025 province of the same name, searched first
    historical_province: Unit | None
    district: Unit | None = None
    historical_commune: Unit | None = None
    communes: tuple[Unit, ...] = ()


def resolve_place(province_text: str, district_text: str, commune_text: str, year: int | None,
                  geo: Gazetteer, report: Report) -> Place | None:
    """Province, district and commune as written → current and historical units.

    The current province is always the province of the current commune when one is
    found, so a profile's province and commune never contradict each other.
    """
    if not province_text:
        return None
    found = _province(province_text, year, geo, report)
    if found is None:
        return None
    found.written = (province_text, district_text, commune_text)
    if district_text and not _district(found, geo, report):
        return None
    if commune_text and not _commune(found, geo, report):
        return None
    if not found.communes and found.is_old_name and found.named_legacy is not None:
        successors = geo.province_successors(found.named_legacy)
        if len(successors) > 1:
            others = ", ".join(p.name for p in successors[1:])
            report("province", "W032", f"{found.named_legacy.name} nay thuộc {successors[0].name} "
                   f"(phần lớn) và {others}; hồ sơ được xếp vào {found.province.name}",
                   "thêm dòng Commune (xã/phường) để xếp đúng tỉnh", Severity.WARNING)
    return Place(
        province=found.province,
        commune=found.communes[0] if found.communes else None,
        communes=found.communes,
        historical_province=found.historical_province,
        historical_district=found.district,
        historical_commune=found.historical_commune,
        as_written=", ".join(t for t in (commune_text, district_text, province_text) if t),
    )


def _province(text: str, year: int | None, geo: Gazetteer, report: Report) -> _Resolution | None:
    found = geo.match_provinces(text)
    pair = geo.pair(found.units)
    if pair is None:
        near = geo.suggest(text, geo.all_provinces())
        report("province", "E030", f"không tìm thấy tỉnh/thành phố '{text}'",
               f"có phải {' / '.join(near)}?" if near else "viết tên tỉnh như trong danh mục hành chính",
               Severity.ERROR)
        return None
    if len({u.key for u in found.units}) > 1:  # none today (a test checks), but names change
        report("province", "E036", f"có {len({u.key for u in found.units})} tỉnh/thành phố "
               f"khớp với '{text}'", f"ghi đủ dấu: {_names(found.units)}", Severity.ERROR)
        return None
    _near_miss(report, "province", text, found)
    province, named_legacy = pair
    is_old_name = named_legacy is not None and named_legacy.key != province.key
    return _Resolution(
        written=(text, "", ""), year=year, province=province, named_legacy=named_legacy,
        is_old_name=is_old_name,
        scope=[named_legacy] if is_old_name else geo.legacy_provinces_of(province),  # type: ignore[list-item]
        # "Đồng Tháp" is a province before and after 2025: its pre-2025 units are looked
        # for first in the pre-2025 province of that name, then in the others it absorbed.
        narrow=[named_legacy] if named_legacy is not None and not is_old_name else [],
        historical_province=named_legacy if (is_old_name or (year and year < REFORM_YEAR)) else None,
    )


def _district(found: _Resolution, geo: Gazetteer, report: Report) -> bool:
    province_text, district_text, commune_text = found.written
    if found.year and found.year > REFORM_YEAR:
        report("district", "E031", "cấp huyện đã bỏ từ 01/7/2025, không dùng cho năm "
               f"{found.year}", "xóa dòng District, chỉ ghi Commune (xã/phường) hiện nay", Severity.ERROR)
    matches = geo.match_districts(district_text, found.narrow) if found.narrow else Match()
    if not matches:
        matches = geo.match_districts(district_text, found.scope)
    units = matches.units
    if len(units) > 1 and commune_text:
        # "Cai Lậy" was both a huyện and a thị xã: the commune tells which.
        units = tuple(d for d in units if geo.match_legacy_communes(commune_text, [d])) or units
    if len(units) > 1:
        report("district", "E035", f"có {len(units)} đơn vị cấp huyện tên '{district_text}'",
               f"ghi rõ tên đầy đủ: {_names(units)}", Severity.ERROR)
        return False
    if not units:
        elsewhere = geo.match_districts(district_text)
        near = geo.suggest(district_text, geo.districts_in(found.scope))
        if elsewhere and elsewhere.tier is Tier.EXACT:
            where = ", ".join(sorted({geo.legacy_province_of(d).short_name for d in elsewhere.units}))
            message = f"huyện '{district_text}' không thuộc {province_text} (thuộc {where})"
        else:
            message = f"không tìm thấy quận/huyện '{district_text}' trong {province_text}"
        report("district", "E032", message,
               f"có phải {' / '.join(near)}?" if near else "kiểm tra lại tên huyện hoặc tỉnh",
               Severity.ERROR)
        return False
    found.district = units[0]
    _near_miss(report, "district", district_text, Match(units, matches.tier))
    found.historical_province = geo.legacy_province_of(found.district)
    if not commune_text:
        # An island district without communes is now a đặc khu of the same name.
        found.communes = geo.district_as_commune(found.district)
    return True


def _commune(found: _Resolution, geo: Gazetteer, report: Report) -> bool:
    province_text, district_text, commune_text = found.written
    district, province, year = found.district, found.province, found.year
    districts = [district] if district else geo.districts_in(found.scope)
    prefer_legacy = bool(district) or found.is_old_name or (year is not None and year < REFORM_YEAR)
    current = Match() if found.is_old_name or district else geo.match_current_communes(commune_text, province)
    old = Match()
    if found.narrow and not district:
        old = geo.match_legacy_communes(commune_text, geo.districts_in(found.narrow))
    if not old:
        old = geo.match_legacy_communes(commune_text, districts)
    chosen, is_legacy = _pick(current, old, prefer_legacy)
    if not chosen:
        candidates = geo.legacy_communes_in(districts) if district or found.is_old_name else [
            *geo.current_communes_in(province), *geo.legacy_communes_in(districts)]
        near = geo.suggest(commune_text, candidates)
        where = district_text or province_text
        report("commune", "E034", f"không tìm thấy xã/phường '{commune_text}' trong {where}",
               f"có phải {' / '.join(near)}?" if near else "kiểm tra lại tên xã/phường",
               Severity.ERROR)
        return False
    if len(chosen.units) > 1:
        _ambiguous_commune(chosen.units, is_legacy, commune_text, province, geo, report)
        return False
    _near_miss(report, "commune", commune_text, chosen)
    if is_legacy:
        found.historical_commune = chosen.units[0]
        found.district = district or geo.district_of(found.historical_commune)
        found.historical_province = geo.legacy_province_of(found.district)
        found.communes = geo.successors(found.historical_commune.code)
    else:
        found.communes = chosen.units
    if found.communes:
        # The province is the current commune's: a former province that went to
        # several provinces is settled by the commune.
        found.province = geo.current_provinces[found.communes[0].parent_code]  # type: ignore[index]
    return True


def _ambiguous_commune(units: tuple[Unit, ...], is_legacy: bool, text: str, province: Unit,
                       geo: Gazetteer, report: Report) -> None:
    homes = {geo.district_of(c).code for c in units} if is_legacy else set()
    if not is_legacy:
        report("commune", "E033", f"có {len(units)} xã/phường khớp với '{text}' "
               f"trong {province.name}", f"ghi rõ tên đầy đủ, đủ dấu: {_names(units)}", Severity.ERROR)
    elif len(homes) == 1:  # "Xã Đầm Hà" and "Thị trấn Đầm Hà" in one huyện
        report("commune", "E033", f"có {len(units)} đơn vị tên '{text}' "
               f"trong {geo.district_of(units[0]).name}", f"ghi rõ tên đầy đủ: {_names(units)}",
               Severity.ERROR)
    else:
        names = ", ".join(f"{c.name} ({geo.district_of(c).name})" for c in units)
        report("commune", "E033", f"có {len(units)} xã/phường khớp với '{text}' "
               f"({names})", "thêm dòng District để chỉ rõ huyện", Severity.ERROR)
