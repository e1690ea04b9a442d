"""One typed build state: what the plugins share, made once per build and never changed.

`lantoa_profiles` reads the profiles, asks the photo plugin (if any) for a
`PhotoRenderer`, and makes a `BuildState`: profiles, their digests, facet
terms and indexes, the per-profile extras (breadcrumbs, neighbours, related)
and the page cache. It is stored under one key of Pelican's context,
`lantoa`, and every other plugin reads it through `build_state(context)`.
See docs/architecture.md for the hooks a plugin may rely on.
"""

from __future__ import annotations

import hashlib
import operator
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from markupsafe import Markup

from .cache import Cache, KeptByDigest, changed_positions
from .collection import Collection
from .facets import (
    FACETS,
    Facet,
    Related,
    Term,
    TermIndex,
    children_of,
    every_term,
    facet_terms,
    index_profiles,
    places_of,
)
from .files import read_keyed, write_keyed
from .gazetteer import gazetteer_version
from .model import Profile
from .output import PageCache, names_digest
from .parallel import beside
from .site import resolve_photos

CONTEXT_KEY = "lantoa"
_URL = attrgetter("url")  # in C: a term's listing and feeds name some hundred thousand profiles a build


class PhotoRenderer(Protocol):
    """What pages and feeds need from the photo pipeline."""

    def digest(self, profile: Profile) -> str:
        """Changes whenever any photo the profile shows changes ("" without photos)."""

    def render_body(self, profile: Profile, base: str) -> str:
        """The profile's body with its photos as <picture> elements."""

    def enclosure(self, profile: Profile, base: str) -> tuple[str, int, str] | None:
        """(URL, bytes, MIME type) of the lead photo for feeds, or None."""

    def begin(self, state: BuildState) -> None:
        """The build state is made, and the build folder may be written: put the photos in
        it, start the work done beside the build (share cards)."""

    def finish(self, pages: PageCache) -> None:
        """Every page is written: end the work done beside the build, and put what it adds
        to the site in the output manifest (`pages`)."""


class NoPhotos:
    """The renderer without the photo plugin: photos are left out, never linked to originals."""

    def digest(self, profile: Profile) -> str:
        return ""

    def render_body(self, profile: Profile, base: str) -> str:
        return resolve_photos(profile, lambda source, alt: "")

    def enclosure(self, profile: Profile, base: str) -> tuple[str, int, str] | None:
        return None

    def begin(self, state: BuildState) -> None:
        pass

    def finish(self, pages: PageCache) -> None:
        pass


@dataclass(frozen=True)
class ProfileExtras:
    """What a profile page shows around the profile itself."""

    crumbs: tuple[tuple[str, str], ...]
    newer: Profile | None
    older: Profile | None
    related: tuple[Profile, ...]
    terms: Mapping[str, Sequence[Term]]  # facet name → the profile's terms


@dataclass(frozen=True)
class BuildState:
    """Everything the plugins share in one build."""

    collection: Collection
    profiles: tuple[Profile, ...]  # published, newest first
    digests: Mapping[str, str]  # profile URL → digest of everything its page shows of it
    facets: tuple[Facet, ...]
    index: Mapping[str, Mapping[str, TermIndex]]  # facet → term key → term and profiles
    children: Mapping[str, Mapping[str, list[TermIndex]]]  # term URL → facet → child terms
    empty_terms: tuple[Term, ...]  # terms with a page but no profile yet
    extras: Extras  # profile URL → its ProfileExtras; `.terms`: profile URL → facet → terms
    photos: PhotoRenderer
    pages: PageCache  # the services that change: the pages this build wrote …
    cache: Cache  # … and the cache entries it used
    # The profiles' structure (`KeptTerms.structure`), when their terms were kept (a build's,
    # not a preview's). While it is the previous build's, every term has the profiles, in the
    # order, and the children it had: a listing's or a feed's signature is the previous one.
    structure: str | None = None
    structure_as_before: bool = False
    _urls: dict[int, tuple[list[Profile], list]] = field(default_factory=dict, repr=False)
    _cards: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _term_feeds: dict[tuple[str, str, str], Markup] = field(default_factory=dict, repr=False)
    _entries: dict[int, TermIndex] = field(default_factory=dict, repr=False)  # by id of its profiles

    def __post_init__(self) -> None:
        self._entries.update((id(e.profiles), e) for by_key in self.index.values() for e in by_key.values())

    def facet(self, name: str) -> Facet:
        return next(f for f in self.facets if f.name == name)

    def card(self, profile: Profile, siteurl: str, render: Callable[[Profile], Any]) -> Any:
        """A profile's card in listings, rendered by `render` (the theme's `card` macro) once
        per build for each SITEURL it is rendered with: a profile shows in a listing of each
        of its terms (some nine at 10,000 profiles), and its card is the same in each."""
        key = (profile.url, siteurl)
        found = self._cards.get(key)
        if found is None:
            found = self._cards[key] = render(profile)
        return found

    def term_feeds(self, terms: Mapping[str, Sequence[Term]], siteurl: str,
                   render: Callable[[Term], Markup]) -> Markup:
        """The feed links of a profile's terms (facet → terms) for its page's head, each
        term's rendered by `render` (the theme's `term_feed_links` macro) once per build
        for each SITEURL: every profile page names the feeds of its eight or so terms,
        the same on each page of a term."""
        made = self._term_feeds
        links = []
        for some in terms.values():
            for term in some:
                key = (term.url, term.title, siteurl)  # what the links show; a Term hashes all its fields
                found = made.get(key)
                if found is None:
                    found = made[key] = render(term)
                links.append(found)
        return Markup("".join(f"{found}\n" for found in links))

    def urls(self, profiles: list[Profile]) -> tuple[str, ...]:
        """The URLs of a list of profiles (a term's, in the index), made once per list:
        a term's listing and its feeds both name them in their signatures."""
        return self._named(profiles)[0]

    def newest(self, profiles: Sequence[Profile], count: int) -> list[Profile]:
        """The first `count` of `profiles` (published ones) in the feeds' order, newest published
        first: what `heapq.nsmallest(count, profiles, key=publication_key)` chooses, from the
        collection's ranks (sorting ranks looked up by URL, in C, instead of reading the key of
        each of 10,000 profiles scattered in memory: 17 ms of an edit's feeds)."""
        rank, in_order = self.collection.publication_order()
        return [in_order[n] for n in sorted(map(rank.__getitem__, self.urls(profiles)))[:count]]

    def urls_digest(self, profiles: list[Profile]) -> str:
        """`output.names_digest` of `urls(profiles)`, made once per list, for the same two."""
        named = self._named(profiles)
        if named[1] is None:
            named[1] = names_digest(named[0])
        return named[1]

    def _named(self, profiles: list[Profile]) -> list:
        hit = self._urls.get(id(profiles))
        if hit is None or hit[0] is not profiles:
            entry = self._entries.get(id(profiles))
            if entry is not None and entry.profiles is profiles and len(entry.urls) == len(profiles):
                urls = tuple(entry.urls)
            elif len(profiles) == len(every := self.collection.profiles) \
                    and all(map(operator.is_, profiles, every)):
                # A copy of every profile's list (all profiles' listing, the site's feed): the
                # collection's URLs, not 10,000 profiles read again (7 ms a copy).
                urls = self.collection.urls_in_order()
            else:
                urls = tuple(map(_URL, profiles))
            hit = self._urls[id(profiles)] = (profiles, [urls, None])
        return hit[1]


def profile_digests(collection: Collection, photos: PhotoRenderer) -> dict[str, str]:
    """Profile URL → what the profile and its published photos look like, as one short string."""
    plain = collection.digests_in_order()
    digests = dict(zip(collection.urls_in_order(), plain, strict=True))
    for position in collection.with_photos():
        profile = collection.profiles[position]
        digests[profile.url] = _digest(plain[position], photos.digest(profile))
    return digests


def make_state(collection: Collection, photos: PhotoRenderer, pages: PageCache, cache: Cache,
               facets: tuple[Facet, ...] = FACETS, remember: dict | None = None,
               digests: dict[str, str] | None = None, keep_terms: bool = False) -> BuildState:
    """The state of one build. `remember` keeps each profile's facet terms from one call to
    the next (the preview server makes a state per save, with one profile changed);
    `keep_terms` keeps them in the cache from one build to the next (`kept_terms`);
    `digests` are `profile_digests`, when already made."""
    profiles = tuple(collection.profiles)
    digests = digests if digests is not None else profile_digests(collection, photos)
    structure = None
    places: Callable[[Profile], Sequence[tuple]] | None = None
    related: Related | None = None
    index: dict[str, dict[str, TermIndex]] = {}
    if remember is not None:
        terms = _remembered_terms(profiles, facets, remember)
        places = lambda p: remember[id(p)][3]  # noqa: E731
    elif keep_terms:
        as_kept = state_as_kept(collection, facets, cache)
        if as_kept is not None:
            terms, index, related, structure = as_kept
        else:
            terms = kept_terms(collection, facets, cache)
            places = lambda p, kept=terms.places: kept[p.url]  # noqa: E731
            structure = terms.structure
    else:
        terms, places = facet_terms(profiles, facets), None
    if related is None:
        index = index_profiles(profiles, facets, terms)
        related = Related(profiles, places=places, placement=structure)
        if isinstance(terms, KeptTerms):
            # Read by the next build, not by this one: made and written beside it.
            beside(partial(keep_structure, cache, facets, profiles, terms, index, related), defer=True)
    empty = tuple(t for t in every_term(facets) if t.key not in index[t.facet])
    return BuildState(
        collection=collection, profiles=profiles, digests=MappingProxyType(digests),
        facets=facets, index=MappingProxyType(index), children=MappingProxyType(children_of(index)),
        empty_terms=empty, extras=Extras(profiles, index, terms, related),
        structure=structure,
        structure_as_before=structure is not None and pages.as_before("structure", structure),
        photos=photos, pages=pages, cache=cache,
    )


def remember_state(state: BuildState) -> dict:
    """What `make_state(..., remember=)` keeps, taken from a state already made: the first
    save after a whole build then makes only the changed profile's terms."""
    terms = state.extras.terms
    return {id(p): (p, state.facets, terms[p.url], places_of(p)) for p in state.profiles}


TERMS_FOLDER = "facet-terms"


class KeptTerms(dict):
    """`facet_terms` (profile URL → facet name → its terms), kept from one build to the next
    (`kept_terms`), with what else a profile's place among the others is made from.

    `places`: profile URL → its localities, nearest first (`facets.places_of`).
    `structure`: one digest of the profiles in order, with each one's terms, localities
    and fields. While it is the previous build's, every term has the profiles, in the
    order, and the children it had: what a listing or a feed is signed by, and what a
    profile's neighbours and related profiles are chosen from (`Related.placement`).
    """

    def __init__(self, terms: dict[str, dict[str, list[Term]]], places: dict[str, tuple],
                 structure: str, digests: list[str] | None = None, shapes: list[str] | None = None):
        super().__init__(terms)
        self.places = places
        self.structure = structure
        # Each profile's `Collection.digest` and the digest of its terms, localities and fields,
        # in the profiles' order: what `KeptStructure` is checked by.
        self.digests = digests or []
        self.shapes = shapes or []


def kept_terms(collection: Collection, facets: tuple[Facet, ...], cache: Cache) -> KeptTerms:
    """`facet_terms`, kept in the cache by profile digest: a build makes only the changed
    profiles' terms (a fresh process would spend half a second on all of them).

    Terms are made from the profile, the facet declarations and the gazetteer, so the
    files hold one key for all three: the code and settings (the cache's salt, which
    covers the declarations), the gazetteer's sources and the facets' names. A
    profile's terms are kept as keys into one table of terms: a term is shared by
    hundreds of profiles, and reading it once costs less than reading it per profile.
    Each profile's localities and a digest of its terms, localities and fields are
    kept with them (`KeptTerms`).
    """
    key = _terms_key(cache, facets)
    table_file = _terms_table(cache)
    table: dict[tuple[str, str], Term] = read_keyed(table_file, key) or {}
    known = len(table)

    def made(profile: Profile) -> tuple[dict[str, tuple[str, ...]], tuple, str]:
        held, keys, places, shape = _held(profile, facets)
        for name, terms in held.items():
            for term in terms:
                table.setdefault((name, term.key), term)
        return keys, places, shape

    kept = KeptByDigest(cache, TERMS_FOLDER, key)

    def looked_up(keys: dict[str, tuple[str, ...]]) -> dict[str, list[Term]]:
        return {name: [table[name, k] for k in ks] for name, ks in keys.items()}

    terms: dict[str, dict[str, list[Term]]] = {}
    places: dict[str, tuple] = {}
    shapes: list[str] = []
    digests = collection.digests_in_order()
    for profile, digest in zip(collection.profiles, digests, strict=True):
        found = kept.get(digest, lambda p=profile: made(p))
        try:
            mine = looked_up(found[0])
        except KeyError:  # a shard names a term the table lost (a damaged cache)
            found = kept.put(digest, made(profile))
            mine = looked_up(found[0])
        url = profile.url
        terms[url] = mine
        places[url] = found[1]
        shapes.append(found[2])
    kept.save()
    if len(table) != known:
        for term in table.values():
            term.digest  # noqa: B018 (made before the table is written, so that it is kept with it)
        write_keyed(table_file, key, table)
    # With the key: the same terms under another gazetteer may have other titles and children.
    lines = [repr(key), *(f"{p.url} {shape}" for p, shape in zip(collection.profiles, shapes, strict=True))]
    structure = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]
    return KeptTerms(terms, places, structure, digests, shapes)


def _terms_table(cache: Cache) -> Path:
    """The file of the table of terms `kept_terms` keeps, counted as used by this build."""
    return cache.entry(TERMS_FOLDER, "table", suffix=".pickle")


def _terms_key(cache: Cache, facets: tuple[Facet, ...]) -> tuple:
    """What a profile's terms are made from besides the profile (`kept_terms`)."""
    return (cache.salt, gazetteer_version(), tuple(f.name for f in facets))


def _held(profile: Profile, facets: tuple[Facet, ...]) -> tuple[dict[str, list[Term]],
                                                                 dict[str, tuple[str, ...]], tuple, str]:
    """A profile's terms (facet name → terms), their keys, its localities, and the digest of
    those keys, localities and fields: its shape in the profiles' structure."""
    held = {facet.name: list(facet.terms_of(profile)) for facet in facets}
    keys = {name: tuple(term.key for term in terms) for name, terms in held.items()}
    places = tuple(places_of(profile))
    shape = repr((tuple(keys.items()), places, "|".join(profile.fields)))
    return held, keys, places, hashlib.sha256(shape.encode()).hexdigest()[:16]


STRUCTURE_ENTRY = "structure"
# Profiles changed in place since the kept structure was written: past this many, it is
# written again with their digests (until then, each build makes their shapes again).
STRUCTURE_CHANGES = 32


@dataclass
class KeptStructure:
    """The facet index, each profile's terms and the related profiles' buckets of a build,
    by position in the profiles' order (newest first), kept for the next build
    (`state_as_kept`): while every profile is where it was and holds the terms, localities
    and fields it held (an edit of a profile's text, its photos, its title in place), the
    next build makes them from these positions instead of from every profile, some 0.2 s
    of an edit at 10,000 profiles.

    Term `t` is `terms[t]`; the positions of its profiles are `held_by[starts[t]:starts[t + 1]]`;
    the terms of the profile at position `i` are `holds[holds_at[i]:holds_at[i + 1]]`.
    """

    urls: tuple[str, ...]
    digests: list[str]  # each profile's `Collection.digest`
    shapes: list[str]  # each profile's shape (`_held`)
    structure: str  # `KeptTerms.structure`
    facets: list[tuple[str, int, int]]  # facet name, and the range of `terms` that are its, in index order
    terms: list[Term]
    held_by: array[int]
    starts: array[int]
    holds: array[int]
    holds_at: array[int]
    buckets: dict[tuple, tuple[int, ...]]  # `Related.buckets`, as positions

    def index(self, profiles: Sequence[Profile]) -> dict[str, dict[str, TermIndex]]:
        """`index_profiles` of `profiles`, which stand where the kept ones stood."""
        terms, held_by, starts, urls = self.terms, self.held_by, self.starts, self.urls
        index: dict[str, dict[str, TermIndex]] = {}
        for name, first, end in self.facets:
            by_key = index[name] = {}
            for number in range(first, end):
                term, held = terms[number], held_by[starts[number]:starts[number + 1]]
                by_key[term.key] = TermIndex(term, [profiles[i] for i in held], [urls[i] for i in held])
        return index


def state_as_kept(collection: Collection, facets: tuple[Facet, ...], cache: Cache,
                  ) -> tuple[Mapping[str, dict[str, list[Term]]], dict[str, dict[str, TermIndex]], Related,
                             str] | None:
    """The terms, index and related profiles' chooser of `collection`, made from the structure
    the last build kept (`KeptStructure`) when the profiles are the ones it describes, in
    its order, and every profile changed since holds the terms, localities and fields it
    held; else None (`kept_terms` then makes them)."""
    key = _terms_key(cache, facets)
    path = cache.entry(TERMS_FOLDER, STRUCTURE_ENTRY, suffix=".pickle")
    kept = read_keyed(path, key)
    profiles = collection.profiles
    if not isinstance(kept, KeptStructure) or collection.urls_in_order() != kept.urls:
        return None
    digests = collection.digests_in_order()
    changed = changed_positions(digests, kept.digests)
    if any(_held(profiles[i], facets)[3] != kept.shapes[i] for i in changed):
        return None
    # What the next build falls back on stays in the cache (`kept_terms`, `Cache.prune`).
    KeptByDigest.shards(cache, TERMS_FOLDER)
    _terms_table(cache)
    if len(changed) > STRUCTURE_CHANGES:
        kept.digests = digests
        beside(partial(write_keyed, path, key, kept), defer=True)
    buckets = _BucketsByPosition(kept.buckets, profiles)
    return (_TermsByPosition(kept, facets), kept.index(profiles),
            Related.kept(buckets, kept.structure, places=places_of), kept.structure)


def keep_structure(cache: Cache, facets: tuple[Facet, ...], profiles: Sequence[Profile], terms: KeptTerms,
                   index: Mapping[str, Mapping[str, TermIndex]], related: Related) -> None:
    """Write the `KeptStructure` of a build's terms, index and related profiles' buckets."""
    at = {url: position for position, url in enumerate(map(_URL, profiles))}
    if len(at) != len(profiles) or len(terms.shapes) != len(profiles):
        return  # two profiles with one URL are kept off the site (`collection.assemble`)
    every: list[Term] = []
    numbers: dict[tuple[str, str], int] = {}
    held_by, starts, facet_ranges = array("I"), array("I", [0]), []
    for name, by_key in index.items():
        first = len(every)
        for term_key, entry in by_key.items():
            if entry.term.facet != name:
                return  # a profile's terms are grouped again by `Term.facet`
            numbers[name, term_key] = len(every)
            every.append(entry.term)
            held_by.extend(at[url] for url in entry.urls)
            starts.append(len(held_by))
        facet_ranges.append((name, first, len(every)))
    holds, holds_at = array("I"), array("I", [0])
    for url in at:
        for name, some in terms[url].items():
            holds.extend(numbers[name, term.key] for term in some)
        holds_at.append(len(holds))
    by_identity = {id(profile): position for position, profile in enumerate(profiles)}
    buckets = {place: tuple(by_identity[id(p)] for p in bucket) for place, bucket in related.buckets.items()}
    kept = KeptStructure(tuple(at), terms.digests, terms.shapes, terms.structure, facet_ranges, every,
                         held_by, starts, holds, holds_at, buckets)
    write_keyed(cache.entry(TERMS_FOLDER, STRUCTURE_ENTRY, suffix=".pickle"), _terms_key(cache, facets), kept)


class _TermsByPosition(Mapping[str, dict[str, list[Term]]]):
    """Profile URL → facet name → its terms, from a `KeptStructure`, each made when asked for."""

    def __init__(self, kept: KeptStructure, facets: tuple[Facet, ...]):
        self._kept = kept
        self._names = [facet.name for facet in facets]
        self._at: dict[str, int] | None = None
        self._made: dict[str, dict[str, list[Term]]] = {}

    def __getitem__(self, url: str) -> dict[str, list[Term]]:
        found = self._made.get(url)
        if found is None:
            if self._at is None:
                self._at = {u: position for position, u in enumerate(self._kept.urls)}
            position, kept = self._at[url], self._kept
            found = self._made[url] = {name: [] for name in self._names}
            for number in kept.holds[kept.holds_at[position]:kept.holds_at[position + 1]]:
                term = kept.terms[number]
                found[term.facet].append(term)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._kept.urls)

    def __len__(self) -> int:
        return len(self._kept.urls)


class _BucketsByPosition(Mapping[tuple, list[Profile]]):
    """`Related.buckets` from the positions a `KeptStructure` holds, each made when asked for."""

    def __init__(self, positions: dict[tuple, tuple[int, ...]], profiles: Sequence[Profile]):
        self._positions = positions
        self._profiles = profiles

    def __getitem__(self, place: tuple) -> list[Profile]:
        profiles = self._profiles
        return [profiles[i] for i in self._positions[place]]

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


def _remembered_terms(profiles: Sequence[Profile], facets: tuple[Facet, ...],
                      remember: dict) -> dict[str, dict[str, list[Term]]]:
    # By identity: an unchanged profile is the same object from one save to the next.
    known = dict(remember)
    remember.clear()
    for profile in profiles:
        hit = known.get(id(profile))
        if hit is None or hit[0] is not profile or hit[1] != facets:
            hit = (profile, facets, {f.name: list(f.terms_of(profile)) for f in facets}, places_of(profile))
        remember[id(profile)] = hit
    return {p.url: remember[id(p)][2] for p in profiles}


def _digest(plain: str, shown: str) -> str:
    return hashlib.sha256((plain + shown).encode()).hexdigest()[:32] if shown else plain


class Extras(Mapping[str, ProfileExtras]):
    """Per profile: breadcrumbs, previous/next in its province, related profiles, its terms.

    Each is made when first asked for: a build asks for all of them, a preview for
    the page it shows.
    """

    def __init__(self, profiles: Sequence[Profile], index: Mapping[str, Mapping[str, TermIndex]],
                 terms: Mapping[str, Mapping[str, list[Term]]], related: Related | None = None):
        self._where = {url: (entry, position) for entry in index["province"].values()
                       for position, url in enumerate(entry.urls)}
        self._related = related if related is not None else Related(profiles)
        self.placement = self._related.placement  # the digest of what `around` is chosen from
        self._related_of: dict[str, tuple[Profile, ...]] = {}
        self.terms = terms  # profile URL → facet name → its terms
        self._made: dict[str, ProfileExtras] = {}

    def __getitem__(self, url: str) -> ProfileExtras:
        found = self._made.get(url)
        if found is None:
            found = self._made[url] = self._make(url)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def around(self, url: str) -> tuple[str | None, ...]:
        """The URLs of the profiles a profile's page shows beside it: newer, older, related.

        With the profile's own digest, they decide whether its page can change
        (`PageCache.visit`), at a fraction of the cost of making its extras.
        """
        profile, newer, older = self._neighbours(url)
        return (newer.url if newer else None, older.url if older else None,
                *(p.url for p in self._related_list(profile)))

    def _neighbours(self, url: str) -> tuple[Profile, Profile | None, Profile | None]:
        """The profile, and the newer and older ones beside it in its province."""
        entry, position = self._where[url]
        ordered = entry.profiles
        return (ordered[position], ordered[position - 1] if position > 0 else None,
                ordered[position + 1] if position + 1 < len(ordered) else None)

    def _related_list(self, profile: Profile) -> tuple[Profile, ...]:
        found = self._related_of.get(profile.url)
        if found is None:
            found = self._related_of[profile.url] = tuple(self._related(profile))
        return found

    def _make(self, url: str) -> ProfileExtras:
        entry = self._where[url][0]
        profile, newer, older = self._neighbours(url)
        terms = self.terms[url]
        crumbs = [*entry.term.crumbs, (entry.term.title, entry.term.url)]
        commune = next(iter(terms.get("commune", ())), None)
        if commune:
            crumbs.append((commune.name, commune.url))
        return ProfileExtras(
            crumbs=tuple(crumbs),
            newer=newer,
            older=older,
            related=self._related_list(profile),
            terms=MappingProxyType({k: tuple(v) for k, v in terms.items()}),
        )


def build_state(context: Mapping[str, Any], plugin: str) -> BuildState:
    """The build state, or a message that says which plugin is missing."""
    state = context.get(CONTEXT_KEY)
    if not isinstance(state, BuildState):
        raise PluginOrderError(plugin)
    return state


class PluginOrderError(RuntimeError):
    def __init__(self, plugin: str):
        super().__init__(f"Plugin {plugin} cần plugin lantoa_profiles đứng trước trong PLUGINS "
                         "(pelicanconf.py).")


def require_plugins(settings: Mapping[str, Any], plugin: str, needs: Sequence[str]) -> None:
    """At start-up: fail with a clear message when a plugin this one needs is missing or after it."""
    names = [getattr(p, "__name__", str(p)).rsplit(".", 1)[-1] for p in settings.get("PLUGINS") or ()]
    if plugin not in names:
        return
    for needed in needs:
        if needed not in names or names.index(needed) > names.index(plugin):
            raise PluginOrderError(plugin) if needed == "lantoa_profiles" else RuntimeError(
                f"Plugin {plugin} cần plugin {needed} đứng trước trong PLUGINS (pelicanconf.py).")
