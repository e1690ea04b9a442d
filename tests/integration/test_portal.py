"""The portal as the sample site builds it: front page, maps, header, footer, statistics, feeds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import pytest
from lantoa.collection import collect

from tests.conftest import SAMPLE_CONTENT, build_site, valid_header, write_profile
from tests.photos import marked

SITE = "https://lantoa.example.vn/"


def html(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"')[1].split("</section>")[0]


def card_links(fragment: str) -> list[str]:
    return re.findall(r'<h3><a href="([^"]+)">', fragment)


def h1_count(site: Path, path: str) -> int:
    return int(re.search(r'<span class="count">\((\d+) hồ sơ\)</span></h1>', html(site, path)).group(1))


def commune_pages(site: Path) -> dict[str, int]:
    """Every commune page of the build (not a district, year or pagination page), with its count."""
    found = {}
    for page in site.glob("dia-phuong/*/*/index.html"):
        if page.parent.name not in ("huyen-cu", "nam", "trang"):
            url = page.parent.relative_to(site).as_posix() + "/"
            found[url] = h1_count(site, url)
    return found


def map_links(page: str, svg_id: str) -> dict[str, tuple[str, int]]:
    """href → (accessible name, count) of every linked dot in one map."""
    svg = page.split(f'<title id="{svg_id}">')[1].split("</svg>")[0]
    links = re.findall(r'<a href="/([^"]+)"><title>([^<]+): (\d+) hồ sơ</title><circle ', svg)
    assert svg.count("<a ") == len(links)
    return {href: (name, int(n)) for href, name, n in links}


@pytest.fixture(scope="module")
def profiles():
    return collect(SAMPLE_CONTENT).profiles


def test_without_flags_the_front_page_features_the_newest_profiles_with_a_photo(sample_site, profiles):
    page = html(sample_site, "")
    featured = card_links(section(page, "noi-bat"))
    with_photo = [p for p in sorted(profiles, key=lambda p: p.sort_key) if p.image]
    assert featured == [SITE + p.url for p in with_photo[:3]]
    lead = section(page, "noi-bat").split("</li>")[0]
    assert "<picture>" in lead and 'loading="lazy"' not in lead  # the large photo is loaded first


def test_the_front_page_lists_the_newest_published_and_links_every_listing(sample_site, profiles):
    page = html(sample_site, "")
    featured = set(card_links(section(page, "noi-bat")))
    newest = card_links(section(page, "moi-cap-nhat"))
    latest = [SITE + p.url for p in sorted(profiles, key=lambda p: (-p.date.timestamp(), p.slug))]
    assert newest == [url for url in latest if url not in featured][:8]
    assert f'<a href="{SITE}ho-so/">Xem tất cả {len(profiles)} hồ sơ</a>' in page
    fields = re.findall(r'href="https://lantoa.example.vn/(linh-vuc/[a-z-]+/)"><span class="tile-title">'
                        r'[^<]+</span> <span class="tile-count">(\d+) hồ sơ', page)
    assert len(fields) == 4
    for url, n in fields:
        assert h1_count(sample_site, url) == int(n)
    provinces = re.findall(r'<li><a href="https://lantoa.example.vn/(dia-phuong/[a-z-]+/)">[^<]+</a> '
                           r'<span class="count">(\d+)</span>', section(page, "theo-dia-phuong"))
    assert sum(int(n) for _, n in provinces) == len(profiles)
    for url, n in provinces:
        assert h1_count(sample_site, url) == int(n)


def test_headline_numbers_agree_with_the_pages_they_link(sample_site, profiles):
    page = html(sample_site, "")
    numbers = dict((url, number) for url, number in re.findall(
        r'<a href="https://lantoa.example.vn/([a-z-]*/)"><span class="headline-number">([^<]+)</span>', page))
    assert numbers["ho-so/"] == str(len(profiles))
    provinces = {p.place.province.code for p in profiles}
    assert numbers["dia-phuong/"] == f"{len(provinces)}/34"
    assert numbers["ban-do/"] == str(len(commune_pages(sample_site)))
    years = sorted({p.year for p in profiles})
    assert numbers["nam/"] == f"{years[0]}–{years[-1]}"


def test_every_profile_is_listed_under_ho_so_and_the_old_pagination_is_gone(sample_site, profiles):
    listed = card_links(html(sample_site, "ho-so")) + card_links(html(sample_site, "ho-so/trang/2")) \
        + card_links(html(sample_site, "ho-so/trang/3"))
    assert sorted(listed) == sorted(SITE + p.url for p in profiles)
    assert not (sample_site / "trang").exists()


def test_the_maps_link_every_commune_with_profiles_by_name_and_count(sample_site):
    communes = commune_pages(sample_site)
    for path, svg_id in (("", "ban-do-trang-chu"), ("ban-do", "ban-do-tieu-de")):
        page = html(sample_site, path)
        links = map_links(page, svg_id)
        assert {href: n for href, (_, n) in links.items()} == communes
        for href, (name, _) in links.items():
            assert name == re.search(r"<h1>([^<]+?) <span", html(sample_site, href)).group(1)
        svg = page.split(f'<title id="{svg_id}">')[1].split("</svg>")[0]
        assert ">Quần đảo</tspan>" in svg and ">Hoàng Sa</tspan>" in svg
        assert ">Quần đảo Trường Sa</tspan>" in svg


def test_the_national_map_shows_every_commune_and_stays_under_150_kb(sample_site):
    page = html(sample_site, "ban-do")
    svg = "<svg" + page.split('<svg class="map-svg"')[1].split("</svg>")[0] + "</svg>"
    assert len(svg.encode()) < 150_000
    dots = re.search(r'<path class="map-dots" d="([^"]+)"', svg).group(1)
    assert dots.count("h0") + svg.count("<circle ") >= 3300
    listed = re.findall(r'<li><a href="https://lantoa.example.vn/(dia-phuong/[^"]+)">',
                        section(page, "danh-sach"))
    assert sorted(listed) == sorted(commune_pages(sample_site))
    front = html(sample_site, "")
    assert 'class="map-dots"' not in front  # the front page draws only communes with profiles


def test_a_province_page_shows_its_own_map(sample_site):
    communes = commune_pages(sample_site)
    page = html(sample_site, "dia-phuong/lam-dong")
    links = map_links(page, "ban-do-tinh-tieu-de")
    assert {h: n for h, (_, n) in links.items()} == {
        url: n for url, n in communes.items() if url.startswith("dia-phuong/lam-dong/")}
    assert "124 xã, phường, đặc khu có hồ sơ" in page.split('class="province-map"')[1]
    empty = html(sample_site, "dia-phuong/ca-mau")
    assert 'class="map-dots"' in empty and map_links(empty, "ban-do-tinh-tieu-de") == {}
    assert "<a " not in empty.split('<title id="ban-do-tinh-tieu-de">')[1].split("</svg>")[0]
    da_nang = html(sample_site, "dia-phuong/da-nang")
    assert 'class="map-frame"' in da_nang and ">Hoàng Sa</tspan>" in da_nang


def test_every_page_has_the_search_box_and_the_publisher_in_its_footer(sample_site):
    # The browser editor (/quan-tri/) is a page of its own, not part of the public site.
    pages = sorted(p for p in sample_site.rglob("*.html") if "quan-tri" not in p.parts)
    assert len(pages) > 200
    form = ('<form class="header-search" action="https://lantoa.example.vn/tim-kiem/" method="get" '
            'role="search"')
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert form in text and 'name="q" type="search"' in text, path
        footer = text.split('<footer class="site-footer">')[1]
        assert "Ban Biên tập Lan Tỏa (dữ liệu mẫu)" in footer, path
        assert '<a rel="license" href="https://creativecommons.org/licenses/by/4.0/deed.vi">CC BY 4.0</a>' \
            in footer, path
        assert 'href="mailto:bientap@lantoa.example.vn"' in footer, path
        assert "Chịu trách nhiệm chính: Trưởng Ban Biên tập (dữ liệu mẫu)" in footer, path


def jsonld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


def test_json_ld_names_the_publisher(sample_site):
    article = jsonld(html(sample_site, "mo-hinh/nong-dan-dinh-van-lam-duong"))
    publisher = article["publisher"]
    assert publisher["@type"] == "Organization" and publisher["name"] == "Ban Biên tập Lan Tỏa (dữ liệu mẫu)"
    assert publisher["logo"]["url"] == SITE + "theme/img/lan-toa.svg"
    assert publisher["email"] == "bientap@lantoa.example.vn"
    assert article["license"] == "https://creativecommons.org/licenses/by/4.0/deed.vi"
    website = jsonld(html(sample_site, ""))
    assert website["@type"] == "WebSite" and website["publisher"] == publisher
    assert website["potentialAction"]["target"] == SITE + "tim-kiem/?q={q}"
    assert (sample_site / "theme/img/lan-toa.svg").is_file()


def test_statistics_sort_bars_by_count_and_fold_provinces_without_profiles(sample_site, profiles):
    page = html(sample_site, "thong-ke")
    assert "<script" not in page.split("<main")[1]
    provinces = section(page, "h-tinh")
    counts = [int(n) for n in re.findall(r'<td class="n">(\d+)</td>', provinces)]
    assert counts == sorted(counts, reverse=True) and 0 not in counts
    assert sum(counts) == len(profiles)
    rest = provinces.split('<tr class="rest">')[1]
    empty = 34 - len(counts)
    assert f"{empty} tỉnh/thành phố chưa có hồ sơ" in rest and rest.count("<a ") == empty
    widths = [float(w) for w in re.findall(r'<rect width="([\d.]+)" height="10"/>', page)]
    assert page.count("<rect") == len(widths) and max(widths) == 100
    fields = [int(n) for n in re.findall(r'<td class="n">(\d+)</td>', section(page, "h-linh-vuc"))]
    assert fields == sorted(fields, reverse=True)
    years = re.findall(r'nam/(\d{4})/">\d{4}</a></th>', section(page, "h-nam"))
    assert years == sorted(years)  # a time line stays in the order of time


def test_atom_entries_link_their_page_and_carry_the_photo_as_an_enclosure(sample_site, profiles):
    with_photo = {SITE + p.url for p in profiles if p.image}
    feeds = sorted(sample_site.rglob("atom.xml"))
    assert len(feeds) > 50
    seen = set()
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, path
        assert feed.feed.rights.startswith("CC BY 4.0") and "Ban Biên tập Lan Tỏa" in feed.feed.rights
        for entry in feed.entries:
            assert re.fullmatch(r"https://lantoa\.example\.vn/(mo-hinh|dien-hinh)/[a-z0-9-]+/", entry.link)
            alternates = [link for link in entry.links if link.rel == "alternate"]
            assert [link.href for link in alternates] == [entry.link], path
            enclosures = [link for link in entry.links if link.rel == "enclosure"]
            if entry.link in with_photo:
                seen.add(entry.link)
                assert len(enclosures) == 1 and enclosures[0].type == "image/jpeg"
                assert int(enclosures[0].length) > 10_000 and enclosures[0].href.endswith(".jpg")
                photo = re.match(r'<p><img [^>]*src="([^"]+)"', entry.content[0].value)
                assert photo and photo.group(1) == enclosures[0].href
            else:
                assert enclosures == []
    assert seen == with_photo


def test_feed_entries_open_with_the_photo_and_the_fact_box(sample_site):
    feed = feedparser.parse((sample_site / "dia-phuong/lam-dong/atom.xml").read_bytes())
    entry = next(e for e in feed.entries if e.link.endswith("/nong-dan-dinh-van-lam-duong/"))
    content = entry.content[0].value
    head = content.split("</dl>")[0]
    assert head.index("<img") < head.index("<dl>")
    assert "<dt>Địa phương</dt><dd>Xã Đinh Văn Lâm Hà, tỉnh Lâm Đồng (trước 01/7/2025: " in head
    assert "<dt>Năm công nhận</dt><dd>2023</dd>" in head
    assert "<dt>Đơn vị thực hiện</dt><dd>Hội Nông dân thị trấn Đinh Văn</dd>" in head
    assert "<dt>Kết quả nổi bật</dt><dd><ul><li>" in head
    assert content.index("</dl>") < content.index("Cách làm")
    rss = feedparser.parse((sample_site / "feeds/rss.xml").read_bytes())
    assert rss.feed.publisher == "Ban Biên tập Lan Tỏa (dữ liệu mẫu)"
    assert "<managingEditor>bientap@lantoa.example.vn (Ban Biên tập Lan Tỏa (dữ liệu mẫu))</managingEditor>" \
        in (sample_site / "feeds/rss.xml").read_text(encoding="utf-8")


def test_flagged_profiles_are_featured_first_even_without_a_photo(tmp_path):
    content = tmp_path / "content"
    write_profile(content, "lam-dong/2024/co-anh.md", valid_header(
        Title="Mô hình mới có ảnh", Year="2024", Date="2024-05-01", Image="anh.jpg"))
    marked((1200, 900)).save(content / "profiles/lam-dong/2024/anh.jpg", "JPEG")
    write_profile(content, "lam-dong/2019/noi-bat.md", valid_header(
        Title="Mô hình được chọn nổi bật", Year="2019", Date="2019-05-01", Featured="yes"))
    write_profile(content, "ha-noi/2018/noi-bat-2.md", valid_header(
        Title="Tổ dân phố nổi bật", Year="2018", Date="2018-05-01", Province="Hà Nội", District=None,
        Commune="Ba Đình", **{"Nổi bật": "có"}))
    write_profile(content, "lam-dong/2017/thuong.md", valid_header(Title="Mô hình thường", Year="2017",
                                                                  Date="2017-05-01"))
    site = build_site(content, tmp_path / "output", SITEURL="https://lantoa.example.vn")
    page = html(site, "")
    featured = section(page, "noi-bat")
    assert card_links(featured) == [SITE + "mo-hinh/noi-bat/", SITE + "mo-hinh/noi-bat-2/"]
    assert featured.count('class="ph ph-kinh-te ph-large"') == 2  # the emblem, not an empty box
    assert f'href="{SITE}noi-bat/">Tất cả mô hình, điển hình nổi bật</a>' in featured
    newest = card_links(section(page, "moi-cap-nhat"))
    assert newest == [SITE + "mo-hinh/co-anh/", SITE + "mo-hinh/thuong/"]
    # The map links both communes (three profiles in Đinh Văn, one in Ba Đình).
    links = map_links(page, "ban-do-trang-chu")
    assert sum(n for _, n in links.values()) == 4 and len(links) == 2


def test_past_the_link_limit_the_national_map_links_provinces(tmp_path):
    content = tmp_path / "content"
    places = [("Lâm Đồng", "Lâm Hà", "Đinh Văn"), ("Lâm Đồng", "Lâm Hà", "Nam Ban"),
              ("Hà Nội", None, "Ba Đình"), ("Hà Nội", None, "Hoàn Kiếm")]
    for n, (province, district, commune) in enumerate(places):
        write_profile(content, f"p/2024/x-{n}.md", valid_header(
            Title=f"Mô hình số {n}", Province=province, District=district, Commune=commune,
            Date=f"2024-01-0{n + 1}", Year="2024"))
    site = build_site(content, tmp_path / "output", SITEURL="https://lantoa.example.vn",
                      LANTOA_MAP_COMMUNE_LINKS=3)
    page = html(site, "ban-do")
    links = map_links(page, "ban-do-tieu-de")
    assert links == {"dia-phuong/ha-noi/": ("Thành phố Hà Nội, 2 xã, phường", 2),
                     "dia-phuong/lam-dong/": ("Tỉnh Lâm Đồng, 2 xã, phường", 2)}
    svg = page.split('<title id="ban-do-tieu-de">')[1].split("</svg>")[0]
    hot = "".join(re.findall(r'<path class="map-hot" stroke-width="[\d.]+" d="([^"]+)"', svg))
    assert hot.count("h0") == 4  # each commune is still drawn
    assert "Chạm vào vòng tròn của một tỉnh" in page
    # The province's own map still links each of its communes.
    province = map_links(html(site, "dia-phuong/lam-dong"), "ban-do-tinh-tieu-de")
    assert sorted(province) == ["dia-phuong/lam-dong/dinh-van-lam-ha/", "dia-phuong/lam-dong/nam-ban-lam-ha/"]
    # The front page links communes up to a fifth of the limit: here none.
    assert set(map_links(html(site, ""), "ban-do-trang-chu")) == set(links)
