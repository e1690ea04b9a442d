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
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from .cache import settings_salt
from .files import read_pickle, write_pickle

RACY_SECONDS = 2
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


def _files(folder: Path, racy: int | None) -> dict[str, tuple] | None:
    """relative path → (size, mtime_ns, inode) of every file under `folder`; None if one is too recent."""
    found: dict[str, tuple] = {}
    base = len(os.fspath(folder).rstrip(os.sep)) + 1
    pending = [os.fspath(folder)]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                    continue
                status = entry.stat(follow_symlinks=False)
                shown: tuple = (status.st_size, status.st_mtime_ns, status.st_ino)
                if entry.is_symlink():  # what the link points at is what the build reads
                    shown += (os.readlink(entry.path),)
                    status = os.stat(entry.path)
                    shown += (status.st_size, status.st_mtime_ns, status.st_ino)
            except OSError:
                shown = ("?",)
                status = None
            if racy is not None and status is not None and status.st_mtime_ns > racy:
                return None
            found[entry.path[base:]] = shown
    return found


def inputs(settings: dict[str, Any]) -> str | None:
    """A digest of everything the build reads, or None when a content file is too recent to trust."""
    racy = time.time_ns() - RACY_SECONDS * 1_000_000_000
    content = _files(Path(settings["PATH"]), racy)
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
    if found is None:
        return False
    record = read_pickle(_record_path(settings), None)
    if not isinstance(record, dict) or record.get("inputs") != found:
        return False
    output = Path(settings.get("LANTOA_TARGET") or settings["OUTPUT_PATH"])
    return output.is_dir() and _files(output, None) == record.get("site")


def record(settings: dict[str, Any], found: str | None) -> None:
    """After a whole build: remember what it was made from and the site it made."""
    path = _pending_path(settings) if settings.get("LANTOA_TARGET") else _record_path(settings)
    if found is None:
        path.unlink(missing_ok=True)
        _record_path(settings).unlink(missing_ok=True)
        return
    write_pickle(path, {"inputs": found, "site": _files(Path(settings["OUTPUT_PATH"]), None)})


def withdraw(settings: dict[str, Any]) -> None:
    """Before a swap: the published site is about to change."""
    _record_path(settings).unlink(missing_ok=True)


def commit(settings: dict[str, Any]) -> None:
    """After a swap: the staged build's record describes the published site."""
    pending = _pending_path(settings)
    if pending.is_file():
        pending.replace(_record_path(settings))


def discard_pending(settings: dict[str, Any]) -> None:
    _pending_path(settings).unlink(missing_ok=True)
