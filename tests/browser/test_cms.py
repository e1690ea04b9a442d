"""The browser editor at /quan-tri/ against the local repository, as an editor uses it.

`lantoa serve` runs on a copy of the sample content; Chromium fills Decap's form,
saves, and the tests read what landed in the content folder, what `lantoa check`
says about it, and what the preview site shows.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.browser.conftest import wait_until
from tests.conftest import ROOT, SAMPLE_CONTENT
from tests.integration.test_serve import get, serving, wait_for

SCREENS = Path("/work/screens")
TITLE = "Chi hội Phụ nữ Đức Minh dệt thổ cẩm, giữ nghề truyền thống"
SLUG = "chi-hoi-phu-nu-duc-minh-det-tho-cam-giu-nghe-truyen-thong"
BODY = (
    "Chi hội Phụ nữ thôn 9 vận động chị em đồng bào M'Nông cùng học lại nghề dệt thổ cẩm "
    "của mẹ, của bà, mỗi tuần hai buổi tại nhà văn hóa thôn. Người biết nghề dạy người chưa "
    "biết, hội viên góp khung dệt và sợi, chi hội lo đầu ra cho sản phẩm.\n\n"
    "## Kết quả\n\n"
    "Sau ba năm, 46 chị em thạo nghề, mỗi người có thêm 2 đến 3 triệu đồng mỗi tháng; "
    "sản phẩm thổ cẩm được bày bán tại các điểm du lịch trong tỉnh, nghề truyền thống "
    "của đồng bào được giữ gìn và lan tỏa trong thanh niên.\n"
)


def shot(page, name: str) -> None:
    """Keep a screenshot of the form for people to look at (outside the repository)."""
    if SCREENS.is_dir():
        page.screenshot(path=str(SCREENS / name))


@pytest.fixture(scope="module")
def editor_site(tmp_path_factory):
    """`lantoa serve` on a copy of the sample content; yields (base URL, content folder)."""
    base = tmp_path_factory.mktemp("cms")
    content = base / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    with serving(content, base / "site") as url:
        wait_for(lambda: get(f"{url}/quan-tri/config.js"), seconds=120)
        yield url, content


@pytest.fixture
def desk(browser):
    """A laptop-sized window (1366×768), as editors at a district committee have."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield opened
    context.close()
    assert not errors, f"the admin page's policy blocked something: {errors}"


def log_in(page, url: str) -> None:
    page.goto(f"{url}/quan-tri/")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Hồ sơ").first.wait_for()


def choose(page, field: str, text: str) -> None:
    """Pick an option of a select list by typing part of its label, as a person would."""
    page.locator(f'[id^="{field}-field-"]').fill(text)
    page.keyboard.press("Enter")


def publish(page) -> None:
    page.get_by_role("button", name="Công bố", exact=True).click()
    page.get_by_text("Công bố ngay", exact=True).click()


def test_a_new_profile_through_the_form_lands_checked_and_shows_on_the_preview_site(editor_site, desk,
                                                                                    tmp_path: Path):
    url, content = editor_site
    photo = tmp_path / "Thổ cẩm M'Nông.jpg"
    picture = Image.new("RGB", (1200, 800), (180, 70, 40))
    ImageDraw.Draw(picture).rectangle((150, 150, 1050, 650), fill=(30, 80, 150))
    picture.save(photo, quality=85)
    page = desk
    started = time.monotonic()
    log_in(page, url)
    page.goto(f"{url}/quan-tri/#/collections/ho-so/new")
    page.get_by_label("Tên mô hình / điển hình").fill(TITLE)
    page.locator('[id^="nam-field-"]').fill("2021")
    choose(page, "province", "Lâm Đồng")
    choose(page, "province_before", "Đắk Nông")
    page.locator('[id^="district-field-"]').fill("Đắk Mil")
    page.locator('[id^="commune-field-"]').fill("Đức Minh")
    choose(page, "field", "Kinh tế")
    choose(page, "field", "Văn hóa")
    choose(page, "level", "Cấp huyện")
    page.locator('[id^="unit-field-"]').fill("Chi hội Phụ nữ thôn 9, xã Đức Minh")
    page.locator('[id^="date-field-"]').fill("2021-12-15")
    page.get_by_role("button", name="Chọn một hình").click()
    page.locator('input[type="file"]').set_input_files(photo)
    page.get_by_role("button", name="Lấy những cái đã chọn").click()
    page.locator('[id^="image_caption-field-"]').fill("Chị em thôn 9 bên khung dệt")
    page.get_by_label("markdown field").get_by_role("switch").click()  # Markdown, as the file holds it
    text = page.locator('.cms-editor-raw [contenteditable="true"]')
    text.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(BODY)
    shot(page, "cms-new-profile.png")
    publish(page)

    folder = content / "profiles" / "lam-dong" / "2021"
    profile = folder / f"{SLUG}.md"
    wait_for(lambda: profile.is_file(), seconds=30)
    assert (folder / "tho-cam-m-nong.jpg").is_file()
    text = profile.read_text(encoding="utf-8")
    assert text.startswith(f"Title: {TITLE}\nKind: mo-hinh\nYear: 2021\nProvince: Đắk Nông\n"
                           "District: Đắk Mil\nCommune: Đức Minh\nField: kinh-te, van-hoa-xa-hoi\n"
                           "Level: huyen\nUnit: Chi hội Phụ nữ thôn 9, xã Đức Minh\nDate: 2021-12-15\n"
                           "Image: tho-cam-m-nong.jpg\nImage_Caption: Chị em thôn 9 bên khung dệt\n\n")
    assert text.endswith(BODY)

    command = [sys.executable, "-m", "lantoa.cli", "check", "--content", str(content)]
    usage = subprocess.run([*command[:4], "--help"], cwd=ROOT, capture_output=True, text=True).stdout
    strict = ["--strict"] if "--strict" in usage else []  # where check has it; the CI runs it
    check = subprocess.run(command + strict, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stderr
    assert SLUG not in check.stderr  # not even a warning about the new profile
    assert "0 lỗi, 0 cảnh báo" in check.stderr

    page_url = f"{url}/mo-hinh/{SLUG}/"
    html = wait_for(lambda: get(page_url), seconds=120)
    elapsed = time.monotonic() - started
    assert TITLE in html and "Đắk Mil" in html
    sources = re.findall(r'src="(/[^"]*tho-cam-m-nong[^"]*)"', html)
    assert sources, "the profile page shows no photo"
    with urllib.request.urlopen(url + sources[0], timeout=5) as response:
        assert response.headers["Content-Type"].startswith("image/")
    print(f"từ lúc mở trình soạn thảo đến khi hồ sơ hiện trên trang xem trước: {elapsed:.1f} giây")


def test_an_unchanged_profile_is_saved_byte_for_byte(editor_site, desk):
    url, content = editor_site
    profile = content / "profiles" / "lam-dong" / "2023" / "nong-dan-dinh-van-lam-duong.md"
    before = profile.read_bytes()
    stamp = profile.stat().st_mtime_ns
    page = desk
    log_in(page, url)
    page.goto(f"{url}/quan-tri/#/collections/ho-so/entries/lam-dong/2023/nong-dan-dinh-van-lam-duong")
    title = page.get_by_label("Tên mô hình / điển hình")
    title.wait_for()
    wait_until(page, "document.querySelector('[id^=\"province-field-\"]') !== null")
    shot(page, "cms-existing-profile.png")
    # Opening changed nothing (no widget rewrote a value), so Decap offers no save at all ...
    assert page.get_by_text("Thay đổi đã được lưu").is_visible()
    assert page.get_by_role("button", name="Công bố", exact=True).count() == 0
    # ... and a change that does not change the profile (a space after the title) saves
    # the file through the whole format as it was, byte for byte.
    title.press("End")
    title.type(" ")
    publish(page)
    wait_for(lambda: profile.stat().st_mtime_ns != stamp, seconds=30)
    assert profile.read_bytes() == before


def test_every_sample_profile_reads_and_writes_back_byte_for_byte(editor_site, desk):
    url, _ = editor_site
    desk.goto(f"{url}/quan-tri/")
    wait_until(desk, "window.lantoaFormat !== undefined")
    files = sorted(SAMPLE_CONTENT.rglob("profiles/**/*.md"))
    assert len(files) > 40
    for file in files:
        text = file.read_text(encoding="utf-8")
        for variant in (text, text.replace("\n", "\r\n"), "\ufeff" + text):
            again = desk.evaluate("t => lantoaFormat.toFile(lantoaFormat.fromFile(t))", variant)
            assert again == variant, file


def test_a_year_after_this_one_is_refused_by_the_form(editor_site, desk):
    url, content = editor_site
    page = desk
    log_in(page, url)
    page.goto(f"{url}/quan-tri/#/collections/ho-so/new")
    page.get_by_label("Tên mô hình / điển hình").fill("Mô hình của năm chưa tới")
    page.locator('[id^="nam-field-"]').fill("2031")
    choose(page, "province", "Hà Nội")
    choose(page, "field", "Kinh tế")
    choose(page, "level", "Cấp xã")
    page.locator('[id^="unit-field-"]').fill("Hội Nông dân xã")
    publish(page)
    error = page.get_by_text(f"Năm được công nhận phải nằm trong khoảng từ 2009 đến {date.today().year}.")
    error.wait_for(timeout=10_000)
    error.scroll_into_view_if_needed()
    shot(page, "cms-year-refused.png")
    assert not list((content / "profiles").rglob("mo-hinh-cua-nam-chua-toi.md"))


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (768, 1024)])
def test_the_form_fits_a_laptop_and_a_tablet_held_upright(editor_site, browser, width: int, height: int):
    url, _ = editor_site
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    try:
        log_in(page, url)
        page.goto(f"{url}/quan-tri/#/collections/ho-so/entries/lam-dong/2023/nong-dan-dinh-van-lam-duong")
        page.get_by_label("Tên mô hình / điển hình").wait_for()
        page.get_by_label("markdown field").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
        box = page.get_by_label("Tên mô hình / điển hình").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
    finally:
        context.close()
