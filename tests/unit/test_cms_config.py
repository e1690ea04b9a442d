"""The editor's configuration follows the header schema and the gazetteer, and nothing else."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date

import pytest
from lantoa import schema
from lantoa.cms_config import (
    LOCAL_API_PATH,
    PROVINCE_BEFORE,
    Backend,
    admin_policy,
    decap_config,
    format_schema,
    header_keys,
    missing_backend_message,
    page_script,
)
from lantoa.gazetteer import gazetteer
from lantoa.model import Field, Kind, Level

TODAY = date(2026, 11, 25)


def collection(backend: Backend | None = None, local: bool = False) -> dict:
    return decap_config(backend or Backend(repo="so-dan-van/lantoa"), TODAY, local=local)["collections"][0]


def fields_by_name(config: dict) -> dict:
    return {f["name"]: f for f in config["fields"]}


def decap_slug(value: str) -> str:
    """Decap's own slug steps for a path segment (prepareSlug, then sanitizeSlug with
    encoding ascii, clean_accents, replacement '-'), transcribed from its source."""
    text = value.strip().lower().replace("'", "").replace(".", "-")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = text.replace("đ", "d")
    text = "".join(c if re.fullmatch(r"[\w\-.~]", c, re.ASCII) else "-" for c in text)
    return re.sub(r"-+", "-", text).strip("-")


def test_every_key_the_reader_declares_is_in_the_form_except_the_slug():
    fields = fields_by_name(collection())
    declared = {key.name: key for key in header_keys()}
    assert set(declared) == {key.name for key in schema.HEADER}
    in_form = {declared[name].field for name in declared if name != "slug"}
    assert set(fields) == in_form | {PROVINCE_BEFORE, "body"}
    for key in schema.HEADER:
        if key.name != "slug":
            assert fields[declared[key.name].field]["required"] is key.required, key.name


def test_choices_are_exactly_the_model_values_with_vietnamese_labels():
    fields = fields_by_name(collection())
    assert [(o["value"], o["label"]) for o in fields["kind"]["options"]] == [(k.value, k.label) for k in Kind]
    assert [o["value"] for o in fields["field"]["options"]] == [f.value for f in Field]
    assert fields["field"]["multiple"] is True and fields["field"]["min"] == 1
    levels = [(o["value"], o["label"]) for o in fields["level"]["options"]]
    assert levels == [(lv.value, lv.label) for lv in Level]


def test_the_year_is_bounded_like_the_reader_bounds_it():
    year = fields_by_name(collection())["nam"]
    assert (year["widget"], year["min"], year["max"], year["value_type"]) == ("number", 2009, 2026, "int")
    assert year["min"] == schema.FIRST_YEAR


def test_the_34_current_provinces_are_the_select_list_and_name_their_folder():
    options = fields_by_name(collection())["province"]["options"]
    provinces = gazetteer().provinces()
    assert len(options) == 34 == len(provinces)
    for option, unit in zip(options, provinces, strict=True):
        assert option["value"] == unit.short_name
        # The folder Decap makes from the value is the province's slug on the site.
        assert decap_slug(option["value"]) == unit.slug, option


def test_pre_2025_provinces_are_offered_with_their_current_province():
    legacy = {o["value"]: o["label"] for o in fields_by_name(collection())[PROVINCE_BEFORE]["options"]}
    assert legacy["Đắk Nông"] == "Đắk Nông (nay thuộc Lâm Đồng)"
    assert legacy["Hà Giang"] == "Hà Giang (nay thuộc Tuyên Quang)"
    assert "Lâm Đồng" not in legacy  # a name that still exists is a current province
    names = format_schema()["provinces"]
    assert names["tỉnh đắk nông"] == ["Lâm Đồng", "Đắk Nông"]
    assert names["thành phố hồ chí minh"] == names["hồ chí minh"] == ["Hồ Chí Minh", ""]
    assert names["thừa thiên huế"] == ["Huế", ""]  # renamed, not merged: Huế is its name now


def test_files_land_under_province_and_year_with_the_photo_beside_them():
    config = collection()
    assert config["folder"] == "content/profiles"
    assert config["path"] == "{{province}}/{{nam}}/{{slug}}"
    assert (config["media_folder"], config["public_folder"]) == ("", "")
    assert config["format"] == "lantoa" and config["extension"] == "md"
    assert collection(local=True)["folder"] == "profiles"  # the local backend's root is --content


def test_the_format_knows_every_name_and_value_the_reader_accepts():
    data = format_schema()
    keys = {k["name"]: k for k in data["keys"]}
    assert "tieu-de" in keys["title"]["aliases"] and "tinh-thanh-pho" in keys["province"]["aliases"]
    assert keys["year"]["field"] == "nam" and keys["slug"]["form"] is False
    assert data["choices"]["kind"]["individual"] == "dien-hinh"
    assert data["choices"]["field"]["van-hoa"] == "van-hoa-xa-hoi"
    assert data["choices"]["level"]["cap-tinh"] == "tinh"


@pytest.mark.parametrize(("backend", "workflow"), [
    (Backend(name="github", repo="a/b"), "editorial_workflow"),
    (Backend(name="gitlab", repo="a/b", app_id="x"), "editorial_workflow"),
    (Backend(name="gitea", repo="a/b", base_url="https://git.tinh.vn", app_id="x"), None),
    (Backend(name="github", repo="a/b", review=False), None),
])
def test_review_through_merge_requests_where_the_host_supports_it(backend, workflow):
    config = decap_config(backend, TODAY)
    assert config.get("publish_mode") == workflow
    assert config["backend"]["name"] == backend.name and config["locale"] == "vi"


def test_login_settings_per_host():
    gitlab = decap_config(Backend(name="gitlab", repo="a/b", app_id="abc"), TODAY)["backend"]
    assert gitlab["auth_type"] == "pkce" and gitlab["app_id"] == "abc"
    gitea = decap_config(Backend(name="gitea", repo="a/b", base_url="https://git.tinh.vn", app_id="x"),
                         TODAY)["backend"]
    assert gitea["api_root"] == "https://git.tinh.vn/api/v1"
    local = decap_config(Backend(repo="a/b"), TODAY, local=True)
    assert local["backend"] == {"name": "proxy", "proxy_url": LOCAL_API_PATH, "branch": "main"}
    assert "publish_mode" not in local


def test_the_policy_allows_no_inline_script_and_only_the_hosts_it_needs():
    remote = admin_policy(Backend(name="gitlab", repo="a/b", base_url="https://git.tinh.vn"))
    directives = dict(part.strip().split(" ", 1) for part in remote.split(";"))
    assert directives["script-src"] == "'self' 'unsafe-eval'"
    assert "https://gitlab.com" in directives["connect-src"]  # its API
    assert "https://git.tinh.vn" in directives["connect-src"]  # its login
    assert directives["object-src"] == "'none'"
    local = dict(part.strip().split(" ", 1) for part in admin_policy(Backend(), local=True).split(";"))
    assert local["connect-src"] == "'self' blob:"


def test_config_script_is_data_loaded_before_decap():
    script = page_script(Backend(repo="a/b"), TODAY, "https://lantoa.example.vn")
    assert script.splitlines()[1] == "window.CMS_MANUAL_INIT = true;"
    body = script.split("window.LANTOA_CMS = ", 1)[1].rstrip().rstrip(";")
    data = json.loads(body)
    assert data["config"]["site_url"] == "https://lantoa.example.vn/" and data["missing"] == ""
    assert "<" not in body  # nothing in it can close a script element


def test_an_unconfigured_host_is_explained_to_the_administrator():
    assert "LANTOA_CMS_REPO" in missing_backend_message(Backend())
    assert "gitea" in missing_backend_message(Backend(name="bitbucket", repo="a/b"))
    assert missing_backend_message(Backend(repo="a/b")) == ""
