"""The profile header, declared once: every key, its names, and how its value is read.

`HEADER` is the single list of header keys. The reader's known and required
keys, its messages, the value parsers, the open-data columns, the editor's
guide (checked by a test), `lantoa new`, the spreadsheet import and the browser
editor's configuration all come from it. A key is written in English
(`Province`) or in Vietnamese (`Tỉnh`, `Tinh`, `TỈNH/THÀNH PHỐ`): names are
compared by their ASCII slug, so diacritics, case, spaces, `_` and `-` do not
matter.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .model import Field, Kind, Level, Status
from .text import slugify

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_YEAR = 2009  # the movement's launch


class ParseContext:
    """What a value parser may use: today's date, and a way to report a problem."""

    def __init__(self, today: date, fail: Callable[[str, str, str], None]):
        self.today = today
        self.fail = fail  # (code, message, hint)


Parser = Callable[[str, ParseContext], Any]


@dataclass(frozen=True)
class HeaderKey:
    """One header key: `Title:`/`Tiêu đề:` → `Profile.title`."""

    name: str  # canonical, lowercase: "image_caption"
    vietnamese: str  # the Vietnamese name editors see first: "Chú thích ảnh"
    label: str  # what the value is, in messages: "chú thích ảnh"
    aliases: tuple[str, ...] = ()  # more accepted names, any case, with or without marks
    required: bool = False
    parse: Parser | None = None  # None: the text as written; a parser returns None on a problem
    values: str = ""  # the allowed values, for the guide, `lantoa new` and the import
    example: str = ""
    column: str | None = None  # its open-data column, when it has one of its own
    multiple: bool = False  # several values (a list in the CMS and the open data)
    sheet: str = ""  # its column heading in the import template workbook; "" when not a column
    published: bool = True  # False: kept in the file for editors, never shown on the site

    @property
    def written(self) -> str:
        """The English key as written in a file: "Image_Caption"."""
        return "_".join(part.capitalize() for part in self.name.split("_"))

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.vietnamese, *self.aliases)


def _choice(table: dict[str, Any], code: str, what: str) -> Parser:
    canonical = sorted({getattr(v, "value", str(v)) for v in table.values()})

    def parse(value: str, ctx: ParseContext) -> Any:
        found = table.get(slugify(value))
        if found is None:
            near = difflib.get_close_matches(slugify(value), list(table), n=1)
            hint = f"có phải '{getattr(table[near[0]], 'value', near[0])}'? " if near else ""
            ctx.fail(code, f"{what} '{value}' không hợp lệ", hint + "dùng một trong: " + ", ".join(canonical))
        return found
    return parse


KIND_VALUES: dict[str, Kind] = {
    "mo-hinh": Kind.MO_HINH, "model": Kind.MO_HINH,
    "dien-hinh": Kind.DIEN_HINH, "individual": Kind.DIEN_HINH, "collective": Kind.DIEN_HINH,
    "ca-nhan": Kind.DIEN_HINH, "tap-the": Kind.DIEN_HINH,
    "ca-nhan-dien-hinh": Kind.DIEN_HINH, "tap-the-dien-hinh": Kind.DIEN_HINH,
}
FIELD_VALUES: dict[str, Field] = {f.value: f for f in Field} | {slugify(f.label): f for f in Field} | {
    "van-hoa": Field.VAN_HOA_XA_HOI, "xa-hoi": Field.VAN_HOA_XA_HOI,
    "quoc-phong": Field.QUOC_PHONG_AN_NINH, "an-ninh": Field.QUOC_PHONG_AN_NINH,
    "xay-dung-dang-he-thong-chinh-tri": Field.XAY_DUNG_HE_THONG_CHINH_TRI,
    "he-thong-chinh-tri": Field.XAY_DUNG_HE_THONG_CHINH_TRI,
    "xay-dung-dang": Field.XAY_DUNG_HE_THONG_CHINH_TRI,
    "xay-dung-he-thong-chinh-tri": Field.XAY_DUNG_HE_THONG_CHINH_TRI,
}
LEVEL_VALUES: dict[str, Level] = {lv.value: lv for lv in Level} | {f"cap-{lv.value}": lv for lv in Level}
STATUS_VALUES: dict[str, Status] = {s.value: s for s in Status} | {
    "da-dang": Status.PUBLISHED, "cong-khai": Status.PUBLISHED,
    "nhap": Status.DRAFT, "ban-nhap": Status.DRAFT, "an": Status.HIDDEN,
}
YES_NO: dict[str, bool] = {
    "yes": True, "true": True, "1": True, "co": True, "x": True,
    "no": False, "false": False, "0": False, "khong": False,
}

parse_kind = _choice(KIND_VALUES, "E012", "loại")
parse_level = _choice(LEVEL_VALUES, "E014", "cấp")
parse_status = _choice(STATUS_VALUES, "E019", "trạng thái")
_parse_yes_no = _choice(YES_NO, "E023", "giá trị có/không")


def split_list(value: str, separators: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(f"[{separators}]", value) if part.strip())


def parse_fields(value: str, ctx: ParseContext) -> tuple[Field, ...] | None:
    fields: list[Field] = []
    bad = False
    for part in split_list(value, ",;"):
        found = FIELD_VALUES.get(slugify(part))
        if found is None:
            bad = True
            near = difflib.get_close_matches(slugify(part), list(FIELD_VALUES), n=1)
            ctx.fail("E013", f"lĩnh vực '{part}' không hợp lệ",
                     (f"có phải '{FIELD_VALUES[near[0]].value}'? " if near else "")
                     + "dùng: " + ", ".join(f.value for f in Field))
        elif found not in fields:
            fields.append(found)
    return None if bad or not fields else tuple(fields)


def parse_year(value: str, ctx: ParseContext) -> int | None:
    if re.fullmatch(r"[0-9]{4}", value) and FIRST_YEAR <= int(value) <= ctx.today.year:
        return int(value)
    ctx.fail("E015", f"năm '{value}' không hợp lệ",
             f"ghi năm công nhận gồm 4 chữ số, từ {FIRST_YEAR} đến {ctx.today.year}")
    return None


def parse_period(value: str, ctx: ParseContext) -> str | None:
    if not re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{4})", value):
        ctx.fail("E017", f"giai đoạn '{value}' không đúng dạng", "ví dụ: 2021-2025")
        return None
    return value.replace(" ", "").replace("–", "-")


def parse_datetime(value: str, ctx: ParseContext) -> datetime | None:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.combine(date.fromisoformat(value), time(), VIETNAM_TZ)
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        ctx.fail("E021", f"ngày '{value}' không đúng định dạng",
                 "viết theo dạng năm-tháng-ngày, ví dụ 2024-05-19 hoặc 2024-05-19 08:30")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VIETNAM_TZ)


def parse_sources(value: str, ctx: ParseContext) -> tuple[str, ...]:
    sources = split_list(value, " ,;\n")
    for url in sources:
        if urlsplit(url).scheme not in ("http", "https"):
            ctx.fail("E020", f"nguồn '{url}' không phải địa chỉ web", "ghi địa chỉ đầy đủ bắt đầu bằng https://")
    return sources


def parse_featured(value: str, ctx: ParseContext) -> bool | None:
    return _parse_yes_no(value, ctx)


HEADER: tuple[HeaderKey, ...] = (
    HeaderKey("title", "Tiêu đề", "tên mô hình/điển hình",
              ("Tên", "Tên mô hình", "Tên điển hình", "Tên mô hình, điển hình", "Tên mô hình/điển hình"),
              required=True, values="chữ tự do",
              example="Nông dân Đinh Văn chung sức làm đường giao thông nông thôn", column="title",
              sheet="Tên mô hình, điển hình"),
    HeaderKey("kind", "Loại", "loại", ("Loại hình",), required=True, parse=parse_kind,
              values="`mo-hinh` (mô hình, cách làm) hoặc `dien-hinh` (cá nhân, tập thể điển hình)",
              example="mo-hinh", column="kind", sheet="Loại"),
    HeaderKey("year", "Năm", "năm công nhận", ("Năm công nhận",), required=True, parse=parse_year,
              values=f"4 chữ số, từ {FIRST_YEAR} đến năm nay", example="2023", column="year",
              sheet="Năm công nhận"),
    HeaderKey("period", "Giai đoạn", "giai đoạn", parse=parse_period, values="ví dụ `2021-2025`",
              column="period"),
    HeaderKey("province", "Tỉnh", "tỉnh/thành phố", ("Tỉnh/Thành phố", "Thành phố", "Tỉnh thành"),
              required=True, values="tên hiện nay hoặc trước 2025", example="Lâm Đồng",
              sheet="Tỉnh/Thành phố"),
    HeaderKey("district", "Huyện", "quận/huyện (trước 01/7/2025)",
              ("Huyện cũ", "Huyện (cũ)", "Quận", "Quận/Huyện", "Thị xã", "Huyện/Thị xã/Thành phố",
               "Quận/Huyện/Thị xã"),
              values="chỉ cho đơn vị trước 01/7/2025", example="Lâm Hà", sheet="Huyện (cũ)"),
    HeaderKey("commune", "Xã", "xã/phường/thị trấn/đặc khu",
              ("Phường", "Xã/Phường", "Xã/Phường/Thị trấn", "Thị trấn", "Đặc khu", "Xã/Phường/Đặc khu"),
              values="tên hiện nay hoặc trước 2025", example="Đinh Văn", sheet="Xã/Phường"),
    HeaderKey("field", "Lĩnh vực", "lĩnh vực", ("Fields",), required=True, parse=parse_fields,
              values=", ".join(f"`{f.value}`" for f in Field)
              + "; nhiều lĩnh vực thì cách nhau bằng dấu phẩy",
              example="kinh-te", multiple=True, sheet="Lĩnh vực"),
    HeaderKey("level", "Cấp", "cấp công nhận", ("Cấp công nhận", "Cấp khen thưởng"), required=True,
              parse=parse_level, values="`xa`, `huyen` (chỉ đến hết 30/6/2025), `tinh`, `trung-uong`",
              example="huyen", column="level", sheet="Cấp công nhận"),
    HeaderKey("unit", "Đơn vị", "đơn vị thực hiện", ("Đơn vị thực hiện", "Tập thể", "Tập thể thực hiện"),
              values="chữ tự do (tập thể; một trong hai: Unit hoặc Person)", column="unit",
              sheet="Đơn vị thực hiện"),
    HeaderKey("person", "Cá nhân", "cá nhân điển hình", ("Người thực hiện", "Họ tên", "Họ và tên"),
              values="họ tên, không kèm thông tin riêng (một trong hai: Unit hoặc Person)", column="person",
              sheet="Cá nhân"),
    HeaderKey("awarded_by", "Cơ quan công nhận", "cơ quan công nhận", ("Đơn vị công nhận",),
              values="ghi đúng tên tại thời điểm công nhận", column="awarded_by", sheet="Cơ quan công nhận"),
    HeaderKey("award", "Khen thưởng", "hình thức khen thưởng", ("Hình thức khen thưởng",),
              values="ví dụ `Bằng khen của Chủ tịch UBND tỉnh`", column="award",
              sheet="Hình thức khen thưởng"),
    HeaderKey("date", "Ngày đăng", "ngày đăng", ("Ngày",), required=True, parse=parse_datetime,
              values="`2024-05-19` hoặc `2024-05-19 08:30`", example="2024-05-19", column="date"),
    HeaderKey("modified", "Ngày cập nhật", "ngày cập nhật", ("Cập nhật", "Ngày sửa"), parse=parse_datetime,
              values="như ngày đăng; ghi khi sửa nội dung đáng kể", column="modified"),
    HeaderKey("summary", "Tóm tắt", "tóm tắt", values="một câu; bỏ trống thì lấy đoạn đầu", column="summary"),
    HeaderKey("image", "Ảnh", "ảnh đại diện", ("Ảnh đại diện", "Hình ảnh", "Hình"),
              values="tên tệp ảnh đặt cạnh tệp hồ sơ", example="anh-dai-dien.jpg"),
    HeaderKey("image_caption", "Chú thích ảnh", "chú thích ảnh", values="chữ tự do"),
    HeaderKey("results", "Kết quả", "kết quả nổi bật", ("Kết quả nổi bật", "Kết quả đạt được"),
              parse=lambda value, ctx: split_list(value, ";"), values="các ý cách nhau bằng dấu `;`",
              multiple=True, sheet="Kết quả"),
    HeaderKey("tags", "Từ khóa", "từ khóa", ("Thẻ",), parse=lambda value, ctx: split_list(value, ","),
              values="cách nhau bằng dấu phẩy", multiple=True),
    HeaderKey("source", "Nguồn", "nguồn", ("Sources",), parse=parse_sources,
              values="địa chỉ web đầy đủ (`https://…`) của bài gốc hoặc quyết định", multiple=True,
              sheet="Nguồn"),
    HeaderKey("status", "Trạng thái", "trạng thái", parse=parse_status,
              values="`published` (mặc định), `draft` (nháp), `hidden` (ẩn)"),
    HeaderKey("featured", "Nổi bật", "nổi bật", parse=parse_featured,
              values="`yes`/`có` để đưa lên trang chủ và trang Nổi bật; mặc định không", column="featured"),
    HeaderKey("slug", "Đường dẫn", "đường dẫn", values="chỉ dùng khi cần đường dẫn khác tên tệp"),
    HeaderKey("note", "Ghi chú", "ghi chú nội bộ", ("Notes",),
              values="ghi chú cho người biên tập (ví dụ số quyết định), không đăng lên trang",
              sheet="Ghi chú", published=False),
)

BY_NAME: dict[str, HeaderKey] = {key.name: key for key in HEADER}
REQUIRED: tuple[HeaderKey, ...] = tuple(key for key in HEADER if key.required)
_BY_SLUG: dict[str, HeaderKey] = {}
for _key in HEADER:
    for _name in _key.names:
        _slug = slugify(_name.replace("_", " ").replace("/", " "))
        assert _BY_SLUG.get(_slug, _key) is _key, f"two header keys are both called {_name!r}"
        _BY_SLUG[_slug] = _key


# The import template's columns, in header order; each heading is one of its key's names.
SHEET_COLUMNS: tuple[HeaderKey, ...] = tuple(key for key in HEADER if key.sheet)
assert all(_BY_SLUG.get(slugify(k.sheet.replace("/", " "))) is k for k in SHEET_COLUMNS)


@lru_cache(maxsize=4096)  # every profile writes the same dozen keys
def key_slug(written: str) -> str:
    """How a written key is compared: "TỈNH/Thành phố" → "tinh-thanh-pho"."""
    return slugify(written.replace("_", " ").replace("/", " "))


def find_key(written: str) -> HeaderKey | None:
    """The key declared under this name, in English or Vietnamese, or None."""
    return _BY_SLUG.get(key_slug(written))


def nearest_key(written: str) -> HeaderKey | None:
    """The declared key whose some name is closest to an unknown one, when plausible."""
    near = difflib.get_close_matches(key_slug(written), list(_BY_SLUG), n=1, cutoff=0.7)
    return _BY_SLUG[near[0]] if near else None
