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
from lantoa.parallel import Background, worker_count
from lantoa.progress import stage
from lantoa.search_index import FORMAT_VERSION, IndexMemo, make_index, read_memo, write_memo
from lantoa.search_terms import Terms, TermStore, profile_terms
from lantoa.signals import profiles_digested
from lantoa.state import build_state, require_plugins
from pelican import signals
from pelican.generators import Generator

INDEX_FOLDER = "tim-kiem/chi-muc"
INDEX_JOB = "lantoa_search_index"  # the context key `start_index` hands the running job over by


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


def start_index(sender, profiles: tuple, urls: tuple[str, ...], digests, context: dict, settings: dict,
                cache, **_ignored) -> None:
    """The index needs only the profiles: a helper process makes it from when their digests
    are known, while the indexes and the pages are made (`lantoa.parallel.Background`).
    `urls` are the profiles' own, in order (`lantoa.signals.profiles_digested`)."""
    if not settings["LANTOA_SEARCH"]:
        return
    cached = cache.entry("search", FORMAT_VERSION, [digests[url] for url in urls])
    store = cache.file("search-terms.pickle")
    whole = cache.trusted(cached, lambda: verify_checksums(cached))
    memo = (cache.file("search-memo.pickle"), cache.file("search-memo-whole.pickle"))
    # The terms and the memo are kept for the code and settings that made them (the cache's
    # salt), as every cache entry is: a profile's digest says nothing of the tokeniser.
    kept_for = (cache.salt, FORMAT_VERSION)
    job = (cached, list(profiles), urls, settings["SITEURL"], store, dict(digests), memo, kept_for)
    helpers = 1 if worker_count(settings["LANTOA_WORKERS"]) > 1 else 0
    context[INDEX_JOB] = (cached, Background(_make_index, [] if whole else [job], helpers))


def _make_index(job) -> Callable[[], None] | None:
    """In a helper process: the index of these profiles in its cache entry, unless it is there
    whole; returns the writing of its memo, which the build does not wait for.

    Made from the memo of the last index made (`lantoa.search_index.IndexMemo`) when
    the same profiles are in the same order: an edit then costs what it touches.
    """
    cached, profiles, urls, siteurl, store, digests, memo_files, kept_for = job
    if cached.is_dir() and not verify_checksums(cached):
        discard_entry(cached)
    if cached.is_dir():
        return None
    staging = cached.with_name(f"{cached.name}.tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    memo = _index_into(staging, profiles, urls, siteurl, store, digests, memo_files, kept_for)
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


def _index_into(staging: Path, profiles, urls: tuple[str, ...], siteurl: str, store: Path, digests,
                memo_files: tuple[Path, Path], kept_for: tuple) -> IndexMemo:
    """Make the index in `staging`; return its memo. The terms are let go on return,
    before the memo is written."""
    # A memo of other profiles, or of the same in another order (a profile moved, added or
    # removed), is let go before the index is made afresh: at 100,000 profiles its file
    # has 284 MB, and holding it took a move from 3.65 to 3.93 GB for the build together.
    memo = read_memo(*memo_files, kept_for)
    pending = memo.pending_terms if isinstance(memo, IndexMemo) else {}
    if not (isinstance(memo, IndexMemo) and memo.fits(siteurl, urls)):
        memo = None
    known = read_keyed(store, kept_for)
    if not isinstance(known, TermStore):
        known = TermStore()
    stored = set(known.keys())
    for key, kept in pending.items():  # what the store lacks, kept with the last memo
        if key not in known:
            known.put(key, kept)
    in_order = [digests[url] for url in urls]
    keys = [(FORMAT_VERSION, digest) for digest in in_order]
    fresh, pending = _terms(known, stored, store, kept_for, profiles, keys)
    terms = _TermsByUrl(fresh, urls, keys)
    made = make_index(profiles, staging, siteurl, terms, in_order, memo,
                      lambda digest: known.get((FORMAT_VERSION, digest)), urls)[1]
    made.pending_terms = pending
    return made


# Profiles whose terms may wait in the memo rather than in the store: the store (24 MB at
# 10,000 profiles) was rewritten after every edit, 0.11 s before the index could be made.
PENDING_TERMS = 64


def _terms(known: TermStore, stored: set, store: Path, kept_for: tuple, profiles,
           keys) -> tuple[TermStore, dict]:
    """Each profile's index terms, tokenised again only when the profile changed, and those
    of them the store file lacks (`stored` are its keys): the store is written again when
    they are many (they go with the memo meanwhile), or when it holds many profiles gone."""
    fresh = known.kept(keys)
    for profile, key in zip(profiles, keys, strict=True):
        if key not in fresh:
            fresh.put(key, profile_terms(profile))
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
    profiles_digested.connect(start_index)
    signals.initialized.connect(check_plugins)
    signals.get_generators.connect(get_generators)
