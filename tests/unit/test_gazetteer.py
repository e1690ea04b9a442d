"""The gazetteer: current and pre-2025 provinces, districts and communes."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from lantoa.gazetteer import Gazetteer, Tier, Unit, gazetteer, gazetteer_version
from lantoa.text import collation_key

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def geo() -> Gazetteer:
    return gazetteer()


@pytest.fixture(scope="module")
def lam_dong(geo: Gazetteer) -> Unit:
    found = geo.find_province("Lâm Đồng")
    assert found is not None
    return found[0]


@pytest.fixture(scope="module")
def lam_ha(geo: Gazetteer, lam_dong: Unit) -> Unit:
    (district,) = geo.find_district("Lâm Hà", geo.legacy_provinces_of(lam_dong))
    return district


def test_gazetteer_is_built_once_per_process():
    assert gazetteer() is gazetteer()


# -- provinces -------------------------------------------------------------------


def test_there_are_34_current_provinces(geo):
    assert len(geo.current_provinces) == 34
    assert len(geo.provinces()) == 34
    assert not any(p.legacy for p in geo.provinces())


def test_there_are_63_legacy_provinces(geo):
    assert len(geo.legacy_provinces) == 63
    assert all(p.legacy for p in geo.legacy_provinces.values())


def test_every_legacy_province_maps_to_a_current_province(geo):
    assert set(geo.legacy_to_current_province) == set(geo.legacy_provinces)
    assert set(geo.legacy_to_current_province.values()) <= set(geo.current_provinces)


def test_provinces_are_in_vietnamese_alphabetical_order(geo):
    names = [p.short_name for p in geo.provinces()]
    assert names == sorted(names, key=collation_key)
    assert names[0] == "An Giang"
    assert names[-1] == "Vĩnh Long"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Cà Mau", "Cao Bằng"),
        ("Cao Bằng", "Cần Thơ"),
        ("Đồng Tháp", "Gia Lai"),
        ("Đắk Lắk", "Điện Biên"),
        ("Lạng Sơn", "Lâm Đồng"),
        ("Huế", "Hưng Yên"),
        ("Thái Nguyên", "Thanh Hóa"),
    ],
)
def test_province_list_relative_positions(geo, first, second):
    names = [p.short_name for p in geo.provinces()]
    assert names.index(first) < names.index(second)


@pytest.mark.parametrize(
    "text",
    ["Lâm Đồng", "tỉnh lâm đồng", "Tỉnh Lâm Đồng", "LÂM ĐỒNG", "  Lâm Đồng  ", "68"],
)
def test_find_province_accepts_lam_dong_written_many_ways(geo, text):
    found = geo.find_province(text)
    assert found is not None
    current, _ = found
    assert current.name == "Tỉnh Lâm Đồng"
    assert current.code == 68
    assert not current.legacy


@pytest.mark.parametrize("text", ["TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Hồ Chí Minh", "79"])
def test_find_province_accepts_ho_chi_minh_city_written_many_ways(geo, text):
    found = geo.find_province(text)
    assert found is not None
    assert found[0].name == "Thành phố Hồ Chí Minh"


def test_find_province_by_code_names_no_legacy_province(geo):
    assert geo.find_province("68") == (geo.current_provinces[68], None)


def test_find_province_with_a_name_that_existed_before_and_after_gives_both(geo):
    current, old = geo.find_province("Lâm Đồng")
    assert current.legacy is False
    assert old is not None and old.legacy is True
    assert old.name == current.name == "Tỉnh Lâm Đồng"


def test_find_province_ignores_tone_placement(geo):
    current, _ = geo.find_province("Khánh Hoà")
    assert current.name == "Tỉnh Khánh Hòa"


@pytest.mark.parametrize(
    ("legacy_name", "current_name", "legacy_full_name"),
    [
        ("Đắk Nông", "Tỉnh Lâm Đồng", "Tỉnh Đắk Nông"),
        ("Bình Thuận", "Tỉnh Lâm Đồng", "Tỉnh Bình Thuận"),
        ("Hà Giang", "Tỉnh Tuyên Quang", "Tỉnh Hà Giang"),
        ("Bà Rịa - Vũng Tàu", "Thành phố Hồ Chí Minh", "Tỉnh Bà Rịa - Vũng Tàu"),
        ("Thừa Thiên Huế", "Thành phố Huế", "Thành phố Huế"),
    ],
)
def test_find_province_maps_a_legacy_name_to_its_current_province(
    geo, legacy_name, current_name, legacy_full_name
):
    found = geo.find_province(legacy_name)
    assert found is not None
    current, old = found
    assert current.name == current_name
    assert not current.legacy
    assert old is not None
    assert old.legacy
    assert old.name == legacy_full_name


def test_current_province_of_a_legacy_province(geo):
    _, dak_nong = geo.find_province("Đắk Nông")
    assert geo.current_province_of(dak_nong).name == "Tỉnh Lâm Đồng"


@pytest.mark.parametrize("text", ["Lâm Đồngg", "Xứ Đoài", "", "99", "0"])
def test_find_province_returns_none_for_unknown_names_and_codes(geo, text):
    assert geo.find_province(text) is None


@pytest.mark.parametrize("text", ["Lam Dong", "LAM DONG", "Lâm Đông", "Lam Đồng"])
def test_a_province_name_without_or_with_wrong_diacritics_matches_at_the_folded_tier(geo, text):
    found = geo.match_provinces(text)
    assert found.tier is Tier.FOLDED
    assert {u.name for u in found.units} == {"Tỉnh Lâm Đồng"}
    assert geo.find_province(text)[0].name == "Tỉnh Lâm Đồng"


@pytest.mark.parametrize("text", ["Lâm Đông", "Lam Dong", "lam dong", "Lâm Đồngg"])
def test_suggest_puts_lam_dong_first_for_near_misses(geo, text):
    suggestions = geo.suggest(text, geo.all_provinces())
    assert suggestions
    assert suggestions[0] == "Lâm Đồng"
    assert len(suggestions) <= 3


def test_suggest_finds_a_legacy_province_without_diacritics(geo):
    assert geo.suggest("Dak Nong", geo.all_provinces())[0] == "Đắk Nông"


def test_suggest_gives_nothing_for_unrelated_text(geo):
    assert geo.suggest("zzzzqqqq", geo.all_provinces()) == []


def test_province_by_slug(geo):
    assert geo.province_by_slug("lam-dong").name == "Tỉnh Lâm Đồng"
    assert geo.province_by_slug("ho-chi-minh").name == "Thành phố Hồ Chí Minh"
    assert geo.province_by_slug("dak-nong") is None  # not a current province


def test_unit_labels_for_running_text(geo, lam_dong):
    assert lam_dong.label == "tỉnh Lâm Đồng"
    assert lam_dong.short_name == "Lâm Đồng"
    hcm = geo.current_provinces[79]
    assert hcm.label == "thành phố Hồ Chí Minh"


def test_legacy_provinces_of_lam_dong_are_the_three_merged_ones(geo, lam_dong):
    names = sorted(p.name for p in geo.legacy_provinces_of(lam_dong))
    assert names == ["Tỉnh Bình Thuận", "Tỉnh Lâm Đồng", "Tỉnh Đắk Nông"]


# -- districts -------------------------------------------------------------------


def test_find_district_finds_lam_ha_in_lam_dong(geo, lam_dong):
    found = geo.find_district("Lâm Hà", geo.legacy_provinces_of(lam_dong))
    assert len(found) == 1
    district = found[0]
    assert district.name == "Huyện Lâm Hà"
    assert district.level == "district"
    assert district.legacy
    assert district.slug == "lam-ha"
    assert district.label == "huyện Lâm Hà"
    assert geo.legacy_province_of(district).name == "Tỉnh Lâm Đồng"


@pytest.mark.parametrize("text", ["Huyện Lâm Hà", "huyện lâm hà", "LÂM HÀ"])
def test_find_district_accepts_prefix_and_case(geo, lam_dong, text):
    assert [d.name for d in geo.find_district(text, geo.legacy_provinces_of(lam_dong))] == [
        "Huyện Lâm Hà"
    ]


def test_find_district_does_not_look_outside_the_given_provinces(geo):
    nghe_an, _ = geo.find_province("Nghệ An")
    assert geo.find_district("Lâm Hà", geo.legacy_provinces_of(nghe_an)) == []


def slugs_used_twice(geo, units, province_of) -> dict[int, list[str]]:
    """Current province code → slugs that two of its units share (expected: none)."""
    by_province: dict[int, list[str]] = defaultdict(list)
    for unit in units:
        by_province[province_of(unit)].append(unit.slug)
    assert set(by_province) == set(geo.current_provinces)
    return {code: [slug for slug, n in Counter(slugs).items() if n > 1]
            for code, slugs in by_province.items() if len(set(slugs)) != len(slugs)}


def test_district_slugs_are_unique_within_each_current_province(geo):
    districts = geo.legacy_districts.values()
    assert slugs_used_twice(geo, districts, lambda d: geo.current_province_of(d).code) == {}


def test_district_slugs_are_clean(geo):
    bad = [d.slug for d in geo.legacy_districts.values() if not SLUG_RE.fullmatch(d.slug)]
    assert bad == []


def test_colliding_district_names_carry_their_code(geo):
    # Several provinces had a "Châu Thành" district; where two end up in one
    # current province their slugs are told apart by the district code.
    by_province: dict[int, list[Unit]] = defaultdict(list)
    for district in geo.legacy_districts.values():
        if district.short_name == "Châu Thành":
            by_province[geo.current_province_of(district).code].append(district)
    clashing = [d for districts in by_province.values() if len(districts) > 1 for d in districts]
    alone = [d for districts in by_province.values() if len(districts) == 1 for d in districts]
    assert clashing
    # Đồng Tháp's keeps the slug it had before Tiền Giang's namesake joined it.
    assert [d.slug for d in clashing if d.code == 877] == ["chau-thanh"]
    assert all(d.slug == f"chau-thanh-{d.code}" for d in clashing if d.code != 877)
    assert all(d.slug == "chau-thanh" for d in alone)


# -- communes --------------------------------------------------------------------


def test_current_commune_slugs_are_unique_within_each_current_province(geo):
    assert slugs_used_twice(geo, geo.current_communes.values(), lambda c: c.parent_code) == {}


def test_current_commune_slugs_are_clean(geo):
    bad = [c.slug for c in geo.current_communes.values() if not SLUG_RE.fullmatch(c.slug)]
    assert bad == []


def test_legacy_dinh_van_became_xa_dinh_van_lam_ha(geo, lam_ha):
    (old,) = geo.find_legacy_commune("Đinh Văn", [lam_ha])
    assert old.name == "Thị trấn Đinh Văn"
    assert old.legacy
    assert geo.district_of(old) == lam_ha
    assert geo.current_province_of(old).name == "Tỉnh Lâm Đồng"
    successors = geo.successors(old.code)
    assert [c.name for c in successors] == ["Xã Đinh Văn Lâm Hà"]
    assert not successors[0].legacy
    assert successors[0].parent_code == 68


def test_find_current_commune_in_a_province(geo, lam_dong):
    found = geo.find_current_commune("Đinh Văn Lâm Hà", lam_dong)
    assert [c.name for c in found] == ["Xã Đinh Văn Lâm Hà"]
    assert found[0].slug == "dinh-van-lam-ha"
    assert geo.current_province_of(found[0]) == lam_dong


def test_district_successors_of_lam_ha_are_current_communes_of_lam_dong(geo, lam_ha, lam_dong):
    successors = geo.district_successors(lam_ha)
    assert successors
    assert all(not c.legacy and c.level == "commune" for c in successors)
    assert all(c.parent_code == lam_dong.code for c in successors)
    assert "Xã Đinh Văn Lâm Hà" in [c.name for c in successors]
    names = [c.short_name for c in successors]
    assert names == sorted(names, key=collation_key)
    assert len({c.code for c in successors}) == len(successors)


def test_same_commune_name_in_two_districts_of_one_legacy_province(geo):
    cao_bang, _ = geo.find_province("Cao Bằng")
    found = geo.find_legacy_commune("Phan Thanh", geo.districts_in(geo.legacy_provinces_of(cao_bang)))
    assert sorted(geo.district_of(c).name for c in found) == ["Huyện Bảo Lạc", "Huyện Nguyên Bình"]


def _load_in_a_new_process(installed: Path, cache: Path) -> list[str]:
    """Load the gazetteer as a command does, this installation's copy kept in `installed`:
    the answer for Tiền Giang, and whether the dataset's modules were imported."""
    import subprocess
    import sys

    program = (
        "import sys; from pathlib import Path\n"
        "import lantoa.gazetteer as g\n"
        f"g.INSTALLED_FOLDER = Path({str(installed)!r})\n"
        f"g.keep_gazetteer(Path({str(cache)!r}))\n"
        "province, former = g.gazetteer().find_province('Tiền Giang')\n"
        "print(province.name, former.name, 'vietnam_provinces' in sys.modules)\n"
    )
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          check=True).stdout.split()


def test_a_gazetteer_built_once_is_loaded_by_every_later_command_without_the_dataset(tmp_path):
    # Importing the dataset's modules takes about a third of a second, in every command that
    # loads the gazetteer; once this installation keeps the gazetteer it built, nothing
    # needs them, whatever cache a command is given (a cold build's is empty).
    installed = tmp_path / "installed"
    first = _load_in_a_new_process(installed, tmp_path / "cache-1")
    assert first[-1] == "True"  # built from the dataset, then kept
    assert [p.name for p in installed.iterdir()] == [f"gazetteer-{gazetteer_version()}.pickle"]
    assert not (tmp_path / "cache-1").exists()  # the installation's copy is enough
    second = _load_in_a_new_process(installed, tmp_path / "cache-2")
    assert second == [*first[:-1], "False"]  # the same answer, from the installation's copy


def test_an_installation_that_cannot_be_written_keeps_the_gazetteer_in_the_cache(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")  # no folder can be made under a file, even by root
    first = _load_in_a_new_process(blocked / "installed", tmp_path / "cache")
    assert first[-1] == "True"
    assert (tmp_path / "cache" / f"gazetteer-{gazetteer_version()}.pickle").is_file()
    second = _load_in_a_new_process(blocked / "installed", tmp_path / "cache")
    assert second == [*first[:-1], "False"]  # the same answer, from the cache


def test_copies_built_by_other_code_or_datasets_are_removed(tmp_path):
    installed = tmp_path / "installed"
    installed.mkdir()
    (installed / "gazetteer-0123456789abcdef0123.pickle").write_bytes(b"another release")
    (installed / "module.cpython-312.pyc").write_bytes(b"")  # Python's own files stay
    _load_in_a_new_process(installed, tmp_path / "cache")
    assert sorted(p.name for p in installed.iterdir()) == [
        f"gazetteer-{gazetteer_version()}.pickle", "module.cpython-312.pyc"]


def test_a_damaged_copy_is_built_again(tmp_path):
    installed = tmp_path / "installed"
    installed.mkdir()
    kept = installed / f"gazetteer-{gazetteer_version()}.pickle"
    kept.write_bytes(b"0" * 64 + b"\nnot a pickle")
    answer = _load_in_a_new_process(installed, tmp_path / "cache")
    assert answer[-1] == "True" and answer[:3] == ["Tỉnh", "Đồng", "Tháp"]
    assert _load_in_a_new_process(installed, tmp_path / "cache")[-1] == "False"


def test_only_the_gazetteers_units_are_pickled_as_references(tmp_path):
    """A cache file pickles the gazetteer's units (and copies equal to them, as a worker
    process sends them back) as their names, and gives back the gazetteer's own; any
    other unit is pickled whole."""
    import dataclasses

    from lantoa.files import read_keyed, write_keyed

    geo = gazetteer()
    own = next(iter(geo.current_communes.values()))
    copy = dataclasses.replace(own)
    other = dataclasses.replace(own, name=own.name + " mới")
    assert geo.reference(other) is None and geo.reference(copy) == geo.reference(own)
    write_keyed(tmp_path / "units.pickle", "khóa", [own, copy, other, "chữ"], geo.reference)
    back = read_keyed(tmp_path / "units.pickle", "khóa", geo.units_by_reference.__getitem__)
    assert back[0] is own and back[1] is own
    assert back[2] == other and back[2] is not own
    assert back[3] == "chữ"
