"""A facet is one declaration: the featured flag gets its listing, feeds, open-data column
and fact-box-free profile pages from `lantoa.facets.FACETS` alone; plugins share one
typed, frozen build state and say clearly when a plugin they need is missing."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import feedparser
import pytest
from lantoa.facets import FACETS
from lantoa.state import BuildState, PluginOrderError, require_plugins

from tests.conftest import build_site, valid_header, write_profile


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("featured")
    content = root / "content"
    write_profile(content, "lam-dong/2023/noi-bat.md", valid_header(Title="Mô hình được chọn nổi bật",
                                                                   **{"Nổi bật": "có"}))
    write_profile(content, "lam-dong/2023/thuong.md", valid_header(Title="Mô hình bình thường"))
    return build_site(content, root / "output")


def test_the_featured_flag_gets_a_listing_with_only_featured_profiles(site: Path):
    page = (site / "noi-bat" / "index.html").read_text(encoding="utf-8")
    assert "Mô hình được chọn nổi bật" in page
    assert "Mô hình bình thường" not in page


def test_the_featured_listing_has_feeds_that_parse(site: Path):
    for name in ("rss.xml", "atom.xml"):
        feed = feedparser.parse((site / "noi-bat" / name).read_bytes())
        assert not feed.bozo, feed.bozo_exception
        assert [e.title for e in feed.entries] == ["Mô hình được chọn nổi bật"]


def test_the_featured_flag_is_an_open_data_column(site: Path):
    data = json.loads((site / "du-lieu" / "ho-so.json").read_text(encoding="utf-8"))
    assert "featured" in data["columns"]
    assert {p["title"]: p["featured"] for p in data["profiles"]} == {
        "Mô hình được chọn nổi bật": True, "Mô hình bình thường": False}
    rows = list(csv.DictReader(io.StringIO((site / "du-lieu" / "ho-so.csv").read_text(encoding="utf-8-sig"))))
    assert sorted(row["featured"] for row in rows) == ["False", "True"]


def test_the_featured_listing_is_in_the_sitemap(site: Path):
    assert "/noi-bat/</loc>" in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_every_term_page_of_every_declared_facet_exists(site: Path):
    from lantoa.facets import every_term
    for term in every_term(FACETS):
        assert (site / term.url / "index.html").is_file(), term.url
        assert (site / term.url / "atom.xml").is_file(), term.url


def test_the_build_state_cannot_be_changed_in_place():
    assert dataclasses.fields(BuildState)
    assert BuildState.__dataclass_params__.frozen


def test_a_plugin_listed_before_the_one_it_needs_is_named_in_the_message():
    settings = {"PLUGINS": ["lantoa_feeds", "lantoa_profiles"]}
    with pytest.raises(PluginOrderError, match="lantoa_feeds cần plugin lantoa_profiles"):
        require_plugins(settings, "lantoa_feeds", ("lantoa_profiles",))
    require_plugins({"PLUGINS": ["lantoa_profiles", "lantoa_feeds"]}, "lantoa_feeds", ("lantoa_profiles",))


def test_the_portals_guide_documents_every_feed_that_always_answers_and_every_column():
    from lantoa_opendata import COLUMNS

    guide = (Path(__file__).resolve().parents[2] / "docs" / "portals.md").read_text(encoding="utf-8")
    for facet in FACETS:
        if facet.every_term:
            term = next(iter(facet.every_term()))
            folder = term.url.split("/")[0]
            assert f"/{folder}/" in guide, (facet.name, folder)
    for column in COLUMNS:
        assert f"| `{column}` |" in guide, column
