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
