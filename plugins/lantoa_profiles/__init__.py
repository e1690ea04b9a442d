"""Pelican plugin: read, validate and publish profiles (one page per profile).

Profiles are read by `lantoa.collection` rather than Pelican's own reader:
that keeps line numbers for every problem and reads files in parallel. This
generator puts the validated `Profile` values into the shared context, where the
other Lan Tỏa plugins find them, and writes `/mo-hinh/<slug>/` and
`/dien-hinh/<slug>/`.
"""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

from lantoa.cache import COMPILED_TEMPLATES, Cache, CompiledTemplates, settings_salt
from lantoa.collection import collect, profile_cache_files
from lantoa.facets import FACET_BY_NAME
from lantoa.files import QUIET_CHANGES, resume_collections
from lantoa.gazetteer import keep_gazetteer
from lantoa.model import Profile
from lantoa.output import Page, PageCache
from lantoa.parallel import settle
from lantoa.problems import StrictBuildError, report
from lantoa.progress import stage
from lantoa.settings import apply_defaults
from lantoa.signals import profiles_digested, profiles_read
from lantoa.site import EscapingTemplate, site_context
from lantoa.state import (
    CONTEXT_KEY,
    BuildState,
    NoPhotos,
    PhotoRenderer,
    ProfileExtras,
    build_state,
    make_state,
    profile_digests,
)
from pelican import signals
from pelican.generators import Generator


class ProfilesGenerator(Generator):
    """Reads every profile, makes the build state (`context['lantoa']`) and writes the profile pages."""

    pelican = None  # the run this generator belongs to (set per run by `get_generators`)

    def generate_context(self) -> None:
        settings = self.settings
        today = date.fromisoformat(settings["LANTOA_TODAY"]) if settings["LANTOA_TODAY"] else None
        cache = Cache(settings)
        collection = collect(
            Path(self.path),
            cache_dir=cache.root,
            today=today,
            workers=settings["LANTOA_WORKERS"],
            salt=cache.salt,
            walk=getattr(self.pelican, "lantoa_content_walk", None),  # when `lantoa.build` took one
            settles=True,  # `finish`, or the build that runs Pelican, settles
        )
        for shard in profile_cache_files(cache.root):
            cache.use(shard)
        cache.file(COMPILED_TEMPLATES)  # counted as used: kept while builds read it
        cache.use(keep_gazetteer(cache.root))
        # The profiles live until the build ends: the collector need not scan them again
        # and again while the indexes are made, nor touch their memory in forked workers.
        gc.freeze()
        if not (settings["LANTOA_STRICT"] and collection.errors):
            # Work that needs only the profiles' text (the search index) starts first: the
            # photos are checked and the indexes made meanwhile (at 10,000 profiles the
            # build otherwise waited for the index at its search page).
            urls = collection.urls_in_order()
            text_digests = dict(zip(urls, collection.digests_in_order(), strict=True))
            profiles_digested.send(self, profiles=tuple(collection.profiles), urls=urls, digests=text_digests,
                                   context=self.context, settings=settings, cache=cache)
        # Receivers (the photo plugin) may add problems before they are reported, and
        # one of them may answer with the renderer that turns photo references into markup.
        answers = profiles_read.send(self, collection=collection, context=self.context, settings=settings,
                                     cache=cache)
        photos: PhotoRenderer = next((r for _, r in answers if r is not None), NoPhotos())
        report(collection.problems)
        if settings["LANTOA_STRICT"] and collection.errors:
            raise StrictBuildError(collection.problems)
        digests = profile_digests(collection, photos)
        with stage("Lập chỉ mục", len(collection.profiles), "hồ sơ") as step:
            pages = PageCache(settings, cache)
            if len(pages.compare_profiles(digests)) > QUIET_CHANGES:
                resume_collections()  # paused while the build has done little (`fewer_collections`)
            state = make_state(collection, photos, pages, cache, digests=digests, keep_terms=True)
            step.advance(len(state.profiles))
        photos.begin(state)
        gc.freeze()  # and so does the state
        if self.pelican is not None:
            self.pelican.lantoa_state = state  # for `finish`, when every file is written
        self.context[CONTEXT_KEY] = state
        self.context.update(site_context(settings))
        # Template globals: the profiles, the facet declarations, the body renderer.
        self.context["profiles"] = list(state.profiles)
        self.context["facets"] = FACET_BY_NAME
        self.context["render_photos"] = photos.render_body

    def generate_output(self, writer) -> None:
        state = build_state(self.context, "lantoa_profiles")
        pages, around = state.pages, state.extras.around
        # Which profiles are beside which follows from every profile's place in the order and
        # its localities and fields: when those are the previous build's, so is each page's
        # signature, read instead of chosen again (0.1 s at 10,000 profiles, 1.5 s at 100,000).
        placed_as_before = pages.as_before("placement", state.extras.placement)
        profiles = state.profiles
        if placed_as_before:
            # A page shows the profile, its neighbours and related profiles: when none of
            # them changed, nor which they are, the page is kept without a look at its inputs.
            urls = state.urls(profiles)
            owners = [PROFILE_OWNER + url for url in urls]
            shown = [(url, *beside) if beside else (url,)
                     for url, beside in zip(urls, pages.previous_signatures(owners), strict=True)]
            profiles = pages.keep_as_before(profiles, owners, shown)
        for profile in profiles:
            owner = profile_owner(profile)
            beside = pages.previous_signature(owner) if placed_as_before else None
            if beside is None:
                beside = around(profile.url)
            if pages.visit(owner, beside, (profile.url, *beside)):
                pages.write(writer, self, profile_page(state, profile))
        pages.flush("Trang hồ sơ")


def profile_page(state: BuildState, profile: Profile) -> Page:
    """The page of one profile (the preview server renders it alone, from memory)."""
    extra = state.extras.get(profile.url)
    inputs = (state.digests[profile.url], _shown(extra) if extra else ())
    return Page(f"{profile.url}index.html", "profile", inputs,
                {"profile": profile, "page_url": profile.url, "extras": extra}, profile.updated,
                profile_owner(profile))


PROFILE_OWNER = "ho-so:"  # then the profile's URL: `profile_owner`


def profile_owner(profile: Profile) -> str:
    """The group of the profile's page in the output manifest (`PageCache.visit`)."""
    return PROFILE_OWNER + profile.url


def _face(profile: Profile | None) -> tuple | None:
    """What a page shows of a neighbour: enough to notice any change, cheap to hash."""
    if profile is None:
        return None
    return (profile.url, profile.title, profile.year, profile.place.province.short_name)


def _shown(extra: ProfileExtras) -> tuple:
    """Everything a profile page shows around the profile, as short strings."""
    return (extra.crumbs, _face(extra.newer), _face(extra.older), tuple(map(_face, extra.related)),
            tuple((name, tuple(term.digest for term in terms)) for name, terms in extra.terms.items()))


def initialise(pelican) -> None:
    apply_defaults(pelican.settings)
    cache = Path(pelican.settings["LANTOA_CACHE_DIR"])
    _compiled[str(cache)] = CompiledTemplates(cache / COMPILED_TEMPLATES, settings_salt(pelican.settings))


# The compiled templates of each build running in this process, by its cache folder: a
# generator's Jinja environment is made before any plugin sees the generator.
_compiled: dict[str, CompiledTemplates] = {}


def use_compiled_templates(generator) -> None:
    generator.env.bytecode_cache = _compiled.get(str(generator.settings.get("LANTOA_CACHE_DIR")))
    generator.env.template_class = EscapingTemplate


def finish(pelican) -> None:
    compiled = _compiled.pop(str(pelican.settings["LANTOA_CACHE_DIR"]), None)
    if compiled is not None:
        compiled.save()
    state = getattr(pelican, "lantoa_state", None)
    if state is not None:
        state.photos.finish(state.pages)
        state.pages.finish()
        gc.unfreeze()
    if not pelican.settings.get("LANTOA_TARGET"):  # a staged build waits before its swap
        settle()


def get_generators(pelican):
    # A subclass per run, so that `finish` finds this run's state without a global.
    return type("ProfilesGenerator", (ProfilesGenerator,), {"pelican": pelican})


def register() -> None:
    signals.initialized.connect(initialise)
    signals.generator_init.connect(use_compiled_templates)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(finish)
