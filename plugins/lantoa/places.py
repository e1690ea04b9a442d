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


def resolve_place(province_text: str, district_text: str, commune_text: str, year: int | None,
                  geo: Gazetteer, report: Report) -> Place | None:
    """Province, district and commune as written → current and historical units.

    The current province is always the province of the current commune when one is
    found, so a profile's province and commune never contradict each other.
    """
    if not province_text:
        return None
    found = geo.match_provinces(province_text)
    pair = geo.pair(found.units)
    if pair is None:
        near = geo.suggest(province_text, geo.all_provinces())
        report("province", "E030", f"không tìm thấy tỉnh/thành phố '{province_text}'",
               f"có phải {' / '.join(near)}?" if near else "viết tên tỉnh như trong danh mục hành chính",
               Severity.ERROR)
        return None
    if len({u.key for u in found.units}) > 1:  # none today (a test checks), but names change
        report("province", "E036", f"có {len({u.key for u in found.units})} tỉnh/thành phố "
               f"khớp với '{province_text}'", f"ghi đủ dấu: {_names(found.units)}", Severity.ERROR)
        return None
    _near_miss(report, "province", province_text, found)
    province, named_legacy = pair
    is_old_name = named_legacy is not None and named_legacy.key != province.key
    scope = [named_legacy] if is_old_name else geo.legacy_provinces_of(province)
    # "Đồng Tháp" is a province before and after 2025: its pre-2025 units are looked
    # for first in the pre-2025 province of that name, then in the others it absorbed.
    narrow = [named_legacy] if named_legacy is not None and not is_old_name else []
    historical_province = named_legacy if (is_old_name or (year and year < REFORM_YEAR)) else None

    district: Unit | None = None
    communes: tuple[Unit, ...] = ()
    if district_text:
        if year and year > REFORM_YEAR:
            report("district", "E031", "cấp huyện đã bỏ từ 01/7/2025, không dùng cho năm "
                   f"{year}", "xóa dòng District, chỉ ghi Commune (xã/phường) hiện nay", Severity.ERROR)
        matches = geo.match_districts(district_text, narrow) if narrow else Match()
        if not matches:
            matches = geo.match_districts(district_text, scope)
        units = matches.units
        if len(units) > 1 and commune_text:
            # "Cai Lậy" was both a huyện and a thị xã: the commune tells which.
            units = tuple(d for d in units if geo.match_legacy_communes(commune_text, [d])) or units
        if len(units) > 1:
            report("district", "E035", f"có {len(units)} đơn vị cấp huyện tên '{district_text}'",
                   f"ghi rõ tên đầy đủ: {_names(units)}", Severity.ERROR)
            return None
        if not units:
            elsewhere = geo.match_districts(district_text)
            near = geo.suggest(district_text, geo.districts_in(scope))
            if elsewhere and elsewhere.tier is Tier.EXACT:
                where = ", ".join(sorted({geo.legacy_province_of(d).short_name for d in elsewhere.units}))
                message = f"huyện '{district_text}' không thuộc {province_text} (thuộc {where})"
            else:
                message = f"không tìm thấy quận/huyện '{district_text}' trong {province_text}"
            report("district", "E032", message,
                   f"có phải {' / '.join(near)}?" if near else "kiểm tra lại tên huyện hoặc tỉnh",
                   Severity.ERROR)
            return None
        district = units[0]
        _near_miss(report, "district", district_text, Match(units, matches.tier))
        historical_province = geo.legacy_province_of(district)
        if not commune_text:
            # An island district without communes is now a đặc khu of the same name.
            communes = geo.district_as_commune(district)

    historical_commune: Unit | None = None
    if commune_text:
        districts = [district] if district else geo.districts_in(scope)
        prefer_legacy = bool(district) or is_old_name or (year is not None and year < REFORM_YEAR)
        current = Match() if is_old_name or district else geo.match_current_communes(commune_text, province)
        old = Match()
        if narrow and not district:
            old = geo.match_legacy_communes(commune_text, geo.districts_in(narrow))
        if not old:
            old = geo.match_legacy_communes(commune_text, districts)
        chosen, is_legacy = _pick(current, old, prefer_legacy)
        if not chosen:
            candidates = geo.legacy_communes_in(districts) if district or is_old_name else [
                *geo.current_communes_in(province), *geo.legacy_communes_in(districts)]
            near = geo.suggest(commune_text, candidates)
            where = district_text or province_text
            report("commune", "E034", f"không tìm thấy xã/phường '{commune_text}' trong {where}",
                   f"có phải {' / '.join(near)}?" if near else "kiểm tra lại tên xã/phường",
                   Severity.ERROR)
            return None
        if len(chosen.units) > 1:
            units = chosen.units
            homes = {geo.district_of(c).code for c in units} if is_legacy else set()
            if not is_legacy:
                report("commune", "E033", f"có {len(units)} xã/phường khớp với '{commune_text}' "
                       f"trong {province.name}", f"ghi rõ tên đầy đủ, đủ dấu: {_names(units)}",
                       Severity.ERROR)
            elif len(homes) == 1:  # "Xã Đầm Hà" and "Thị trấn Đầm Hà" in one huyện
                report("commune", "E033", f"có {len(units)} đơn vị tên '{commune_text}' "
                       f"trong {geo.district_of(units[0]).name}", f"ghi rõ tên đầy đủ: {_names(units)}",
                       Severity.ERROR)
            else:
                names = ", ".join(f"{c.name} ({geo.district_of(c).name})" for c in units)
                report("commune", "E033", f"có {len(units)} xã/phường khớp với '{commune_text}' "
                       f"({names})", "thêm dòng District để chỉ rõ huyện", Severity.ERROR)
            return None
        _near_miss(report, "commune", commune_text, chosen)
        if is_legacy:
            historical_commune = chosen.units[0]
            district = district or geo.district_of(historical_commune)
            historical_province = geo.legacy_province_of(district)
            communes = geo.successors(historical_commune.code)
        else:
            communes = chosen.units
        if communes:
            # The province is the current commune's: a former province that went to
            # several provinces is settled by the commune.
            province = geo.current_provinces[communes[0].parent_code]  # type: ignore[index]
    if not communes and is_old_name and named_legacy is not None:
        successors = geo.province_successors(named_legacy)
        if len(successors) > 1:
            others = ", ".join(p.name for p in successors[1:])
            report("province", "W032", f"{named_legacy.name} nay thuộc {successors[0].name} "
                   f"(phần lớn) và {others}; hồ sơ được xếp vào {province.name}",
                   "thêm dòng Commune (xã/phường) để xếp đúng tỉnh", Severity.WARNING)
    return Place(
        province=province,
        commune=communes[0] if communes else None,
        communes=communes,
        historical_province=historical_province,
        historical_district=district,
        historical_commune=historical_commune,
        as_written=", ".join(t for t in (commune_text, district_text, province_text) if t),
    )
