"""The browser editor's configuration, generated from the header schema and the gazetteer.

Decap CMS shows a form per collection; here the one collection is the profiles, and
its fields are derived from what `lantoa.reading` accepts: a key the reader does not
know never appears in the form, a required key is required in the form, kinds,
fields, levels and provinces are select lists of exactly the values the reader
accepts, the year is bounded like the reader bounds it. `header_keys` is the one
function that reads the project's schema; everything else here reads its result.

The same data, with the aliases the reader understands, goes to the page's own
script (`lantoa_cms/admin/lantoa-cms.js`), which registers the `lantoa` format:
it reads and writes the `Key: value` header so that what the editor saves is what
the reader accepts, and an unchanged profile is saved byte for byte as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from . import schema
from .gazetteer import FORMER_PROVINCE_NAMES, REFORM_DATE_LABEL, gazetteer
from .model import Field, Kind, Level, Status

# What the local backend of `lantoa serve` answers on (lantoa.cms_local).
LOCAL_API_PATH = "/__lantoa__/cms/api/v1"
ADMIN_FOLDER = "quan-tri"
BACKENDS = ("github", "gitlab", "gitea")
# Hosts that support Decap's editorial workflow (draft → in review → ready as a
# pull/merge request); Decap's Gitea backend refuses it.
REVIEW_BACKENDS = ("github", "gitlab")
DEFAULT_API_ROOTS = {"github": "https://api.github.com", "gitlab": "https://gitlab.com/api/v4"}
DEFAULT_BASE_URLS = {"github": "https://api.netlify.com", "gitlab": "https://gitlab.com"}
# Where the host serves the signed-in editor's avatar, shown in the editor's header.
AVATAR_ORIGINS = {"github": "https://avatars.githubusercontent.com", "gitlab": "https://secure.gravatar.com"}
# The field that fills the folder: the current province; a pre-2025 one is its own field.
PROVINCE_BEFORE = "province_before"


@dataclass(frozen=True)
class HeaderKey:
    """One header key as the editor needs it."""

    name: str  # canonical, lowercase: "awarded_by"
    header: str  # as written in a new file: "Awarded_By"
    label: str  # Vietnamese
    required: bool
    aliases: tuple[str, ...] = ()  # every name the reader accepts, as `schema.key_slug` compares them

    @property
    def field(self) -> str:
        """The name of its value in Decap's entry data.

        Decap's templates read `{{year}}` as the year of the entry's date and a
        `fields.` prefix is mangled in `path`, so a key named like a template
        variable is stored under another name.
        """
        return DATA_NAMES.get(self.name, f"x_{self.name}" if self.name in DECAP_VARIABLES else self.name)


DECAP_VARIABLES = {"year", "month", "day", "hour", "minute", "second", "slug", "filename",
                   "dirname", "extension"}
DATA_NAMES = {"year": "nam"}

# The form's labels, longer than the schema's Vietnamese key names where a field
# needs it; a key without one here is labelled with its Vietnamese name.
_LABELS = {
    "title": "Tên mô hình / điển hình", "kind": "Loại", "year": "Năm được công nhận",
    "period": "Giai đoạn", "province": "Tỉnh, thành phố (hiện nay)",
    "district": "Quận, huyện cũ", "commune": "Xã, phường, thị trấn",
    "field": "Lĩnh vực", "level": "Cấp công nhận", "unit": "Đơn vị thực hiện / tập thể",
    "person": "Cá nhân điển hình", "awarded_by": "Cơ quan công nhận",
    "award": "Hình thức khen thưởng", "date": "Ngày đăng", "modified": "Ngày cập nhật",
    "summary": "Tóm tắt", "image": "Ảnh đại diện", "image_caption": "Chú thích ảnh",
    "results": "Kết quả nổi bật", "tags": "Từ khóa", "source": "Nguồn", "status": "Trạng thái",
    "featured": "Nổi bật trên trang chủ",
}
# Keys the form leaves out on purpose; the format keeps them in the file untouched.
_NOT_IN_FORM = {"slug"}


def header_keys() -> tuple[HeaderKey, ...]:
    """The reader's header schema, in the order of a new file.

    The one adapter between the project's schema and the editor: when the schema
    becomes a tuple of key declarations, only this function changes.
    """
    return tuple(
        HeaderKey(name=key.name, header=key.written, label=_LABELS.get(key.name, key.vietnamese),
                  required=key.required, aliases=tuple(sorted({schema.key_slug(n) for n in key.names})))
        for key in schema.HEADER)


def _choice_aliases() -> dict[str, dict[str, Any]]:
    """Every value the reader accepts for a choice key (as its slug) → the form's value."""
    return {
        "kind": {alias: kind.value for alias, kind in schema.KIND_VALUES.items()},
        "field": {alias: field.value for alias, field in schema.FIELD_VALUES.items()},
        "level": {alias: level.value for alias, level in schema.LEVEL_VALUES.items()},
        "status": {alias: status.value for alias, status in schema.STATUS_VALUES.items()},
        "featured": dict(schema.YES_NO),
    }


def first_year() -> int:
    return schema.FIRST_YEAR


STATUS_LABELS = {Status.PUBLISHED: "Đăng", Status.DRAFT: "Bản nháp (chưa đăng)",
                 Status.HIDDEN: "Ẩn khỏi trang"}

BODY_TEMPLATE = (
    "Giới thiệu ngắn: mô hình ra đời thế nào, ở đâu, nhằm giải quyết việc gì.\n\n"
    "## Cách làm\n\n- \n\n"
    "## Kết quả\n\n\n\n"
    "## Bài học kinh nghiệm\n\n"
)


def province_choices() -> tuple[list[dict[str, str]], list[dict[str, str]], dict[str, list[str]]]:
    """Current provinces, pre-2025 provinces, and every name of either → [current, pre-2025].

    The names map lets the page show "Tỉnh Đắk Nông" written in a file as the pre-2025
    province Đắk Nông under the current Lâm Đồng; names are lowercase NFC, full and short.
    """
    geo = gazetteer()
    current = [{"label": p.short_name, "value": p.short_name} for p in geo.provinces()]
    current_names = {p.short_name for p in geo.provinces()}
    names: dict[str, list[str]] = {}
    for province in geo.provinces():
        for name in (province.name, province.short_name):
            names[name.lower()] = [province.short_name, ""]
    before: dict[str, str] = {}
    for legacy in geo.all_provinces():
        if not legacy.legacy:
            continue
        now = geo.current_province_of(legacy).short_name
        if legacy.short_name not in current_names:
            before[legacy.short_name] = now
        for name in (legacy.name, legacy.short_name):
            names.setdefault(name.lower(), [now, "" if legacy.short_name in current_names
                                            else legacy.short_name])
    for former, code in FORMER_PROVINCE_NAMES.items():  # "Thừa Thiên Huế": the same unit, renamed
        names.setdefault(former.lower(), names[geo.legacy_provinces[code].short_name.lower()])
    from .text import sort_vietnamese

    legacy_options = [{"label": f"{name} (nay thuộc {now})", "value": name}
                      for name, now in ((n, before[n]) for n in sort_vietnamese(before))]
    return current, legacy_options, names


def _hint(name: str, today: date) -> str:
    return {
        "title": "Viết hoa đầu câu, đủ dấu. Đường dẫn của hồ sơ lấy từ tên này một lần khi tạo, "
                 "sau đó sửa tên không làm đổi đường dẫn.",
        "year": f"Năm có quyết định công nhận, từ {first_year()} đến {today.year}.",
        "period": "Chỉ khi công nhận cho một giai đoạn, ví dụ 2021-2025.",
        "province": "Tỉnh, thành phố hiện nay (34 đơn vị); hồ sơ được xếp vào thư mục của tỉnh này.",
        "district": f"Chỉ ghi cho mô hình công nhận trước {REFORM_DATE_LABEL}: huyện cũ, ví dụ Lâm Hà.",
        "commune": "Tên xã, phường hiện nay hoặc tại thời điểm công nhận, ví dụ Đinh Văn.",
        "field": "Chọn một hoặc nhiều lĩnh vực.",
        "level": f"Cấp huyện chỉ dùng cho công nhận đến hết 30/6/2025 ({REFORM_DATE_LABEL} bỏ cấp huyện).",
        "unit": "Tập thể thực hiện mô hình. Ghi Đơn vị hoặc Cá nhân (ít nhất một trong hai).",
        "person": "Họ tên cá nhân điển hình; không ghi số điện thoại, số căn cước, ngày sinh.",
        "awarded_by": "Ghi đúng tên cơ quan tại thời điểm công nhận.",
        "award": "Ví dụ: Bằng khen của Chủ tịch UBND tỉnh.",
        "modified": "Ghi khi sửa nội dung đáng kể.",
        "summary": "Một câu; bỏ trống thì trang lấy đoạn đầu của bài.",
        "image": "Ảnh gốc từ điện thoại hoặc máy ảnh (JPEG, PNG, HEIC…), cạnh dài từ 960 px.",
        "results": "Các ý cách nhau bằng dấu chấm phẩy (;), ví dụ: Huy động 4,3 tỷ đồng; 12 km đường.",
        "tags": "Các từ khóa cách nhau bằng dấu phẩy.",
        "source": "Địa chỉ web đầy đủ (https://…) của bài gốc hoặc quyết định; "
                  "nhiều địa chỉ cách nhau bằng dấu cách.",
        "status": "Bỏ trống để đăng; Bản nháp: chưa đăng; Ẩn: gỡ khỏi trang, giữ tệp.",
        "featured": "Bật để đưa hồ sơ lên mục nổi bật của trang chủ, với ảnh lớn.",
    }.get(name, "")


def _widget(key: HeaderKey, today: date) -> dict[str, Any]:
    """The Decap field for one header key (name, label, widget and its options)."""
    field: dict[str, Any] = {"name": key.field, "label": key.label, "required": key.required}
    hint = _hint(key.name, today)
    if hint:
        field["hint"] = hint
    if key.name == "kind":
        field |= {"widget": "select", "default": Kind.MO_HINH.value,
                  "options": [{"label": k.label, "value": k.value} for k in Kind]}
    elif key.name == "field":
        field |= {"widget": "select", "multiple": True, "min": 1 if key.required else 0,
                  "options": [{"label": f.label, "value": f.value} for f in Field]}
    elif key.name == "level":
        field |= {"widget": "select", "options": [{"label": lv.label, "value": lv.value} for lv in Level]}
    elif key.name == "status":
        field |= {"widget": "select",
                  "options": [{"label": label, "value": s.value} for s, label in STATUS_LABELS.items()]}
    elif key.name == "province":
        current, _, _ = province_choices()
        field |= {"widget": "select", "options": current}
    elif key.name == "year":
        field |= {"widget": "number", "value_type": "int", "min": first_year(), "max": today.year,
                  "step": 1, "default": today.year}
    elif key.name in ("date", "modified"):
        field |= {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "DD/MM/YYYY",
                  "time_format": False, "picker_utc": True}
        if key.name == "date":
            field["default"] = "{{now}}"
    elif key.name == "period":
        field |= {"widget": "string",
                  "pattern": [r"^\s*\d{4}\s*[-–]\s*\d{4}\s*$", "Viết theo dạng năm-năm, ví dụ 2021-2025"]}
    elif key.name == "image":
        field |= {"widget": "image", "choose_url": False}
    elif key.name == "featured":
        field |= {"widget": "boolean", "default": False}
    elif key.name in ("summary", "results", "source"):
        field |= {"widget": "text"}
    else:
        field["widget"] = "string"
    return field


def form_fields(today: date) -> list[dict[str, Any]]:
    """The collection's fields: every header key the reader knows, then the text."""
    fields: list[dict[str, Any]] = []
    for key in header_keys():
        if key.name in _NOT_IN_FORM:
            continue
        fields.append(_widget(key, today))
        if key.name == "province":
            _, legacy, _ = province_choices()
            fields.append({
                "name": PROVINCE_BEFORE, "label": f"Tỉnh cũ, nếu công nhận trước {REFORM_DATE_LABEL}",
                "widget": "select", "required": False, "options": legacy,
                "hint": "Chỉ chọn khi tỉnh lúc công nhận nay đã sáp nhập (ví dụ Đắk Nông, nay thuộc "
                        "Lâm Đồng); hồ sơ ghi tên tỉnh cũ này.",
            })
    fields.append({"name": "body", "label": "Nội dung", "widget": "markdown", "default": BODY_TEMPLATE,
                   "hint": "Cách làm, kết quả, bài học (nên từ 150 từ). Chèn ảnh bằng nút hình ảnh.",
                   "buttons": ["bold", "italic", "link", "heading-two", "heading-three", "quote",
                               "bulleted-list", "numbered-list"],
                   "editor_components": ["image"], "modes": ["rich_text", "raw"]})
    return fields


@dataclass(frozen=True)
class Backend:
    """Where the editor commits: a host, a repository, and how to log in."""

    name: str = "github"
    repo: str = ""
    branch: str = "main"
    base_url: str = ""
    api_root: str = ""
    app_id: str = ""
    content_dir: str = "content"
    review: bool = True

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Backend:
        return cls(name=settings["LANTOA_CMS_BACKEND"], repo=settings["LANTOA_CMS_REPO"],
                   branch=settings["LANTOA_CMS_BRANCH"], base_url=settings["LANTOA_CMS_BASE_URL"],
                   api_root=settings["LANTOA_CMS_API_ROOT"], app_id=settings["LANTOA_CMS_APP_ID"],
                   content_dir=settings["LANTOA_CMS_CONTENT_DIR"].strip("/"),
                   review=settings["LANTOA_CMS_REVIEW"])

    @property
    def uses_review(self) -> bool:
        return self.review and self.name in REVIEW_BACKENDS

    def decap(self) -> dict[str, Any]:
        backend: dict[str, Any] = {"name": self.name, "repo": self.repo, "branch": self.branch,
                                   "squash_merges": True, "commit_messages": COMMIT_MESSAGES}
        if self.base_url:
            backend["base_url"] = self.base_url
        if self.api_root:
            backend["api_root"] = self.api_root
        if self.app_id:
            backend["app_id"] = self.app_id
        if self.name == "gitlab" and self.app_id:
            backend["auth_type"] = "pkce"  # no OAuth server needed: the browser proves itself
        if self.name == "gitea":
            # Decap's Gitea backend logs in with PKCE against the server's own OAuth2.
            backend.setdefault("api_root", self.base_url.rstrip("/") + "/api/v1" if self.base_url else "")
        return backend

    def origins(self) -> list[str]:
        """Origins the page talks to: the host's API and its login server."""
        urls = [self.api_root or DEFAULT_API_ROOTS.get(self.name, ""),
                self.base_url or DEFAULT_BASE_URLS.get(self.name, "")]
        if self.name == "gitea" and self.base_url and not self.api_root:
            urls.append(self.base_url)
        origins = []
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc:
                origin = f"{parts.scheme}://{parts.netloc}"
                if origin not in origins:
                    origins.append(origin)
        return origins


COMMIT_MESSAGES = {
    "create": "Thêm hồ sơ “{{slug}}”",
    "update": "Sửa hồ sơ “{{slug}}”",
    "delete": "Xóa hồ sơ “{{slug}}”",
    "uploadMedia": "Tải ảnh “{{path}}”",
    "deleteMedia": "Xóa ảnh “{{path}}”",
}


def decap_config(backend: Backend, today: date, site_url: str = "", local: bool = False) -> dict[str, Any]:
    """The whole Decap configuration: the local proxy for `lantoa serve`, else the host."""
    data = {key.name: key.field for key in header_keys()}
    prefix = "" if local else (backend.content_dir + "/" if backend.content_dir else "")
    folder = f"{prefix}profiles"
    config: dict[str, Any] = {
        "locale": "vi",
        "load_config_file": False,
        "backend": ({"name": "proxy", "proxy_url": LOCAL_API_PATH, "branch": backend.branch}
                    if local else backend.decap()),
        "media_folder": folder,
        "public_folder": "",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "show_preview_links": True,
        "collections": [{
            "name": "ho-so",
            "label": "Hồ sơ",
            "label_singular": "hồ sơ",
            "description": "Mô hình, điển hình \u201cDân vận khéo\u201d. Mỗi hồ sơ là một tệp "
                           f"{folder}/<tỉnh>/<năm>/<tên-tệp>.md, ảnh đặt cạnh tệp.",
            "folder": folder,
            "path": f"{{{{{data['province']}}}}}/{{{{{data['year']}}}}}/{{{{slug}}}}",
            "slug": "{{title}}",
            "identifier_field": "title",
            "format": "lantoa",
            "extension": "md",
            "create": True,
            "delete": False,  # a published address must not disappear: Status "Ẩn" instead
            "media_folder": "",
            "public_folder": "",
            "summary": f"{{{{{data['title']}}}}} ({{{{{data['year']}}}}})",
            "sortable_fields": [data["title"], data["year"], data["date"]],
            "view_filters": [
                {"label": k.plural_label, "field": data["kind"], "pattern": f"^{k.value}$"} for k in Kind
            ] + [{"label": "Bản nháp", "field": data["status"], "pattern": "^draft$"}],
            "view_groups": [{"label": "Năm", "field": data["year"]},
                            {"label": "Tỉnh", "field": data["province"]}],
            "preview_path": f"{{{{{data['kind']}}}}}/{{{{filename}}}}/",
            "editor": {"preview": False},
            "fields": form_fields(today),
        }],
    }
    if site_url:
        config["site_url"] = config["display_url"] = site_url.rstrip("/") + "/"
    if backend.uses_review and not local:
        config["publish_mode"] = "editorial_workflow"
    return config


def format_schema() -> dict[str, Any]:
    """What the page's `lantoa` format needs to read and write headers as the reader does."""
    _, _, names = province_choices()
    return {
        "keys": [{"name": k.name, "field": k.field, "header": k.header, "aliases": list(k.aliases),
                  "form": k.name not in _NOT_IN_FORM} for k in header_keys()],
        "choices": _choice_aliases(),
        "lists": {"field": ", "},
        "booleans": {"featured": "yes"},
        "provinces": names,
        "province_before": PROVINCE_BEFORE,
    }


def missing_backend_message(backend: Backend) -> str:
    """Why the published editor cannot log in yet, for the administrator, or ''."""
    if backend.name not in BACKENDS:
        return (f"LANTOA_CMS_BACKEND = '{backend.name}' không hợp lệ: dùng một trong "
                + ", ".join(BACKENDS) + ".")
    if not backend.repo:
        return ("Trình soạn thảo chưa được nối với kho git: quản trị viên đặt LANTOA_CMS_REPO "
                "(và LANTOA_CMS_BACKEND) trong publishconf.py, xem mục \u201cThiết lập một lần\u201d "
                "trong Hướng dẫn biên tập. Trên máy của mình, chạy lantoa serve để thử với kho tại chỗ.")
    if backend.name == "gitea" and not (backend.base_url and backend.app_id):
        return "Với Gitea/Forgejo cần đặt LANTOA_CMS_BASE_URL và LANTOA_CMS_APP_ID."
    return ""


def page_script(backend: Backend, today: date, site_url: str = "", local: bool = False) -> str:
    """`config.js`: the configuration and the format's schema, loaded before Decap.

    Data, not code: JSON with `<` escaped. `CMS_MANUAL_INIT` makes Decap wait until
    the page's script has registered the format.
    """
    data = {
        "config": decap_config(backend, today, site_url, local),
        "schema": format_schema(),
        "missing": "" if local else missing_backend_message(backend),
        "local": local,
    }
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c")
    return ("// Tạo tự động từ lược đồ phần đầu hồ sơ và danh mục địa giới (lantoa.cms_config): "
            "không sửa tay.\n"
            f"window.CMS_MANUAL_INIT = true;\nwindow.LANTOA_CMS = {text};\n")


def admin_policy(backend: Backend, local: bool = False) -> str:
    """The admin page's Content-Security-Policy: the site's, widened only where Decap needs it.

    - script-src 'unsafe-eval': Decap validates its configuration with ajv, which
      compiles validators with `new Function`; no inline script is allowed still.
    - style-src 'unsafe-inline': Decap's components inject their styles at run time.
    - img-src, media-src, connect-src blob:: a photo chosen for upload is shown, and kept
      in the draft Decap saves in the browser, from a blob: URL.
    - connect-src: the git host's API and login server (none in local mode); img-src
      also the host's avatars.
    """
    remote = [] if local else backend.origins()
    extra = "".join(f" {o}" for o in remote)
    avatar = "" if local or backend.name not in AVATAR_ORIGINS else f" {AVATAR_ORIGINS[backend.name]}"
    return ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob:{extra}{avatar}; media-src 'self' blob:; font-src 'self' data:; "
            f"connect-src 'self' blob:{extra}; frame-src 'self' blob:; worker-src 'self' blob:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'")
