"""Incremental builds give what a clean build gives, whatever sequence of saves led there.

Hypothesis draws sequences of edits, moves, renames, deletions and additions;
after each one the site is rebuilt the way `lantoa build` does it (a staging
folder, pages kept from the previous site, caches kept, file metadata trusted;
the previous site linked in at once or as late as the build allows), its record
is compared with a listing of the site, and at the end the site is compared byte
for byte with a clean build of the same content from empty caches.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lantoa.build import build_atomic, load_settings
from lantoa.files import RACY_SECONDS
from lantoa.snapshot import SiteFolders
from lantoa.snapshot import current as current_record

from tests.conftest import ROOT, TODAY, linking_when_waited_for, valid_header, write_profile
from tests.hostile.corpus import jpeg

SITEURL = "https://lantoa.example.vn"
PLACES = [  # (folder, Province, District, Commune), each as an editor may write it
    ("lam-dong", "Lâm Đồng", "Lâm Hà", "Đinh Văn"),
    ("lam-dong", "Đắk Nông", "Đắk Mil", None),
    ("ha-noi", "Hà Nội", "Long Biên", "Thạch Bàn"),
    ("gia-lai", "Gia Lai", None, None),
    ("cao-bang", "Cao Bằng", None, None),
]
OPERATIONS = ("edit", "retitle", "year", "move", "rename", "delete", "add", "photo")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, and every folder (as None): a recycled build folder keeps no empty one."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


class Site:
    """A content folder edited step by step, built incrementally after each step."""

    def __init__(self, base: Path, late_linking: bool = False, seeded: bool = True, aged: bool = False):
        self.base = base
        self.late_linking = late_linking  # the previous site linked in when the page cache waits
        # Each save dated a minute back, each at a time of its own: old enough for a build to
        # trust and record what it was made from (a save right before a build never is).
        self.aged = aged
        self.saves = 0
        self.content = base / "content"
        self.files: list[Path] = []
        self.made = 0
        if seeded:
            for _ in range(5):
                self.add()
            self.add(photo=True)

    def build(self, output: Path, cache: Path) -> dict[str, bytes]:
        configured = load_settings(ROOT / "pelicanconf.py", self.content, output, siteurl=SITEURL,
                                   cache=cache)
        configured["LANTOA_TODAY"] = TODAY
        configured["LANTOA_PER_PAGE"] = 2  # listings of several pages, each kept or made on its own
        if self.aged:
            self.date_saves_back()
        newest = max(p.stat().st_mtime_ns for p in self.content.rglob("*") if p.is_file())
        before = time.time_ns()
        with linking_when_waited_for() if self.late_linking else nullcontext():
            build_atomic(configured)
        after = time.time_ns()
        # The site's record, made from what the build changed when it recycled a folder, is
        # what listing the whole site gives: the next build trusts it to do nothing. There is
        # none when a save is too recent for the build's walk (taken between `before` and
        # `after`) to trust: a save in a test is recent unless dated back, yet a build that
        # starts late on a loaded machine may find it old enough.
        record = current_record(configured)
        if newest > after - RACY_SECONDS * 10**9:
            assert record is None
        if newest <= before - RACY_SECONDS * 10**9:
            assert record is not None
        assert self.aged <= (record is not None)
        assert record is None or record["folders"] == SiteFolders(str(output)).listing()
        return snapshot(output)

    def date_saves_back(self) -> None:
        now = time.time_ns()
        for path in sorted(self.content.rglob("*")):
            if path.is_file() and path.stat().st_mtime_ns > now - 30 * 10**9:
                self.saves += 1
                dated = now - 60 * 10**9 + self.saves * 1000
                os.utime(path, ns=(dated, dated))

    def header(self, path: Path) -> dict[str, str]:
        lines = path.read_text(encoding="utf-8").split("\n\n", 1)[0].splitlines()
        return dict(line.split(": ", 1) for line in lines)

    def write(self, path: Path, header: dict[str, str], body: str | None = None) -> None:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        rest = body if body is not None else (text.split("\n\n", 1)[1] if "\n\n" in text else "")
        path.write_text("\n".join(f"{k}: {v}" for k, v in header.items()) + "\n\n" + rest, encoding="utf-8")

    def add(self, photo: bool = False) -> None:
        self.made += 1
        folder, province, district, commune = PLACES[self.made % len(PLACES)]
        year = 2015 + self.made % 10
        header = valid_header(Title=f"Mô hình thứ {self.made}", Year=str(year),
                              Date=f"{year}-0{1 + self.made % 9}-1{self.made % 9}", Province=province,
                              District=district, Commune=commune,
                              Kind="mo-hinh" if self.made % 3 else "dien-hinh", Person=None,
                              Image="anh.jpg" if photo else None)
        path = write_profile(self.content, f"{folder}/{year}/ho-so-{self.made}.md", header)
        if photo:
            (path.parent / "anh.jpg").write_bytes(jpeg((1400, 900)))
        self.files.append(path)

    def apply(self, operation: str, number: int) -> None:
        if operation == "add" or not self.files:
            self.add()
            return
        path = self.files[number % len(self.files)]
        header = self.header(path)
        if operation == "edit":
            body = path.read_text(encoding="utf-8").split("\n\n", 1)[1]
            self.write(path, header, body + f"\nCâu thêm {number}.\n")
        elif operation == "retitle":
            self.write(path, {**header, "Title": f"{header['Title']} (sửa {number})"})
        elif operation == "year":
            year = 2012 + number % 13
            self.write(path, {**header, "Year": str(year), "Date": f"{year}-06-0{1 + number % 9}"})
        elif operation == "move":  # another province, and the file goes to its folder
            folder, province, district, commune = PLACES[number % len(PLACES)]
            moved = {k: v for k, v in {**header, "Province": province, "District": district,
                                       "Commune": commune}.items() if v is not None}
            target = self.content / "profiles" / folder / header["Year"] / path.name
            self.relocate(path, target)
            self.write(target, moved)
        elif operation == "rename":  # a new file name is a new address
            self.relocate(path, path.with_name(f"doi-ten-{self.made}-{number}.md"))
            self.made += 1
        elif operation == "delete":
            path.unlink()
            self.files.remove(path)
        elif operation == "photo":  # a new photo, or the same name with other bytes
            image = header.get("Image") or f"anh-{number}.jpg"
            (path.parent / image).write_bytes(jpeg((1200 + number % 7 * 10, 900)))
            self.write(path, {**header, "Image": image})

    def relocate(self, path: Path, target: Path) -> None:
        if target == path or target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        if "Image: " in text:  # the photo goes along with its profile
            image = re.search(r"^Image: (.*)$", text, re.M).group(1)
            if (path.parent / image).exists() and not (target.parent / image).exists():
                shutil.copyfile(path.parent / image, target.parent / image)
        path.rename(target)
        self.files[self.files.index(path)] = target


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 1000)), min_size=1, max_size=5),
       st.booleans(), st.booleans())
def test_saves_then_rebuilds_give_what_a_clean_build_gives(steps, late_linking, aged):
    base = Path(tempfile.mkdtemp(prefix="lantoa-incremental-"))
    try:
        site = Site(base, late_linking, aged=aged)
        output, cache = base / "site", base / "cache"
        site.build(output, cache)
        for operation, number in steps:
            site.apply(operation, number)
            built = site.build(output, cache)
        clean = site.build(base / "clean", base / "clean-cache")
        assert built.keys() == clean.keys(), sorted(built.keys() ^ clean.keys())[:10]
        assert [name for name in built if built[name] != clean[name]] == []
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_a_profile_moved_between_two_others_becomes_their_neighbour(tmp_path):
    """Pages whose neighbours change while none of the profiles they showed did: a profile
    moves into a province between two others, then becomes its newest. Their pages show it
    as a clean build does (with no field in common, it is in no related list to give it away)."""
    site = Site(tmp_path, seeded=False)
    here = {"Province": "Lâm Đồng", "District": "Lâm Hà", "Commune": "Đinh Văn", "Field": "kinh-te"}
    for slug, title, day in (("moi-hon", "Mô hình mới hơn", "2023-03-01"),
                             ("cu-hon", "Mô hình cũ hơn", "2023-01-01")):
        write_profile(site.content, f"lam-dong/2023/{slug}.md", valid_header(Title=title, Date=day, **here))
    moving = write_profile(site.content, "gia-lai/2023/chuyen-den.md", valid_header(
        Title="Mô hình chuyển đến", Date="2023-02-01", Province="Gia Lai", District=None, Commune=None,
        Field="van-hoa-xa-hoi"))
    output, cache = tmp_path / "site", tmp_path / "cache"
    site.build(output, cache)
    arrived = site.content / "profiles/lam-dong/2023/chuyen-den.md"
    site.files = [moving]
    site.relocate(moving, arrived)
    site.write(arrived, {**site.header(arrived), **{k: v for k, v in here.items() if k != "Field"}})
    built = site.build(output, cache)
    assert "mo-hinh/chuyen-den/" in built["mo-hinh/moi-hon/index.html"].decode()
    site.write(arrived, {**site.header(arrived), "Date": "2023-04-01"})
    built = site.build(output, cache)
    clean = site.build(tmp_path / "clean", tmp_path / "clean-cache")
    assert built.keys() == clean.keys()
    assert [name for name in built if built[name] != clean[name]] == []


def test_an_edit_makes_only_the_listing_pages_that_show_the_profile(tmp_path, monkeypatch):
    """A listing whose term, members and map are the previous build's keeps every page that
    shows no changed profile without making it; a kept page damaged since is made again."""
    from lantoa.output import PageCache

    site = Site(tmp_path)
    for _ in range(6):
        site.add()
    output, cache = tmp_path / "site", tmp_path / "cache"
    before = site.build(output, cache)
    all_pages = sorted(name for name in before if re.fullmatch(r"ho-so/(trang/\d+/)?index\.html", name))
    assert len(all_pages) >= 5
    edited = site.files[7 % len(site.files)]  # the profile `apply("edit", 7)` edits
    showing = [name for name in all_pages if f"/{edited.stem}/" in before[name].decode()]
    assert len(showing) == 1
    damaged = next(name for name in all_pages if name not in showing)
    (output / damaged).write_text(before[damaged].decode().replace("<h1>", "<h1>HỎNG "), encoding="utf-8")
    looked_at: list[str] = []
    stale = PageCache.stale

    def spied(self, name, *args, **kwargs):
        looked_at.append(name)
        return stale(self, name, *args, **kwargs)

    monkeypatch.setattr(PageCache, "stale", spied)
    inodes = {name: (output / name).stat().st_ino for name in all_pages}
    site.apply("edit", 7)
    built = site.build(output, cache)
    assert sorted(n for n in looked_at if n in all_pages) == sorted([*showing, damaged])
    assert "HỎNG" not in built[damaged].decode()
    assert [n for n in all_pages if n not in (*showing, damaged)
            and (output / n).stat().st_ino != inodes[n]] == []
    clean = site.build(tmp_path / "clean", tmp_path / "clean-cache")
    assert [name for name in clean if built.get(name) != clean[name]] == []


def test_listings_and_feeds_are_signed_again_only_when_a_term_gains_or_loses_a_profile(tmp_path, monkeypatch):
    """While every term has the profiles, in the order, it had, listings and feeds take the
    previous build's signatures; a move to another province signs them all again. Either
    way the site is what a clean build makes."""
    import lantoa_facets
    from lantoa.state import BuildState

    site = Site(tmp_path)
    output, cache = tmp_path / "site", tmp_path / "cache"
    site.build(output, cache)
    signed: list[str] = []
    digest = BuildState.urls_digest

    def spied(self, profiles):
        signed.append(str(len(profiles)))
        return digest(self, profiles)

    monkeypatch.setattr(BuildState, "urls_digest", spied)
    states: list[BuildState] = []
    make = lantoa_facets.build_state
    monkeypatch.setattr(lantoa_facets, "build_state", lambda *a: states.append(make(*a)) or states[-1])
    for operation, number, as_before in (("edit", 1, True), ("retitle", 2, True), ("move", 3, False),
                                         ("edit", 4, True)):
        signed.clear()
        states.clear()
        before = dict(site.build(output, cache))
        site.apply(operation, number)
        built = site.build(output, cache)
        assert built != before
        assert states[-1].structure_as_before is as_before, operation
        assert (signed == []) is as_before, operation  # no term's URLs hashed again
    clean = site.build(tmp_path / "clean", tmp_path / "clean-cache")
    assert [name for name in clean if built.get(name) != clean[name]] == []


def test_another_gazetteer_signs_every_listing_again(tmp_path, monkeypatch):
    """Terms made under another gazetteer may be titled otherwise though every profile keeps
    its terms' keys: the structure is not the previous build's, and no signature is reused."""
    import lantoa.state
    import lantoa_facets
    from lantoa.state import BuildState

    site = Site(tmp_path)
    output, cache = tmp_path / "site", tmp_path / "cache"
    site.build(output, cache)
    states: list[BuildState] = []
    make = lantoa_facets.build_state
    monkeypatch.setattr(lantoa_facets, "build_state", lambda *a: states.append(make(*a)) or states[-1])
    monkeypatch.setattr(lantoa.state, "gazetteer_version", lambda: "another release of the datasets")
    site.apply("edit", 1)
    site.build(output, cache)
    assert states and states[-1].structure_as_before is False


def test_the_first_photo_of_a_site_is_in_the_record_of_the_build_that_publishes_it(tmp_path):
    # Photos are linked into the site beside the page cache, in folders of their own; the
    # first of them lands in `anh/`, which the share cards' folder alone held before.
    site = Site(tmp_path, seeded=False, aged=True)
    for _ in range(3):
        site.add()
    output, cache = tmp_path / "site", tmp_path / "cache"
    for _ in range(3):  # the third build recycles the first one's folder, with its record
        site.apply("edit", 1)
        site.build(output, cache)
    site.apply("photo", 0)
    built = site.build(output, cache)  # checks the record against a listing of the site
    assert any(name.startswith("anh/") and name.endswith(".jpg") and "the-chia-se" not in name
               for name in built)
