"""Publishing a build: one build at a time, a staging folder, an atomic swap, then the manifest.

The site in the output folder is always a whole build. A build writes into a
fresh sibling folder and swaps it in with one atomic exchange (Linux
`renameat2(RENAME_EXCHANGE)`); where that is not available, two renames, and the
next build puts the old folder back if a crash fell between them. When the
output folder is a mount point (it cannot be renamed), its contents are synced
in place, file by file. The output manifest (`lantoa.output`) is removed before
the swap and committed after it, so after a crash at any point the next build
renders everything the manifest cannot vouch for: a crashed build costs time,
never correctness. Staging folders left by killed builds are removed.

The site a swap replaces is kept beside the output folder as `<output>.spare`,
and the next build renames it to its staging folder instead of making a new
one: a file system makes folders slowly (one per profile page, ten thousand
and more), and the spare has them. `lantoa.output.link_previous` then keeps
only its files that are the current site's (the same inode) and removes the
rest, so the staging folder holds exactly what a new one would.

`checkpoint(stage)` lets tests kill a build at a chosen stage (`LANTOA_FAULT_AT`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from .files import checksum

FAULT_VARIABLE = "LANTOA_FAULT_AT"
FAULT_EXIT_CODE = 86
RENAME_EXCHANGE = 2
AT_FDCWD = -100


def checkpoint(stage: str) -> None:
    """End the process abruptly at `stage` when asked to: a kill, for crash tests."""
    if os.environ.get(FAULT_VARIABLE) == stage:
        os._exit(FAULT_EXIT_CODE)


@contextlib.contextmanager
def build_lock(cache: Path, target: Path) -> Iterator[None]:
    """Builds into one output folder take turns (the preview server and a manual build)."""
    cache.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:12]
    with open(cache / f"build-{key}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def recover(target: Path) -> None:
    """Undo what a killed build left: put a set-aside site back, remove staging folders.

    Called under the build lock, so no running build owns these folders.
    """
    set_aside = sorted(target.parent.glob(f"{target.name}.old-*"))
    if not target.exists() and set_aside:
        set_aside[-1].rename(target)
        set_aside = set_aside[:-1]
    for leftover in [*set_aside, *target.parent.glob(f"{target.name}.tmp-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def staging_folder(target: Path) -> Path:
    """A new build folder beside `target`: the spare site renamed, or an empty folder."""
    staging = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    spare = spare_folder(target)
    if spare.is_dir() and not spare.is_symlink():
        if target.is_dir():  # without a site, there is nothing in it to keep
            with contextlib.suppress(OSError):
                spare.rename(staging)
                return staging
        shutil.rmtree(spare, ignore_errors=True)
    return staging


def spare_folder(target: Path) -> Path:
    """The site a swap replaced, kept for the next build to recycle its folders."""
    return target.with_name(f"{target.name}.spare")


def keep_as_spare(replaced: Path, target: Path) -> None:
    """Keep a folder beside `target` for the next build to recycle: the site a swap replaced,
    or the folder of a build that failed (`link_previous` sorts out by inode what in it may
    stay, so a half-made folder is as good as any)."""
    spare = spare_folder(target)
    shutil.rmtree(spare, ignore_errors=True)
    try:
        replaced.rename(spare)
    except OSError:
        shutil.rmtree(replaced, ignore_errors=True)


def swap_in(staging: Path, target: Path) -> None:
    """Make `staging` the site at `target`; the old site is kept as the spare."""
    if target.is_dir() and os.path.ismount(target):
        sync_in_place(staging, target)
        return
    if target.exists():
        try:
            _exchange(staging, target)
        except OSError as error:
            if error.errno in (errno.EBUSY, errno.EXDEV):
                sync_in_place(staging, target)
                return
            if error.errno not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
                raise
            _rename_twice(staging, target)
            return
        checkpoint("exchanged")
        keep_as_spare(staging, target)  # now the old site
    else:
        staging.rename(target)


def _exchange(first: Path, second: Path) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2: Callable | None = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 not available")
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(second))


def _rename_twice(staging: Path, target: Path) -> None:
    previous = target.with_name(f"{target.name}.old-{os.getpid()}")
    target.rename(previous)
    checkpoint("set-aside")  # `recover` puts `previous` back if we die here
    staging.rename(target)
    keep_as_spare(previous, target)


def sync_in_place(staging: Path, target: Path) -> None:
    """Make `target`'s contents equal `staging`'s, replacing each changed file atomically."""
    wanted = set()
    for source in sorted(staging.rglob("*")):
        relative = source.relative_to(staging)
        wanted.add(relative)
        destination = target / relative
        if source.is_dir():
            if destination.exists() and not destination.is_dir():
                destination.unlink()
            destination.mkdir(parents=True, exist_ok=True)
            continue
        if destination.is_file() and destination.stat().st_size == source.stat().st_size \
                and checksum(destination) == checksum(source):
            continue
        if destination.is_dir():
            shutil.rmtree(destination)
        temporary = destination.with_name(f".{destination.name}.tmp-{os.getpid()}")
        shutil.copyfile(source, temporary)
        temporary.replace(destination)
    for existing in sorted(target.rglob("*"), reverse=True):  # children before parents
        if existing.relative_to(target) not in wanted:
            if existing.is_dir() and not existing.is_symlink():
                shutil.rmtree(existing, ignore_errors=True)
            else:
                existing.unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
