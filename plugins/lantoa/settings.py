"""Every `LANTOA_*` setting, declared once with its default and meaning.

`apply_defaults` fills what `pelicanconf.py` leaves out and stops the build with a
message naming the setting when a value has the wrong type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any


class SettingError(Exception):
    """A `LANTOA_*` setting has a value the build cannot use."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    types: tuple[type, ...]
    meaning: str


SETTINGS = (
    Setting("LANTOA_STRICT", False, (bool,),
            "dừng bản dựng khi có bất kỳ lỗi nào trong nội dung (dùng cho CI)"),
    Setting("LANTOA_CACHE_DIR", ".cache", (str,),
            "thư mục bộ nhớ đệm (hồ sơ đã đọc, ảnh đã xử lý)"),
    Setting("LANTOA_PER_PAGE", 20, (int,), "số hồ sơ trên một trang danh sách"),
    Setting("LANTOA_WORKERS", 0, (int,), "số tiến trình đọc song song (0: bằng số lõi CPU)"),
    Setting("LANTOA_TODAY", None, (str, type(None)),
            "ngày tham chiếu (YYYY-MM-DD) cho kiểm tra năm; mặc định là hôm nay"),
    Setting("LANTOA_FEED_SIZE", 50, (int,), "số mục mới nhất trong mỗi nguồn tin"),
    Setting("LANTOA_FEED_AUTHORITY", "lantoa.vn", (str,),
            "tên miền trong mã định danh (tag URI) của mục tin; không đổi khi trang chuyển địa chỉ"),
    Setting("LANTOA_MAX_IMAGE_BYTES", 20_000_000, (int,), "dung lượng tối đa của một ảnh gốc"),
    Setting("LANTOA_MAX_IMAGE_PIXELS", 50_000_000, (int,),
            "số điểm ảnh tối đa của một ảnh (chống 'bom giải nén')"),
    Setting("LANTOA_SEARCH", True, (bool,), "dựng chỉ mục tìm kiếm cho trang /tim-kiem/"),
    Setting("LANTOA_IMAGE_WIDTHS", (480, 960, 1600), (tuple, list), "các chiều rộng ảnh xuất ra"),
    Setting("LANTOA_TARGET", None, (str, type(None)),
            "thư mục đích cuối cùng khi dựng vào thư mục tạm (do lantoa build đặt)"),
    Setting("LANTOA_DESCRIPTION",
            "Giới thiệu, tôn vinh và nhân rộng mô hình, điển hình \u201cDân vận khéo\u201d.",
            (str,), "mô tả trang, dùng cho thẻ chia sẻ và nguồn tin"),
    Setting("LANTOA_MAP_COMMUNE_LINKS", 600, (int,),
            "số xã, phường có hồ sơ tối đa mà bản đồ toàn quốc nối từng xã (giữ bản đồ dưới 150 KB); "
            "nhiều hơn thì bản đồ nối tới trang tỉnh; trang chủ dùng một phần năm số này"),
    # The publishing agency and the licence: shown in the footer, the feeds and the
    # JSON-LD `publisher`, so that a reader and a republishing portal know who speaks.
    Setting("LANTOA_AGENCY_NAME", "", (str,),
            "tên cơ quan chủ quản (chân trang, nguồn tin, JSON-LD); để trống thì dùng SITENAME"),
    Setting("LANTOA_AGENCY_ADDRESS", "", (str,), "địa chỉ của cơ quan chủ quản"),
    Setting("LANTOA_AGENCY_PHONE", "", (str,), "số điện thoại liên hệ"),
    Setting("LANTOA_AGENCY_EMAIL", "", (str,), "địa chỉ thư điện tử liên hệ"),
    Setting("LANTOA_AGENCY_URL", "", (str,), "trang thông tin chính thức của cơ quan (https://…)"),
    Setting("LANTOA_AGENCY_RESPONSIBLE", "", (str,),
            "người chịu trách nhiệm chính về nội dung (họ tên, chức vụ)"),
    Setting("LANTOA_AGENCY_PERMIT", "", (str,),
            "giấy phép hoặc văn bản cho phép thiết lập trang (số, ngày, cơ quan cấp), nếu có"),
    Setting("LANTOA_AGENCY_EMBLEM", "", (str,),
            "biểu trưng của cơ quan: đường dẫn trong trang, \"theme/…\" (thư mục theme/static) "
            "hoặc \"static/…\" (thư mục content/static)"),
    Setting("LANTOA_LICENSE_NAME", "", (str,),
            "giấy phép nội dung, ví dụ \"CC BY 4.0\"; để trống nếu giữ mọi quyền"),
    Setting("LANTOA_LICENSE_URL", "", (str,), "địa chỉ văn bản giấy phép"),
    # The browser editor at /quan-tri/ (lantoa.cms_config); content/pages/huong-dan.md explains each.
    Setting("LANTOA_CMS_BACKEND", "github", (str,),
            "nơi lưu kho git của trình soạn thảo /quan-tri/: github, gitlab hoặc gitea (cả Forgejo)"),
    Setting("LANTOA_CMS_REPO", "", (str,),
            "kho git mà trình soạn thảo ghi vào, dạng chủ/tên; "
            "bỏ trống: trang /quan-tri/ chỉ dùng được với lantoa serve"),
    Setting("LANTOA_CMS_BRANCH", "main", (str,), "nhánh mà trình soạn thảo ghi vào"),
    Setting("LANTOA_CMS_BASE_URL", "", (str,),
            "máy chủ đăng nhập OAuth (GitHub), hoặc địa chỉ máy chủ GitLab/Gitea/Forgejo riêng"),
    Setting("LANTOA_CMS_API_ROOT", "", (str,), "địa chỉ API của máy chủ git riêng, nếu khác mặc định"),
    Setting("LANTOA_CMS_APP_ID", "", (str,),
            "mã ứng dụng OAuth (GitLab, Gitea/Forgejo) để đăng nhập không cần máy chủ trung gian"),
    Setting("LANTOA_CMS_CONTENT_DIR", "content", (str,), "thư mục nội dung tính từ gốc kho git"),
    Setting("LANTOA_CMS_REVIEW", True, (bool,),
            "mỗi hồ sơ mới qua một yêu cầu hợp nhất (pull/merge request) để duyệt, nơi máy chủ hỗ trợ"),
)


def apply_defaults(settings: dict) -> dict:
    """Fill defaults and check types; raise `SettingError` naming a wrong setting."""
    for setting in SETTINGS:
        value = settings.setdefault(setting.name, setting.default)
        if not isinstance(value, setting.types) or (
            isinstance(value, bool) and bool not in setting.types
        ):
            expected = " hoặc ".join(t.__name__ for t in setting.types)
            raise SettingError(
                f"Cấu hình {setting.name} = {value!r} không hợp lệ: cần kiểu {expected} "
                f"({setting.meaning})."
            )
    _check_agency(settings)
    return settings


def _check_agency(settings: dict) -> None:
    """A publisher the reader can see must be complete and reachable."""
    email = settings["LANTOA_AGENCY_EMAIL"]
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise SettingError(f"Cấu hình LANTOA_AGENCY_EMAIL = {email!r} không phải địa chỉ thư điện tử.")
    for name in ("LANTOA_AGENCY_URL", "LANTOA_LICENSE_URL"):
        url = settings[name]
        if url and not url.startswith(("https://", "http://")):
            raise SettingError(f"Cấu hình {name} = {url!r} không hợp lệ: cần địa chỉ bắt đầu bằng https://.")
    if settings["LANTOA_LICENSE_URL"] and not settings["LANTOA_LICENSE_NAME"]:
        raise SettingError("Cấu hình LANTOA_LICENSE_URL có giá trị nhưng thiếu LANTOA_LICENSE_NAME "
                           "(tên giấy phép hiện cho người đọc).")
    emblem = settings["LANTOA_AGENCY_EMBLEM"]
    if emblem and "PATH" in settings and "THEME" in settings:
        file = emblem_file(settings)
        if file is None or not file.is_file():
            raise SettingError(
                f"Cấu hình LANTOA_AGENCY_EMBLEM = {emblem!r}: không tìm thấy tệp "
                f"({file if file else 'đường dẫn phải bắt đầu bằng theme/ hoặc static/'}).")


def emblem_file(settings: dict) -> Path | None:
    """Where the emblem's site path is read from: theme/… in the theme's static folder,
    static/… in the content folder (Pelican publishes both at those paths)."""
    emblem = PurePosixPath(settings["LANTOA_AGENCY_EMBLEM"])
    if ".." in emblem.parts or emblem.is_absolute() or len(emblem.parts) < 2:
        return None
    if emblem.parts[0] == "theme":
        return Path(settings["THEME"]) / "static" / Path(*emblem.parts[1:])
    if emblem.parts[0] == "static":
        return Path(settings["PATH"]) / Path(*emblem.parts)
    return None
