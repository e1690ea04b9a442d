"""A hostile content folder: every way a contributor or a crash has broken the site.

`write_corpus` writes it into a temporary folder (symlinks to /etc/passwd and a
3 GB sparse file cannot live in git) and returns what `lantoa check` must say
about each file. Scripts in it call `alert()`, so a browser test notices any
that runs.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from PIL import Image

from tests.conftest import DEFAULT_BODY, valid_header, write_profile

XSS = "<img src=x onerror=alert(1)>"
SECRET = "lantoa-hostile-secret-7d1f"
ODD_PROFILE_FILE = 'tep "la" #1 <!--<script>.md'
ODD_PROFILE_TITLE = 'Thẻ "chia sẻ" <!--<script> #1'


@dataclass(frozen=True)
class Case:
    what: str  # the attack or fault, as the closing table names it
    path: str  # content-relative file the problem names
    codes: tuple[str, ...]  # codes `lantoa check` must report for it (empty: accepted)
    published: bool  # whether its profile page exists after a non-strict build


def jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def _profile(content: Path, name: str, body: str = DEFAULT_BODY, **header: str) -> Path:
    return write_profile(content, f"lam-dong/2023/{name}", valid_header(**header), body)


def write_corpus(content: Path, outside: Path) -> list[Case]:
    """Write the corpus under `content` (and bait under `outside`); return the cases."""
    cases: list[Case] = []
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "bi-mat.txt").write_text(SECRET, encoding="utf-8")
    (outside / "anh.jpg").write_bytes(jpeg())
    (outside / "ho-so.md").write_text(SECRET, encoding="utf-8")
    folder = content / "profiles/lam-dong/2023"

    def add(what, name, codes=(), published=True, prefix="profiles/lam-dong/2023/"):
        cases.append(Case(what, prefix + name, tuple(codes), published))

    # 1. Script through a photo's file name.
    quote_name = 'a" onerror="alert(1)" x=".jpg'
    _profile(content, "ten-anh-co-ngoac.md", Image=quote_name)
    (folder / quote_name).write_bytes(jpeg())
    add("Image: a file name holding a quote", "ten-anh-co-ngoac.md")
    body_name = '"><img src=1 onerror=alert(1)>.jpg'
    _profile(content, "anh-trong-bai.md", DEFAULT_BODY + f"\n\n![ảnh]({quote(body_name)})\n")
    (folder / body_name).write_bytes(jpeg())
    add("a body photo whose file name closes the tag", "anh-trong-bai.md")
    odd_name = "ảnh họp dân?#&.jpg"
    _profile(content, "anh-ten-la.md", Image="ảnh%20họp%20dân%3F%23%26.jpg")
    (folder / odd_name).write_bytes(jpeg())
    add("photo names with ?, #, & and spaces", "anh-ten-la.md")
    # A profile's own file name: its slug names its page and its share card.
    _profile(content, ODD_PROFILE_FILE, Title=ODD_PROFILE_TITLE)
    add("a profile file name with a quote, # and <!--<script>", ODD_PROFILE_FILE)

    # 2. Files from outside the content folder.
    (content / "static").mkdir(parents=True, exist_ok=True)
    os.symlink("/etc/passwd", content / "static/passwd.txt")
    add("a static file linking to /etc/passwd", "passwd.txt", ["E006"], prefix="static/")
    os.symlink(outside, content / "static/ngoai")
    add("a static folder linking outside", "ngoai", ["E006"], prefix="static/")
    (content / "pages").mkdir(parents=True, exist_ok=True)
    if Path("/proc/self/environ").exists():
        os.symlink("/proc/self/environ", content / "pages/moi-truong.md")
        add("a page linking to /proc/self/environ", "moi-truong.md", ["E006"], prefix="pages/")
    os.symlink(outside / "bi-mat.txt", content / "pages/bi-mat.md")
    add("a page linking to an outside file", "bi-mat.md", ["E006"], prefix="pages/")
    _profile(content, "anh-la-lien-ket.md", Image="lien-ket.jpg")
    os.symlink(outside / "anh.jpg", folder / "lien-ket.jpg")
    add("a photo that is a link to an outside image", "anh-la-lien-ket.md", ["E040"])
    os.symlink(outside, content / "profiles/lam-dong/ngoai")
    add("a profiles folder linking outside", "ngoai", ["E006"], published=False, prefix="profiles/lam-dong/")
    os.symlink(outside / "ho-so.md", folder / "ho-so-lien-ket.md")
    add("a profile that is a link to an outside file", "ho-so-lien-ket.md", ["E006"], published=False)
    _profile(content, "duong-dan-ra-ngoai.md", Image="../../../../../../etc/passwd")
    add("Image: ../ out of the content folder", "duong-dan-ra-ngoai.md", ["E040"])

    # 5. Hangs and crashes on input.
    (folder / "dau-cach.md").write_text("Title" + " " * 1_000_000 + "\n", encoding="utf-8")
    add("a header key and 1 MB of spaces", "dau-cach.md", ["E002"], published=False)
    (folder / "dau-cach-nho.md").write_text("Title" + " " * 200_000 + "x\n", encoding="utf-8")
    add("a header key and 200 KB of spaces", "dau-cach-nho.md", ["E004"], published=False)
    _profile(content, "ngoac-vuong.md", DEFAULT_BODY + "\n\n" + "[" * 20_000)
    add("a body of 20,000 '['", "ngoac-vuong.md", ["E008"], published=False)
    _profile(content, "ngoac-lien-ket.md", DEFAULT_BODY + "\n\n" + "[](" * 50_000)
    add("150 KB of '[' and ']('", "ngoac-lien-ket.md", ["E008"], published=False)
    nested = "\n".join("    " * depth + "- mục" for depth in range(700))
    _profile(content, "danh-sach-long.md", DEFAULT_BODY + "\n\n" + nested)
    add("a list nested 700 levels", "danh-sach-long.md", ["E008"], published=False)
    _profile(content, "tu-rat-dai.md", DEFAULT_BODY + "\n\n" + "a" * 300 + " " + "đ" * 1000)
    add("a word of 300 letters", "tu-rat-dai.md")
    with open(folder / "rat-lon.md", "wb") as sparse:
        sparse.truncate(3 * 1024**3)
    add("a 3 GB sparse file", "rat-lon.md", ["E002"], published=False)

    # 6. Weaker spots.
    _profile(content, "json-ld.md", Title="Mô hình <!--<script> và </script> khéo")
    add("a title holding <!--<script>", "json-ld.md")
    _profile(content, "cong-thuc.md", Title="=HYPERLINK(\"http://x\",\"bấm\") mô hình",
             Unit="+cmd|' /C calc'!A0", Tags="@SUM(1+1), -2+3")
    add("CSV formula prefixes", "cong-thuc.md")
    _profile(content, "tom-tat.md", Summary=f"Tóm tắt {XSS} & <b>đậm</b>")
    add("an explicit Summary holding markup", "tom-tat.md")
    _profile(content, "tom-tat-tu-bai.md", "Cán bộ &amp; nhân dân dùng 5 &lt; 6 cách. " + DEFAULT_BODY)
    add("a summary taken from a body with entities", "tom-tat-tu-bai.md")
    (content / "pages/gioi-thieu-doc.md").write_text(
        "Title: Trang có mã độc\n\n<script>alert(1)</script>\n\n<p onclick=\"alert(1)\">Nội dung</p>\n\n"
        "[bấm](javascript:alert(1))\n", encoding="utf-8")
    write_profile(content, "lam-dong/2023/CHU HOA.MD", valid_header())
    add("a profile named UPPER CASE.MD", "CHU HOA.MD")
    text = "\n".join(f"{k}: {v}" for k, v in valid_header().items()) + "\n\n" + DEFAULT_BODY
    (folder / "utf-16.md").write_bytes(text.encode("utf-16"))
    add("a UTF-16 file", "utf-16.md", ["W004"])
    lines = text.split("\n")
    lines[3] = "\ufeff" + lines[3]
    (folder / "bom-giua.md").write_text("\n".join(lines), encoding="utf-8")
    add("a BOM at the start of a header line", "bom-giua.md")
    _profile(content, "tieu-de-vo-hinh.md", Title="\u200b\u200c\u200d\u2060")
    add("a title of zero-width characters only", "tieu-de-vo-hinh.md", ["E011"], published=False)
    _profile(content, "dao-chieu.md", Title="Mô hình \u202eđảo chiều chữ")
    add("a title with an unterminated bidi override", "dao-chieu.md")

    # The ordinary defences, kept under test.
    _profile(content, "ma-doc-trong-bai.md", DEFAULT_BODY + "\n\n<script>alert(1)</script>\n\n"
             "<a href=\"javascript:alert(1)\" onmouseover=\"alert(1)\">liên kết</a> <svg onload=alert(1)>\n"
             "<iframe src=\"javascript:alert(1)\"></iframe>\n", Unit=f"Đơn vị {XSS}",
             Image_Caption=XSS, Results=f"Kết quả {XSS}")
    add("script, event handlers, javascript: and markup in header fields", "ma-doc-trong-bai.md")
    return cases
