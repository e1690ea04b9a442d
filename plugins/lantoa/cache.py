"""The cache folder: one key rule, atomic entries, and a size that stays bounded.

Every cached thing (a profile read, a processed photo, a share card, a QR code,
a search index, a page fingerprint) is an *entry*: a top-level file of the
cache folder, or one child of a top-level folder (`images/<key>/`,
`search/<key>/`, `cards/<key>.jpg` …). Keys follow one rule: a hash of what the
entry is made from, salted with the digest of the code and theme that make it
and of the settings that show in it (`Cache.key`). Nothing is ever bumped by
hand.

After a build, `prune` keeps the entries this build used (asked for, or wrote)
and those the previous build used, and removes the rest: however many builds
run, the folder holds at most two generations.

Reading every byte of 10,000 share cards to check them costs more than drawing
a few: `trusted` remembers the size, modification time and inode of each file
once its bytes were checked (or once this code wrote it), and checks the bytes
again only when one of them changed. A damaged entry (truncated, rewritten)
changes them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import time
import zlib
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache
from jinja2 import __version__ as jinja_version
from jinja2.bccache import Bucket

from .files import read_keyed, read_pickle, write_keyed, write_pickle

GENERATION = "generation.pickle"  # the entries the previous build used
COMPILED_TEMPLATES = "compiled-templates.pickle"  # `CompiledTemplates`
VERIFIED = "verified.pickle"  # cache file → its metadata when its bytes were last known good
PLUGINS = Path(__file__).resolve().parent.parent
# JINJA_ENVIRONMENT: how templates are compiled (autoescape above all) shows in every page.
SETTINGS_THAT_SHOW = ("SITEURL", "SITENAME", "SITESUBTITLE", "FEED_DOMAIN", "THEME", "RELATIVE_URLS",
                      "JINJA_ENVIRONMENT")
# Settings that change how a build runs, never what it makes.
SETTINGS_THAT_DO_NOT_SHOW = ("LANTOA_STRICT", "LANTOA_WORKERS", "LANTOA_TARGET", "LANTOA_CACHE_DIR")


@cache
def code_digest(*folders: Path) -> str:
    """Digest of every file of the code and theme folders (once per build: `lantoa.build` forgets it)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and ".egg-info" not in str(path):
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def settings_salt(settings: dict[str, Any]) -> str:
    """The one invalidation rule: the code and theme, and every setting that shows."""
    theme = settings.get("THEME")
    parts = [code_digest(PLUGINS, *([Path(theme).resolve()] if theme else []))]
    parts += [repr(settings.get(name)) for name in SETTINGS_THAT_SHOW]
    parts += [repr(v) for k, v in sorted(settings.items())
              if k.startswith("LANTOA_") and k not in SETTINGS_THAT_DO_NOT_SHOW]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class Cache:
    """One build's view of the cache folder."""

    def __init__(self, settings: dict[str, Any]):
        self.root = Path(settings["LANTOA_CACHE_DIR"])
        self.salt = settings_salt(settings)
        self.started = time.time()
        self.used: set[str] = set()
        self._known: dict[str, Signature] | None = None  # read on first use
        self._vouched: dict[str, Signature] = {}

    def key(self, *inputs: Any) -> str:
        """A content address: the inputs' `repr`, salted with the code and settings."""
        return hashlib.sha256((self.salt + "\n" + repr(inputs)).encode()).hexdigest()[:40]

    def entry(self, namespace: str, *inputs: Any, suffix: str = "") -> Path:
        """The path of the entry made from `inputs`, counted as used by this build."""
        path = self.root / namespace / f"{self.key(*inputs)}{suffix}"
        self.use(path)
        return path

    def file(self, name: str) -> Path:
        """A fixed top-level file (a pickle of all profiles), counted as used."""
        path = self.root / name
        self.use(path)
        return path

    def use(self, path: Path) -> None:
        self.used.add(_entry_of(self.root, path))

    def entry_name(self, path: Path) -> str:
        """The name of the entry `path` belongs to, as `used` holds it."""
        return _entry_of(self.root, path)

    def trusted(self, path: Path, check: Callable[[], bool]) -> bool:
        """Whether a cache file (or an entry folder) is whole.

        By its metadata when it is unchanged since its bytes were last found good,
        otherwise by `check()`, which reads them.
        """
        found = signature(path)
        if found is None:
            return False
        name = _relative(self.root, path)
        if self._known is None:
            self._known = read_pickle(self.root / VERIFIED, {})
        if self._known.get(name) != found and not check():
            return False
        self._vouched[name] = found
        return True

    def vouch(self, path: Path) -> None:
        """`path` was just written whole by this code: trust it while its metadata stays."""
        found = signature(path)
        if found is not None:
            self._vouched[_relative(self.root, path)] = found

    def prune(self) -> int:
        """Remove entries neither this build nor the previous one used; return how many."""
        generation = self.root / GENERATION
        previous: set[str] = read_pickle(generation, set())
        current = set(self.used)
        removed = 0
        for name, path in _entries(self.root):
            if name in current or name in (GENERATION, VERIFIED):
                continue
            path = Path(path)
            with contextlib.suppress(OSError):
                # Written during this build (by a worker process that could not say so).
                if path.stat().st_mtime >= self.started:
                    current.add(name)
                    continue
            if name in previous or (name.startswith("build-") and name.endswith(".lock")
                                    and not _unlocked(path)):
                continue
            _remove(path)
            removed += 1
        if current != previous:
            write_pickle(generation, current)
        kept = current | previous
        before = self._known if self._known is not None else read_pickle(self.root / VERIFIED, {})
        known = {name: found for name, found in {**before, **self._vouched}.items()
                 if _entry_name(name) in kept}
        if known != before:
            write_pickle(self.root / VERIFIED, known)
        return removed


def changed_positions(now: Sequence[str], kept: Sequence[str]) -> list[int]:
    """The positions at which two lists of digests of the same length differ: what changed
    since a build kept a value per position (the search index's memo, the build state's
    structure, the open data's order)."""
    if now == kept:
        return []
    return [position for position, (new, old) in enumerate(zip(now, kept, strict=True)) if new != old]


class KeptByDigest:
    """Values kept from one build to the next by the digest of what they are made from
    (a profile's), in shards under one `key`: a build that changes a few profiles
    rewrites a few shards, not every value."""

    def __init__(self, cache: Cache, folder: str, key: Any, shards: int = 32):
        self.key = key
        self.stores = KeptByDigest.shards(cache, folder, shards)
        self.known: list[dict[str, Any]] = [read_keyed(store, key) or {} for store in self.stores]
        self.kept: list[dict[str, Any]] = [{} for _ in self.stores]

    @staticmethod
    def shards(cache: Cache, folder: str, shards: int = 32) -> list[Path]:
        """The files of the values kept under `folder`, counted as used by this build."""
        return [cache.entry(folder, number, suffix=".pickle") for number in range(shards)]

    def get(self, digest: str, make: Callable[[], Any]) -> Any:
        """The value kept for `digest`, or `make()`'s; kept for the next build either way."""
        shard = self._shard(digest)
        found = self.known[shard].get(digest)
        if found is None:
            found = make()
        self.kept[shard][digest] = found
        return found

    def put(self, digest: str, value: Any) -> Any:
        """Keep `value` for `digest` in place of what was kept (found wrong); return it."""
        shard = self._shard(digest)
        self.kept[shard][digest] = value
        self.known[shard].pop(digest, None)  # so that the shard is written again
        return value

    def _shard(self, digest: str) -> int:
        return zlib.crc32(digest.encode()) % len(self.stores)

    def save(self) -> None:
        """Rewrite the shards whose digests changed: values made, or profiles gone."""
        for store, before, now in zip(self.stores, self.known, self.kept, strict=True):
            if before.keys() != now.keys():
                write_keyed(store, self.key, now)


Signature = tuple[int, int, int] | tuple[tuple[str, int, int, int], ...]


def signature(path: Path) -> Signature | None:
    """Size, modification time and inode of a file, or of every file under a folder; None if missing."""
    try:
        status = os.stat(path)
        if not os.path.isdir(path):
            return (status.st_size, status.st_mtime_ns, status.st_ino)
        found = []
        for folder, folders, files in os.walk(path):
            folders.sort()
            for name in sorted(files):
                inner = os.stat(os.path.join(folder, name), follow_symlinks=False)
                found.append((os.path.relpath(os.path.join(folder, name), path), inner.st_size,
                              inner.st_mtime_ns, inner.st_ino))
        return tuple(found)
    except OSError:
        return None


def _relative(root: Path, path: Path) -> str:
    # Strings, not pathlib: this runs for every card, photo and page of a build.
    base, full = os.fspath(root).rstrip(os.sep) + os.sep, os.fspath(path)
    return full[len(base):] if full.startswith(base) else os.path.relpath(full, root)


def _entry_of(root: Path, path: Path) -> str:
    return _entry_name(_relative(root, path))


def _entry_name(relative: str) -> str:
    """The entry a file of the cache belongs to, from its path relative to the cache folder."""
    parts = relative.split(os.sep)
    return "/".join(parts[:2]) if len(parts) > 1 else parts[0]


def _entries(root: Path):
    """(entry name, path as a string) of every entry: strings, as there are tens of thousands."""
    if not root.is_dir():
        return
    for child in os.scandir(root):
        if child.is_dir(follow_symlinks=False):
            for grandchild in os.scandir(child.path):
                yield f"{child.name}/{grandchild.name}", grandchild.path
        else:
            yield child.name, child.path


def _unlocked(lock: Path) -> bool:
    """True when no build holds this lock file (so it may go)."""
    try:
        with open(lock, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(handle, fcntl.LOCK_UN)
            return True
    except OSError:
        return False


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)


class CompiledTemplates(BytecodeCache):
    """The theme's templates compiled by Jinja, kept in one cache file from one build to the next.

    Each Pelican generator has a Jinja environment of its own and compiled the templates it
    uses again on every build: 25 compilations, 0.1 s of a one-profile edit. Jinja keys what
    it keeps by the template's name and checks it against the template's source and the
    Python version, so a changed template is compiled again. It does not check how the
    environment compiles (autoescape, extensions): the file is kept under the cache's salt,
    which holds `JINJA_ENVIRONMENT`, so code compiled without escaping is never run with it.
    """

    def __init__(self, path: Path, salt: str) -> None:
        self.path = path
        self.key = ("templates", jinja_version, salt)
        self._compiled: dict[str, bytes] | None = None
        self._changed = False

    def _all(self) -> dict[str, bytes]:
        if self._compiled is None:
            found = read_keyed(self.path, self.key)
            self._compiled = found if isinstance(found, dict) else {}
        return self._compiled

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._all().get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._all()[bucket.key] = bucket.bytecode_to_string()
        self._changed = True

    def save(self) -> None:
        """Write what was compiled during this build, if anything was."""
        if self._changed:
            write_keyed(self.path, self.key, self._all())
            self._changed = False
