"""Read every profile of a content folder: in parallel, cached, checked together.

`collect()` is what `lantoa check`, the build and the preview server share: it
returns the valid profiles and every problem of the run, including those that
only show between files (two profiles with one URL, one model submitted twice).

A file whose size, modification time and inode are those it had when it was
last read is not read again (the way git and make trust a file's metadata); a
file changed less than `RACY_SECONDS` before the walk that took its metadata
(`lantoa.files.ContentWalk`) is read again next time, since a second change
within the clock's resolution would keep its metadata. Otherwise its bytes are
hashed and compared.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any

from .cache import PLUGINS, code_digest
from .files import (
    QUIET_CHANGES,
    ContentWalk,
    Refusal,
    content_file,
    read_content,
    read_keyed,
    resume_collections,
    take_walk,
    walk_content,
    write_keyed,
)
from .gazetteer import gazetteer, gazetteer_version, keep_gazetteer
from .model import Profile, Status, folded
from .output import profile_digest
from .parallel import beside, process_pool, worker_count
from .problems import Problem, Severity
from .progress import Step, stage
from .reading import MAX_PROFILE_BYTES, read_profile

PROFILES_FOLDER = "profiles"
# Below this many changed files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 150
CACHE_FOLDER = "profiles"  # the readings, in shards: an edit rewrites one of them, not all
CACHE_SHARDS = 32

Read = tuple[Profile | None, list[Problem], str]  # a file's profile, its problems, its digest

@dataclass
class Collection:
    """The outcome of reading a content folder."""

    profiles: list[Profile] = field(default_factory=list)  # valid and published, newest first
    problems: list[Problem] = field(default_factory=list)
    unpublished: list[Profile] = field(default_factory=list)  # drafts and hidden ones
    files: int = 0
    read_from_cache: int = 0
    digests: dict[str, str] = field(default_factory=dict)  # source → `profile_digest`, computed once
    read: dict[str, Read] = field(default_factory=dict)  # every file's path, in order → what reading it gave
    refused: list[Problem] = field(default_factory=list)  # what the walk of the content refused
    _in_order: tuple[list[Profile], list[str]] | None = field(default=None, repr=False, compare=False)
    # Each published profile's URL, whether it shows photos and its publication key, in
    # `profiles`' order, as `assemble` found them in its one look at each profile.
    _columns: tuple[list[Profile], tuple[str, ...], list[int], list[tuple]] | None = field(
        default=None, repr=False, compare=False)
    _publication: tuple[list[Profile], dict[str, int], list[Profile]] | None = field(
        default=None, repr=False, compare=False)

    def digest(self, profile: Profile) -> str:
        """What the profile looks like, as one short string, from the cache when it was read before."""
        found = self.digests.get(profile.source)
        if found is None:
            found = self.digests[profile.source] = profile_digest(profile)
        return found

    def digests_in_order(self) -> list[str]:
        """`digest` of each published profile, in `profiles`' order; made once while they are
        the same list: the build state, the kept terms and the open data each went through
        10,000 profiles in memory for them (some 8 ms each)."""
        made = self._in_order
        if made is None or made[0] is not self.profiles or len(made[1]) != len(self.profiles):
            made = self._in_order = (self.profiles, list(map(self.digest, self.profiles)))
        return made[1]

    def urls_in_order(self) -> tuple[str, ...]:
        """The URL of each published profile, in `profiles`' order."""
        return self._made_columns()[1]

    def with_photos(self) -> list[int]:
        """The positions in `profiles` of the profiles that show photos (few, or none)."""
        return self._made_columns()[2]

    def publication_order(self) -> tuple[dict[str, int], list[Profile]]:
        """Each published profile's rank in the order feeds show them (newest published first,
        `Profile.publication_key`), by URL, and the profiles in that order; ties keep
        `profiles`' order, as `heapq.nsmallest` and `sorted` keep them."""
        made = self._publication
        if made is None or made[0] is not self.profiles or len(made[2]) != len(self.profiles):
            _, urls, _, keys = self._made_columns()
            order = sorted(range(len(keys)), key=keys.__getitem__)
            made = self._publication = (self.profiles, {urls[n]: rank for rank, n in enumerate(order)},
                                        [self.profiles[n] for n in order])
        return made[1], made[2]

    def _made_columns(self) -> tuple[list[Profile], tuple[str, ...], list[int], list[tuple]]:
        made = self._columns
        if made is None or made[0] is not self.profiles or len(made[1]) != len(self.profiles):
            made = self._columns = (self.profiles, tuple(p.url for p in self.profiles),
                                    [n for n, p in enumerate(self.profiles) if p.image or p.body_images],
                                    [p.publication_key for p in self.profiles])
        return made

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def scan_content(content: Path, walk: ContentWalk | None = None) -> tuple[list[str], list[Problem]]:
    """One walk of the content folder: the profile files' paths, and what may not be published.

    `walk` is the build's walk of `content` when it has one (`files.take_walk`).
    Profile files come back even when refused (a link to outside, a device): reading
    them yields the problem that names them, so they are reported, never skipped.
    Any other refused entry (a page or static file linking outside the content
    folder, a symlinked folder, also among the profiles) is a problem here; the
    photos a profile names are checked when it is read, the others never published.
    """
    profiles, problems = [], []
    base = os.fspath(content).rstrip(os.sep) + os.sep
    for path, refusal in walk.entries if walk is not None else walk_content(content, content):
        relative = path[len(base):]
        among_profiles = relative.split(os.sep, 1)[0] == PROFILES_FOLDER
        if among_profiles and _names_a_profile(relative):
            profiles.append((relative.split(os.sep), path))
        elif refusal is not None and (not among_profiles or os.path.isdir(path)):
            problems.append(Problem(relative.replace(os.sep, "/"), None, "tệp", refusal.code, refusal.message,
                                    refusal.hint))
    # In the order of the paths (part by part, as `Path` compares), without comparing `Path`s.
    profiles.sort(key=itemgetter(0))
    return [path for _, path in profiles], problems


def _names_a_profile(relative: str) -> bool:
    """A content-relative path under `profiles/` names a profile: `.md` in any case, not hidden."""
    return relative.lower().endswith(".md") and not os.path.basename(relative).startswith(".")


def walked_profile(content: Path, path: Path) -> bool:
    """Whether `scan_content` finds `path` as a profile file reached without a link: named as
    one, under `profiles/`, and neither a link itself nor inside a linked folder (the walk
    does not enter those). The preview asks this of a saved file before reading it alone."""
    base = os.path.abspath(content).rstrip(os.sep) + os.sep
    absolute = os.path.abspath(path)
    relative = absolute[len(base):]
    if not absolute.startswith(base) or relative.split(os.sep, 1)[0] != PROFILES_FOLDER \
            or not _names_a_profile(relative):
        return False
    place = absolute
    while len(place) >= len(base):  # the file, then each folder up to the content folder
        if os.path.islink(place):
            return False
        place = os.path.dirname(place)
    return True


def profile_files(content: Path) -> list[Path]:
    """Every `.md` (in any case) under `content/profiles/`, in a stable order."""
    return [Path(file) for file in scan_content(content.resolve())[0]]


def _read_one(args: tuple[str, Path, date, str]) -> tuple[Profile | None, list[Problem], str, str]:
    """Read one file: its profile, problems and digest, and the fingerprint of the bytes read.

    The fingerprint is taken here, in the worker, of the very bytes parsed: a file is
    read once, and what the cache keeps for it is what was read, even if it changes
    meanwhile (its new metadata then has it read again next time).
    """
    file, content, today, salt = args
    raw = read_content(content, file, MAX_PROFILE_BYTES)
    profile, problems = read_profile(file, content, today, raw)
    if profile is not None:
        for name in KEPT_PROPERTIES:  # made here, they are kept with it in the reading cache
            getattr(profile, name)
    return profile, problems, profile_digest(profile) if profile is not None else "", \
        _fingerprint_of(file, today, salt, raw)


# The cached properties every build asks of every profile: made once, when it is read, they
# are pickled with it and never made again while the file is unchanged.
KEPT_PROPERTIES = ("url", "sort_key", "identity", "publication_key")


def _fingerprint(file: str, content: Path, today: date, salt: str) -> str:
    return _fingerprint_of(file, today, salt, read_content(content, file, MAX_PROFILE_BYTES))


def _fingerprint_of(file: Path | str, today: date, salt: str, data: bytes | Refusal) -> str:
    digest = hashlib.sha256()
    digest.update(f"{salt}|{today.year}|{file}|".encode())
    digest.update(data if isinstance(data, bytes) else repr(data).encode())
    return digest.hexdigest()


def _images_still_there(profile: Profile | None, content: Path) -> bool:
    if profile is None or not (profile.image or profile.body_images):
        return True
    # Resolved every time: a photo swapped for a link to outside must not pass on a warm cache.
    return all(not isinstance(content_file(content, content / photo), Refusal) for photo in profile.photos)


def _read_all(files: list[str], content: Path, today: date, salt: str, workers: int, step: Step):
    jobs = [(file, content, today, salt) for file in files]
    if workers <= 1 or len(files) < PARALLEL_THRESHOLD:
        results = []
        for job in jobs:
            results.append(_read_one(job))
            step.advance()
        return results
    gazetteer()  # built once here, inherited by forked workers
    with process_pool(workers) as pool:
        results = []
        for result in pool.map(_read_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))):
            results.append(result)
            step.advance()
        return results


def cross_check(profiles: list[Profile], urls: list[str], identities: list[tuple]) -> list[Problem]:
    """Problems between files: one URL claimed twice, one model submitted twice. `urls` and
    `identities` are the profiles' own, in their order (`assemble` takes them in its one look
    at each profile)."""
    problems: list[Problem] = []
    # Only the keys found more than once are grouped: a site of 10,000 profiles has a few
    # dozen alike, and grouping them all took 20 ms a build.
    by_url = _alike(profiles, urls)
    by_identity = _alike(profiles, identities)
    for url, claimants in by_url.items():
        for profile in claimants:
            others = ", ".join(p.source for p in claimants if p is not profile)
            problems.append(Problem(
                profile.source, 1, "Slug", "E050",
                f"trùng đường dẫn /{url} với {others}",
                "đổi tên một trong các tệp hoặc thêm dòng 'Slug: …' khác nhau"))
    for claimants in by_identity.values():
        for profile in claimants:
            others = ", ".join(p.source for p in claimants if p is not profile)
            problems.append(Problem(
                profile.source, 1, "Title", "W050",
                f"cùng tên, tỉnh và năm với {others} (có thể nộp hai lần)",
                "nếu là một mô hình, giữ một tệp", Severity.WARNING))
    return problems


def _alike(profiles: list[Profile], keys: list) -> dict[Any, list[Profile]]:
    """The profiles of each key that more than one has, in their order."""
    repeated = {key for key, count in Counter(keys).items() if count > 1}
    groups: dict[Any, list[Profile]] = defaultdict(list)
    if repeated:
        for profile, key in zip(profiles, keys, strict=True):
            if key in repeated:
                groups[key].append(profile)
    return groups


def collect(content: Path, cache_dir: Path | None = None, today: date | None = None,
            workers: int | None = None, salt: str | None = None,
            walk: ContentWalk | None = None, settles: bool = False) -> Collection:
    """Read, validate and cross-check every profile under `content`.

    A file's cached result is reused while its bytes, the year and `salt` (the
    cache's code-and-settings digest; the code alone by default) are unchanged;
    its bytes are not even read while its metadata is unchanged. `walk` is the
    build's walk of the content folder, which has every file's metadata (a build
    sums its inputs from it first); without it, the folder is walked here.
    `settles`: the caller waits for work left beside it (`lantoa.parallel.settle`)
    before it ends, as a build does: many readings are then kept by a forked child.
    """
    today = today or date.today()
    salt = salt if salt is not None else code_digest(PLUGINS)
    content = content.resolve()
    if walk is None or walk.root != os.fspath(content):
        walk = take_walk(content)
    with stage("Kiểm tra nội dung", unit="tệp") as scanned:
        files, refused = scan_content(content, walk)
        workers = worker_count(workers)
        if cache_dir:
            keep_gazetteer(cache_dir)
        # One key per shard: another year, other code or another gazetteer reads everything
        # again. A place's units are kept as the gazetteer's names for them (`_write_shards`).
        key = (salt, today.year, gazetteer_version())
        shards = [read_keyed(path, key, gazetteer().units_by_reference.__getitem__) or {}
                  for path in profile_cache_files(cache_dir)] if cache_dir else []
        known = {name: hit for shard in shards for name, hit in shard.items()}
        # Metadata is as old as the walk that took it.
        racy = walk.trusted_before
        status = walk.status
        # A shard's entry: (metadata trusted, fingerprint, profile, problems, digest).
        entries: dict[str, tuple] = {}
        stale = []
        names = set(files)
        dirty = {_shard_of(name) for name in set(known).symmetric_difference(names)}
        for file in files:
            found = status(file)
            trusted = found if found is not None and found[1] < racy else None
            hit = known.get(file)
            # Broken files are read again: the fix may lie outside them (a photo added).
            reusable = (hit is not None and not (hit[3] and any(p.is_error for p in hit[3]))
                        and _images_still_there(hit[2], content))
            if reusable and (hit[0] is None or hit[0] != found):
                reusable = _fingerprint(file, content, today, salt) == hit[1]
            if not reusable:
                stale.append((file, trusted))
            elif trusted == hit[0]:
                entries[file] = hit  # as it was kept: the same tuple
            else:
                entries[file] = (trusted, *hit[1:])
                dirty.add(_shard_of(file))
        scanned.advance(len(files))
    walk.forget()  # nothing else reads it (a build's inputs were summed from it before)
    if len(stale) > QUIET_CHANGES:
        resume_collections()  # reading many files leaves garbage (`files.pause_collections`)
    with stage("Đọc hồ sơ", len(stale), "hồ sơ") as step:
        read = _read_all([f for f, _ in stale], content, today, salt, workers, step)
    for (file, trusted), (profile, problems, digest, fingerprint) in zip(stale, read, strict=True):
        entries[file] = (trusted, fingerprint, profile, problems, digest)
        dirty.add(_shard_of(file))
    collection = assemble(files, {f: entries[f][2:] for f in files}, refused)
    collection.read_from_cache = len(files) - len(stale)
    if cache_dir:
        # Nothing reads the shards before the next build: a build that read many files
        # (28 MB of shards at 10,000 profiles, 0.2 s) writes them beside its work.
        beside(partial(_write_shards, cache_dir, key, entries, dirty),
               defer=settles and len(dirty) > CACHE_SHARDS // 4)
    return collection


def profile_cache_files(cache_dir: Path) -> list[Path]:
    """The cache files that hold the profiles' readings."""
    return [cache_dir / CACHE_FOLDER / f"{number:02d}.pickle" for number in range(CACHE_SHARDS)]


def _shard_of(name: str) -> int:
    return zlib.crc32(name.encode()) % CACHE_SHARDS


def _write_shards(cache_dir: Path, key: tuple, entries: dict[str, tuple], dirty: set[int]) -> None:
    """Rewrite the shards that changed, and any missing (a first build writes them all)."""
    paths = profile_cache_files(cache_dir)
    dirty |= {number for number, path in enumerate(paths) if not path.is_file()}
    if not dirty:
        return
    shards: dict[int, dict[str, tuple]] = {number: {} for number in dirty}
    for name, entry in entries.items():
        shard = shards.get(_shard_of(name))
        if shard is not None:
            shard[name] = entry
    # A place's units are pickled as the gazetteer's names for them: unpickled, each was a
    # dataclass with its names and slug, some 40 % of reading a profile from the cache, where
    # a name is one look-up in the gazetteer (10,000 profiles read in 90 ms instead of 150).
    # Profiles are pickled folded (`lantoa.model.folded`): an edit's build shows few of them.
    for number, shard in shards.items():
        write_keyed(paths[number], key, shard, gazetteer().reference, {Profile: folded})


def assemble(files: list[str], read: Mapping[str, Read], refused: list[Problem]) -> Collection:
    """The collection from every file's reading: problems in file order, clashes, newest first.

    The preview server calls this after reading only the files that changed.
    """
    readings = {f: read[f] for f in files}
    collection = Collection(files=len(files), read=readings, refused=list(refused))
    collection.problems.extend(refused)
    # One look at each profile for all that the build asks of every one (10,000 profiles
    # scattered in memory: each pass that read an attribute of each took 5-15 ms).
    rows = []
    digests = collection.digests
    for profile, problems, digest in readings.values():
        if problems:
            collection.problems.extend(problems)
        if profile is not None:
            digests[profile.source] = digest
            rows.append((profile.sort_key, profile.url, profile.identity, digest, profile.source,
                         profile.status is Status.PUBLISHED, bool(profile.image or profile.body_images),
                         profile.publication_key, profile))
    # A file broken by a clash is still reported; both claimants stay off the site
    # so that neither silently wins the URL.
    clashes = cross_check([row[8] for row in rows], [row[1] for row in rows], [row[2] for row in rows])
    collection.problems.extend(clashes)
    clashing = {p.path for p in clashes if p.is_error}
    rows.sort(key=itemgetter(0))
    published, urls, in_order, with_photos, publication = collection.profiles, [], [], [], []
    for _, url, _, digest, source, is_published, shows_photos, publication_key, profile in rows:
        if source in clashing:
            continue
        if not is_published:
            collection.unpublished.append(profile)
            continue
        if shows_photos:
            with_photos.append(len(published))
        published.append(profile)
        urls.append(url)
        in_order.append(digest)
        publication.append(publication_key)
    collection._in_order = (published, in_order)
    collection._columns = (published, tuple(urls), with_photos, publication)
    return collection


def read_one(file: Path | str, content: Path, today: date) -> Read:
    """One file read and validated now, never from the cache."""
    return _read_one((file, content.resolve(), today, ""))[:3]
