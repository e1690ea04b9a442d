"""The Zalo payload and the cached QR codes, without Pelican."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import segno
from lantoa import sharing
from lantoa.cache import Cache
from lantoa.sharing import QrCodes, qr_svg, zalo_payload

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
    size = segno.make_qr(URL, error=sharing.QR_ERROR).symbol_size()[0]  # quiet zone included
    assert f'viewBox="0 0 {size} {size}"' in svg


def cache_in(folder: Path) -> Cache:
    return Cache({"LANTOA_CACHE_DIR": str(folder)})


def test_a_qr_code_is_drawn_once_then_read_from_the_cache(tmp_path, monkeypatch):
    codes = QrCodes(cache_in(tmp_path))
    first = codes(URL)
    assert first == qr_svg(URL) and len(list((tmp_path / "qr").iterdir())) == 1

    def fail(url: str) -> str:
        raise AssertionError("drawn again")

    monkeypatch.setattr(sharing, "qr_svg", fail)
    assert QrCodes(cache_in(tmp_path))(URL) == first
    with pytest.raises(AssertionError, match="drawn again"):
        codes(URL + "khac/")


def test_a_damaged_cache_entry_is_drawn_again(tmp_path):
    codes = QrCodes(cache_in(tmp_path))
    good = codes(URL)
    entry = next((tmp_path / "qr").iterdir())
    entry.write_text(entry.read_text().replace("h1", "h2", 1))
    assert codes(URL) == good
    entry.write_bytes(b"\xff\xfe")
    assert codes(URL) == good
    assert entry.read_text().split("\n", 1)[1] == good
