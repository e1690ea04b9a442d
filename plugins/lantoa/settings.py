"""Every `LANTOA_*` setting, declared once with its default and meaning.

`apply_defaults` fills what `pelicanconf.py` leaves out and stops the build with a
message naming the setting when a value has the wrong type.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    return settings
