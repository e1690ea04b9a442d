"""Pelican plugin: the search page `/tim-kiem/` and its static index.

The index (`lantoa.search_index`: folded syllables and syllable pairs, facet
columns that describe themselves, result chunks) is written to `/tim-kiem/chi-muc/`
from the validated profiles — never from listings, menus or footers. It is kept in the cache by
the digests of every profile, so an unchanged set of profiles reuses it, and made by a helper
process while the pages are written.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path

from lantoa.files import (
    SUMS,
    discard_entry,
    link_or_copy,
    read_keyed,
    verify_checksums,
    write_checksums,
    write_keyed,
)
from lantoa.model import Profile
from lantoa.parallel import Background, Talking, single_threaded, worker_count
from lantoa.progress import stage
from lantoa.search_index import (
    FORMAT_VERSION,
    IndexMemo,
    columns_kept,
    make_index,
    profiles_needed,
    read_memo,
    write_memo,
)
from lantoa.search_terms import Terms, TermStore, profile_terms
from lantoa.signals import profiles_digested, profiles_reading
from lantoa.state import build_state, require_plugins
from pelican import signals
from pelican.generators import Generator

INDEX_FOLDER = "tim-kiem/chi-muc"
INDEX_JOB = "lantoa_search_index"  # the context key `start_index` hands the running job over by
EARLY_JOB = "lantoa_search_early"  # … and `start_reading` the helper that reads the last memo


class SearchGenerator(Generator):
    """Writes /tim-kiem/, and the index beside it; the page's filters come from the index."""

    def generate_context(self) -> None:
        self._index = self.context.pop(INDEX_JOB, None)

    def generate_output(self, writer) -> None:
        state = build_state(self.context, "lantoa_search")
        state.pages.write_page(
            writer, "tim-kiem/index.html", self.get_template("search"), self.context, FORMAT_VERSION,
            page_url="tim-kiem/")
        if self._index is not None:
            cached, making = self._index
            with stage("Chỉ mục tìm kiếm"):
                making.finish()
            state.cache.vouch(cached)
            target = Path(self.output_path) / INDEX_FOLDER
            state.pages.written_beside(INDEX_FOLDER)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(cached, target, copy_function=link_or_copy, ignore=shutil.ignore_patterns(SUMS))


def _kept_files(cache) -> tuple[Path, tuple[Path, Path], tuple]:
    """The term store, the memo's two files, and the key both are kept for: the code and
    settings that made them (the cache's salt), as every cache entry is: a profile's
    digest says nothing of the tokeniser."""
    memo = (cache.file("search-memo.pickle"), cache.file("search-memo-whole.pickle"))
    return cache.file("search-terms.pickle"), memo, (cache.salt, FORMAT_VERSION)


def start_reading(sender, context: dict, settings: dict, cache, **_ignored) -> None:
    """Before the profiles are read: a helper reads what the last index kept (its memo and
    the profiles' terms, some 0.25 s at 10,000 profiles, while the profiles are read here),
    then makes the index from it once told which profiles there are (`start_index`)."""
    if not settings["LANTOA_SEARCH"] or worker_count(settings["LANTOA_WORKERS"]) < 2 or not single_threaded():
        return
    store, memo, kept_for = _kept_files(cache)
    if all(path.is_file() for path in memo):  # the terms may all wait in the memo (`_terms`)
        context[EARLY_JOB] = Talking(partial(_index_when_told, store, memo, kept_for))


def start_index(sender, profiles: tuple, digests, context: dict, settings: dict, cache, **_ignored) -> None:
    """The index needs only the profiles: a helper process makes it from when their digests
    are known, while the indexes and the pages are made (`lantoa.parallel.Background`) —
    the helper that read the last index's memo meanwhile (`start_reading`), when it can
    make the index from that memo with the profiles it asks for."""
    early: Talking | None = context.pop(EARLY_JOB, None)
    if not settings["LANTOA_SEARCH"]:
        return
    cached = cache.entry("search", FORMAT_VERSION, [digests[p.url] for p in profiles])
    store, memo, kept_for = _kept_files(cache)
    whole = cache.trusted(cached, lambda: verify_checksums(cached))
    if early is not None and not whole:
        in_order = [digests[p.url] for p in profiles]
        answer = early.ask((cached, [p.url for p in profiles], in_order, settings["SITEURL"]))
        if answer[0] == "need":
            answer = early.ask({doc: profiles[doc] for doc in answer[1]})
        if answer[0] == "making":
            context[INDEX_JOB] = (cached, _Making(early))
            return
    if early is not None:
        early.close()
        early.result()  # ended: its memory is the machine's again before another helper starts
    job = (cached, list(profiles), settings["SITEURL"], store, dict(digests), memo, kept_for)
    helpers = 1 if worker_count(settings["LANTOA_WORKERS"]) > 1 else 0
    context[INDEX_JOB] = (cached, Background(_make_index, [] if whole else [job], helpers))


class _Making:
    """The index made by the helper of `start_reading`: `finish` waits until it is."""

    def __init__(self, helper: Talking) -> None:
        self.helper = helper

    def finish(self) -> None:
        if self.helper.listen() != ("done",):
            raise RuntimeError("chỉ mục tìm kiếm: tiến trình phụ trả lời sai")


def _index_when_told(store: Path, memo_files: tuple[Path, Path], kept_for: tuple, channel) -> None:
    """In the helper of `start_reading`: read the kept memo and terms, wait for the profiles'
    URLs and digests, ask for the profiles the index needs (`profiles_needed`), and make the
    index from the memo; answer "fallback" when it cannot (the build then starts a helper
    of its own). Ends quietly when the build says no more."""
    memo, known, stored = _read_kept(memo_files, store, kept_for)
    try:
        cached, urls, in_order, siteurl = channel.recv()
        if cached.is_dir() and not verify_checksums(cached):
            discard_entry(cached)
        needed = None
        if isinstance(memo, IndexMemo) and not cached.is_dir():
            needed = profiles_needed(memo, in_order, siteurl, urls,
                                     lambda digest: known.get((FORMAT_VERSION, digest)) is not None)
        if needed is None:
            channel.send(("fallback",))
            return
        given = {}
        if needed:
            channel.send(("need", needed))
            given = channel.recv()
        profiles = _Given(len(urls), given)
        if not columns_kept(memo, profiles, in_order):
            channel.send(("fallback",))
            return
        channel.send(("making",))
    except EOFError:  # the build needs no index from here
        return
    write_memo_later = _placed(cached, memo_files, kept_for, lambda staging: _index_from(
        staging, profiles, urls, in_order, siteurl, store, memo, known, stored, kept_for))
    channel.send(("done",))
    write_memo_later()


class _Given(Sequence):
    """The profiles in order, of which a helper was given those the index reads
    (`profiles_needed`); reading another is a fault."""

    def __init__(self, count: int, given: dict[int, Profile]) -> None:
        self._count, self._given = count, given

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, at):
        if isinstance(at, slice):
            return [self._given[doc] for doc in range(*at.indices(self._count))]
        return self._given[at]


def _make_index(job) -> Callable[[], None] | None:
    """In a helper process: the index of these profiles in its cache entry, unless it is there
    whole; returns the writing of its memo, which the build does not wait for.

    Made from the memo of the last index made (`lantoa.search_index.IndexMemo`) when
    the same profiles are in the same order: an edit then costs what it touches.
    """
    cached, profiles, siteurl, store, digests, memo_files, kept_for = job
    if cached.is_dir() and not verify_checksums(cached):
        discard_entry(cached)
    if cached.is_dir():
        return None

    def made(staging: Path) -> IndexMemo:
        urls = [p.url for p in profiles]
        memo, known, stored = _read_kept(memo_files, store, kept_for, (siteurl, tuple(urls)))
        return _index_from(staging, profiles, urls, [digests[url] for url in urls], siteurl, store,
                           memo, known, stored, kept_for)

    return _placed(cached, memo_files, kept_for, made)


def _placed(cached: Path, memo_files: tuple[Path, Path], kept_for: tuple,
            make: Callable[[Path], IndexMemo]) -> Callable[[], None]:
    """The index made in a staging folder beside its cache entry (`make`, which returns its
    memo), then put in place; returns the writing of its memo."""
    staging = cached.with_name(f"{cached.name}.tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    memo = make(staging)
    write_checksums(staging, memo.written)
    try:
        staging.rename(cached)
    except OSError:  # a concurrent build wrote the same index
        shutil.rmtree(staging, ignore_errors=True)
    memo.placed_in = str(cached)  # the next index links its unchanged files from here
    # Its changes, or after many the whole (31 MB at 10,000 profiles, 284 MB at 100,000):
    # written while the build links the index and ends (`lantoa.parallel.settle` waits for
    # it), not before the build may go on.
    return partial(write_memo, *memo_files, kept_for, memo)


def _read_kept(memo_files: tuple[Path, Path], store: Path, kept_for: tuple,
               fitting: tuple[str, tuple[str, ...]] | None = None) -> tuple[IndexMemo | None, TermStore, set]:
    """The last index's memo (None when missing or damaged, or when it does not fit
    `fitting`'s site URL and profiles' URLs), the kept terms with those that waited in the
    memo, and the keys of the terms in the store file."""
    memo = read_memo(*memo_files, kept_for)
    if not isinstance(memo, IndexMemo):
        memo = None
    pending = memo.pending_terms if memo is not None else {}
    # A memo of other profiles, or of the same in another order (a profile moved, added or
    # removed), is let go before the terms are read: at 100,000 profiles its file has
    # 284 MB, and holding it took a move from 3.65 to 3.93 GB for the build together.
    if memo is not None and fitting is not None and not memo.fits(*fitting):
        memo = None
    known = read_keyed(store, kept_for)
    if not isinstance(known, TermStore):
        known = TermStore()
    stored = set(known.keys())
    for key, kept in pending.items():  # what the store lacks, kept with the last memo
        if key not in known:
            known.put(key, kept)
    return memo, known, stored


def _index_from(staging: Path, profiles: Sequence[Profile], urls: Sequence[str], in_order: Sequence[str],
                siteurl: str, store: Path, memo: IndexMemo | None, known: TermStore, stored: set,
                kept_for: tuple) -> IndexMemo:
    """Make the index in `staging` from the kept memo and terms (`_read_kept`); return its
    memo. The terms are let go on return, before the memo is written."""
    keys = [(FORMAT_VERSION, digest) for digest in in_order]
    fresh, pending = _terms(known, stored, store, kept_for, profiles, keys)
    terms = _TermsByUrl(fresh, urls, keys)
    made = make_index(profiles, staging, siteurl, terms, in_order, memo,
                      lambda digest: known.get((FORMAT_VERSION, digest)), urls=urls)[1]
    made.pending_terms = pending
    return made


# Profiles whose terms may wait in the memo rather than in the store: the store (24 MB at
# 10,000 profiles) was rewritten after every edit, 0.11 s before the index could be made.
PENDING_TERMS = 64


def _terms(known: TermStore, stored: set, store: Path, kept_for: tuple, profiles: Sequence[Profile],
           keys) -> tuple[TermStore, dict]:
    """Each profile's index terms, tokenised again only when the profile changed, and those
    of them the store file lacks (`stored` are its keys): the store is written again when
    they are many (they go with the memo meanwhile), or when it holds many profiles gone."""
    fresh = known.kept(keys)
    for doc, key in enumerate(keys):
        if key not in fresh:
            fresh.put(key, profile_terms(profiles[doc]))
    missing = [key for key in keys if key not in stored]
    if len(missing) > PENDING_TERMS or len(stored) - (len(keys) - len(missing)) > PENDING_TERMS:
        write_keyed(store, kept_for, fresh)
        return fresh, {}
    return fresh, {key: fresh.get(key) for key in missing}


class _TermsByUrl(Mapping):
    """The terms of each profile by its URL, read from the store when asked for."""

    def __init__(self, store: TermStore, urls: Sequence[str], keys) -> None:
        self._store = store
        self._keys = dict(zip(urls, keys, strict=True))

    def __getitem__(self, url: str) -> Terms:
        found = self._store.get(self._keys[url])
        if found is None:
            raise KeyError(url)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def get_generators(pelican):
    return SearchGenerator


def check_plugins(pelican) -> None:
    require_plugins(pelican.settings, "lantoa_search", ("lantoa_profiles",))


def register() -> None:
    profiles_reading.connect(start_reading)
    profiles_digested.connect(start_index)
    signals.initialized.connect(check_plugins)
    signals.get_generators.connect(get_generators)
