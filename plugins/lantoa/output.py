"""Incremental output: a page or feed is rendered again only when its inputs change.

Every writer in Lan Tỏa names the inputs of what it writes (profile digests,
the term, the pagination …). `PageCache` keeps, per output file, a fingerprint
of those inputs together with the code, the theme and the settings; when the
fingerprint is unchanged and the file from the previous build is there (the
atomic build hard-links it in), nothing is rendered. Files that the previous
build wrote and this one did not are removed, so deleted profiles leave no page.

A site has a file per profile and per term, and tens of thousands of
fingerprints cost seconds, so files are also grouped under an *owner* (a
profile's page and card, a term's listing pages, a term's feeds) with a
*signature*: what the owner's files are made from, cheap to compute (the term's
profile URLs, a page's neighbours). `visit` compares it with the previous
build's; when it and the digests of the profiles it names are unchanged, the
owner's files are kept as they are, without computing their inputs at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

from .cache import Cache
from .files import (
    CHANGES_SHARE,
    QUIET_RENDERS,
    generation_name,
    link_or_copy,
    read_pickle,
    read_pickle_once,
    repr_digest,
    resume_collections,
    write_pickle,
)
from .model import Profile
from .parallel import Forked, afterwards, run_jobs, single_threaded, worker_count
from .progress import Step, stage
from .snapshot import FolderChanges, SiteFolders, record_files
from .snapshot import current as current_record

MANIFEST = "output-manifest.pickle"
PARALLEL_RENDER_MIN = 200  # fewer files than this per worker are rendered in-process


def names_digest(names: Iterable[str]) -> str:
    """A short digest of a sequence of names (a term's profile URLs), for a signature:
    the manifest keeps the digest, not tens of thousands of URLs."""
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:32]


def profile_digest(profile: Profile) -> str:
    """What a profile looks like, as one short string: any edit changes it.

    `repr`, not pickle: pickle's bytes depend on which equal strings happen to be one
    object, so a profile read from the cache would look changed.
    """
    return repr_digest(profile)


_VALUE_DIGESTS: dict[Any, str] = {}
_BY_IDENTITY: dict[int, tuple[Any, str]] = {}  # id → (the value, kept alive so the id stays its, digest)


def value_digest(value: Any) -> str:
    """A short digest of a hashable value's `repr`, remembered: a term shows on thousands of pages.

    Equal values have equal reprs, so a value equal to one seen before, even a new
    object, gets the digest already made. The same object is found by identity
    first: hashing a frozen dataclass costs more than the lookup.
    """
    hit = _BY_IDENTITY.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    found = _VALUE_DIGESTS.get(value)
    if found is None:
        if len(_VALUE_DIGESTS) >= 200_000:  # a bound for long-running previews
            _VALUE_DIGESTS.clear()
            _BY_IDENTITY.clear()
        found = _VALUE_DIGESTS[value] = repr_digest(value)
    if len(_BY_IDENTITY) >= 200_000:
        _BY_IDENTITY.clear()
    _BY_IDENTITY[id(value)] = (value, found)
    return found


def read_manifest(path: Path) -> dict[str, Any]:
    """A manifest: `files` (name → (fingerprint, size, mtime_ns)), `owned` (owner → its names),
    `signatures` (owner → signature), `lastmod` (site URL → newest date shown), `uses`
    (name → cache entries it is linked from), `digests` (profile URL → digest), `facts`,
    `salt`; a manifest kept as changes to a base (`write_manifest`) comes back whole."""
    found = read_pickle_once(path, _LAST_MANIFEST, _read_layered)  # read before the build, and in it
    if not isinstance(found, dict) or not isinstance(found.get("files"), dict):
        return {"files": {}}
    return found


_INDEX_LENGTH = len("index.html")

T = TypeVar("T")  # what a generator makes an owner's files from (`PageCache.keep_as_before`)
_LAST_MANIFEST: dict[Path, tuple[tuple, Any]] = {}  # the last manifest read, by its file's metadata

# The parts of a manifest kept as changes to a base, each a dict.
MANIFEST_PARTS = ("files", "digests", "owned", "signatures", "lastmod", "uses", "facts")
BASE_SUFFIX = ".base-"


@dataclass
class _Layers:
    """How a manifest read was kept: its base's file, and the changes to it."""

    base: Path
    changes: dict[str, tuple[dict[Any, Any], tuple[Any, ...]]]


def _read_layered(path: Path) -> Any:
    """The manifest in `path`, whole: its base's parts with its changes applied."""
    found = read_pickle(path, None)
    if not (isinstance(found, dict) and isinstance(found.get("base"), str)):
        return found  # whole, as an earlier version kept it (or nothing)
    name = found["base"]
    # Only a base `write_manifest` names, beside the manifest: never a path read elsewhere.
    if os.path.basename(name) != name or not name.startswith(MANIFEST + BASE_SUFFIX):
        return None
    base_path = path.parent / name
    # Read anew, not kept: its parts become the manifest's, changed in place (at 100,000
    # profiles a copy of them would hold some 100 MB more).
    base = read_pickle(base_path, None)
    changes = found.get("changes")
    if not (isinstance(base, dict) and isinstance(changes, dict)):
        return None
    whole: dict[str, Any] = {"salt": found.get("salt"), "layers": _Layers(base_path, changes)}
    for part in MANIFEST_PARTS:
        updated, removed = changes.get(part, ({}, ()))
        values = base.get(part, {})
        values.update(updated)
        for key in removed:
            values.pop(key, None)
        whole[part] = values
    return whole


def _same(before: Any, after: Any) -> bool:
    return before is after or (type(before) is type(after) and before == after)


def _changes(before: dict[Any, Any], after: dict[Any, Any]) -> tuple[dict[Any, Any], tuple[Any, ...]]:
    """What changed from `before` to `after`: the keys added or changed, with their values,
    and the keys removed. A value kept from the manifest read is the same object: only
    the others are compared."""
    missing = object()
    updated = {key: value for key, value in after.items() if before.get(key, missing) is not value}
    updated = {key: value for key, value in updated.items()
               if key not in before or not _same(before[key], value)}
    return updated, tuple(before.keys() - after.keys())


def write_manifest(path: Path, manifest: dict[str, Any], previous: dict[str, Any] | None,
                   cache: Cache) -> None:
    """Keep `manifest` in `path`: as its changes to the base of `previous` (the manifest the
    build read, with the same code and settings) while they are few, else whole in a new
    base. Either way `path` is small; the base it names is kept in the cache with it."""
    layers = previous.get("layers") if previous else None
    parts: dict[str, tuple[dict[Any, Any], tuple[Any, ...]]] = {}
    if isinstance(layers, _Layers) and layers.base.is_file():
        size = 0
        for part in MANIFEST_PARTS:
            updated, removed = _changes(previous.get(part, {}), manifest[part])
            kept_updated, kept_removed = layers.changes.get(part, ({}, ()))
            gone = set(removed)
            combined = {key: value for key, value in kept_updated.items() if key not in gone}
            combined.update(updated)
            parts[part] = (combined, tuple(set(kept_removed).difference(updated) | gone))
            size += len(combined) + len(parts[part][1])
        # An edit at 10,000 profiles changes some fifty of 130,000 entries, yet pickling all
        # of them took 65–140 ms of the builder's last 0.2 s.
        if size * CHANGES_SHARE <= sum(len(manifest[part]) for part in MANIFEST_PARTS):
            cache.use(layers.base)
            write_pickle(path, {"base": layers.base.name, "changes": parts, "salt": manifest.get("salt")})
            return
    # Named once, never written again: a manifest that names it finds what it was made against.
    base = path.with_name(f"{MANIFEST}{BASE_SUFFIX}{generation_name()}")
    write_pickle(base, {part: manifest[part] for part in MANIFEST_PARTS})
    cache.use(base)
    write_pickle(path, {"base": base.name, "changes": {}, "salt": manifest.get("salt")})


def _manifest_path(settings: dict[str, Any]) -> Path:
    # An atomic build writes into a fresh folder: the manifest follows the final one.
    target = Path(settings.get("LANTOA_TARGET") or settings["OUTPUT_PATH"])
    key = hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:12]
    return Path(settings["LANTOA_CACHE_DIR"]) / f"{MANIFEST}.{key}"


def _pending_path(settings: dict[str, Any]) -> Path:
    return _manifest_path(settings).with_suffix(".pending")


def discard_pending(settings: dict[str, Any]) -> None:
    """A manifest left by a build that never swapped describes nothing published."""
    _pending_path(settings).unlink(missing_ok=True)


def withdraw_manifest(settings: dict[str, Any]) -> None:
    """Before a swap: from now until `commit_manifest`, nothing is vouched for."""
    _manifest_path(settings).unlink(missing_ok=True)


def commit_manifest(settings: dict[str, Any]) -> None:
    """After a swap: the manifest of the build now published becomes the reference."""
    pending = _pending_path(settings)
    if pending.is_file():
        pending.replace(_manifest_path(settings))


def link_previous(settings: dict[str, Any], previous: Path, staging: Path,
                  recycled: dict[str, Any] | None = None, published: dict[str, Any] | None = None) -> int:
    """Hard-link the cached pages of the previous build into a build folder; the number linked.

    Only files the manifest vouches for are linked; everything else is written anew,
    so no write can reach the previous site through a shared inode. `staging` is
    either new, or the site before the previous one, recycled (`lantoa.publish`):
    folders are what a file system makes slowly, one per profile page, and a
    recycled site has them. Its files that are the previous site's (the same inode)
    stay; every other file goes, so it holds exactly what a new folder would.
    `recycled` and `published` are the records (`lantoa.snapshot`) of the recycled
    folder and of the previous site, when known: folders unchanged since are not listed.
    """
    return _linked(settings, previous, staging, recycled, published)[0]


def _linked(settings: dict[str, Any], previous: Path, staging: Path, recycled: dict[str, Any] | None,
            published: dict[str, Any] | None) -> tuple[int, FolderChanges | None]:
    """`link_previous`, and what it left known of a recycled folder's folders (`FolderChanges`)."""
    wanted = set(read_manifest(_manifest_path(settings))["files"])
    old, new = os.fspath(previous), os.fspath(staging)
    recycling = os.path.isdir(new)
    changes = FolderChanges(time.time_ns()) if recycled is not None and recycling else None
    present: set[str] = set()  # the folders there after recycling
    kept = _keep_recycled(new, wanted, old, recycled, published, changes, present) if recycling else set()
    folders: set[str] = set()
    linked = len(kept)
    # Strings and bare system calls: a site has tens of thousands of files.
    for name in wanted - kept:
        source, target = os.path.join(old, name), os.path.join(new, name)
        folder = os.path.dirname(name)
        if folder not in folders:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            folders.add(folder)
            if changes is not None:
                while folder not in present:  # made now: its parent changed too
                    present.add(folder)
                    changes.touched.add(folder)
                    folder = os.path.dirname(folder)
                changes.touched.add(folder)
        try:
            os.link(source, target)
        except FileNotFoundError:
            continue
        except OSError:  # another file system, or not a plain file
            if not os.path.isfile(source):
                continue
            link_or_copy(source, target)
        linked += 1
    return linked, changes


@dataclass
class _Linking:
    child: Forked  # answers with the names not as the manifest has them
    arguments: tuple


_LINKING: dict[str, _Linking] = {}  # build folder → the child linking the previous site into it


def start_linking(settings: dict[str, Any], previous: Path, staging: Path,
                  recycled: dict[str, Any] | None = None) -> None:
    """`link_previous` in a forked child, while this process reads the content.

    Both are fixed work of every build after the first (at 10,000 profiles, a
    third of a second each way); the child also tells which of the files it linked
    are not as the manifest has them, so the page cache (`wait_for_linking`) need
    not look at each file itself. The record of the site published (`lantoa.snapshot`,
    megabytes that only the linking reads) is read by whichever process links. With
    threads running, forking is unsafe (and a system without `fork` has none): the
    files are then linked here and now.

    Until the page cache has waited for the child, nothing may be written into
    `staging`: the child may still link an old file over it or, in a recycled
    folder, remove it as a file the previous site does not have.
    """
    arguments = (settings, previous, staging, recycled)
    if not (hasattr(os, "fork") and single_threaded()):
        _link_published(*arguments)
        return
    manifest = read_manifest(_manifest_path(settings))  # read once, for both processes

    def link() -> tuple[set[str], FolderChanges | None]:
        changes = _link_published(*arguments)
        return _not_as_left(manifest["files"], os.fspath(staging)), changes

    _LINKING[os.path.abspath(staging)] = _Linking(Forked(link), arguments)


def _not_as_left(files: dict[str, tuple], root: str) -> set[str]:
    """The names of `files` whose file under `root` is not as the manifest has it (size and
    modification time). Each is looked at from the folder's descriptor, by its relative
    name, with no path joined or tuple made: 36,000 files at 10,000 profiles, 128 -> 94 ms."""
    not_as_left: set[str] = set()
    try:
        folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return set(files)
    stat = os.stat
    try:
        for name, entry in files.items():
            try:
                status = stat(name, dir_fd=folder)
            except OSError:
                not_as_left.add(name)
                continue
            if status.st_size != entry[1] or status.st_mtime_ns != entry[2]:
                not_as_left.add(name)
    finally:
        os.close(folder)
    return not_as_left


def wait_for_linking(staging: Path, discard: bool = False) -> set[str] | None:
    """Wait for the child of `start_linking`: the names of the previous manifest not as it
    has them in `staging`, or None when unknown (nothing was forked, or the child failed:
    the files are then linked again here, where a failure such as a full disk is raised).
    `discard`: the build failed, only wait for the child to end."""
    linking = _LINKING.pop(os.path.abspath(staging), None)
    if discard:
        _CHANGES.pop(os.path.abspath(staging), None)
    if linking is None:
        return None
    try:
        answer = linking.child.result()
    except Exception:  # linked again here, where the error is raised in the build
        answer = None
    if discard:
        return None
    if answer is None:
        _link_published(*linking.arguments)
        return None
    not_as_left, changes = answer
    _note_changes(staging, changes)
    return not_as_left


_CHANGES: dict[str, FolderChanges] = {}  # build folder → what recycling it left known of its folders


def _note_changes(staging: Path, changes: FolderChanges | None) -> None:
    if changes is None:
        _CHANGES.pop(os.path.abspath(staging), None)
    else:
        _CHANGES[os.path.abspath(staging)] = changes


def folder_changes(staging: Path) -> FolderChanges | None:
    """What recycling `staging` left known of its folders, with every folder the build
    changed since (`PageCache`), for its record (`lantoa.snapshot.record`); asked once."""
    return _CHANGES.pop(os.path.abspath(staging), None)


def _link_published(settings: dict[str, Any], previous: Path, staging: Path,
                    recycled: dict[str, Any] | None) -> FolderChanges | None:
    changes = _linked(settings, previous, staging, recycled, current_record(settings))[1]
    _note_changes(staging, changes)
    return changes


def _keep_recycled(root: str, wanted: set[str], previous: str, recycled: dict[str, Any] | None,
                   published: dict[str, Any] | None, changes: FolderChanges | None,
                   present: set[str]) -> set[str]:
    """In a recycled build folder, keep the files that are the previous site's; remove the rest.
    `changes` notes what was looked at and changed; `present` gets the folders that stay."""
    folders = SiteFolders(root, recycled)
    kept: set[str] = set()
    recorded = published.get("folders") if published else None
    recorded = recorded if isinstance(recorded, dict) else {}

    def inode(name: str, shown: tuple | None) -> int | None:  # of the previous site's file
        if shown is not None and len(shown) == 3:  # as recorded, else as it is
            return shown[2]
        try:
            return os.stat(os.path.join(previous, name)).st_ino
        except OSError:
            return None

    def visit(relative: str, mtime: int) -> bool:  # whether it holds what the site needs
        stays = False
        (_, files, _), inner = folders.folder(relative, mtime)
        # The previous site's record of the same folder: its files' metadata, by their names.
        shown = recorded.get(relative)
        shown = shown[1] if shown is not None else {}
        present.add(relative)
        for name, folder_mtime in inner:
            if visit(name, folder_mtime):
                stays = True
            else:
                os.rmdir(os.path.join(root, name))
                present.discard(name)
                if changes is not None:
                    changes.touched.add(relative)
        for name, metadata in files.items():
            if name in wanted:
                # A folder whose file is linked again right after stays: removing and making it
                # again would change its parent (`mo-hinh/`, a folder per profile) for nothing.
                stays = True
                # A link (more than three values) is never the site's file.
                if len(metadata) == 3 and metadata[2] == inode(name, shown.get(name)):
                    kept.add(name)
                    continue
            os.unlink(os.path.join(root, name))
            if changes is not None:
                changes.touched.add(relative)
        return stays

    visit("", os.stat(root).st_mtime_ns)
    if changes is not None and recycled is not None:
        changes.listed = folders.listed
        changes.gone = set(recycled["folders"]).difference(present)
    return kept


@dataclass(frozen=True)
class Page:
    """One page a generator writes: where, with which template, from what, showing what."""

    name: str  # the file, relative to the output folder
    template: str  # the theme template's name, without ".html"
    inputs: Any  # everything the page shows, for its fingerprint
    kwargs: dict[str, Any]  # the template's variables beside the build's context
    lastmod: datetime | None = None  # the newest date it shows, for the sitemap
    owner: str | None = None  # the group it is kept or looked at with (`PageCache.visit`)


def _metadata(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns)


class PageCache:
    """Fingerprints of the files of the last build in one output folder."""

    def __init__(self, settings: dict[str, Any], cache: Cache | None = None):
        cache = cache or Cache(settings)
        self.cache = cache
        self.output = Path(settings["OUTPUT_PATH"])
        self.manifest_path = _manifest_path(settings)
        cache.use(self.manifest_path)
        for kept in record_files(settings):
            cache.use(kept)
        # A build into a staging folder describes a site not yet published: its
        # manifest waits beside the current one until the swap (lantoa.publish).
        self.staged = bool(settings.get("LANTOA_TARGET"))
        self.written_manifest = _pending_path(settings) if self.staged else self.manifest_path
        self.salt = cache.salt
        # name → (fingerprint, size, mtime_ns) of the file as written: a file changed since
        # (damaged, edited by hand) is rendered again even when its inputs did not change.
        record = read_manifest(self.manifest_path)
        self.previous: dict[str, tuple] = record["files"]
        # When the previous site was linked in by a child, it has already looked at every file.
        self._not_as_left = wait_for_linking(self.output)
        # Every file made or removed from now on is noted, for the site's record; Pelican
        # copies the theme's and the content's static files itself.
        self._changes = _CHANGES.get(os.path.abspath(self.output))
        for folder in (settings.get("THEME_STATIC_DIR") or "theme", *settings.get("STATIC_PATHS", ())):
            self.written_beside(folder)
        self.current: dict[str, tuple] = {}
        self._unstated: list[str] = []  # rendered, metadata not yet taken
        self.lastmod: dict[str, datetime | None] = {}  # site-relative URL → newest date shown
        self.rendered = 0
        self.skipped = 0
        self._jobs: list[Callable[[], None]] = []
        self.workers = worker_count(settings["LANTOA_WORKERS"])
        # Owners: only a record made with the same code and settings can vouch for them.
        same = record.get("salt") == self.salt
        self._read = record if same else None  # what this build's manifest is kept as changes to
        if not same:
            # Then no owner is kept and no fingerprint matches: of the record, only the
            # names of the files are asked for (what this build no longer writes goes).
            # The rest is let go, not kept for the build by the manifest read last (at
            # 100,000 profiles some 160 MB of owners, signatures, dates and digests).
            _LAST_MANIFEST.clear()
        self._previous_signatures: dict[str, Any] = record.get("signatures", {}) if same else {}
        self._previous_lastmod: dict[str, datetime | None] = record.get("lastmod", {}) if same else {}
        self._previous_uses: dict[str, tuple[str, ...]] = record.get("uses", {}) if same else {}
        self._previous_facts: dict[str, Any] = record.get("facts", {}) if same else {}
        self._previous_digests: dict[str, str] = record.get("digests", {}) if same else {}
        self._files_of: dict[str, list[str]] = record.get("owned", {}) if same else {}
        self.owned: dict[str, list[str]] = {}  # owner → its files in this build
        self.signatures: dict[str, Any] = {}
        self.uses: dict[str, tuple[str, ...]] = {}
        self.facts: dict[str, Any] = {}  # what a plugin noted of this build for the next (`as_before`)
        self.digests: dict[str, str] = {}
        # Profile URLs whose digest changed, came or went; None until `compare_profiles`,
        # and until then no owner is kept.
        self.changed: frozenset[str] | None = None
        self._visited: dict[str, bool] = {}
        self._keepable: set[str] | None = None  # `keep_as_before`

    def compare_profiles(self, digests: Mapping[str, str]) -> frozenset[str]:
        """Take this build's profile digests; return the URLs of profiles changed, added or gone."""
        self.digests = dict(digests)
        before = self._previous_digests
        if not before:
            self.changed = frozenset(digests)
        else:
            changed = {url for url, digest in digests.items() if before.get(url) != digest}
            changed.update(url for url in before if url not in digests)
            self.changed = frozenset(changed)
        return self.changed

    def visit(self, owner: str, signature: Any, profiles: Iterable[str] = ()) -> bool:
        """Whether `owner`'s files must be looked at (their inputs made and compared).

        Not when its signature is the previous build's, none of `profiles` (the
        profile URLs its files show) changed, and each of its files is as the
        previous build left it: those are then kept, as they are, for this build.
        """
        found = self._visited.get(owner)
        if found is not None:
            return found
        self.signatures[owner] = signature
        found = self._visited[owner] = not self._keep(owner, signature, profiles)
        return found

    def keep_as_before(self, items: Sequence[T], owners: Sequence[str],
                       shown: Sequence[Collection[str]]) -> list[T]:
        """`visit` of many owners at once: `owners[i]` is the owner of `items[i]`'s files and
        `shown[i]` the profile URLs they show, an owner whose signature the caller knows is
        the previous build's unless one of those profiles changed. Those kept as they were are
        kept here, without their signatures made or a call per owner; returns, in order, the
        items whose owners are left to the caller, which visits them as usual (their
        signatures made).

        An edit at 10,000 profiles keeps some 28,000 owners (every profile's page and share
        card, every listing and feed but a few): through `visit`, each took a few calls and
        look-ups of its own. The caller makes the owners and what they show for all items at
        once: a call per item to make them took more than the rest (10–18 ms a kind).
        """
        changed = self.changed
        if changed is None:
            return list(items)
        if self._keepable is None:  # the previous build's owners with files, once per build
            self._keepable = self._previous_signatures.keys() & self._files_of.keys()
        keepable, files_of, visited = self._keepable, self._files_of, self._visited
        kept = [owner for owner, urls in zip(owners, shown, strict=True)
                if owner in keepable and owner not in visited and changed.isdisjoint(urls)]
        names = [name for owner in kept for name in files_of[owner]]
        if not self._all_as_left(names):
            # A file changed since (damaged, edited by hand): its owner is made again.
            kept = [owner for owner in kept if self._all_as_left(files_of[owner])]
            names = [name for owner in kept for name in files_of[owner]]
        self.signatures.update(zip(kept, map(self._previous_signatures.__getitem__, kept), strict=True))
        self.owned.update(zip(kept, map(files_of.__getitem__, kept), strict=True))
        visited.update(dict.fromkeys(kept, False))
        self._carry_over_all(names)
        kept_owners = set(kept)
        return [item for item, owner in zip(items, owners, strict=True) if owner not in kept_owners]

    def previous_signatures(self, owners: Iterable[str]) -> list[Any]:
        """`previous_signature` of each of `owners`."""
        return list(map(self._previous_signatures.get, owners))

    def as_before(self, name: str, value: Any) -> bool:
        """Note `value` under `name` for the next build; whether the previous build noted the
        same (with the same code and settings)."""
        self.facts[name] = value
        return name in self._previous_facts and self._previous_facts[name] == value

    def previous_signature(self, owner: str) -> Any:
        """`owner`'s signature in the previous build (same code and settings), or None."""
        return self._previous_signatures.get(owner)

    def signature_as_before(self, owner: str, signature: Any) -> bool:
        """Whether `owner`'s signature is the previous build's (same code and settings): its
        files' inputs then differ from the previous build's only where their profiles changed."""
        return owner in self._previous_signatures and self._previous_signatures[owner] == signature

    def keep_file(self, name: str, owner: str) -> bool:
        """Keep `name`, a file of `owner` whose inputs the caller knows are the previous
        build's, as that build left it; False when it is not as left (then it is made)."""
        previous = self.previous.get(name)
        if not (isinstance(previous, tuple) and len(previous) > 1 and self._as_left(name, previous)):
            return False
        self.owned.setdefault(owner, []).append(name)
        self._carry_over_all((name,))
        return True

    def kept_signature(self, owner: str, unchanged: bool, make: Callable[[], Any]) -> Any:
        """`owner`'s signature: the previous build's when the caller knows that what it is made
        from is unchanged (`unchanged`) and there is one, else `make()`."""
        if unchanged:
            previous = self.previous_signature(owner)
            if previous is not None:
                return previous
        return make()

    def signature_of(self, owner: str, profile: str, make: Callable[[], Any]) -> Any:
        """`owner`'s signature when it is made from one profile alone: the previous build's when
        that profile did not change (its digest, photos included), else `make()`."""
        return self.kept_signature(owner, self.changed is not None and profile not in self.changed, make)

    def _keep(self, owner: str, signature: Any, profiles: Iterable[str]) -> bool:
        if not self.signature_as_before(owner, signature):
            return False
        if self.changed is None or not self.changed.isdisjoint(profiles):
            return False
        names = self._files_of.get(owner, ())
        if not self._all_as_left(names):
            return False
        self.owned[owner] = names
        self._carry_over_all(names)
        return True

    def _carry_over_all(self, names: list[str] | tuple[str, ...]) -> None:
        """`names` are in this build as the previous build left them: their fingerprints,
        their pages' newest dates and the cache entries they are linked from, which the
        cache then keeps."""
        previous, previous_uses = self.previous, self._previous_uses
        self.current.update(zip(names, map(previous.__getitem__, names), strict=True))
        pages = [name[:-_INDEX_LENGTH] for name in names if name.endswith("index.html")]
        self.lastmod.update(zip(pages, map(self._previous_lastmod.get, pages), strict=True))
        # A dict's own look-ups, not a call per name: most kept names (pages) use no entry.
        used = {name: found for name in previous_uses.keys() & names if (found := previous_uses[name])}
        if used:
            self.uses.update(used)
            self.cache.used.update(chain.from_iterable(used.values()))
        self.skipped += len(names)

    def written_beside(self, folder: str) -> None:
        """Files are written under `folder` (relative to the site) outside the page cache: it
        is listed again, with all it holds, when the site is recorded."""
        if self._changes is not None:
            self._changes.touch_tree(folder)

    def needs_render(self, name: str, inputs: Any, owner: str | None = None,
                     uses: tuple[str, ...] = ()) -> bool:
        """Record `name` as part of this build; True when it must be rendered, and then the
        file left by the previous build is gone: it may be a hard link into that build or
        into the cache, which writing it would write through.

        `owner` groups it for `visit`; `uses` are the cache entries it is linked from,
        which stay in the cache while the file is kept.
        """
        if not self.stale(name, inputs, owner, uses):
            return False
        self._free(name)
        return True

    def _free(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(self.output, name))

    def stale(self, name: str, inputs: Any, owner: str | None = None, uses: tuple[str, ...] = ()) -> bool:
        """`needs_render`, leaving the file where it is: the caller frees its name before
        writing it. The jobs queued here do, in whichever process runs them (the 36,000
        files of a cold build at 10,000 profiles, 0.1 s of system calls per 10,000)."""
        if owner is not None:
            self.owned.setdefault(owner, []).append(name)
        if uses:
            self.uses[name] = uses
        fingerprint = hashlib.sha256((self.salt + repr(inputs)).encode()).hexdigest()
        if name.endswith("index.html"):
            self.lastmod.setdefault(name.removesuffix("index.html"), None)
        previous = self.previous.get(name)
        if isinstance(previous, tuple) and previous[0] == fingerprint and self._as_left(name, previous):
            self.current[name] = previous
            self.skipped += 1
            return False
        self.current[name] = (fingerprint,)
        self._unstated.append(name)
        self.rendered += 1
        if self.rendered == QUIET_RENDERS:
            resume_collections()  # a build that makes much leaves much garbage
        if self._changes is not None:
            self._changes.touch_file(name)
        return True

    def _as_left(self, name: str, previous: tuple | None) -> bool:
        """Whether the file is as the previous build left it (a file changed since, damaged or
        edited by hand, is made again even when its inputs did not change)."""
        if previous is None:
            return False
        if self._not_as_left is not None:
            return name not in self._not_as_left
        # A string path: this runs for every file of the site.
        return _metadata(os.path.join(self.output, name)) == previous[1:]

    def _all_as_left(self, names: Iterable[str]) -> bool:
        """`_as_left` of each of an owner's files."""
        if self._not_as_left is not None:  # the linking child looked at every file: sets, in C
            return self._not_as_left.isdisjoint(names) and all(map(self.previous.__contains__, names))
        return all(self._as_left(name, self.previous.get(name)) for name in names)

    def write_page(self, writer, name: str, template, context: dict, inputs: Any,
                   lastmod: datetime | None = None, owner: str | None = None, **kwargs) -> None:
        """Queue a render through Pelican's writer unless the inputs are unchanged."""
        if name.endswith("index.html"):
            self.lastmod[name.removesuffix("index.html")] = lastmod
        if self.stale(name, inputs, owner):
            self._queue(name, lambda: writer.write_file(name, template, context, **kwargs))

    def write(self, writer, generator, page: Page) -> None:
        """Queue a `Page` of `generator` (its template and context)."""
        self.write_page(writer, page.name, generator.get_template(page.template), generator.context,
                        page.inputs, lastmod=page.lastmod, owner=page.owner, **page.kwargs)

    def write_bytes(self, name: str, inputs: Any, produce: Callable[[], bytes],
                    owner: str | None = None) -> bool:
        """Queue writing a non-HTML file (a feed) unless the inputs are unchanged; say which.

        `produce` is called when the file is written, in `flush`: what it reads may be
        made between the two, once for every file that needs it.
        """
        if not self.stale(name, inputs, owner):
            return False
        path = self.output / name

        def job() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(produce())

        self._queue(name, job)
        return True

    def link(self, name: str, source: Path, inputs: Any, owner: str | None = None,
             uses: tuple[str, ...] = ()) -> None:
        """Queue linking the file `source` (a cache entry) as `name` unless the inputs are
        unchanged (`needs_render`); linked in `flush`, split over workers when many."""
        if self.stale(name, inputs, owner, uses):
            self._queue(name, partial(link_or_copy, source, self.output / name))

    def made(self, name: str, inputs: Any, owner: str | None = None, uses: tuple[str, ...] = ()) -> None:
        """Record the file `name`, made from `inputs` in its place by someone else (a share
        card linked by the helper that drew it), as `link` records what it links."""
        self.stale(name, inputs, owner, uses)

    def _queue(self, name: str, make: Callable[[], None]) -> None:
        """Queue making the file `name` (`make`) for `flush`: its name is freed first, in
        whichever process makes it (`stale`)."""

        def job() -> None:
            self._free(name)
            make()

        self._jobs.append(job)

    def flush(self, label: str = "Ghi tệp") -> None:
        """Run the queued renders, split over forked workers when there are many.

        Rendering is pure given the build's context, which forked children share
        without copying; each child writes its own files and nothing comes back.
        """
        jobs, self._jobs = self._jobs, []
        with stage(label, len(jobs), "tệp") as step:
            self._run(jobs, step)
        self._take_metadata()

    def _take_metadata(self) -> None:
        for name in self._unstated:
            found = _metadata(os.path.join(self.output, name))
            if found is not None:
                self.current[name] = (self.current[name][0], *found)
        self._unstated = []

    def _run(self, jobs: list[Callable[[], None]], step: Step) -> None:
        run_jobs(jobs, self.workers, step, PARALLEL_RENDER_MIN)

    def finish(self) -> None:
        """Remove what only the previous build wrote; remember this build; prune the cache."""
        self.flush()
        print(f"Lan Tỏa: {self.rendered} tệp dựng mới, {self.skipped} tệp giữ nguyên.", file=sys.stderr)
        with stage("Dọn tệp cũ và bộ đệm"):
            self._clean()

    def _clean(self) -> None:
        self._take_metadata()
        for name in set(self.previous) - set(self.current):
            stale = self.output / name
            stale.unlink(missing_ok=True)
            if self._changes is not None:
                self._changes.touch_file(name)
            parent = stale.parent
            while parent != self.output and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                if self._changes is not None:
                    self._changes.touch_file(parent.relative_to(self.output).as_posix())
                parent = parent.parent
        current = self.current
        record = {
            "files": current, "salt": self.salt, "digests": self.digests,
            # As tuples: an owner kept as it was keeps the manifest's own (`_keep`), and no
            # build may add to what a manifest kept as changes to its base shares with it.
            "owned": {owner: names if type(names) is tuple else tuple(names)
                      for owner, names in self.owned.items()},
            "signatures": self.signatures,
            "lastmod": {url: date for url, date in self.lastmod.items() if date is not None},
            "uses": {n: u for n, u in self.uses.items() if n in current},
            "facts": self.facts,
        }
        self.cache.use(self.written_manifest)
        # The site is complete: a staged build records it (`lantoa.snapshot.record`) in a
        # forked child while it writes the manifest and prunes the cache itself, when it
        # settles (`lantoa.parallel.settle`), before it swaps the site in.
        afterwards(partial(self._keep_for_next, record), defer=self.staged)

    def _keep_for_next(self, record: dict[str, Any]) -> None:
        write_manifest(self.written_manifest, record, self._read, self.cache)
        self.cache.prune()
