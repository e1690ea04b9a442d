"""Sharing a profile, read from a real build of the sample site."""

from __future__ import annotations

import base64
import html
import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from lantoa.collection import collect
from lantoa.model import Profile
from PIL import Image

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
            assert card.size == (1200, 630) and card.format == "JPEG"
        assert meta(page, "og:image:alt") == profile.title
