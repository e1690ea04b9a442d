"""Pelican plugin: read, validate and publish profiles (one page per profile).

Profiles are read by `lantoa.collection` rather than Pelican's own reader:
that keeps line numbers for every problem and reads files in parallel. This
generator puts the validated `Profile` values into the shared context, where the
other Lan Tỏa plugins find them, and writes `/mo-hinh/<slug>/` and
`/dien-hinh/<slug>/`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lantoa.collection import collect
from lantoa.model import Profile
from lantoa.output import PageCache, profile_digest
from lantoa.problems import StrictBuildError, report
from lantoa.settings import apply_defaults
from lantoa.signals import profiles_read
from lantoa.site import resolve_photos, site_context
from pelican import signals
from pelican.generators import Generator


class ProfilesGenerator(Generator):
    """Reads every profile into `context['profiles']` and writes their pages."""

    def generate_context(self) -> None:
        settings = self.settings
        today = date.fromisoformat(settings["LANTOA_TODAY"]) if settings["LANTOA_TODAY"] else None
        collection = collect(
            Path(self.path),
            cache_dir=Path(settings["LANTOA_CACHE_DIR"]),
            today=today,
            workers=settings["LANTOA_WORKERS"],
        )
        self.context["lantoa_collection"] = collection
        self.context["profiles"] = collection.profiles
        self.context["profile_digests"] = {p.url: profile_digest(p) for p in collection.profiles}
        self.context["page_cache"] = _caches[id(settings)] = PageCache(settings)
        profiles_read.send(self, collection=collection, context=self.context, settings=settings)
        report(collection.problems)
        if settings["LANTOA_STRICT"] and collection.errors:
            raise StrictBuildError(collection.problems)
        self.context.update(site_context(settings))
        # Without the image plugin, photos are left out rather than linked to originals.
        self.context.setdefault("render_photos", _without_photos)
        # Later plugins attach per-profile extras (breadcrumbs, neighbours, photos).
        self.context.setdefault("profile_extras", {p.url: {} for p in collection.profiles})

    def generate_output(self, writer) -> None:
        template = self.get_template("profile")
        extras = self.context["profile_extras"]
        cache: PageCache = self.context["page_cache"]
        digests = self.context["profile_digests"]
        for profile in self.context["profiles"]:
            extra = extras.get(profile.url, {})
            inputs = (digests[profile.url], {key: _summary(value) for key, value in extra.items()})
            cache.write_page(
                writer, f"{profile.url}index.html", template, self.context, inputs,
                lastmod=profile.updated, profile=profile, page_url=profile.url, extras=extra,
            )
        cache.flush()


def _without_photos(profile: Profile, base: str) -> str:
    return resolve_photos(profile, lambda source, alt: "")


def _summary(value):
    """What a page shows of its neighbours: enough to notice any change, cheap to hash."""
    if isinstance(value, Profile):
        return (value.url, value.title, value.year, value.place.province.short_name)
    if isinstance(value, (list, tuple)):
        return [_summary(v) for v in value]
    if isinstance(value, dict):
        return {k: _summary(v) for k, v in value.items()}
    return value


_caches: dict[int, PageCache] = {}


def initialise(pelican) -> None:
    apply_defaults(pelican.settings)


def finish(pelican) -> None:
    cache = _caches.pop(id(pelican.settings), None)
    if cache is not None:
        cache.finish()


def get_generators(pelican):
    return ProfilesGenerator


def register() -> None:
    signals.initialized.connect(initialise)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(finish)
