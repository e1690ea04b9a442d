"""Sharing a profile: the Zalo share payload and the QR code printed at a profile's foot.

The share row itself is plain markup in `profile.html`, its query strings encoded
there with Jinja's `urlencode`; this module holds only what a template cannot do.

The QR code is drawn at build time as inline SVG, so a printed profile leads
back to the site even when it is printed offline. zxing-cpp encodes it (mask
chosen by the standard's penalty rules, in C++: 0.2 ms a code, where segno took
4 ms, close to a minute of CPU per 10,000 profiles); this module draws its
modules as one SVG path of horizontal runs. It is drawn each time the
page that shows it is rendered.
"""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache

from markupsafe import Markup

# Level M: a code stays readable with 15 % of it smudged, folded or badly photocopied.
QR_ERROR = "M"
QUIET_ZONE = 4  # modules of white around the code, as the standard asks
_DARK_RUN = re.compile(rb"\x00+")


def zalo_payload(url: str) -> str:
    """The `d` parameter of Zalo's share endpoint: base64 of `{"url": …}`.

    Zalo's own share plugin sends the page URL twice, as `url` and as this
    payload; a link that carries only one of them is not always understood.
    """
    data = json.dumps({"url": url}, separators=(",", ":"))
    return base64.b64encode(data.encode()).decode("ascii")


def _qr_matrix(url: str) -> tuple[int, bytes]:
    """The QR code of `url`, quiet zone included: its width in modules and its modules
    row after row, 0 dark, 255 light."""
    import zxingcpp  # only where a QR code is made: an edit's build makes none (3 ms to import)

    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level=QR_ERROR)
    image = memoryview(code.to_image(scale=1, add_quiet_zones=True))
    size = image.shape[0] if image.ndim == 2 and image.shape[0] == image.shape[1] else 0
    data = image.tobytes()
    if not size or data.translate(None, b"\x00\xff"):
        raise ValueError("zxing-cpp gave no square black-and-white QR code")
    return size, data


def qr_modules(url: str) -> list[bytes]:
    """The QR code of `url` as rows of modules, quiet zone included: 0 dark, 255 light."""
    size, data = _qr_matrix(url)
    return [data[start:start + size] for start in range(0, size * size, size)]


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url`, sized by CSS (viewBox only), quiet zone included.

    One path: each run of dark modules is a horizontal stroke one module wide,
    reached by a move relative to the end of the previous run.
    """
    size, data = _qr_matrix(url)
    # The quiet zone is light, so no run of the flat modules spans two rows. The moves
    # are gathered as numbers and formatted in one operation: formatting each run
    # apart took 0.45 ms of the 0.65 ms a code cost (a third to a half of rendering a
    # profile page).
    moves: list[int] = []
    end_before = row_before = 0
    for run in _DARK_RUN.finditer(data):
        start, end = run.span()
        row = start // size
        moves += (start - end_before - (row - row_before) * size, row - row_before, end - start)
        end_before, row_before = end, row
    path = ""
    if moves:  # the first move is absolute, to the middle of its row
        relative = "m%d %dh%d" * (len(moves) // 3 - 1)
        path = f"M{moves[0]} {moves[1]}.5h{moves[2]}" + relative % tuple(moves[3:])
    return f'<svg viewBox="0 0 {size} {size}" class="qr-code"><path stroke="#000" d="{path}"/></svg>'


@lru_cache(maxsize=20_000)  # a preview renders the same few pages again and again
def qr_code(url: str) -> Markup:
    """`qr_code(url)` for templates: the SVG of `url`, as markup.

    Drawn whenever a page is rendered, never cached on disk: drawing takes half a
    millisecond, about what writing and pruning a cache entry per profile cost, and
    a build renders a page again only when it changed.
    """
    # Only numbers and fixed names: nothing to escape.
    return Markup(qr_svg(url))
