"""What a build was made from, so that a build with nothing to do does nothing.

A build reads the content folder, the code and theme, the settings and the
libraries that render. `inputs` sums them up by metadata: every content file's
path, size, modification time and inode (a link's target's too), the digest of
the code, theme and settings (`lantoa.cache.settings_salt`), every other
setting, the versions of the libraries and the year (a profile's year is
checked against it). After a build, `record` keeps that sum with the metadata of
every file of the site it made. When the next build finds the same inputs and
the site untouched (no file added, removed or rewritten), the site is already
what the build would make: `unchanged` says so and the build stops there.

A content file changed less than `RACY_SECONDS` before the sum was taken makes
the inputs unknown (None): a second change within the clock's resolution would
keep its metadata, so such a build always runs. Like the output manifest, the
record of a build into a staging folder waits until the swap.

The record lists the site folder by folder, each with its modification time.
When a swap replaces the site, its record is kept as the spare's
(`lantoa.publish`): a folder whose time is still the recorded one has had
nothing added, removed or renamed in it since, so recycling the spare and
recording the next build take it from the record instead of listing tens of
thousands of folders again (`SiteFolders`).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from .cache import settings_salt
from .files import (
    ANY_KEY,
    ContentWalk,
    entry_metadata,
    kept_for,
    read_keyed,
    read_pickle_once,
    trusted_before,
    write_keyed,
)

RECORD = "last-build.pickle"
LIBRARIES = ("pelican", "jinja2", "markdown", "pillow", "pillow-heif", "feedgen", "nh3", "zxing-cpp",
             "openpyxl", "vietnam-provinces", "python-slugify")


def _record_path(settings: dict[str, Any]) -> Path:
    target = Path(settings.get("LANTOA_TARGET") or settings["OUTPUT_PATH"])
    key = hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:12]
    return Path(settings["LANTOA_CACHE_DIR"]) / f"{RECORD}.{key}"


def _pending_path(settings: dict[str, Any]) -> Path:
    return _record_path(settings).with_suffix(".pending")


def _versions() -> list[str]:
    found = [sys.version]
    for name in LIBRARIES:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return found


def _content_metadata(walk: ContentWalk) -> dict[str, tuple] | None:
    """content-relative path → `entry_metadata` of every file of the walk; None if one is too recent."""
    base = len(walk.root.rstrip(os.sep)) + 1
    racy = walk.trusted_before
    found: dict[str, tuple] = {}
    for path, shown in walk.metadata.items():
        # A file's time is its second item, a link's target's its sixth: the one read.
        if len(shown) in (3, 7) and shown[-2] > racy:
            return None
        found[path[base:]] = shown
    return found


SPARE_SUFFIX = ".spare"


Folder = tuple[int, dict[str, tuple], tuple[str, ...]]  # (mtime_ns, its files → metadata, its folders)


class SiteFolders:
    """The folders of a site as they are now, each taken from a record made earlier when
    nothing was added to, removed from or renamed in it since.

    A folder is (its modification time, its files, the names of its folders): files
    by name relative to the root, with (size, mtime_ns, inode), a link's target and
    the target's added. A folder taken from the record is the record's own object,
    not copied: recording a site after an edit costs a look at each folder's time,
    not at each of its files.
    """

    def __init__(self, root: str, known: dict[str, Any] | None = None):
        self.root = root.rstrip(os.sep)
        self._base = len(self.root) + 1
        folders = known.get("folders") if known else None
        self.known: dict[str, Folder] = folders if isinstance(folders, dict) else {}
        # A folder changed within the clock's resolution of the record may have changed again.
        self._trusted_before = trusted_before(known.get("taken", 0)) if self.known else 0
        self.listed: dict[str, Folder] = {}  # the folders read from disk, not taken from `known`

    def folder(self, relative: str, mtime: int) -> tuple[Folder, list[tuple[str, int]]]:
        """The folder `relative` ("" is the root, always listed) whose time is now `mtime`,
        and its folders with their times now."""
        recorded = self.known.get(relative)
        if relative and recorded is not None and recorded[0] == mtime and mtime < self._trusted_before:
            found = []
            for name in recorded[2]:
                try:  # never following a link
                    status = os.stat(os.path.join(self.root, name), follow_symlinks=False)
                except OSError:
                    break
                if not stat.S_ISDIR(status.st_mode):  # a folder swapped for a link: list it again
                    break
                found.append((name, status.st_mtime_ns))
            else:
                return recorded, found
        return self._from_disk(relative, mtime)

    def _from_disk(self, relative: str, mtime: int) -> tuple[Folder, list[tuple[str, int]]]:
        files: dict[str, tuple] = {}
        folders: list[tuple[str, int]] = []
        try:
            with os.scandir(os.path.join(self.root, relative) if relative else self.root) as listing:
                entries = list(listing)
        except OSError:
            entries = []
        for entry in entries:
            name = entry.path[self._base:]
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((name, entry.stat(follow_symlinks=False).st_mtime_ns))
                    continue
            except OSError:
                pass
            files[name] = entry_metadata(entry)[0]
        found = self.listed[relative] = (mtime, files, tuple(name for name, _ in folders))
        return found, folders

    def listing(self) -> dict[str, Folder]:
        """Every folder under the root, the root as "": relative name → `Folder`."""
        found: dict[str, Folder] = {}
        try:
            pending = [("", os.stat(self.root).st_mtime_ns)]
        except OSError:
            return found
        while pending:
            relative, mtime = pending.pop()
            folder, inner = self.folder(relative, mtime)
            found[relative] = folder
            pending += inner
        return found


@dataclass
class FolderChanges:
    """What recycling a site's folder (`lantoa.output.link_previous`) leaves known of it.

    A folder that was looked at and not changed since is as `listed` has it, or else as
    the recycled folder's record has it; `touched` are the folders whose entries changed
    after they were looked at (by the linking, then by the build), listed again when the
    site is recorded (`derived_folders`); `gone` are the recorded folders the site no
    longer has.
    """

    taken: int  # time.time_ns() before any folder was looked at
    listed: dict[str, Folder] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)
    trees: set[str] = field(default_factory=set)  # folders listed again with all they hold

    def touch_file(self, name: str) -> None:
        """A file of the site, relative to it, was made or removed."""
        self.touched.add(os.path.dirname(name))

    def touch_tree(self, folder: str) -> None:
        """Files were written under `folder` (relative to the site) without being noted one by
        one (the photos, the search index's files, Pelican's static files)."""
        self.trees.add(folder.strip("/"))


def derived_folders(root: str, recycled: dict[str, Any], changes: FolderChanges) -> dict[str, Folder]:
    """The folders of the site in `root` now, as `SiteFolders.listing` would list them, from
    what recycling it looked at (`changes`) and the record of the recycled folder: only the
    root and the folders changed since are listed again.

    A folder made since (a new profile's) is found by listing its parent again: the
    parent of every folder changed and not known is taken as changed too.
    """
    known: dict[str, Folder] = {**recycled["folders"], **changes.listed}
    for name in changes.gone:
        known.pop(name, None)
    touched = changes.touched | changes.trees
    for name in list(touched):
        while name and name not in known:
            name = os.path.dirname(name)
            touched.add(name)
    lister = SiteFolders(root)
    found: dict[str, Folder] = {}
    pending = [("", False)]  # a folder, and whether it lies in one of `changes.trees`
    while pending:
        relative, in_tree = pending.pop()
        in_tree = in_tree or relative in changes.trees
        folder = known.get(relative) if relative and not in_tree and relative not in touched else None
        if folder is None:
            path = os.path.join(lister.root, relative) if relative else lister.root
            try:
                status = os.stat(path, follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISDIR(status.st_mode):
                continue
            folder = lister.folder(relative, status.st_mtime_ns)[0]  # it knows no record: from disk
        found[relative] = folder
        pending += [(name, in_tree) for name in folder[2]]
    return found


def site_record(folder: Path, known: dict[str, Any] | None = None,
                changes: FolderChanges | None = None) -> dict[str, Any]:
    """What `record` keeps of a site: its folders, when they were listed, its folder's inode.

    `known` is the record of the folder the build recycled: its folders that nothing
    touched since are not listed again. With `changes`, what recycling it looked at and
    what changed since, only the folders changed are (`derived_folders`), and every
    folder is as old as the first look at it, for the next build to trust.
    """
    if known is not None and changes is not None:
        taken, folders = changes.taken, derived_folders(os.fspath(folder), known, changes)
    else:
        taken = time.time_ns()
        folders = SiteFolders(os.fspath(folder), known).listing()
    return {"folders": folders, "taken": taken, "root": os.stat(folder).st_ino}


def inputs(settings: dict[str, Any], walk: ContentWalk) -> str | None:
    """A digest of everything the build reads, or None when a content file is too recent to trust.

    `walk` is the build's walk of the content folder (`files.take_walk`).
    """
    content = _content_metadata(walk)
    if content is None:
        return None
    today = date.fromisoformat(settings["LANTOA_TODAY"]) if settings.get("LANTOA_TODAY") else date.today()
    digest = hashlib.sha256()
    # The output folder is named by the record's key; a staging folder's name changes every build.
    plain = sorted((k, v) for k, v in settings.items() if k not in ("OUTPUT_PATH", "LANTOA_TARGET"))
    # The browser editor's bundle is copied from the project's vendor/ folder once unpacked.
    vendor = Path(settings.get("THEME") or ".").resolve().parent / "vendor"
    unpacked = sorted(os.listdir(vendor)) if vendor.is_dir() else []
    for part in (settings_salt(settings), repr(plain), repr(_versions()), str(today.year),
                 repr(sorted(content.items())), repr(unpacked)):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def unchanged(settings: dict[str, Any], found: str | None) -> bool:
    """True when the site in the output folder is what a build from `found` inputs would make."""
    # The record is kept under its inputs' digest: another build's costs reading one line.
    if found is None or not kept_for(_record_path(settings), found):
        return False
    record = _read_record(_record_path(settings))
    if not isinstance(record, dict) or record.get("inputs") != found:
        return False
    output = Path(settings.get("LANTOA_TARGET") or settings["OUTPUT_PATH"])
    # Every file is looked at: a page edited in place keeps its folder's time.
    return output.is_dir() and SiteFolders(os.fspath(output)).listing() == record.get("folders")


def record(settings: dict[str, Any], found: str | None, known: dict[str, Any] | None = None,
           changes: FolderChanges | None = None) -> None:
    """After a whole build: remember what it was made from and the site it made
    (`site_record`, with the spare's record `known` and the `changes` since)."""
    path = _pending_path(settings) if settings.get("LANTOA_TARGET") else _record_path(settings)
    if found is None:
        path.unlink(missing_ok=True)
        _record_path(settings).unlink(missing_ok=True)
        return
    site = site_record(Path(settings["OUTPUT_PATH"]), known, changes)
    write_keyed(path, found, {"inputs": found, **site})


def current(settings: dict[str, Any]) -> dict[str, Any] | None:
    """The record of the site now published, if any."""
    found = _read_record(_record_path(settings))
    return found if isinstance(found, dict) and isinstance(found.get("folders"), dict) else None


_LAST_RECORD: dict[Path, tuple[tuple, Any]] = {}  # the last record read, by its file's metadata


def _read_record(path: Path) -> Any:
    """The record in `path`, read once while the file stays the same: a build asks whether it
    has anything to do, then for the site to link from (3.7 MB at 10,000 profiles)."""
    return read_pickle_once(path, _LAST_RECORD, lambda kept: read_keyed(kept, ANY_KEY))


def spare(settings: dict[str, Any], folder: Path) -> dict[str, Any] | None:
    """The record of the site a swap replaced, if `folder` (the spare, recycled) is still it."""
    found = read_keyed(_spare_path(settings), ANY_KEY)
    try:
        same = isinstance(found, dict) and found.get("root") == os.stat(folder).st_ino
    except OSError:
        return None
    return found if same and isinstance(found.get("folders"), dict) else None


def record_files(settings: dict[str, Any]) -> list[Path]:
    """The cache files of the records of this output folder, for the cache to keep."""
    return [_record_path(settings), _spare_path(settings)]


def forget_spare(settings: dict[str, Any]) -> None:
    """The spare is no longer the site its record describes (a failed build's folder)."""
    _spare_path(settings).unlink(missing_ok=True)


def _spare_path(settings: dict[str, Any]) -> Path:
    path = _record_path(settings)
    return path.with_name(path.name + SPARE_SUFFIX)


def withdraw(settings: dict[str, Any]) -> None:
    """Before a swap: the published site is about to change, and become the spare."""
    published = _record_path(settings)
    if published.is_file():
        published.replace(_spare_path(settings))
    else:
        forget_spare(settings)


def commit(settings: dict[str, Any]) -> None:
    """After a swap: the staged build's record describes the published site."""
    pending = _pending_path(settings)
    if pending.is_file():
        pending.replace(_record_path(settings))


def discard_pending(settings: dict[str, Any]) -> None:
    _pending_path(settings).unlink(missing_ok=True)
