"""The Zalo payload and the QR codes, without Pelican."""

from __future__ import annotations

import base64
import json

from hypothesis import given, settings
from hypothesis import strategies as st
from lantoa import sharing
from lantoa.sharing import qr_code, qr_svg, zalo_payload
from markupsafe import Markup

from tests.integration.test_share import qr_modules as modules_drawn_by

URL = "https://lantoa.example.vn/mo-hinh/nong-dan-dinh-van-lam-duong/"


def test_the_zalo_payload_is_the_url_as_compact_json_in_base64():
    raw = base64.b64decode(zalo_payload(URL), validate=True)
    assert raw == b'{"url":"' + URL.encode() + b'"}'
    assert json.loads(raw) == {"url": URL}


def test_the_qr_svg_is_inline_html_sized_by_css():
    svg = qr_svg(URL)
    assert svg.startswith('<svg viewBox="0 0 ') and svg.endswith("</svg>")
    assert "xmlns" not in svg and "<?xml" not in svg and "width=" not in svg
    assert svg.count("<path") == 1
    size = len(sharing.qr_modules(URL))  # quiet zone included
    assert size == 17 + 4 * 4 + 2 * sharing.QUIET_ZONE  # version 4 (33 modules) holds these 62 bytes
    assert f'viewBox="0 0 {size} {size}"' in svg


def test_a_qr_code_is_markup_drawn_from_its_address_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = qr_code(URL)
    assert isinstance(first, Markup) and str(first) == qr_svg(URL)
    assert qr_code(URL + "khac/") != first
    assert list(tmp_path.iterdir()) == []  # nothing written anywhere


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=300))
def test_the_qr_path_draws_every_dark_module_and_nothing_else(address):
    # One path of moves relative to the end of the run before, across rows and codes of every size.
    drawn = modules_drawn_by(qr_svg(address))
    assert drawn == [[module == 0 for module in row] for row in sharing.qr_modules(address)]
