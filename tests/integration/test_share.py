"""Sharing and printing a profile, read from a real build of the sample site.

The QR codes are decoded back, not merely found: the SVG path the build wrote is
drawn again as a picture and read by ZXing's reader, another implementation than
the Zint encoder zxing-cpp writes them with.
"""

from __future__ import annotations

import base64
import html
import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
import zxingcpp
from lantoa.collection import collect
from lantoa.model import Profile
from lantoa.sharing import qr_modules as qr_modules_of
from PIL import Image, ImageDraw

from tests.conftest import SAMPLE_CONTENT

SITE = "https://lantoa.example.vn"


@cache
def sample_profiles() -> tuple[Profile, ...]:
    return tuple(collect(SAMPLE_CONTENT).profiles)


def page_of(site: Path, profile: Profile) -> str:
    return (site / profile.url / "index.html").read_text(encoding="utf-8")


def share_row(page: str) -> str:
    return page.split('<section class="share"')[1].split("</section>")[0]


def share_links(page: str) -> dict[str, dict[str, str]]:
    """Each share link of the row by its visible service name, with its attributes unescaped."""
    links = {}
    for attributes, text in re.findall(r"<a ([^>]*)>(.*?)</a>", share_row(page), re.S):
        name = re.sub(r'<span class="visually-hidden">.*?</span>', "", text).strip()
        links[name] = {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', attributes)}
    return links


def meta(page: str, prop: str) -> str:
    found = re.findall(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', page)
    assert len(found) == 1, prop
    return html.unescape(found[0])


def qr_svg(page: str) -> str:
    return re.search(r'<div class="qr" aria-hidden="true">(<svg .*?</svg>)</div>', page, re.S).group(1)


def qr_modules(svg: str) -> list[list[bool]]:
    """The dark modules of the SVG: one path of absolute/relative moves and horizontal runs."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    path = re.search(r' d="([^"]+)"', svg).group(1)
    for command, arguments in re.findall(r"([A-Za-z])([^A-Za-z]*)", path):
        numbers = [float(n) for n in arguments.replace(",", " ").split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":  # a run of dark modules, the stroke centred half a module down
            for column in range(round(min(x, x + numbers[0])), round(max(x, x + numbers[0]))):
                grid[int(y)][column] = True
            x += numbers[0]
        else:
            raise AssertionError(f"unexpected path command {command!r}")
    return grid


def decode(grid: list[list[bool]], scale: int = 6, margin: int = 4) -> str:
    """What a scanner reads from the modules drawn black on white, with a quiet zone around."""
    side = (len(grid) + 2 * margin) * scale
    picture = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(picture)
    for row, cells in enumerate(grid, start=margin):
        for column, dark in enumerate(cells, start=margin):
            if dark:
                draw.rectangle((column * scale, row * scale, (column + 1) * scale - 1,
                                (row + 1) * scale - 1), fill=0)
    found = zxingcpp.read_barcodes(picture)
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text


def test_the_share_links_of_one_profile_are_exactly_these(sample_site):
    profile = next(p for p in sample_profiles() if p.slug == "nong-dan-dinh-van-lam-duong")
    links = share_links(page_of(sample_site, profile))
    encoded = "https%3A%2F%2Flantoa.example.vn%2Fmo-hinh%2Fnong-dan-dinh-van-lam-duong%2F"
    assert links["Facebook"]["href"] == "https://www.facebook.com/sharer/sharer.php?u=" + encoded
    payload = base64.b64encode(
        b'{"url":"https://lantoa.example.vn/mo-hinh/nong-dan-dinh-van-lam-duong/"}').decode()
    assert links["Zalo"]["href"] == (
        "https://button-share.zalo.me/share_external?layout=1&color=blue&customize=true"
        f"&url={encoded}&d={quote(payload, safe='')}&shareType=0")


def test_every_profile_shares_its_canonical_address_percent_encoded(sample_site):
    profiles = sample_profiles()
    assert len(profiles) > 20
    for profile in profiles:
        page = page_of(sample_site, profile)
        canonical = f"{SITE}/{profile.url}"
        assert f'<link rel="canonical" href="{canonical}">' in page
        links = share_links(page)
        assert set(links) == {"Zalo", "Facebook"}, profile.url
        facebook = links["Facebook"]["href"]
        assert facebook == "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": canonical})
        zalo = urlsplit(links["Zalo"]["href"])
        assert (zalo.scheme, zalo.netloc, zalo.path) == ("https", "button-share.zalo.me", "/share_external")
        query = dict(parse_qsl(zalo.query, strict_parsing=True))
        assert query["url"] == canonical
        assert json.loads(base64.b64decode(query["d"], validate=True)) == {"url": canonical}
        # no reserved character of the address is left bare in a query value
        for value in (facebook.split("?u=")[1], re.search(r"[?&]url=([^&]*)", zalo.query).group(1)):
            assert not set(value) & set(":/?#&=+"), value
        for link in links.values():
            assert link["target"] == "_blank" and link["rel"] == "noopener noreferrer"
        row = share_row(page)
        assert f'<input id="lien-ket" type="text" value="{canonical}" readonly' in row
        # the two buttons that need JavaScript are hidden until the script shows them
        assert row.count("<li hidden><button") == 2


def test_a_profile_page_runs_no_inline_script_and_loads_nothing_from_another_origin(sample_site):
    for profile in sample_profiles():
        page = page_of(sample_site, profile)
        scripts = re.findall(r"<script([^>]*)>", page)
        assert ' type="application/ld+json"' in scripts  # data, not code
        code = [s for s in scripts if "application/ld+json" not in s]
        assert code == [f' src="{SITE}/theme/js/share.js" type="module"'], profile.url
        for tag, attribute in (("link", "href"), ("script", "src"), ("img", "src"), ("source", "srcset"),
                               ("img", "srcset"), ("iframe", "src")):
            for value in re.findall(rf"<{tag}\b[^>]*\b{attribute}=\"([^\"]*)\"", page):
                for url in re.findall(r"(?:^|,\s*)(\S+)", value):
                    assert url.startswith((SITE + "/", "data:")), (profile.url, tag, url)
        assert "<iframe" not in page and "zalo.me/plugins" not in page and "connect.facebook" not in page
    script = (sample_site / "theme/js/share.js").read_text(encoding="utf-8")
    assert len(script.encode()) < 4000
    assert not re.search(r"https?://", script)


def test_every_printed_profile_ends_with_a_qr_code_that_reads_as_its_address(sample_site):
    for profile in sample_profiles():
        page = page_of(sample_site, profile)
        canonical = f"{SITE}/{profile.url}"
        foot = page.split('<div class="print-foot">', 1)[1].split("\n</div>", 1)[0]
        svg = qr_svg(foot)
        assert decode(qr_modules(svg)) == canonical, profile.url
        assert f'<span class="url">{canonical}</span>' in foot  # for those who cannot scan
        assert len(svg) < 3000  # one path, not a rectangle per module


def test_the_path_reader_and_decoder_of_these_tests_read_what_they_are_given():
    grid = [[v == 0 for v in row] for row in qr_modules_of(f"{SITE}/mo-hinh/a/")]
    assert decode(grid) == f"{SITE}/mo-hinh/a/"
    grid[10] = [not v for v in grid[10]]  # beyond what error correction repairs
    grid[11] = [not v for v in grid[11]]
    grid[12] = [not v for v in grid[12]]
    with pytest.raises(AssertionError):
        decode(grid)
    assert qr_modules('<svg viewBox="0 0 3 3"><path d="M0 1.5h2m-1 1h2"/></svg>') == [
        [False, False, False], [True, True, False], [False, True, True]]


def test_open_graph_tags_are_what_zalo_and_facebook_read(sample_site):
    for profile in sample_profiles():
        page = page_of(sample_site, profile)
        canonical = f"{SITE}/{profile.url}"
        assert meta(page, "og:url") == canonical
        assert meta(page, "og:type") == "article"
        assert meta(page, "og:locale") == "vi_VN"
        assert meta(page, "og:title") == profile.title
        assert len(meta(page, "og:description")) > 20
        image = meta(page, "og:image")
        assert image.startswith(SITE + "/anh/the-chia-se/")
        with Image.open(sample_site / image.removeprefix(SITE + "/")) as card:
            assert card.size == (int(meta(page, "og:image:width")), int(meta(page, "og:image:height")))
            assert card.size == (1200, 630)
            assert card.format == ("JPEG" if image.endswith(".jpg") else "PNG")
        assert meta(page, "og:image:alt") == profile.title


def compact(css: str) -> str:
    """The stylesheet without comments and layout whitespace, as a minifier would write it."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", css)
    css = re.sub(r"([{;])([\w-]+):\s+", r"\1\2:", css)
    return css.replace(";}", "}")


def print_rules(css: str) -> str:
    start = css.index("@media print{@page")
    depth, end = 0, start
    for end in range(css.index("{", start), len(css)):
        depth += {"{": 1, "}": -1}.get(css[end], 0)
        if depth == 0:
            break
    return css[start:end]


def test_print_styles_keep_the_content_and_drop_the_chrome(sample_site):
    css = compact((sample_site / "theme/css/site.css").read_text(encoding="utf-8"))
    screen = css.replace(print_rules(css), "")
    assert ".print-foot{display:none}" in screen
    rules = print_rules(css)
    assert "@page{size:A4;" in rules
    hidden = re.search(r"\}([^{}]*)\{display:none\}", rules).group(1).split(",")
    assert {".site-header", ".share", ".card picture", ".search-form"} <= set(hidden)
    assert ".print-foot{display:flex;" in rules
    assert '.card h3 a::after{content:" (" attr(href) ")"' in rules


@pytest.mark.parametrize("listing", ["index.html", "dia-phuong/lam-dong/index.html"])
def test_listing_card_titles_link_absolute_addresses_for_print(sample_site, listing):
    page = (sample_site / listing).read_text(encoding="utf-8")
    titles = re.findall(r'<h3><a href="([^"]+)">', page)
    assert titles and all(t.startswith(SITE + "/") for t in titles)
