"""Site-wide helpers shared by the plugins: URLs and the template context."""

from __future__ import annotations

import re
from typing import Any

from .gazetteer import gazetteer
from .model import Field, Kind, Level

PHOTO_MARKER = "{photo}"
_PHOTO_REF = re.compile(re.escape(PHOTO_MARKER) + r'([^"]+)')


def photo_path(content_path: str) -> str:
    """Where an original photo is published: "profiles/x/2024/a.jpg" → "anh/x/2024/a.jpg"."""
    return "anh/" + content_path.removeprefix("profiles/")


def resolve_photos(html: str, siteurl: str) -> str:
    """Point the photo references that validation left in a body at their URLs."""
    return _PHOTO_REF.sub(lambda m: f"{siteurl}/{photo_path(m.group(1))}", html)


def absolute_url(siteurl: str, path: str) -> str:
    """SITEURL + site-relative path, with exactly one slash between."""
    return f"{siteurl.rstrip('/')}/{path.lstrip('/')}"


def site_context(settings: dict[str, Any]) -> dict[str, Any]:
    """Values every template may read."""
    return {
        "KINDS": list(Kind),
        "FIELDS": list(Field),
        "LEVELS": list(Level),
        "current_provinces": gazetteer().provinces(),
        "SITE_DESCRIPTION": settings["LANTOA_DESCRIPTION"],
    }
