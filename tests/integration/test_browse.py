"""Browse pages, statistics, open data and machine-readable metadata of a real build."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.conftest import build_sample, build_site, valid_header, write_profile


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """25 profiles in Lâm Đồng (current and legacy units) and a few elsewhere."""
    base = tmp_path_factory.mktemp("browse")
    content = base / "content"
    for n in range(22):  # more than one page of 20
        write_profile(content, f"lam-dong/2020/dinh-van-{n:02d}.md", valid_header(
            Title=f"Mô hình Đinh Văn số {n:02d}", Year=str(2012 + n % 10), Date=f"2022-01-{n + 1:02d}"))
    write_profile(content, "lam-dong/2019/dak-nong.md", valid_header(
        Title="Buôn làng giữ rừng ở Đắk Mil", Province="Đắk Nông", District="Đắk Mil", Commune=None,
        Year="2019", Date="2019-05-02", Level="tinh", Field="quoc-phong-an-ninh"))
    write_profile(content, "lam-dong/2025/nam-ban.md", valid_header(
        Title="Đảng viên trực ở Nam Ban Lâm Hà", Province="Lâm Đồng", District=None,
        Commune="Nam Ban Lâm Hà", Year="2025", Date="2025-10-15", Level="xa"))
    write_profile(content, "lam-dong/2024/dien-hinh.md", valid_header(
        Title="Bà Nguyễn Thị Mai, tổ trưởng tổ phụ nữ", Kind="dien-hinh", Unit=None,
        Person="Nguyễn Thị Mai", Year="2024", Date="2024-06-01", Level="xa", Field="van-hoa-xa-hoi"))
    write_profile(content, "ha-noi/2023/ha-noi.md", valid_header(
        Title="Tổ dân phố văn minh", Province="Hà Nội", District="Long Biên", Commune="Thạch Bàn",
        Year="2023", Date="2023-03-03", Level="huyen", Unit="Tổ dân phố số 5"))
    write_profile(content, "gia-lai/2021/gia-lai.md", valid_header(
        Title="Già làng giữ bình yên buôn làng", Province="Gia Lai", District=None, Commune=None,
        Year="2021", Date="2021-08-08", Level="tinh", Unit="Làng Plei Ơi"))
    return build_site(content, base / "output", SITEURL="https://lantoa.example.vn")


def html(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def card_titles(page: str) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', page)


def test_localities_list_every_province_in_vietnamese_order_with_counts(site):
    page = html(site, "dia-phuong")
    names = re.findall(r'<a href="https://lantoa.example.vn/dia-phuong/[a-z-]+/">([^<]+)</a>', page)
    assert len(names) == 34
    assert names.index("Tỉnh Lạng Sơn") < names.index("Tỉnh Lâm Đồng")
    assert names.index("Tỉnh Đồng Tháp") < names.index("Tỉnh Gia Lai")
    assert names.index("Tỉnh Cà Mau") < names.index("Tỉnh Cao Bằng") < names.index("Thành phố Cần Thơ")
    assert re.search(r"Tỉnh Lâm Đồng</a> <span class=\"count\">25 hồ sơ", page)
    assert re.search(r"Tỉnh Cao Bằng</a> <span class=\"count none\">chưa có hồ sơ", page)
    assert (site / "dia-phuong/cao-bang/index.html").is_file()


def test_a_province_page_paginates_newest_first_with_its_facets(site):
    first = html(site, "dia-phuong/lam-dong")
    assert "Tỉnh Lâm Đồng <span class=\"count\">(25 hồ sơ)</span>" in first
    titles = card_titles(first)
    assert len(titles) == 20
    assert titles[0] == "Đảng viên trực ở Nam Ban Lâm Hà"  # 2025 first
    second = html(site, "dia-phuong/lam-dong/trang/2")
    assert len(card_titles(second)) == 5
    assert '<link rel="next" href="https://lantoa.example.vn/dia-phuong/lam-dong/trang/2/">' in first
    assert '<link rel="prev" href="https://lantoa.example.vn/dia-phuong/lam-dong/">' in second
    base = 'href="https://lantoa.example.vn/dia-phuong/lam-dong/'
    assert base + 'huyen-cu/lam-ha/">Huyện Lâm Hà</a> (23)' in first
    assert base + 'huyen-cu/dak-mil/">Huyện Đắk Mil</a> (1)' in first
    assert base + 'dinh-van-lam-ha/">Xã Đinh Văn Lâm Hà</a> (23)' in first
    assert 'href="https://lantoa.example.vn/dia-phuong/lam-dong/nam/2025/">2025</a> (1)' in first
    assert '<nav class="crumbs wrap" aria-label="Đường dẫn">' in first


def test_a_legacy_province_is_placed_under_its_current_one_and_its_old_district(site):
    district = html(site, "dia-phuong/lam-dong/huyen-cu/dak-mil")
    assert "Buôn làng giữ rừng ở Đắk Mil" in card_titles(district)
    assert "không còn từ 01/7/2025" in district and "nay thuộc Tỉnh Lâm Đồng" in district
    assert "(tỉnh Đắk Nông, trước 01/7/2025)" in district
    profile = html(site, "mo-hinh/dak-nong")
    assert "trước 01/7/2025: huyện Đắk Mil, tỉnh Đắk Nông" in profile


def test_year_field_kind_level_and_commune_pages(site):
    assert card_titles(html(site, "nam/2025")) == ["Đảng viên trực ở Nam Ban Lâm Hà"]
    assert "Năm 2025 <span class=\"count\">(1 hồ sơ)</span>" in html(site, "nam/2025")
    assert card_titles(html(site, "linh-vuc/quoc-phong-an-ninh")) == ["Buôn làng giữ rừng ở Đắk Mil"]
    assert card_titles(html(site, "dien-hinh")) == ["Bà Nguyễn Thị Mai, tổ trưởng tổ phụ nữ"]
    assert len(card_titles(html(site, "cap/tinh"))) == 2
    nam_ban = html(site, "dia-phuong/lam-dong/nam-ban-lam-ha")
    assert card_titles(nam_ban) == ["Đảng viên trực ở Nam Ban Lâm Hà"]
    assert len(card_titles(html(site, "dia-phuong/lam-dong/dinh-van-lam-ha"))) == 20  # first of 2 pages
    assert card_titles(html(site, "dia-phuong/ha-noi/huyen-cu/long-bien")) == ["Tổ dân phố văn minh"]
    years = html(site, "nam")
    assert years.index("Năm 2025") < years.index("Năm 2012")


def test_a_profile_links_its_place_neighbours_and_related(site):
    page = html(site, "mo-hinh/dinh-van-05")
    crumbs = page.split('aria-label="Đường dẫn"')[1].split("</nav>")[0]
    assert "Tỉnh Lâm Đồng" in crumbs and "Xã Đinh Văn Lâm Hà" in crumbs
    assert 'rel="prev"' in page and 'rel="next"' in page
    related = page.split('id="lien-quan"')[1].split("</section>")[0]
    assert related.count("<li>") == 5
    assert "Hà Nội" not in related  # nearer places first


def test_statistics_count_every_facet(site):
    page = html(site, "thong-ke")
    assert page.count('<table class="bars">') == 5 and "<script" not in page.split("<main")[1]
    bar = r'</a></th><td class="bar"><svg [^>]+><rect width="[\d.]+" height="10"/></svg></td>'
    assert re.search(r'dia-phuong/lam-dong/">Lâm Đồng' + bar + r'<td class="n">25</td>', page)
    assert re.search(r'quoc-phong-an-ninh/">Quốc phòng - an ninh' + bar + r'<td class="n">1</td>', page)
    assert re.search(r'dien-hinh/">Điển hình' + bar + r'<td class="n">1</td>', page)
    assert '<section class="chart" aria-labelledby="h-tinh">' in page


def test_open_data_has_every_profile_and_opens_in_excel(site):
    raw = (site / "du-lieu/ho-so.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 27
    legacy = next(r for r in rows if r["slug"] == "dak-nong")
    assert legacy["province"] == "Tỉnh Lâm Đồng" and legacy["province_code"] == "68"
    assert legacy["historical_province"] == "Tỉnh Đắk Nông"
    assert legacy["historical_district"] == "Huyện Đắk Mil"
    assert legacy["url"] == "https://lantoa.example.vn/mo-hinh/dak-nong/"
    data = json.loads((site / "du-lieu/ho-so.json").read_text(encoding="utf-8"))
    assert data["count"] == 27 and list(data["profiles"][0]) == data["columns"]


def test_machine_readable_metadata_on_profile_pages(site):
    page = html(site, "mo-hinh/dak-nong")
    assert '<link rel="canonical" href="https://lantoa.example.vn/mo-hinh/dak-nong/">' in page
    assert '<meta property="og:type" content="article">' in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "Article" and data["headline"] == "Buôn làng giữ rừng ở Đắk Mil"
    assert data["contentLocation"]["@type"] == "Place"
    assert data["image"] == "https://lantoa.example.vn/anh/the-chia-se/mo-hinh-dak-nong.png"
    assert data["contentLocation"]["containedInPlace"] == {"@type": "AdministrativeArea",
                                                          "name": "Tỉnh Lâm Đồng"}


def test_sitemap_lists_every_page_and_robots_points_to_it(site):
    sitemap = ElementTree.parse(site / "sitemap.xml").getroot()
    locs = {e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    pages = {"https://lantoa.example.vn/" + p.relative_to(site).as_posix().removesuffix("index.html")
             for p in site.rglob("index.html")
             if 'content="noindex' not in p.read_text(encoding="utf-8")}  # the editor at /quan-tri/
    assert locs == pages
    assert (site / "404.html").is_file() and not any("404" in loc for loc in locs)
    assert "Sitemap: https://lantoa.example.vn/sitemap.xml" in (site / "robots.txt").read_text()


def test_a_model_and_a_person_may_share_a_file_name(tmp_path):
    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/nong-dan.md", valid_header(Title="Mô hình nông dân"))
    write_profile(content, "ha-noi/2024/nong-dan.md", valid_header(
        Title="Ông Nông Văn Dân", Kind="dien-hinh", Unit=None, Person="Nông Văn Dân", Year="2024",
        Date="2024-01-01", Province="Hà Nội", District=None, Commune=None))
    output = build_site(content, tmp_path / "output")
    model, person = html(output, "mo-hinh/nong-dan"), html(output, "dien-hinh/nong-dan")
    assert "<h1 id=\"tieu-de\">Mô hình nông dân</h1>" in model
    assert "<h1 id=\"tieu-de\">Ông Nông Văn Dân</h1>" in person

    def crumbs(page: str) -> str:
        return page.split('aria-label="Đường dẫn"')[1].split("</nav>")[0]

    assert "Tỉnh Lâm Đồng" in crumbs(model) and "Hà Nội" not in crumbs(model)
    assert "Thành phố Hà Nội" in crumbs(person) and "Lâm Đồng" not in crumbs(person)



def test_a_card_rendered_once_per_build_is_the_card_each_listing_would_render(tmp_path):
    # `BuildState.card` keeps a profile's card for the whole build: every listing page must
    # be what it is when each page renders its cards afresh (a card that came to depend on
    # its page would break this).
    from lantoa.state import CONTEXT_KEY
    from lantoa_facets import FacetsGenerator, listed_terms, listing_pages
    from pelican import signals

    finished = []
    signals.all_generators_finalized.connect(finished.append, weak=False)
    try:
        build_sample(tmp_path, "https://lantoa.example.vn")
    finally:
        signals.all_generators_finalized.disconnect(finished.append)
    generator = next(g for g in finished[-1] if isinstance(g, FacetsGenerator))
    state = generator.context[CONTEXT_KEY]
    template = generator.get_template("listing")
    pages = [page for entry in listed_terms(state)
             for page in listing_pages(state, entry, generator.settings["LANTOA_PER_PAGE"])]
    shown = 0
    kept = [template.render({**generator.context, **page.kwargs}) for page in pages]
    for page, html in zip(pages, kept, strict=True):
        state._cards.clear()
        assert template.render({**generator.context, **page.kwargs}) == html, page.name
        shown += html.count('<li class="card">')
    assert shown > len(state.profiles)  # profiles show in several listings
