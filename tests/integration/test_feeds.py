"""Feeds that portals can rely on: valid, complete, stable ids, identical on rebuild."""

from __future__ import annotations

import re
import shutil
from email.utils import parsedate_to_datetime
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest

from tests.conftest import SAMPLE_CONTENT, build_site, valid_header, write_profile

ATOM = "{http://www.w3.org/2005/Atom}"


def all_feeds(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("*.xml") if p.name in ("rss.xml", "atom.xml"))


def test_every_feed_parses_and_holds_its_facets_profiles(sample_site: Path):
    feeds = all_feeds(sample_site)
    assert len(feeds) > 100
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        folder = path.parent
        listing = (folder / "index.html").read_text(encoding="utf-8") if folder.name != "feeds" \
            else (sample_site / "ho-so/index.html").read_text(encoding="utf-8")
        count = int(re.search(r'class="count">\((\d+) hồ sơ\)', listing).group(1))
        assert len(parsed.entries) == min(50, count), path
        dates = [e.updated_parsed for e in parsed.entries]
        if parsed.entries:
            assert parsed.feed.updated_parsed == max(dates)


def test_feeds_exist_beside_every_facet_page(sample_site: Path):
    for folder in ["feeds", "dia-phuong/lam-dong", "dia-phuong/lam-dong/huyen-cu/lam-ha",
                   "dia-phuong/lam-dong/nam/2023", "nam/2023", "linh-vuc/kinh-te", "mo-hinh",
                   "dien-hinh", "cap/tinh", "dia-phuong/cao-bang"]:
        for name in ("rss.xml", "atom.xml"):
            assert (sample_site / folder / name).is_file(), f"{folder}/{name}"


def test_rss_follows_the_validator_rules(sample_site: Path):
    for path in all_feeds(sample_site):
        if path.name != "rss.xml":
            continue
        channel = ElementTree.parse(path).getroot().find("channel")
        for required in ("title", "link", "description"):
            assert channel.findtext(required), f"{path}: channel {required}"
        self_link = channel.find(f"{ATOM}link[@rel='self']")
        assert self_link is not None and self_link.get("href").endswith(
            path.relative_to(sample_site).as_posix())
        parsedate_to_datetime(channel.findtext("lastBuildDate"))
        for item in channel.findall("item"):
            assert len(item.findall("guid")) == 1
            assert item.find("guid").get("isPermaLink") == "false"
            assert item.findtext("link").startswith("https://")
            published = parsedate_to_datetime(item.findtext("pubDate"))
            assert published.utcoffset().total_seconds() == 7 * 3600
            assert item.findtext("{http://purl.org/dc/elements/1.1/}creator")
            assert len(item.findall("category")) >= 4


def test_atom_entries_carry_what_portals_republish(sample_site: Path):
    feed = ElementTree.parse(sample_site / "feeds/atom.xml").getroot()
    assert feed.findtext(f"{ATOM}id").startswith("tag:")
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        assert re.fullmatch(r"tag:lantoa\.vn,2009:(mo-hinh|dien-hinh)/[a-z0-9-]+",
                            entry.findtext(f"{ATOM}id"))
        assert entry.findtext(f"{ATOM}author/{ATOM}name")
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        assert 'href="/' not in content.text and 'src="/' not in content.text
        assert entry.findtext(f"{ATOM}published").endswith("+07:00")
        assert entry.findtext(f"{ATOM}updated").endswith("+07:00")
        terms = {c.get("term") for c in entry.findall(f"{ATOM}category")}
        assert len(terms) >= 4


def test_feed_list_and_autodiscovery(sample_site: Path):
    opml = ElementTree.parse(sample_site / "feeds/index.opml").getroot()
    listed = {o.get("xmlUrl") for o in opml.iter("outline")}
    files = {f"https://lantoa.example.vn/{p.relative_to(sample_site).as_posix()}"
             for p in all_feeds(sample_site) if p.name == "rss.xml"}
    assert listed == files
    assert all(o.get("title") and o.get("htmlUrl") for o in opml.iter("outline"))
    province = (sample_site / "dia-phuong/lam-dong/index.html").read_text(encoding="utf-8")
    assert 'rel="alternate" type="application/rss+xml"' in province
    assert 'href="https://lantoa.example.vn/dia-phuong/lam-dong/rss.xml"' in province
    assert ">Theo dõi (RSS)</a>" in province
    profile = next((sample_site / "mo-hinh").glob("*/index.html")).read_text(encoding="utf-8")
    discovered = re.findall(r'<link rel="alternate" type="application/rss\+xml"[^>]*href="([^"]+)"', profile)
    assert "https://lantoa.example.vn/feeds/rss.xml" in discovered
    for url in discovered:
        assert (sample_site / url.removeprefix("https://lantoa.example.vn/")).is_file()


@pytest.fixture
def small_content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT / "pages", content / "pages")
    write_profile(content, "lam-dong/2023/mot.md", valid_header(Title="Mô hình một", Date="2023-11-01"))
    write_profile(content, "lam-dong/2024/hai.md", valid_header(
        Title='Nước sạch & "đường đẹp" <cho> dân\x0b vùng cao\x1f', Year="2024", Date="2024-03-08"))
    return content


def ids_of(feed: Path) -> dict[str, str]:
    parsed = feedparser.parse(feed.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return {e.link.rsplit("/", 2)[-2]: e.id for e in parsed.entries}


def test_escaping_of_quotes_ampersands_and_pasted_control_characters(small_content, tmp_path):
    output = build_site(small_content, tmp_path / "out")
    for path in all_feeds(output):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
    titles = [e.title for e in feedparser.parse((output / "feeds/rss.xml").read_bytes()).entries]
    assert 'Nước sạch & "đường đẹp" <cho> dân vùng cao' in titles


def test_ids_survive_edits_and_moves_and_rebuilds_are_byte_identical(small_content, tmp_path):
    first = build_site(small_content, tmp_path / "first")
    again = build_site(small_content, tmp_path / "again")
    for path in all_feeds(first):
        assert path.read_bytes() == (again / path.relative_to(first)).read_bytes(), path
    before = ids_of(first / "feeds/atom.xml")
    edited = small_content / "profiles/lam-dong/2023/mot.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace(
        "Title: Mô hình một", "Title: Mô hình một (đã sửa)\nModified: 2025-01-02"), encoding="utf-8")
    after_edit = build_site(small_content, tmp_path / "edited")
    assert ids_of(after_edit / "feeds/atom.xml") == before
    parsed = feedparser.parse((after_edit / "feeds/atom.xml").read_bytes())
    titles = {e.id: e.title for e in parsed.entries}
    assert titles[before["mot"]] == "Mô hình một (đã sửa)"
    moved = build_site(small_content, tmp_path / "moved", SITEURL="https://tinh.example.vn/lan-toa")
    assert ids_of(moved / "feeds/atom.xml") == before
    assert ids_of(moved / "feeds/rss.xml") == ids_of(after_edit / "feeds/rss.xml")
    link = feedparser.parse((moved / "feeds/rss.xml").read_bytes()).entries[0].link
    assert link.startswith("https://tinh.example.vn/lan-toa/mo-hinh/")


def test_an_empty_feed_made_from_the_marked_document_is_what_feedgen_writes(tmp_path: Path):
    """Titles that XML escapes or that are not plain text, folders that are not plain paths,
    feeds with and without profiles: each gives feedgen's own bytes."""
    from lantoa_feeds import Feed, FeedsGenerator, feed_base
    from pelican import signals

    kept = []
    signals.all_generators_finalized.connect(kept.append, weak=False)
    try:
        build_site(SAMPLE_CONTENT, tmp_path / "site")
    finally:
        signals.all_generators_finalized.disconnect(kept.append)
    feeds = next(g for g in kept[0] if isinstance(g, FeedsGenerator))
    base, authority = feed_base(feeds.settings), feeds.settings["LANTOA_FEED_AUTHORITY"]
    profiles = sorted(feeds.listed["feeds/"], key=lambda p: p.slug)
    titles = ["Xã Tà Xùa", 'Lĩnh vực "Kinh tế" & <xã hội> > 1', "a\tb", "dòng\nmới", "\ue000", "\ue003",
              "<!--<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "ảnh \"a#b\".jpg"]
    folders = [("dia-phuong/son-la/ta-xua/", "dia-phuong/son-la/ta-xua/"), ("a b/", "a b/"),
               ("/tuyet-doi/", "/tuyet-doi/"), ("x&y/", "z\"w/"), ("a#b/", "c\"#d/"), ("", "")]
    for title in titles:
        for folder, page in folders:
            for listed in ([], profiles[:1], profiles):
                feed = Feed(title, folder, page)
                for kind in ("rss", "atom"):
                    written = feeds._written(feeds._shell(feed, kind, listed, base, authority), kind, [])
                    assert feeds._empty_document(feed, kind, listed, base, authority) == written, \
                        (title, folder, kind, len(listed))


def test_entries_put_into_feeds_give_what_feedgen_writes_whole(tmp_path: Path):
    """Each entry is serialised once and spliced into every feed: the bytes are feedgen's own."""
    from lantoa.state import CONTEXT_KEY
    from lantoa_feeds import FeedsGenerator, feed_base, restore_link_attributes
    from pelican import signals

    kept = []
    signals.all_generators_finalized.connect(kept.append, weak=False)
    try:
        output = build_site(SAMPLE_CONTENT, tmp_path / "site")
    finally:
        signals.all_generators_finalized.disconnect(kept.append)
    feeds = next(g for g in kept[0] if isinstance(g, FeedsGenerator))
    state = feeds.context[CONTEXT_KEY]
    base, authority = feed_base(feeds.settings), feeds.settings["LANTOA_FEED_AUTHORITY"]
    compared = 0
    for feed in feeds.context["feeds"]:
        profiles = sorted(feeds.listed[feed.folder], key=lambda p: (-p.date.timestamp(), p.slug))[:50]
        entries = [feeds._entry(state, p, base, authority) for p in profiles]
        for kind in ("rss", "atom"):
            generator = feeds._shell(feed, kind, profiles, base, authority)
            for entry in entries:
                generator.add_entry(entry, order="append")
            # As feedgen writes it, its links mended (`restore_link_attributes`).
            whole = (generator.rss_str(pretty=True) if kind == "rss"
                     else restore_link_attributes(generator.atom_str(pretty=True), entries))
            assert (output / getattr(feed, kind)).read_bytes() == whole, getattr(feed, kind)
            compared += bool(entries)
    assert compared > 200
