"""Pelican plugin: what a profile page needs to be shared and printed.

Runs when the profiles are read (`lantoa.signals.profiles_read`) and gives the
templates `zalo_payload(url)` (the second copy of the URL that Zalo's share
endpoint reads) and `qr_code(url)` (the QR code at the foot of a printed
profile, drawn as inline SVG). The share links themselves are
markup in `profile.html`.
"""

from __future__ import annotations

from lantoa.cache import Cache
from lantoa.collection import Collection
from lantoa.sharing import qr_code, zalo_payload
from lantoa.signals import profiles_read


def add_share_helpers(sender, collection: Collection, context: dict, settings: dict, cache: Cache) -> None:
    context["zalo_payload"] = zalo_payload
    context["qr_code"] = qr_code


def register() -> None:
    profiles_read.connect(add_share_helpers)
