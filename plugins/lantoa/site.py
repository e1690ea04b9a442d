"""Site-wide helpers shared by the plugins: URLs and the template context."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .gazetteer import gazetteer
from .model import Field, Kind, Level, Profile

PHOTO_MARKER = "{photo}"
_PHOTO_IMG = re.compile(r"<img\b[^>]*?\bsrc=\"" + re.escape(PHOTO_MARKER) + r'([^"]+)"[^>]*>')
_ALT = re.compile(r'\balt="([^"]*)"')


def resolve_photos(html: str, picture: Callable[[str, str], str]) -> str:
    """Replace each photo that validation marked in a body by its published markup.

    `picture(source, alt)` returns the HTML for a content-relative photo path, or ""
    for a photo that was rejected: it is left out, never shown as a broken image.
    """
    def swap(match: re.Match) -> str:
        alt = _ALT.search(match.group(0))
        return picture(match.group(1), alt.group(1) if alt else "")

    return _PHOTO_IMG.sub(swap, html)


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
        "profile_jsonld": profile_jsonld,
    }


def profile_jsonld(profile: Profile, siteurl: str, image: str | None = None) -> str:
    """schema.org `Article` about one model, placed in its administrative area."""
    place = profile.place
    area = {"@type": "AdministrativeArea", "name": place.province.name}
    location: dict[str, Any] = {
        "@type": "Place",
        "name": place.label,
        "address": {"@type": "PostalAddress", "addressRegion": place.province.name,
                    "addressCountry": "VN"},
        "containedInPlace": area,
    }
    if place.commune:
        location["address"]["addressLocality"] = place.commune.name
    actor = {"@type": "Person" if profile.person else "Organization", "name": profile.actor}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": profile.title,
        "description": profile.summary,
        "inLanguage": "vi",
        "url": absolute_url(siteurl, profile.url),
        "mainEntityOfPage": absolute_url(siteurl, profile.url),
        "datePublished": profile.date.isoformat(),
        "dateModified": profile.updated.isoformat(),
        "about": {"@type": "Thing", "name": profile.title, "description": profile.kind.label},
        "contentLocation": location,
        "mentions": actor,
        "keywords": ", ".join([f.label for f in profile.fields] + list(profile.tags)),
    }
    if image:
        data["image"] = image
    # "</" inside a <script> element would end it early.
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
