"""The hostile corpus: every file reported with its code, in bounded time, nothing
executable or outside published."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from tests.conftest import valid_header, write_profile
from tests.hostile.corpus import ODD_PROFILE_TITLE, SECRET, XSS, jpeg, write_corpus
from tests.integration.test_foundation import run_cli


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    content = base / "content"
    cases = write_corpus(content, base / "ngoai")
    return base, content, cases


@pytest.fixture(scope="module")
def hostile_site(corpus):
    base, content, _cases = corpus
    output = base / "site"
    built = run_cli("build", "--content", str(content), "--output", str(output))
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    return output, built.stderr


DATA_BLOCK = r"<script type=\"application/(?:ld\+)?json\"[^>]*>(.*?)</script>"


class Executable(HTMLParser):
    """Fails on anything a browser could run: handlers, javascript: URLs, foreign scripts."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            assert not name.startswith("on"), (self.path, tag, name, value)
            assert not (value or "").strip().lower().startswith("javascript:"), (self.path, tag, value)
        if tag == "script":
            kind, src = dict(attrs).get("type"), dict(attrs).get("src") or ""
            data_block = kind in ("application/ld+json", "application/json")
            # The editor at /quan-tri/ loads its own files (tests/integration/test_cms_build.py).
            editor = self.path.parent.name == "quan-tri" and src in {"config.js", "decap-cms.js",
                                                                     "lantoa-cms.js"}
            assert data_block or "/theme/js/" in src or editor, (self.path, attrs)
        assert tag not in ("iframe", "object", "embed"), (self.path, tag)


def test_check_reports_every_case_with_its_file_in_bounded_time(corpus):
    _base, content, cases = corpus
    started = time.perf_counter()
    result = run_cli("check", "--content", str(content))
    elapsed = time.perf_counter() - started
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    # A guard against quadratic blow-ups (minutes), not a speed measurement: generous
    # enough for a loaded 2-core machine.
    assert elapsed < 30, f"lantoa check took {elapsed:.1f} s on the hostile corpus"
    lines = result.stderr.splitlines()
    for case in cases:
        for code in case.codes:
            assert any(line.startswith(case.path) and f"[{code}]" in line for line in lines), (
                case.what, case.path, code, result.stderr[-3000:])


def test_strict_build_refuses_and_names_every_error(corpus, tmp_path):
    _base, content, cases = corpus
    output = tmp_path / "site"
    result = run_cli("build", "--content", str(content), "--output", str(output), "--strict")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert not output.exists()
    for case in cases:
        if any(code.startswith("E") for code in case.codes):
            assert case.path in result.stderr, case.what


def test_non_strict_build_publishes_every_valid_profile(corpus, hostile_site):
    _base, _content, cases = corpus
    output, _log = hostile_site
    for case in cases:
        if not case.path.startswith("profiles/"):
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", Path(case.path).stem.lower()).strip("-")
        page = output / "mo-hinh" / slug / "index.html"
        assert page.is_file() == case.published, (case.what, page)


def test_nothing_from_outside_the_content_folder_is_published(hostile_site):
    output, _log = hostile_site
    for path in output.rglob("*"):
        if path.is_symlink():
            pytest.fail(f"published a link: {path}")
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data, path
            assert b"root:x:0:0" not in data, path
    assert not (output / "static/passwd.txt").exists()
    assert not (output / "moi-truong").exists() and not (output / "bi-mat").exists()


def test_no_markup_from_content_reaches_pages_feeds_or_json_unescaped(hostile_site):
    output, _log = hostile_site
    for path in output.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert XSS not in html, path
        Executable(path).feed(html)
        for block in re.findall(DATA_BLOCK, html, re.S):
            assert "<" not in block, path
            json.loads(block)
    for feed in output.rglob("*.xml"):
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo, (feed, parsed.get("bozo_exception"))
    rss = (output / "feeds/rss.xml").read_text(encoding="utf-8")
    # The plain summary is escaped twice in RSS: readers unescape once and show text.
    assert "&lt;img src=x onerror" not in rss.split("<description>Tóm tắt")[1].split("</description>")[0]
    atom = feedparser.parse((output / "feeds/atom.xml").read_bytes())
    summaries = [entry.summary for entry in atom.entries]
    assert "Tóm tắt <img src=x onerror=alert(1)> & <b>đậm</b>" in summaries
    assert not any("&amp;" in s or "&lt;" in s for s in summaries)


def test_open_data_neutralises_formulas_and_carries_plain_text(hostile_site):
    output, _log = hostile_site
    rows = list(csv.DictReader(io.StringIO((output / "du-lieu/ho-so.csv").read_text(encoding="utf-8-sig"))))
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(("=", "+", "-", "@")), (column, value)
    formula = next(r for r in rows if r["slug"] == "cong-thuc")
    assert formula["title"].startswith("'=HYPERLINK")
    data = json.loads((output / "du-lieu/ho-so.json").read_text(encoding="utf-8"))
    by_slug = {p["slug"]: p for p in data["profiles"]}
    assert by_slug["cong-thuc"]["title"].startswith("=HYPERLINK")  # JSON keeps values exactly
    assert by_slug["tom-tat-tu-bai"]["summary"].startswith("Cán bộ & nhân dân dùng 5 < 6 cách.")


def test_photo_urls_are_percent_encoded(hostile_site):
    output, _log = hostile_site
    cases = {
        "ten-anh-co-ngoac": "/anh/lam-dong/2023/a%22%20onerror%3D%22alert%281%29%22%20x%3D%22/",
        "anh-trong-bai": "/anh/lam-dong/2023/%22%3E%3Cimg%20src%3D1%20onerror%3Dalert%281%29%3E/",
        "anh-ten-la": "/anh/lam-dong/2023/%E1%BA%A3nh%20h%E1%BB%8Dp%20d%C3%A2n%3F%23%26/",
    }
    for slug, folder in cases.items():
        html = (output / f"mo-hinh/{slug}/index.html").read_text(encoding="utf-8")
        assert f'src="https://lantoa.example.vn{folder}' in html, slug
        assert "<picture>" in html, slug
    for folder in (output / "anh/lam-dong/2023").iterdir():
        assert any(folder.glob("*.jpg")), folder


class Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and (found.get("property") or found.get("name")):
            self.values[found.get("property") or found.get("name") or ""] = found.get("content") or ""


def test_titles_with_quotes_and_script_survive_attributes_and_json_ld_intact(hostile_site):
    output, _log = hostile_site
    for slug, title in (("cong-thuc", '=HYPERLINK("http://x","bấm") mô hình'),
                        ("json-ld", "Mô hình <!--<script> và </script> khéo")):
        html = (output / f"mo-hinh/{slug}/index.html").read_text(encoding="utf-8")
        meta = Meta()
        meta.feed(html)
        assert meta.values["og:title"].startswith(title), slug
        block = re.search(DATA_BLOCK, html, re.S)
        assert block and json.loads(block.group(1))["headline"] == title, slug


def test_a_profile_file_named_with_a_quote_and_a_hash_gets_a_plain_card_url(hostile_site):
    # The share card's file is named by the profile's slug: ASCII, whatever the file name.
    output, _log = hostile_site
    html = (output / "mo-hinh/tep-la-1-script/index.html").read_text(encoding="utf-8")
    card = "https://lantoa.example.vn/anh/the-chia-se/mo-hinh-tep-la-1-script.png"
    meta = Meta()
    meta.feed(html)
    assert meta.values["og:image"] == meta.values["twitter:image"] == card
    assert meta.values["og:image:alt"] == ODD_PROFILE_TITLE  # the quote and the comment, as text
    assert json.loads(re.search(DATA_BLOCK, html, re.S).group(1))["image"] == card
    assert (output / card.removeprefix("https://lantoa.example.vn/")).read_bytes().startswith(b"\x89PNG")


def test_pages_are_sanitised(hostile_site):
    output, _log = hostile_site
    html = (output / "trang-co-ma-doc/index.html").read_text(encoding="utf-8")
    assert "Nội dung" in html
    assert "<script>alert" not in html and "onclick" not in html and "javascript:" not in html


def test_a_photo_swapped_for_a_link_is_refused_with_a_warm_cache(tmp_path):
    content, output = tmp_path / "content", tmp_path / "site"
    profile = write_profile(content, "lam-dong/2023/co-anh.md", valid_header(Image="anh.jpg"))
    (profile.parent / "anh.jpg").write_bytes(jpeg((900, 600)))
    first = run_cli("build", "--content", str(content), "--output", str(output))
    assert first.returncode == 0, first.stderr
    assert list(output.glob("anh/lam-dong/2023/anh/*.jpg"))
    outside = tmp_path / "ngoai.jpg"
    outside.write_bytes(jpeg((901, 600)) + SECRET.encode())
    (profile.parent / "anh.jpg").unlink()
    (profile.parent / "anh.jpg").symlink_to(outside)
    second = run_cli("build", "--content", str(content), "--output", str(output))
    assert second.returncode == 0, second.stderr
    assert "co-anh.md:" in second.stderr and "[E040]" in second.stderr
    assert (output / "mo-hinh/co-anh/index.html").is_file()
    assert not list(output.glob("anh/lam-dong/2023/anh/*"))
    assert all(SECRET.encode() not in p.read_bytes() for p in output.rglob("*") if p.is_file())
