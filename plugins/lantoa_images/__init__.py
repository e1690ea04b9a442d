"""Pelican plugin: publish profile photos resized and stripped, and a share card per profile.

Runs when the profiles are read (`lantoa.signals.profiles_read`): every photo a
profile names is checked and processed by `lantoa.images` in parallel, cached by
content hash under `LANTOA_CACHE_DIR/images/`, and linked into the output; a
rejected photo becomes a problem of the run and the profile is built without it.
Templates get `photos` (content path → ProcessedPhoto), `picture`, `card_picture` and
`share_card`; the build state gets the `PhotoPublisher` as its photo renderer
(body photos as <picture> elements, feed enclosures, photo digests). Share cards
are drawn by helper processes while the pages are rendered, and linked into
the site when every page is written (`PhotoPublisher.finish`).
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache, partial
from pathlib import Path
from urllib.parse import quote

import jinja2
from lantoa.cache import Cache
from lantoa.collection import Collection
from lantoa.files import checksum, link_or_copy, warn_cache, write_atomic, write_checking_itself
from lantoa.images import (
    CARD_ENCODERS,
    SHARE_SIZE,
    ProcessedPhoto,
    check_photos,
    draw_share_card,
    png_is_whole,
    share_card_suffix,
)
from lantoa.model import Profile
from lantoa.output import PageCache
from lantoa.parallel import Background, PackedJobs, worker_count
from lantoa.progress import stage
from lantoa.signals import profiles_read
from lantoa.site import resolve_photos
from lantoa.state import BuildState
from markupsafe import Markup

PHOTO_FOLDER = "anh"
SIZES = "(min-width: 48rem) 42rem, 100vw"


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


def share_card_path(profile: Profile, photo: bool) -> str:
    """Site file of a profile's share card: a JPEG drawn on its photo, a PNG without one."""
    return f"{PHOTO_FOLDER}/the-chia-se/{profile.kind.value}-{profile.slug}{share_card_suffix(photo)}"


CARD_OWNER = "the-chia-se:"  # then the profile's URL: `card_owner`


def card_owner(profile: Profile) -> str:
    """The group of the profile's share card in the output manifest (`PageCache.visit`)."""
    return CARD_OWNER + profile.url


def _draw_card_job(job, site: str, fonts) -> None:
    """In a helper process: draw one share card into its cache entry, and link the entry
    into the site being built (`PhotoPublisher.finish` records it there)."""
    cached, title, place, year, background, published = job
    photo = background.read_bytes() if background else None
    card = draw_share_card(title, place, year, site, fonts, photo)
    # A PNG checks itself (`png_is_whole`): written in place, a file and a rename fewer
    # for each of the 10,000 cards of a cold build.
    (write_checking_itself if cached.suffix == ".png" else write_atomic)(cached, card)
    for checksum_file in _card_sums(cached):
        write_atomic(checksum_file, hashlib.sha256(card).hexdigest().encode())
    link_or_copy(cached, published)


def _card_sums(cached: Path) -> list[Path]:
    """The file holding a card entry's checksum: a JPEG's SHA-256 beside it. A PNG checks
    itself (`png_is_whole`): 10,000 files fewer to make in a cold build at 10,000 profiles."""
    return [] if cached.suffix == ".png" else [cached.with_name(cached.name + ".sha256")]


def _card_is_whole(cached: Path) -> bool:
    try:
        if cached.suffix == ".png":
            return png_is_whole(cached.read_bytes())
        return all(s.read_bytes().decode() == checksum(cached) for s in _card_sums(cached))
    except (OSError, UnicodeDecodeError):
        return False


def card_background(photo: ProcessedPhoto) -> str:
    """The processed JPEG a share card is drawn on: the smallest that covers the card.

    Already upright and stripped, and a fraction of the original's pixels to decode;
    a photo smaller than the card gives its largest size, which is its own.
    """
    jpegs = sorted((v for v in photo.variants if v.mime == "image/jpeg"), key=lambda v: v.width)
    covering = [v for v in jpegs if v.width >= SHARE_SIZE[0] and v.height >= SHARE_SIZE[1]]
    return (covering or jpegs[-1:])[0].name


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
        self._links: list[tuple[Path, str, str]] = []  # (cache entry, site-relative file, owner)
        self._drawing: Background | None = None
        self._drawn: list[Path] = []

    def digest(self, profile: Profile) -> str:
        if not (profile.image or profile.body_images):
            return ""  # most profiles: no list of photos made, no join
        return "".join(self.photos[s].digest for s in profile.photos if s in self.photos)

    def run(self, collection: Collection) -> PhotoPublisher:
        profiles = collection.profiles
        run = check_photos(profiles, self.content, self.settings, self.cache)
        self.processed, self.reused = run.processed, run.reused
        published = run.photos
        collection.problems.extend(run.problems)
        self.photos = published
        # Template globals; other plugins reach photos through the build state's renderer.
        self.context["photos"] = published
        self.context["share_card"] = self.share_card
        self.context["picture"] = self.picture
        self.context["card_picture"] = self.card_picture
        return self

    def begin(self, state: BuildState) -> None:
        """The pages are about to be made: publish the photos, start the share cards.

        Not earlier: until the page cache exists, the previous site may still be being
        linked into the build folder (`lantoa.output.start_linking`), and a recycled
        folder loses there every file the previous site does not have.
        """
        for source, photo in self.photos.items():
            folder = photo_folder(source)
            state.pages.written_beside(folder)
            for variant in (*photo.variants, *photo.card):
                link_or_copy(self.cache.root / "images" / photo.digest / variant.name,
                             self.output / folder / variant.name)
        self._share_cards(state)
        print(f"Ảnh: {self.processed} ảnh xử lý mới, {self.reused} ảnh dùng lại, "
              f"{self.cards_drawn} thẻ chia sẻ vẽ mới.", file=sys.stderr)

    def _share_cards(self, state: BuildState) -> None:
        """Start drawing the missing share cards beside the build, each linked into the site
        once drawn; `finish` links the cards kept and records them all.

        Nothing in the pages depends on a card's bytes, so they are drawn by a helper
        process while pages are rendered. A card whose profile shows the same title,
        place, year and photo as in the build before is kept without a look at its entry.
        """
        (self.cache.root / "cards").mkdir(parents=True, exist_ok=True)
        jobs = []
        site = self.settings["SITENAME"]
        # A card whose profile did not change is kept as it was (its digest covers its photos).
        urls = state.urls(state.profiles)
        owners = [CARD_OWNER + url for url in urls]
        for profile in state.pages.keep_as_before(state.profiles, owners, [(url,) for url in urls]):
            photo = self._card_photo(profile)
            owner = card_owner(profile)
            # What the card shows comes from its profile alone (its digest covers its photos).
            made_from = state.pages.signature_of(owner, profile.url, lambda p=profile, f=photo: (
                p.title, p.place.label, p.year, site, f.digest if f else None, CARD_ENCODERS))
            if not state.pages.visit(owner, made_from):
                continue
            cached = self.cache.entry("cards", *made_from, suffix=share_card_suffix(photo is not None))
            name = share_card_path(profile, photo is not None)
            for checksum_file in _card_sums(cached):
                self.cache.use(checksum_file)
            if not self.cache.trusted(cached, lambda c=cached: _card_is_whole(c)):
                if cached.exists():
                    warn_cache(cached)
                background = (self.cache.root / "images" / photo.digest / card_background(photo)
                              if photo else None)
                jobs.append((cached, profile.title, profile.place.label, profile.year, background,
                             os.path.abspath(self.output / name)))
            self._links.append((cached, name, owner))
        self.cards_drawn = len(jobs)
        # One card is drawn at the end faster than a helper process starts.
        helpers = worker_count(self.settings["LANTOA_WORKERS"]) - 1 if len(jobs) > 1 else 0
        draw = partial(_draw_card_job, site=site, fonts=self.fonts)
        self._drawing = Background(draw, PackedJobs(jobs), helpers, fresh=True, idle=True)
        self._drawn = [job[0] for job in jobs]

    def finish(self, pages: PageCache) -> None:
        """Every page is written: wait for the cards, then link every card kept.

        Each card is a file of the output manifest (`pages`), made from its cache entry
        as it is now: a card whose entry is the same file as the build before is
        neither linked again nor even looked at, and the card of a profile gone is
        removed with the pages that only the previous build wrote.
        """
        if self._drawing is None:
            return
        with stage("Vẽ thẻ chia sẻ", self.cards_drawn, "thẻ") as step:
            self._drawing.finish(step)
            step.advance(self.cards_drawn - step.done)
        self._drawing = None
        for cached in self._drawn:
            self.cache.vouch(cached)
        # A card drawn in this build was linked into the site by its helper as it was drawn,
        # not here once all are done: 10,000 links in a cold build, on both cores.
        linked = set(self._drawn)
        for cached, name, owner in self._links:
            made = os.stat(cached)
            entries = tuple(self.cache.entry_name(p) for p in (cached, *_card_sums(cached)))
            inputs = ("card", cached.name, made.st_ino, made.st_size, made.st_mtime_ns)
            if cached in linked:
                pages.made(name, inputs, owner, uses=entries)
            else:
                pages.link(name, cached, inputs, owner, uses=entries)
        pages.flush()

    def _card_photo(self, profile: Profile) -> ProcessedPhoto | None:
        return self.photos.get(profile.image) if profile.image else None

    def share_card(self, profile: Profile) -> str:
        """The site file of a profile's share card (template global `share_card`)."""
        return share_card_path(profile, self._card_photo(profile) is not None)

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
