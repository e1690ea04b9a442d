"""Sharing a profile: the Zalo share payload and the QR code printed at a profile's foot.

The share row itself is plain markup in `profile.html`, its query strings encoded
there with Jinja's `urlencode`; this module holds only what a template cannot do.

The QR code is drawn at build time by segno as inline SVG, so a printed profile
leads back to the site even when it is printed offline. Choosing the best mask
pattern costs segno about 5 ms a code: over 10,000 profiles that is close to a
minute of CPU every time the pages are rendered anew (a theme change renders all
of them), so each code is cached under the URL it encodes.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os

import segno
from markupsafe import Markup

from .cache import Cache
from .files import read_checked, write_checked

# Level M: a code stays readable with 15 % of it smudged, folded or badly photocopied.
QR_ERROR = "m"


def zalo_payload(url: str) -> str:
    """The `d` parameter of Zalo's share endpoint: base64 of `{"url": …}`.

    Zalo's own share plugin sends the page URL twice, as `url` and as this
    payload; a link that carries only one of them is not always understood.
    """
    data = json.dumps({"url": url}, separators=(",", ":"))
    return base64.b64encode(data.encode()).decode("ascii")


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url`, sized by CSS (viewBox only), quiet zone included."""
    code = segno.make_qr(url, error=QR_ERROR)
    return code.svg_inline(omitsize=True, svgclass="qr-code", lineclass=None)


class QrCodes:
    """`qr_code(url)` for templates: segno's SVG, cached on disk by URL.

    Pages are rendered in forked workers that share nothing back, so each code is
    its own checked cache entry (`lantoa.files.write_checked`); a damaged one is
    drawn again, never trusted. A code found is touched, which tells the cache's
    pruning that this build used it.
    """

    def __init__(self, cache: Cache):
        self.cache = cache

    def __call__(self, url: str) -> Markup:
        path = self.cache.root / "qr" / f"{self.cache.key('qr', segno.__version__, QR_ERROR, url)}.svg"
        cached = read_checked(path)
        if cached is not None:
            svg = cached.decode("utf-8")
            with contextlib.suppress(OSError):
                os.utime(path)
        else:
            svg = qr_svg(url)
            write_checked(path, svg.encode("utf-8"))
        # segno writes only numbers, fixed names and the path of the modules: nothing to escape.
        return Markup(svg)
