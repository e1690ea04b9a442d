"""Every LANTOA_* setting has a default; a wrong type stops the build with its name."""

from __future__ import annotations

import pytest
from lantoa.settings import SETTINGS, SettingError, apply_defaults


def test_defaults_fill_every_setting():
    settings = apply_defaults({})
    assert {s.name for s in SETTINGS} <= set(settings)
    assert settings["LANTOA_PER_PAGE"] == 20 and settings["LANTOA_STRICT"] is False


def test_given_values_are_kept():
    assert apply_defaults({"LANTOA_FEED_SIZE": 10})["LANTOA_FEED_SIZE"] == 10


@pytest.mark.parametrize(("name", "value"), [("LANTOA_PER_PAGE", "20"), ("LANTOA_STRICT", "yes"),
                                             ("LANTOA_PER_PAGE", True), ("LANTOA_CACHE_DIR", 3)])
def test_a_wrong_type_names_the_setting_in_vietnamese(name, value):
    with pytest.raises(SettingError) as error:
        apply_defaults({name: value})
    assert name in str(error.value) and "không hợp lệ" in str(error.value)


@pytest.mark.parametrize(("changes", "named"), [
    ({"LANTOA_AGENCY_EMAIL": "bientap.lantoa.vn"}, "LANTOA_AGENCY_EMAIL"),
    ({"LANTOA_AGENCY_URL": "www.danvan.vn"}, "LANTOA_AGENCY_URL"),
    ({"LANTOA_LICENSE_URL": "https://creativecommons.org/licenses/by/4.0/"}, "LANTOA_LICENSE_NAME"),
    ({"LANTOA_AGENCY_EMBLEM": "theme/img/khong-co.svg"}, "LANTOA_AGENCY_EMBLEM"),
    ({"LANTOA_AGENCY_EMBLEM": "../etc/passwd"}, "LANTOA_AGENCY_EMBLEM"),
])
def test_a_wrong_publisher_setting_is_named(tmp_path, changes, named):
    settings = {"THEME": str(tmp_path / "theme"), "PATH": str(tmp_path / "content"), **changes}
    with pytest.raises(SettingError) as error:
        apply_defaults(settings)
    assert named in str(error.value)


def test_an_emblem_is_found_in_the_theme_or_the_content(tmp_path):
    (tmp_path / "theme/static/img").mkdir(parents=True)
    (tmp_path / "theme/static/img/a.svg").write_text("<svg/>")
    (tmp_path / "content/static").mkdir(parents=True)
    (tmp_path / "content/static/b.png").write_bytes(b"png")
    for emblem in ("theme/img/a.svg", "static/b.png"):
        settings = apply_defaults({"THEME": str(tmp_path / "theme"), "PATH": str(tmp_path / "content"),
                                   "LANTOA_AGENCY_EMBLEM": emblem, "LANTOA_AGENCY_EMAIL": "a@b.vn"})
        assert settings["LANTOA_AGENCY_EMBLEM"] == emblem
