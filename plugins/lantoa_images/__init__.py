"""Pelican plugin: publish profile photos resized and stripped, and a share card per profile.

Runs when the profiles are read (`lantoa.signals.profiles_read`): every photo a
profile names is checked and processed by `lantoa.images` in parallel, cached by
content hash under `LANTOA_CACHE_DIR/images/`, and linked into the output; a
rejected photo becomes a problem of the run and the profile is built without it.
Templates get `photos` (content path → ProcessedPhoto), `picture`, `card_picture` and
`share_card`; the build state gets the `PhotoPublisher` as its photo renderer
(body photos as <picture> elements, feed enclosures, photo digests).
"""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from pathlib import Path
from urllib.parse import quote

import jinja2
from lantoa.cache import Cache
from lantoa.collection import Collection
from lantoa.files import checksum, link_or_copy, read_content, warn_cache, write_atomic
from lantoa.images import ProcessedPhoto, check_photos, draw_share_card
from lantoa.model import Profile
from lantoa.parallel import process_pool, worker_count
from lantoa.signals import profiles_read
from lantoa.site import resolve_photos
from markupsafe import Markup

PHOTO_FOLDER = "anh"
SIZES = "(min-width: 48rem) 42rem, 100vw"
MAX_CARD_SOURCE_BYTES = 200_000_000  # the photo itself was checked against LANTOA_MAX_IMAGE_BYTES


@cache
def picture_macros(theme: str):
    """The theme's `_picture.html` macros, for markup made outside a page's own template."""
    loader = jinja2.FileSystemLoader(str(Path(theme) / "templates"))
    environment = jinja2.Environment(loader=loader, autoescape=True)
    return environment.get_template("_picture.html").module


def photo_folder(content_path: str) -> str:
    """Site folder of a photo's files: "profiles/x/2024/a.jpg" → "anh/x/2024/a/"."""
    stem = Path(content_path.removeprefix("profiles/")).with_suffix("")
    return f"{PHOTO_FOLDER}/{stem.as_posix()}/"


def photo_url(base: str, content_path: str) -> str:
    """URL of a photo's folder: its file name percent-encoded (`"`, `?`, `#`, spaces…)."""
    return f"{base.rstrip('/')}/{quote(photo_folder(content_path))}"


def share_card_path(profile: Profile) -> str:
    return f"{PHOTO_FOLDER}/the-chia-se/{profile.kind.value}-{profile.slug}.jpg"


def _draw_card_job(job) -> None:
    cached, title, place, year, site, fonts, content, image = job
    photo = read_content(content, content / image, MAX_CARD_SOURCE_BYTES) if image else None
    card = draw_share_card(title, place, year, site, fonts, photo if isinstance(photo, bytes) else None)
    write_atomic(cached, card)
    write_atomic(_card_sum(cached), hashlib.sha256(card).hexdigest().encode())


def _card_sum(cached: Path) -> Path:
    return cached.with_name(cached.name + ".sha256")


def _card_is_whole(cached: Path) -> bool:
    try:
        return _card_sum(cached).read_bytes().decode() == checksum(cached)
    except (OSError, UnicodeDecodeError):
        return False


class PhotoPublisher:
    """Everything the image pipeline does in one build."""

    def __init__(self, context: dict, settings: dict, cache: Cache):
        self.context = context
        self.cache = cache
        self.settings = settings
        self.content = Path(settings["PATH"])
        self.output = Path(settings["OUTPUT_PATH"])
        self.fonts = Path(settings["THEME"]) / "fonts"
        self.processed = self.reused = self.cards_drawn = 0
        self.photos: dict[str, ProcessedPhoto] = {}
        self.markup = picture_macros(settings["THEME"])
        self._links: list[tuple[Path, Path]] = []

    def digest(self, profile: Profile) -> str:
        return "".join(self.photos[s].digest for s in profile.photos if s in self.photos)

    def run(self, collection: Collection) -> PhotoPublisher:
        profiles = collection.profiles
        run = check_photos(profiles, self.content, self.settings, self.cache)
        self.processed, self.reused = run.processed, run.reused
        published = run.photos
        collection.problems.extend(run.problems)
        for source, photo in published.items():
            for variant in (*photo.variants, *photo.card):
                link_or_copy(self.cache.root / "images" / photo.digest / variant.name,
                             self.output / photo_folder(source) / variant.name)
        self._share_cards(profiles, published)
        self.photos = published
        # Template globals; other plugins reach photos through the build state's renderer.
        self.context["photos"] = published
        self.context["share_card"] = share_card_path
        self.context["picture"] = self.picture
        self.context["card_picture"] = self.card_picture
        print(f"Ảnh: {self.processed} ảnh xử lý mới, {self.reused} ảnh dùng lại, "
              f"{self.cards_drawn} thẻ chia sẻ vẽ mới.", file=sys.stderr)
        return self

    def _share_cards(self, profiles: list[Profile], photos: dict[str, ProcessedPhoto]) -> None:
        (self.cache.root / "cards").mkdir(parents=True, exist_ok=True)
        jobs = []
        for profile in profiles:
            photo = photos.get(profile.image) if profile.image else None
            cached = self.cache.entry("cards", profile.title, profile.place.label, profile.year,
                                      self.settings["SITENAME"], photo.digest if photo else None,
                                      suffix=".jpg")
            self.cache.use(_card_sum(cached))
            if not _card_is_whole(cached):
                if cached.exists():
                    warn_cache(cached)
                jobs.append((cached, profile.title, profile.place.label, profile.year,
                             self.settings["SITENAME"], self.fonts, self.content,
                             profile.image if photo else None))
            self._links.append((cached, self.output / share_card_path(profile)))
        workers = worker_count(self.settings["LANTOA_WORKERS"])
        if len(jobs) > 20 and workers > 1:
            with process_pool(workers) as pool:
                list(pool.map(_draw_card_job, jobs, chunksize=max(1, len(jobs) // (workers * 4))))
        else:
            for job in jobs:
                _draw_card_job(job)
        self.cards_drawn = len(jobs)
        for cached, target in self._links:
            link_or_copy(cached, target)

    def picture(self, source: str, base: str, alt: str, lazy: bool = True,
                alt_is_html: bool = False) -> str:
        """A <picture> with WebP and JPEG srcsets, intrinsic size and lazy loading."""
        photo = self.photos.get(source)
        if photo is None:
            return ""
        url = photo_url(base, source)
        jpegs = [v for v in photo.variants if v.mime == "image/jpeg"]
        fallback = max((v for v in jpegs if v.width <= 960), key=lambda v: v.width, default=jpegs[0])
        largest = photo.largest("image/jpeg")
        return str(self.markup.picture(
            url, photo.srcset("image/webp", url), photo.srcset("image/jpeg", url), fallback.name,
            largest.width, largest.height, SIZES, alt,
            alt_html=Markup(alt) if alt_is_html else None, lazy=lazy))

    def card_picture(self, source: str, base: str, alt: str) -> str:
        """The small 4:3 crop a listing card shows."""
        photo = self.photos.get(source)
        if photo is None:
            return ""
        webp, jpeg = (next(v for v in photo.card if v.mime == m) for m in ("image/webp", "image/jpeg"))
        return str(self.markup.card_picture(photo_url(base, source), webp, jpeg, alt))

    def render_body(self, profile: Profile, base: str) -> str:
        # The alt text comes from the sanitised body, already escaped.
        return resolve_photos(profile, lambda source, alt: self.picture(source, base, alt, alt_is_html=True))

    def enclosure(self, profile: Profile, base: str) -> tuple[str, int, str] | None:
        photo = self.photos.get(profile.image) if profile.image else None
        if photo is None:
            return None
        jpeg = photo.largest("image/jpeg")
        return photo_url(base, profile.image) + jpeg.name, jpeg.size, jpeg.mime


def publish_photos(sender, collection: Collection, context: dict, settings: dict,
                   cache: Cache) -> PhotoPublisher:
    """Process every photo; the answer is the build state's photo renderer."""
    return PhotoPublisher(context, settings, cache).run(collection)


def register() -> None:
    profiles_read.connect(publish_photos)
