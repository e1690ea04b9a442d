"""Building a site: settings from a config file, then an atomic build swapped into place."""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from . import snapshot
from .cache import code_digest
from .files import ContentWalk, frozen_after_reading, pause_collections, take_walk
from .output import (
    commit_manifest,
    discard_pending,
    folder_changes,
    start_linking,
    wait_for_linking,
    withdraw_manifest,
)
from .parallel import beside, settle
from .problems import StrictBuildError
from .publish import build_lock, checkpoint, keep_as_spare, recover, staging_folder, swap_in
from .settings import SettingError, apply_defaults

DEFAULT_CONFIG = "pelicanconf.py"
PUBLISH_CONFIG = "publishconf.py"
CACHE_VARIABLE = "LANTOA_CACHE_DIR"  # the cache folder, when no option names one
# What publishconf.py falls back to when LANTOA_SITEURL is not set: a site with this
# address works only there, so a production build that uses it says so.
PLACEHOLDER_SITEURL = "https://lantoa.example.vn"
SITEURL_WARNING = (
    "Cảnh báo: chưa đặt địa chỉ trang (SITEURL), mọi liên kết đang trỏ tới {url}. "
    "Đặt trang ở địa chỉ khác thì trang mất kiểu trình bày, tìm kiếm và liên kết; "
    "chạy lại với --siteurl https://địa-chỉ-thật/ hoặc biến môi trường LANTOA_SITEURL."
)


def project_root(config: Path) -> Path:
    return config.resolve().parent


def load_settings(config: Path, content: Path | None, output: Path | None,
                  strict: bool | None = None, siteurl: str | None = None,
                  cache: Path | None = None) -> dict:
    """Pelican settings from a config file, with the command-line overrides.

    The cache folder is, in order: `cache`, the LANTOA_CACHE_DIR environment
    variable, the config's LANTOA_CACHE_DIR, `.cache/` beside the config.
    """
    from pelican.settings import read_settings

    overrides: dict = {}
    if content is not None:
        overrides["PATH"] = str(content.resolve())
    if output is not None:
        overrides["OUTPUT_PATH"] = str(output.resolve())
    if strict is not None:
        overrides["LANTOA_STRICT"] = strict
    if siteurl is not None:
        overrides["SITEURL"] = siteurl
    if cache is None and os.environ.get(CACHE_VARIABLE):
        cache = Path(os.environ[CACHE_VARIABLE])
    if cache is not None:
        overrides["LANTOA_CACHE_DIR"] = str(cache.resolve())
    root = project_root(config)
    cwd = os.getcwd()
    os.chdir(root)  # relative paths in the config (theme, plugins, cache) are the project's
    try:
        settings = read_settings(str(config.resolve()), override=overrides)
    finally:
        os.chdir(cwd)
    apply_defaults(settings)
    if not os.path.isabs(settings["LANTOA_CACHE_DIR"]):
        settings["LANTOA_CACHE_DIR"] = str(root / settings["LANTOA_CACHE_DIR"])
    return settings


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a build runs.

    A build holds hundreds of thousands of long-lived objects (profiles, the caches,
    the output manifest). At the default threshold, a collection every 700
    allocations, the collector spent 0.47 s of a 4.3 s one-profile edit at 10,000
    profiles traversing them; every 20,000 allocations it spends 0.17 s, and the
    garbage it leaves waiting is a few megabytes at most. What the build reads from
    its large cache files is left out of collections altogether (`frozen_after_reading`),
    and while the build has read, changed and rendered little there is none at all
    (`files.pause_collections`).
    """
    before = gc.get_threshold()
    gc.set_threshold(20_000, 50, 50)
    try:
        with frozen_after_reading():
            pause_collections()  # until the build reads, changes or renders much
            yield
    finally:
        gc.set_threshold(*before)


def own_copy(settings: dict) -> dict:
    """The settings for one Pelican run, their dicts, lists and sets copied all the way down.

    Pelican's Markdown reader adds to `MARKDOWN` (its `extensions`) in the settings it is
    given. Those settings are what the next build is compared by (`snapshot.inputs`):
    a process that builds more than once from one settings dict (the benchmark, a
    script of one's own) saw them change after its first build, and its next build,
    with nothing changed, ran every stage instead of stopping at once. Other values are
    shared, not deep-copied: a config may hold what cannot be copied (Pelican takes a
    plugin's module itself in `PLUGINS`).
    """
    return _containers_copied(settings)


def _containers_copied(value: Any) -> Any:
    # Exact types only: a subclass (a named tuple, a defaultdict) may be built otherwise.
    if type(value) is dict:
        return {key: _containers_copied(item) for key, item in value.items()}
    if type(value) in (list, tuple, set):
        return type(value)(_containers_copied(item) for item in value)
    return value


def pelican_run(settings: dict, walk: ContentWalk) -> None:
    """One Pelican run of the build, given the walk of the content its inputs were summed
    from: the profiles are found in it (`lantoa_profiles`), not in a second walk."""
    from pelican import Pelican

    runner = Pelican(own_copy(settings))
    runner.lantoa_content_walk = walk
    runner.run()


def run_pelican(settings: dict) -> bool:
    """Build in place; False when nothing changed since the last build of this output folder."""
    # The code and theme are read once per build, not once per process: the preview server
    # builds again in its own process when a template is saved.
    code_digest.cache_clear()
    with fewer_collections():
        walk = take_walk(Path(apply_defaults(settings)["PATH"]))
        found = snapshot.inputs(settings, walk)
        if snapshot.unchanged(settings, found):
            print("Không có gì thay đổi kể từ lần dựng trước: trang giữ nguyên.", file=sys.stderr)
            return False
        logging.getLogger("pelican").setLevel(logging.WARNING)
        pelican_run(settings, walk)
        snapshot.record(settings, found)
    return True


def build_atomic(settings: dict, force: bool = False) -> Path:
    """Build into a fresh sibling folder, then swap it in: a failed build leaves the old site.

    When nothing the build reads changed and the site is as the last build left it,
    there is nothing to build (`lantoa.snapshot`), unless `force` (the preview server
    keeps what a build makes in memory, so its first build always runs).
    """
    target = Path(settings["OUTPUT_PATH"])
    code_digest.cache_clear()  # as in `run_pelican`
    with fewer_collections(), build_lock(Path(settings["LANTOA_CACHE_DIR"]), target):
        recover(target)
        walk = take_walk(Path(apply_defaults(settings)["PATH"]))
        found = snapshot.inputs(settings, walk)
        if not force and snapshot.unchanged(settings, found):
            print("Không có gì thay đổi kể từ lần dựng trước: trang giữ nguyên.", file=sys.stderr)
            return target
        staging = staging_folder(target)
        settings = {**settings, "OUTPUT_PATH": str(staging), "LANTOA_TARGET": str(target)}
        discard_pending(settings)
        snapshot.discard_pending(settings)
        recycled = snapshot.spare(settings, staging) if staging.is_dir() else None
        if target.is_dir():
            # Pages whose inputs did not change are kept from the previous site (hard links),
            # linked while the content is read; the page cache waits for them.
            start_linking(apply_defaults(settings), target, staging, recycled)
        try:
            logging.getLogger("pelican").setLevel(logging.WARNING)
            pelican_run(settings, walk)
            wait_for_linking(staging)  # a build whose plugins never made a page cache
            changes = folder_changes(staging)  # only for a folder recycled with its record
            if changes is not None:
                # Only the folders the build changed are listed for its record (`derived_folders`).
                snapshot.record(settings, found, recycled, changes)
            else:
                # The whole site is listed for its record (0.5 s at 10,000 profiles), beside
                # the manifest's writing; nothing reads the record before the swap.
                beside(partial(snapshot.record, settings, found, recycled), defer=True)
            settle()  # the manifest, the cache pruned, the record, a helper's memo for the next build
        except BaseException:
            wait_for_linking(staging, discard=True)
            with contextlib.suppress(Exception):
                settle(discard=True)
            snapshot.forget_spare(settings)
            if target.is_dir():
                keep_as_spare(staging, target)
            else:
                shutil.rmtree(staging, ignore_errors=True)
            raise
        checkpoint("rendered")
        withdraw_manifest(settings)
        snapshot.withdraw(settings)
        checkpoint("withdrawn")
        swap_in(staging, target)
        checkpoint("swapped")
        commit_manifest(settings)
        snapshot.commit(settings)
    return target


DISK_ERRORS = {
    errno.ENOSPC: "ổ đĩa đã đầy", errno.EDQUOT: "đã hết hạn mức dung lượng",
    errno.EROFS: "ổ đĩa chỉ cho phép đọc", errno.EACCES: "không có quyền ghi",
    errno.EPERM: "không có quyền ghi",
}


def disk_error_message(error: OSError) -> str:
    """A sentence for a file-system failure of the build; the site in place is untouched."""
    what = DISK_ERRORS.get(error.errno or 0, error.strerror or str(error))
    where = f" ({error.filename})" if error.filename else ""
    return (f"Không dựng được trang: {what}{where}. Trang đang có vẫn giữ nguyên; "
            "giải phóng dung lượng hoặc kiểm tra quyền ghi của thư mục xuất và thư mục .cache rồi chạy lại.")


def build(config: Path, content: Path, output: Path, strict: bool | None = None,
          siteurl: str | None = None, cache: Path | None = None) -> int:
    """One build, reported on the terminal in Vietnamese; the exit code of `lantoa build`."""
    started = time.perf_counter()
    try:
        settings = load_settings(config, content, output, strict=strict, siteurl=siteurl, cache=cache)
        if siteurl is None and not settings.get("RELATIVE_URLS") and \
                settings.get("SITEURL", "") in ("", PLACEHOLDER_SITEURL):
            print(SITEURL_WARNING.format(url=settings.get("SITEURL") or "gốc của tên miền (/)"),
                  file=sys.stderr)
        target = build_atomic(settings)
    except StrictBuildError as error:
        print(str(error), file=sys.stderr)
        return 1
    except SettingError as error:
        print(str(error), file=sys.stderr)
        return 2
    except OSError as error:
        print(disk_error_message(error), file=sys.stderr)
        return 3
    print(f"Đã dựng trang vào {target} trong {time.perf_counter() - started:.1f} giây.",
          file=sys.stderr)
    return 0
