"""Places in a real build: a split pre-2025 commune, a former Tiền Giang commune."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lantoa.gazetteer import gazetteer

from tests.conftest import build_site, valid_header, write_profile

SPLIT_TITLE = "Tổ dân phố Cửa Nam giữ phố sạch"
TIEN_GIANG_TITLE = "Nông dân Đông Hòa Hiệp làm giao thông"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("places")
    content = base / "content"
    write_profile(content, "ha-noi/2023/cua-nam.md", valid_header(
        Title=SPLIT_TITLE, Province="Hà Nội", District="Hoàn Kiếm", Commune="Cửa Nam",
        Unit="Tổ dân phố số 3"))
    write_profile(content, "dong-thap/2022/dong-hoa-hiep.md", valid_header(
        Title=TIEN_GIANG_TITLE, Province="Tiền Giang", District="Cái Bè", Commune="Đông Hoà Hiệp",
        Year="2022", Date="2022-05-05"))
    return build_site(content, base / "output", SITEURL="https://lantoa.example.vn")


def html(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_a_split_commune_is_listed_on_every_successor_page(site):
    old = gazetteer().find_legacy_commune("Cửa Nam", gazetteer().find_district(
        "Hoàn Kiếm", [gazetteer().legacy_provinces[1]]))[0]
    successors = gazetteer().successors(old.code)
    assert len(successors) > 1
    for commune in successors:
        page = html(site, f"dia-phuong/ha-noi/{commune.slug}")
        assert SPLIT_TITLE in page, commune.name
        assert f"Trước 01/7/2025, địa bàn {commune.label} thuộc " in page
        assert "phường Cửa Nam (một phần)" in page


def test_the_profile_says_which_communes_its_old_commune_became(site):
    page = html(site, "mo-hinh/cua-nam")
    assert ("trước 01/7/2025: phường Cửa Nam, quận Hoàn Kiếm, thành phố Hà Nội; nay thuộc "
            "phường Cửa Nam, ") in page
    assert "phường Hoàn Kiếm" in page


def test_open_data_names_the_main_successor(site):
    data = json.loads((site / "du-lieu/ho-so.json").read_text(encoding="utf-8"))
    rows = {row["slug"]: row for row in data["profiles"]}
    assert rows["cua-nam"]["commune"] == "Phường Cửa Nam"
    assert rows["cua-nam"]["historical_commune"] == "Phường Cửa Nam"
    assert rows["dong-hoa-hiep"]["province"] == "Tỉnh Đồng Tháp"
    assert rows["dong-hoa-hiep"]["commune"] == "Xã Cái Bè"


def test_former_tien_giang_is_in_dong_thap_with_its_old_district(site):
    assert TIEN_GIANG_TITLE in html(site, "dia-phuong/dong-thap")
    assert TIEN_GIANG_TITLE in html(site, "dia-phuong/dong-thap/cai-be")
    assert TIEN_GIANG_TITLE in html(site, "dia-phuong/dong-thap/huyen-cu/cai-be")
    assert not (site / "dia-phuong/tay-ninh/huyen-cu/cai-be").exists()
    assert TIEN_GIANG_TITLE not in html(site, "dia-phuong/tay-ninh")
