"""Places that are true: provinces follow their communes, spelling variants are
understood, split communes belong to every successor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lantoa.cli import main as lantoa
from lantoa.facets import _commune_note, _commune_terms
from lantoa.gazetteer import Gazetteer, gazetteer
from lantoa.model import Place
from lantoa.places import resolve_place
from lantoa.problems import CODES, Severity
from lantoa.schema import HEADER
from lantoa.text import name_key
from vietnam_provinces import Province as DatasetProvince

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "bien-the"

# Nghị quyết 202/2025/QH15 on the arrangement of provincial units: every pre-2025
# province and the current province it became part of (whole: no province was split).
RESOLUTION_202 = {
    "Hà Nội": "Hà Nội", "Huế": "Huế", "Lai Châu": "Lai Châu", "Điện Biên": "Điện Biên",
    "Sơn La": "Sơn La", "Lạng Sơn": "Lạng Sơn", "Quảng Ninh": "Quảng Ninh",
    "Thanh Hóa": "Thanh Hóa", "Nghệ An": "Nghệ An", "Hà Tĩnh": "Hà Tĩnh", "Cao Bằng": "Cao Bằng",
    "Tuyên Quang": "Tuyên Quang", "Hà Giang": "Tuyên Quang",
    "Lào Cai": "Lào Cai", "Yên Bái": "Lào Cai",
    "Thái Nguyên": "Thái Nguyên", "Bắc Kạn": "Thái Nguyên",
    "Phú Thọ": "Phú Thọ", "Vĩnh Phúc": "Phú Thọ", "Hòa Bình": "Phú Thọ",
    "Bắc Ninh": "Bắc Ninh", "Bắc Giang": "Bắc Ninh",
    "Hưng Yên": "Hưng Yên", "Thái Bình": "Hưng Yên",
    "Hải Phòng": "Hải Phòng", "Hải Dương": "Hải Phòng",
    "Ninh Bình": "Ninh Bình", "Hà Nam": "Ninh Bình", "Nam Định": "Ninh Bình",
    "Quảng Trị": "Quảng Trị", "Quảng Bình": "Quảng Trị",
    "Đà Nẵng": "Đà Nẵng", "Quảng Nam": "Đà Nẵng",
    "Quảng Ngãi": "Quảng Ngãi", "Kon Tum": "Quảng Ngãi",
    "Gia Lai": "Gia Lai", "Bình Định": "Gia Lai",
    "Khánh Hòa": "Khánh Hòa", "Ninh Thuận": "Khánh Hòa",
    "Lâm Đồng": "Lâm Đồng", "Đắk Nông": "Lâm Đồng", "Bình Thuận": "Lâm Đồng",
    "Đắk Lắk": "Đắk Lắk", "Phú Yên": "Đắk Lắk",
    "Hồ Chí Minh": "Hồ Chí Minh", "Bình Dương": "Hồ Chí Minh", "Bà Rịa - Vũng Tàu": "Hồ Chí Minh",
    "Đồng Nai": "Đồng Nai", "Bình Phước": "Đồng Nai",
    "Tây Ninh": "Tây Ninh", "Long An": "Tây Ninh",
    "Cần Thơ": "Cần Thơ", "Sóc Trăng": "Cần Thơ", "Hậu Giang": "Cần Thơ",
    "Vĩnh Long": "Vĩnh Long", "Bến Tre": "Vĩnh Long", "Trà Vinh": "Vĩnh Long",
    "Đồng Tháp": "Đồng Tháp", "Tiền Giang": "Đồng Tháp",
    "Cà Mau": "Cà Mau", "Bạc Liêu": "Cà Mau",
    "An Giang": "An Giang", "Kiên Giang": "An Giang",
}


@pytest.fixture(scope="module")
def geo() -> Gazetteer:
    return gazetteer()


def resolve(geo: Gazetteer, province: str, district: str = "", commune: str = "",
            year: int | None = 2023) -> tuple[Place | None, list[tuple]]:
    problems: list[tuple] = []
    place = resolve_place(province, district, commune, year, geo,
                          lambda *problem: problems.append(problem))
    return place, problems


def codes(problems: list[tuple]) -> list[str]:
    return [p[1] for p in problems]


# -- provinces ---------------------------------------------------------------------


def test_every_pre_2025_province_goes_where_the_resolution_put_it(geo):
    got = {name_key(p.name): [name_key(s.name) for s in geo.province_successors(p)]
           for p in geo.legacy_provinces.values()}
    assert got == {name_key(old): [name_key(new)] for old, new in RESOLUTION_202.items()}


def _provinces_with_several_successors_in_the_dataset() -> list[int]:
    return sorted(code for code in gazetteer().legacy_provinces
                  if len(DatasetProvince.search_from_legacy(code=code)) > 1)


def test_the_dataset_lists_several_successors_for_tien_giang_only():
    # If a new release lists more, the parametrised test below covers them.
    geo = gazetteer()
    names = [geo.legacy_provinces[c].short_name for c in _provinces_with_several_successors_in_the_dataset()]
    assert names == ["Tiền Giang"]


@pytest.mark.parametrize("code", _provinces_with_several_successors_in_the_dataset())
def test_a_province_the_dataset_gives_several_successors_goes_where_its_communes_went(geo, code):
    old = geo.legacy_provinces[code]
    expected = RESOLUTION_202[old.short_name]
    place, problems = resolve(geo, old.short_name)
    assert place.province.key == name_key(expected)
    assert problems == []
    # And each of its communes lies in the province the profile is filed under.
    for commune in geo.legacy_communes_in(geo.districts_in([old])):
        for successor in geo.successors(commune.code):
            assert geo.current_provinces[successor.parent_code].key == name_key(expected)


def test_tien_giang_commune_is_filed_under_dong_thap_with_its_current_commune(geo):
    place, problems = resolve(geo, "Tiền Giang", "Cái Bè", "Đông Hòa Hiệp")
    assert problems == []
    assert place.province.name == "Tỉnh Đồng Tháp"
    assert place.commune.name == "Xã Cái Bè"
    assert place.commune.parent_code == place.province.code
    assert place.historical_province.name == "Tỉnh Tiền Giang"


def test_tien_giang_districts_have_their_pages_under_dong_thap(geo):
    cai_be = geo.find_district("Cái Bè", [geo.legacy_provinces[82]])[0]
    assert geo.current_province_of(cai_be).name == "Tỉnh Đồng Tháp"
    assert geo.legacy_provinces[82] in geo.legacy_provinces_of(geo.current_provinces[82])
    assert geo.legacy_provinces[82] not in geo.legacy_provinces_of(geo.current_provinces[80])


@pytest.fixture
def tien_giang_split(geo, monkeypatch):
    """A former province with two successors, as the dataset's table has it."""
    real = geo.province_successors
    two = (geo.current_provinces[82], geo.current_provinces[80])
    monkeypatch.setattr(geo, "province_successors",
                        lambda p: two if p.code == 82 else real(p))


def test_a_province_with_several_successors_goes_to_the_main_one_with_a_warning(geo, tien_giang_split):
    place, problems = resolve(geo, "Tiền Giang")
    assert place.province.name == "Tỉnh Đồng Tháp"
    ((key, code, message, hint, severity),) = problems
    assert (key, code, severity) == ("province", "W032", Severity.WARNING)
    assert "Tỉnh Tây Ninh" in message and "Tỉnh Đồng Tháp" in message
    assert "Commune" in hint


def test_the_commune_settles_a_province_with_several_successors(geo, tien_giang_split):
    place, problems = resolve(geo, "Tiền Giang", "Cái Bè", "Đông Hòa Hiệp")
    assert problems == []
    assert place.province == geo.current_provinces[place.commune.parent_code]


# -- spelling variants ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("province", "district", "commune", "code", "field", "dataset_name"),
    [
        ("Bắc Kạn", "Bạch Thông", "Sỹ Bình", "W030", "commune", "Xã Sĩ Bình"),
        ("Thái Bình", "Kiến Xương", "Vũ Quý", "W030", "commune", "Xã Vũ Quí"),
        ("Hà Tĩnh", "Huyện Kì Anh", "", "W030", "district", "Huyện Kỳ Anh"),
        ("Kon Tum", "Kon Tum", "Đăk Blà", "W030", "commune", "Xã Đắk Blà"),
        ("Gia Lai", "Đak Đoa", "", "W030", "district", "Huyện Đăk Đoa"),
        ("Gia Lai", "Đắk Đoa", "", "W030", "district", "Huyện Đăk Đoa"),
        ("Gia Lai", "Đăk Đoa", "H'Nol", "W030", "commune", "Xã HNol"),
        ("Phú Yên", "Sông Hinh", "Ea-Bar", "W030", "commune", "Xã EaBar"),
        ("Phú Yên", "Sông Hinh", "Ea Bar", "W030", "commune", "Xã EaBar"),
        ("Hồ Chí Minh", "Quận 8", "Phường 04", "W030", "commune", "Phường 4"),
        ("Sóc Trăng", "Mỹ Xuyên", "Hòa Tú 2", "W030", "commune", "Xã Hòa Tú II"),
        ("Lào Cai", "Bảo Thắng", "Thị trấn Nông trường Phong Hải", "W030", "commune",
         "Thị trấn N.T Phong Hải"),
        ("Hà Giang", "Đồng Văn", "Sà Phìn", "W030", "commune", "Xã Xà Phìn"),
        ("Lam Dong", "", "", "W031", "province", "Tỉnh Lâm Đồng"),
        ("Lâm Đồng", "Lam Ha", "", "W031", "district", "Huyện Lâm Hà"),
        ("Hà Giang", "Đồng Văn", "Phố Bảng", "W031", "commune", "Thị trấn Phó Bảng"),
        ("Điện Biên", "Điện Biên Đông", "Luân Giói", "W031", "commune", "Xã Luân Giới"),
    ],
)
def test_a_variant_naming_one_unit_is_accepted_with_a_warning_showing_the_dataset_spelling(
    geo, province, district, commune, code, field, dataset_name
):
    place, problems = resolve(geo, province, district, commune)
    assert place is not None
    assert [(p[0], p[1], p[4]) for p in problems] == [(field, code, Severity.WARNING)]
    assert f"'{dataset_name}'" in problems[0][2]
    unit = {"province": place.historical_province or place.province,
            "district": place.historical_district, "commune": place.historical_commune}[field]
    assert unit.name == dataset_name


@pytest.mark.parametrize(
    ("province", "district", "commune"),
    [
        ("Khánh Hoà", "Vạn Ninh", "Vạn Thọ"),  # old tone placement is as right as the new one
        ("Lâm Đồng", "Lâm Hà", "TT. Đinh Văn"),
        ("TP. Hồ Chí Minh", "Q.1", "P. Bến Nghé"),
        ("Đắk Nông", "Cư Jút", "Đắk Drông"),  # capitals inside a name: "DRông"
    ],
)
def test_what_is_only_case_tone_placement_or_an_abbreviated_unit_word_needs_no_warning(
    geo, province, district, commune
):
    place, problems = resolve(geo, province, district, commune)
    assert problems == []
    assert place.historical_commune is not None


def test_a_variant_that_names_two_units_is_an_error_listing_both(geo):
    place, problems = resolve(geo, "Yên Bái", "Trấn Yên", "Minh Quan")
    assert place is None
    ((key, code, _, hint, severity),) = problems
    assert (key, code, severity) == ("commune", "E033", Severity.ERROR)
    assert "'Xã Minh Quán'" in hint and "'Xã Minh Quân'" in hint


def test_a_current_commune_without_diacritics_that_names_two_is_an_error(geo):
    place, problems = resolve(geo, "Quảng Ngãi", "", "Ba To", year=2026)
    assert place is None
    assert codes(problems) == ["E033"]
    assert "'Xã Ba Tơ'" in problems[0][3] and "'Xã Ba Tô'" in problems[0][3]


def test_an_exact_name_wins_over_a_variant_of_another(geo):
    place, problems = resolve(geo, "Yên Bái", "Trấn Yên", "Minh Quân")
    assert problems == []
    assert place.historical_commune.name == "Xã Minh Quân"


def test_the_unit_word_picks_the_thi_tran_the_dataset_misspelt(geo):
    # The dataset writes "Thị trấn Thanh An" (corrected); "Xã Thạnh An" is another commune.
    place, problems = resolve(geo, "Cần Thơ", "Vĩnh Thạnh", "Thị trấn Thạnh An")
    assert problems == []
    assert place.historical_commune.code == 31231
    assert place.historical_commune.name == "Thị trấn Thạnh An"
    place, problems = resolve(geo, "Cần Thơ", "Vĩnh Thạnh", "Xã Thạnh An")
    assert place.historical_commune.code == 31240


def test_a_later_tier_is_not_asked_once_a_unit_of_another_kind_is_found(geo):
    # "Thị trấn Minh Quân" does not exist: the xã of that name is meant, not Xã Minh Quán.
    place, problems = resolve(geo, "Yên Bái", "Trấn Yên", "Thị trấn Minh Quân")
    assert problems == []
    assert place.historical_commune.name == "Xã Minh Quân"


def test_no_two_provinces_share_a_name_without_diacritics(geo):
    for province in geo.all_provinces():
        assert {u.key for u in geo.match_provinces(province.short_name).units} == {province.key}


def test_suggestions_are_only_the_nearest_names(geo):
    assert geo.suggest("Lâm Đôngg", geo.all_provinces()) == ["Lâm Đồng"]
    # Not "Hải Dương / Nam Định" as before: they are far from what was written.
    assert geo.suggest("Lam Dongg", geo.all_provinces()) == ["Lâm Đồng"]
    assert geo.suggest("Ha Giangg", geo.all_provinces()) == ["Hà Giang", "Hậu Giang"]


# -- split communes ------------------------------------------------------------------


def test_a_split_commune_belongs_to_every_successor_and_its_namesake_is_the_main_one(geo):
    place, problems = resolve(geo, "Hà Nội", "Hoàn Kiếm", "Cửa Nam")
    assert problems == []
    names = [c.name for c in place.communes]
    assert len(names) > 1 and names[0] == "Phường Cửa Nam"
    assert place.commune.name == "Phường Cửa Nam"
    assert "Phường Hoàn Kiếm" in names
    assert place.historical_label == (
        "trước 01/7/2025: phường Cửa Nam, quận Hoàn Kiếm, thành phố Hà Nội; nay thuộc "
        + ", ".join(c.label for c in place.communes))


def test_a_split_commune_without_a_namesake_takes_the_first_successor_of_the_table(geo):
    place, _ = resolve(geo, "Hà Nội", "Long Biên", "Phúc Đồng")
    assert len(place.communes) > 1
    assert place.commune == geo.successors(place.historical_commune.code)[0]
    assert "Phúc Đồng" not in [c.short_name for c in place.communes]


def test_a_split_commune_is_listed_on_every_successor_page(geo):
    place, _ = resolve(geo, "Hà Nội", "Hoàn Kiếm", "Cửa Nam")

    class Stub:
        pass

    profile = Stub()
    profile.place = place
    terms = list(_commune_terms(profile))
    assert [t.url for t in terms] == [f"dia-phuong/ha-noi/{c.slug}/" for c in place.communes]
    hoan_kiem = next(c for c in place.communes if c.name == "Phường Hoàn Kiếm")
    note = _commune_note(hoan_kiem)
    assert note.startswith("Trước 01/7/2025, địa bàn phường Hoàn Kiếm thuộc ")
    assert "phường Cửa Nam (một phần)" in note


def test_every_pre_2025_commune_with_a_successor_in_the_table_has_a_current_commune(geo):
    missing = [c.name for c in geo.legacy_communes.values() if not geo.successors(c.code)]
    # Abolished before 2025 (merged into a namesake or a neighbour): docs/dia-gioi.md.
    assert len(missing) == 26


def test_an_island_district_is_now_the_special_zone_of_the_same_name(geo):
    place, problems = resolve(geo, "Bà Rịa - Vũng Tàu", "Côn Đảo")
    assert problems == []
    assert place.commune.name == "Đặc khu Côn Đảo"
    assert place.province.name == "Thành phố Hồ Chí Minh"


def test_a_ward_created_in_2025_before_the_reform_is_known(geo):
    place, problems = resolve(geo, "Hồ Chí Minh", "Bình Thạnh", "Phường 14")
    assert problems == []
    assert place.historical_commune.code == 26929  # not the older Phường 14 it absorbed
    assert place.commune.name == "Phường Bình Thạnh"


# -- the corpus of variants, through `lantoa check` -------------------------------------


def test_lantoa_check_accepts_every_variant_of_the_corpus_with_the_right_warning(capsys):
    assert lantoa(["check", "--content", str(CORPUS)]) == 0
    err = capsys.readouterr().err
    found: dict[str, set[str]] = {}
    for line in err.splitlines():
        match = re.match(r"profiles/([^:]+)\.md:\d+: .*\[([EW]\d{3})\]$", line)
        if match:
            found.setdefault(match.group(1), set()).add(match.group(2))
    files = sorted(p.stem for p in (CORPUS / "profiles").glob("*.md"))
    assert len(files) >= 18
    for stem in files:
        expected = stem.split("--")[0]
        assert found.get(stem, set()) == (set() if expected == "khong" else {expected.upper()}), stem


# -- the editor's guide documents every code ---------------------------------------------


def test_every_problem_code_is_registered_and_documented_in_the_editors_guide():
    used = set()
    for module in (ROOT / "plugins").rglob("*.py"):
        used |= set(re.findall(r"\"([EW]\d{3})\"", module.read_text(encoding="utf-8")))
    guide = (ROOT / "content" / "pages" / "huong-dan.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| ([EW]\d{3}) \|", guide, re.M))
    assert {"W030", "W031", "W032", "E036"} <= used
    assert used - set(CODES) == set(), "a code used in the code is missing from problems.CODES"
    assert set(CODES) - documented == set(), "a registered code is missing from the editor's guide"


def test_every_header_key_is_in_the_editors_guide_table_with_its_vietnamese_name():
    guide = (ROOT / "content" / "pages" / "huong-dan.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `(\w+)` \|.*$", guide, re.M)}
    for key in HEADER:
        assert key.written in rows, f"the guide's key table lacks {key.written}"
        row = rows[key.written]
        assert f"`{key.vietnamese}`" in row, (key.written, row)
        assert ("| có |" in row) == key.required, (key.written, row)


# -- suggestions: ranked by similarity, only plausible ones ----------------------------


@pytest.mark.parametrize(("written", "expected"), [
    ("Lam Dongg", ["Lâm Đồng"]), ("Ha Noii", ["Hà Nội"]), ("Dak Nongg", ["Đắk Nông"]),
    ("Ho Chi Mnh", ["Hồ Chí Minh"]), ("Xyz", []),
])
def test_a_misspelt_province_gets_only_the_plausible_names(written, expected):
    geo = gazetteer()
    assert geo.suggest(written, geo.all_provinces()) == expected


def test_a_name_holding_the_word_written_comes_before_one_sharing_letters():
    geo = gazetteer()
    suggested = geo.suggest("Binh", geo.all_provinces())
    assert suggested and all("Bình" in name for name in suggested), suggested


def test_a_province_without_diacritics_is_accepted_with_its_spelling_and_nothing_else():
    seen = []
    place = resolve_place("Lam Dong", "", "", 2023, gazetteer(), lambda *a: seen.append(a))
    assert place is not None and place.province.short_name == "Lâm Đồng"
    assert [(key, code) for key, code, *_ in seen] == [("province", "W031")]
    message, hint = seen[0][2], seen[0][3]
    assert "Lâm Đồng" in message and "Lâm Đồng" in hint
    assert not any(other in message + hint for other in ("Hải Dương", "Nam Định"))
