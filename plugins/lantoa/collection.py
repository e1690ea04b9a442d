"""Read every profile of a content folder: in parallel, cached, checked together.

`collect()` is what `lantoa check`, the build and the preview server share: it
returns the valid profiles and every problem of the run, including those that
only show between files (two profiles with one URL, one model submitted twice).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .cache import PLUGINS, code_digest
from .files import Refusal, content_file, read_content, read_pickle, walk_content, write_pickle
from .gazetteer import gazetteer
from .model import Profile
from .parallel import process_pool, worker_count
from .problems import Problem, Severity
from .reading import MAX_PROFILE_BYTES, read_profile

PROFILES_FOLDER = "profiles"
# Below this many changed files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 150





@dataclass
class Collection:
    """The outcome of reading a content folder."""

    profiles: list[Profile] = field(default_factory=list)  # valid and published, newest first
    problems: list[Problem] = field(default_factory=list)
    unpublished: list[Profile] = field(default_factory=list)  # drafts and hidden ones
    files: int = 0
    read_from_cache: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def scan_content(content: Path) -> tuple[list[Path], list[Problem]]:
    """One walk of the content folder: the profile files, and what may not be published.

    Profile files come back even when refused (a link to outside, a device): reading
    them yields the problem that names them, so they are reported, never skipped.
    Any other refused entry (a page or static file linking outside the content
    folder, a symlinked folder, also among the profiles) is a problem here; the
    photos a profile names are checked when it is read, the others never published.
    """
    profiles, problems = [], []
    for path, refusal in walk_content(content, content):
        relative = path.relative_to(content)
        among_profiles = relative.parts[0] == PROFILES_FOLDER
        if among_profiles and path.suffix.lower() == ".md" and not path.name.startswith("."):
            profiles.append(path)
        elif refusal is not None and (not among_profiles or path.is_dir()):
            problems.append(Problem(relative.as_posix(), None, "tệp", refusal.code, refusal.message,
                                    refusal.hint))
    return sorted(profiles), problems


def profile_files(content: Path) -> list[Path]:
    """Every `.md` (in any case) under `content/profiles/`, in a stable order."""
    return scan_content(content.resolve())[0]


def _read_one(args: tuple[Path, Path, date]) -> tuple[Profile | None, list[Problem]]:
    file, content, today = args
    return read_profile(file, content, today)


def _fingerprint(file: Path, content: Path, today: date, salt: str) -> str:
    digest = hashlib.sha256()
    digest.update(f"{salt}|{today.year}|{file}|".encode())
    data = read_content(content, file, MAX_PROFILE_BYTES)
    digest.update(data if isinstance(data, bytes) else repr(data).encode())
    return digest.hexdigest()


def _images_still_there(profile: Profile | None, content: Path) -> bool:
    if profile is None:
        return True
    # Resolved every time: a photo swapped for a link to outside must not pass on a warm cache.
    return all(not isinstance(content_file(content, content / photo), Refusal) for photo in profile.photos)


def _read_all(files: list[Path], content: Path, today: date, workers: int):
    jobs = [(file, content, today) for file in files]
    if workers <= 1 or len(files) < PARALLEL_THRESHOLD:
        return [_read_one(job) for job in jobs]
    gazetteer()  # built once here, inherited by forked workers
    with process_pool(workers) as pool:
        return list(pool.map(_read_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))))


def cross_check(profiles: Iterable[Profile]) -> list[Problem]:
    """Problems between files: one URL claimed twice, one model submitted twice."""
    problems = []
    by_url: dict[str, list[Profile]] = defaultdict(list)
    by_identity: dict[tuple, list[Profile]] = defaultdict(list)
    for profile in profiles:
        by_url[profile.url].append(profile)
        identity = (profile.title.casefold(), profile.place.province.code, profile.year)
        by_identity[identity].append(profile)
    for url, claimants in by_url.items():
        if len(claimants) > 1:
            for profile in claimants:
                others = ", ".join(p.source for p in claimants if p is not profile)
                problems.append(Problem(
                    profile.source, 1, "Slug", "E050",
                    f"trùng đường dẫn /{url} với {others}",
                    "đổi tên một trong các tệp hoặc thêm dòng 'Slug: …' khác nhau"))
    for claimants in by_identity.values():
        if len(claimants) > 1:
            for profile in claimants:
                others = ", ".join(p.source for p in claimants if p is not profile)
                problems.append(Problem(
                    profile.source, 1, "Title", "W050",
                    f"cùng tên, tỉnh và năm với {others} (có thể nộp hai lần)",
                    "nếu là một mô hình, giữ một tệp", Severity.WARNING))
    return problems


def collect(content: Path, cache_dir: Path | None = None, today: date | None = None,
            workers: int | None = None, salt: str | None = None) -> Collection:
    """Read, validate and cross-check every profile under `content`.

    A file's cached result is reused while its bytes, the year and `salt` (the
    cache's code-and-settings digest; the code alone by default) are unchanged.
    """
    today = today or date.today()
    salt = salt if salt is not None else code_digest(PLUGINS)
    content = content.resolve()
    files, refused = scan_content(content)
    workers = worker_count(workers)
    cache_file = cache_dir / "profiles.pickle" if cache_dir else None
    cache: dict[str, tuple[str, Profile | None, list[Problem]]] = (
        read_pickle(cache_file, {}) if cache_file else {})
    results: dict[Path, tuple[Profile | None, list[Problem]]] = {}
    fingerprints = {}
    stale = []
    for file in files:
        fingerprint = fingerprints[file] = _fingerprint(file, content, today, salt)
        hit = cache.get(str(file))
        # Broken files are read again: the fix may lie outside them (a photo added).
        reusable = hit and not any(p.is_error for p in hit[2])
        if reusable and hit[0] == fingerprint and _images_still_there(hit[1], content):
            results[file] = (hit[1], hit[2])
        else:
            stale.append(file)
    for file, result in zip(stale, _read_all(stale, content, today, workers), strict=True):
        results[file] = result
    collection = Collection(files=len(files), read_from_cache=len(files) - len(stale))
    collection.problems.extend(refused)
    valid = []
    for file in files:
        profile, problems = results[file]
        collection.problems.extend(problems)
        if profile is not None:
            valid.append(profile)
    # A file broken by a clash is still reported; both claimants stay off the site
    # so that neither silently wins the URL.
    clashes = cross_check(valid)
    collection.problems.extend(clashes)
    clashing = {p.path for p in clashes if p.is_error}
    for profile in sorted(valid, key=lambda p: p.sort_key):
        if profile.source in clashing:
            continue
        (collection.profiles if profile.is_published else collection.unpublished).append(profile)
    if cache_file:
        write_pickle(cache_file, {str(f): (fingerprints[f], *results[f]) for f in files})
    return collection
