"""File operations: the one gate to content files, atomic writes, checked cache entries."""

from __future__ import annotations

import contextlib
import copyreg
import gc
import hashlib
import io
import os
import pickle
import shutil
import stat
import sys
import time
from array import array
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, ClassVar


@contextmanager
def _written_aside(path: Path) -> Iterator[BinaryIO]:
    """A file written beside `path` and renamed over it once whole."""
    # Strings and bare calls, and the folder made only when it is missing: share cards are
    # written this way, two files each, 10,000 of them in a cold build.
    temporary = f"{path}.tmp{os.getpid()}"
    folder = os.path.dirname(temporary)
    if folder and not os.path.isdir(folder):  # "" is the working folder
        os.makedirs(folder, exist_ok=True)
    with open(temporary, "wb") as file:
        yield file
    os.replace(temporary, path)


def write_atomic(path: Path, data: bytes) -> None:
    """Write aside and rename: a reader (or a concurrent build) never sees half a file."""
    with _written_aside(path) as file:
        file.write(data)


def write_checking_itself(path: Path | str, data: bytes) -> None:
    """Write a file whose bytes check themselves (a PNG: every chunk has its CRC) where it
    belongs, without a file aside and a rename: a reader finds a half-written one as it
    finds a damaged one, and makes it again. A file there already is removed first,
    never written through: it may be linked into a site (a share card of the last build).
    """
    path = os.fspath(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags, 0o644)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        descriptor = os.open(path, flags, 0o644)
    except FileExistsError:
        os.unlink(path)
        descriptor = os.open(path, flags, 0o644)
    with open(descriptor, "wb") as file:
        file.write(data)


def _checked_data(path: Path) -> memoryview | None:
    """The data of a cache entry (`write_pickle`), or None when it is missing, or damaged
    (with a warning). A view: the data is not copied out of the file's bytes."""
    try:
        with open(path, "rb") as file:
            return _verified(path, file.read(), file)
    except OSError:
        return None


# The extended attribute a cache file is marked whole with once its checksum was found
# its own: its size and modification time then. While they are the file's, its bytes are
# those that were checked, and the checksum is not computed again (some 80 MB of cache
# read by an edit at 10,000 profiles: 60 ms). Marked only when its modification time is
# `RACY_SECONDS` old, as git trusts its index: a change made since shows a later time.
# A file changed since (damaged, written by hand, copied, or on a file system without
# extended attributes) is checked by its checksum.
_WHOLE_ATTRIBUTE = "user.lantoa.whole"


def _verified(path: Path, raw: bytes, file: BinaryIO | None = None) -> memoryview | None:
    """`raw` (the bytes of the open `file`) past its checksum line when the checksum is its
    own, else None (with a warning)."""
    end = raw.find(b"\n")
    data = memoryview(raw)[end + 1:]
    if end >= 0:
        status = os.fstat(file.fileno()) if file is not None else None
        mark = f"{status.st_size} {status.st_mtime_ns}".encode() if status else b""
        with contextlib.suppress(OSError, AttributeError):  # no extended attributes here
            if mark and os.getxattr(file.fileno(), _WHOLE_ATTRIBUTE) == mark:
                return data
        if raw[:end] == hashlib.sha256(data).hexdigest().encode():
            if status and time.time_ns() - status.st_mtime_ns > RACY_SECONDS * 1_000_000_000:
                with contextlib.suppress(OSError, AttributeError):
                    os.setxattr(file.fileno(), _WHOLE_ATTRIBUTE, mark)
            return data
    warn_cache(path)
    return None


class _Hashing:
    """A file that takes the SHA-256 of what is written to it."""

    def __init__(self, file):
        self.file, self.digest = file, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.file.write(data)


def _array_from(typecode: str, data: bytes | bytearray) -> array:
    """What arrays were pickled with before (`_Pickler`): kept for the files they are in."""
    return array(typecode, data)


class _Pickler(pickle.Pickler):
    """Pickles an array from its own memory. The default reduction copies it to bytes,
    and the pickler keeps every object it wrote until the end: pickling the search
    index's postings (some 50 million numbers at 100,000 profiles) held them twice.
    Unpickled by the array type itself, from those bytes: no Python function is called
    per array (some 75,000 in the search index's memo at 10,000 profiles, 20 ms)."""

    dispatch_table: ClassVar[dict] = {**copyreg.dispatch_table, array: lambda numbers: (
        array, (numbers.typecode, pickle.PickleBuffer(numbers)))}


@lru_cache(maxsize=8)
def _reducing_pickler(reducers: tuple[tuple[type, Callable[[Any], tuple]], ...]) -> type[_Pickler]:
    """`_Pickler` with these reductions too. A dispatch table is taken when a pickler is made:
    one set on a subclass's instance afterwards is not looked at."""
    table = {**_Pickler.dispatch_table, **dict(reducers)}
    return type("_ReducingPickler", (_Pickler,), {"dispatch_table": table})


def write_pickle(path: Path, value: Any) -> None:
    """A cache entry, written atomically: the SHA-256 of the pickle on the first line,
    then the pickle.

    Pickled straight into the file: the pickle of a large cache (the search index's
    memo at 100,000 profiles) is never held in memory whole; the checksum line is
    written last, over a placeholder.
    """
    _write_checked(path, b"", value)


_CHECKSUM_PLACEHOLDER = b"0" * 64 + b"\n"  # the SHA-256's line, written over once the rest is


def _write_checked(path: Path, head: bytes, value: Any, reference: Callable[[Any], Any] | None = None,
                   reducers: Mapping[type, Callable[[Any], tuple]] | None = None) -> None:
    """`head`, then the pickle of `value`, behind the SHA-256 of both (`write_pickle`).
    `reference`: the pickler's `persistent_id`; `reducers`: how it pickles objects of
    these types (`write_keyed`)."""
    with _written_aside(path) as file:
        file.write(_CHECKSUM_PLACEHOLDER)
        hashing = _Hashing(file)
        hashing.write(head)
        pickler = (_reducing_pickler(tuple(reducers.items())) if reducers else _Pickler)(
            hashing, protocol=pickle.HIGHEST_PROTOCOL)
        if reference is not None:
            pickler.persistent_id = reference
        pickler.dump(value)
        file.seek(0)
        file.write(hashing.digest.hexdigest().encode())


def read_pickle(path: Path, default: Any) -> Any:
    """A cached value, or `default` when the cache is missing, corrupt or foreign:
    a bad cache only makes the build slower."""
    data = _checked_data(path)
    if data is None:
        return default
    try:
        return _unpickled(data)
    except Exception:  # written by another version of the code
        warn_cache(path)
        return default


def _unpickled(data: bytes | memoryview, referenced: Callable[[Any], Any] | None = None,
               start: int = 0) -> Any:
    """`pickle.loads` of `data` from `start`, with the cyclic garbage collector paused:
    everything unpickling makes stays reachable until it returns, so a collection
    meanwhile frees nothing and, over a build's hundreds of thousands of objects, cost a
    fifth of reading the profiles' shards. `referenced`: the unpickler's `persistent_load`
    (`read_keyed`); its stream shares `data`'s bytes, not a copy of them (25 MB of shards)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        if referenced is None:
            return pickle.loads(memoryview(data)[start:])
        stream = io.BytesIO(data)
        stream.seek(start)
        unpickler = pickle.Unpickler(stream)
        unpickler.persistent_load = referenced
        return unpickler.load()
    finally:
        if enabled:
            gc.enable()
        if len(data) - start > FREEZE_AFTER_BYTES and _frozen_after_reading:
            # What a build reads lives as long as the build: the collector would otherwise
            # go through it in its next collections (hundreds of thousands of objects
            # each, some 50 ms of an edit at 10,000 profiles), to free none of it.
            gc.freeze()


FREEZE_AFTER_BYTES = 1 << 20
_frozen_after_reading: list[bool] = []  # non-empty while a build runs (`frozen_after_reading`)


_collections_paused: list[bool] = []  # non-empty while `pause_collections` holds the collector


@contextmanager
def frozen_after_reading() -> Iterator[None]:
    """While a build runs, what it reads from a large cache file is left out of the cyclic
    garbage collector's collections (`gc.freeze`): it lives until the build ends. The
    collector paused in it (`pause_collections`) runs again when it ends."""
    _frozen_after_reading.append(True)
    try:
        yield
    finally:
        _frozen_after_reading.pop()
        resume_collections()


# A build runs without the cyclic garbage collector (`pause_collections`) while it has read,
# changed and rendered no more than this: an edit leaves little garbage.
QUIET_CHANGES = 100  # profile files read, profiles changed
QUIET_RENDERS = 1000  # files rendered


def pause_collections() -> None:
    """Within a build, stop the cyclic garbage collector until it ends or `resume_collections`.
    An edit at 10,000 profiles ran twelve collections, 33-41 ms, that found some 460 objects
    to free. A build that reads, changes or renders much resumes it (`QUIET_CHANGES`,
    `QUIET_RENDERS`): without it, the garbage of rendering took a cold build at 10,000
    profiles from 353 MB to 505."""
    if _frozen_after_reading and gc.isenabled():
        gc.disable()
        _collections_paused.append(True)


def resume_collections() -> None:
    """The collector paused by `pause_collections` runs again."""
    if _collections_paused:
        _collections_paused.clear()
        gc.enable()


def read_pickle_once(path: Path, kept: dict[Path, tuple[tuple, Any]],
                     read: Callable[[Path], Any] | None = None) -> Any:
    """`read_pickle(path, None)` (or `read(path)`), answered from `kept` while the file's
    inode, size and time are those it was read with: a build reads its site's record and
    its output manifest (megabytes each) before it starts, then again in it. `kept` holds
    the last file read."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    shown = (status.st_ino, status.st_size, status.st_mtime_ns)
    last = kept.get(path)
    if last is not None and last[0] == shown:
        return last[1]
    found = read(path) if read is not None else read_pickle(path, None)
    kept.clear()
    kept[path] = (shown, found)
    return found


_KEY_LINE_AT = len(_CHECKSUM_PLACEHOLDER)  # a keyed file's key line follows its checksum line


ANY_KEY = object()  # `read_keyed`: the value, whatever key it was kept for


def read_keyed(path: Path, key: Any, referenced: Callable[[Any], Any] | None = None) -> Any:
    """The value `write_keyed` stored with `key` (any key: `ANY_KEY`); None when missing,
    damaged or kept for another key (other code, settings or data made it). `referenced`
    gives back what `write_keyed`'s `reference` named.

    The key's line is looked at first: a file kept for another key (all of them, after
    the code or a setting that shows changed) costs reading a line, not reading,
    checking and unpickling what may be hundreds of megabytes.
    """
    line = _key_line(key) if key is not ANY_KEY else b""
    try:
        with open(path, "rb") as file:
            if not _keyed_as(file.read(_KEY_LINE_AT + _KEY_LINE_BYTES), line):
                return None
            file.seek(0)  # its own key: the whole file, from the same open file
            data = _verified(path, file.read(), file)
    except OSError:
        return None
    if data is None:
        return None
    line = line or bytes(data[:_KEY_LINE_BYTES])
    if data[:len(line)] != line:
        return None
    try:  # the file's bytes are the view's own (`_verified`): read from where the value starts
        stored, value = _unpickled(data.obj, referenced, len(data.obj) - len(data) + len(line))
    except Exception:  # written by another version of the code
        warn_cache(path)
        return None
    return value if key is ANY_KEY or stored == key else None


def kept_for(path: Path, key: Any) -> bool:
    """Whether `path` is a `write_keyed` file of `key`, from its key's line alone."""
    try:
        with open(path, "rb") as file:
            return _keyed_as(file.read(_KEY_LINE_AT + _KEY_LINE_BYTES), _key_line(key))
    except OSError:
        return False


def _keyed_as(head: bytes, line: bytes) -> bool:
    """Whether the start of a file has a key's line, that one (`line`) or any (b"")."""
    found = head[_KEY_LINE_AT:]
    return found == line if line else len(found) == _KEY_LINE_BYTES and found.startswith(b"key ")


def write_keyed(path: Path, key: Any, value: Any, reference: Callable[[Any], Any] | None = None,
                reducers: Mapping[type, Callable[[Any], tuple]] | None = None) -> None:
    """A cache entry (`write_pickle`) of `key` and `value`, behind a line that names the
    key (the digest of its `repr`) for `read_keyed` to tell another key's file by.

    `reference` names the objects pickled by a name alone (`pickle.Pickler.persistent_id`:
    None for the others); `read_keyed` is then given what gives them back by that name.
    `reducers` pickle objects of their types (`copyreg`'s reduction functions).
    """
    _write_checked(path, _key_line(key), (key, value), reference, reducers)


def _key_line(key: Any) -> bytes:
    return b"key " + hashlib.sha256(repr(key).encode()).hexdigest().encode() + b"\n"


_KEY_LINE_BYTES = len(_key_line(None))


def repr_digest(value: Any) -> str:
    """A short digest of what a value looks like (its `repr`): signatures and digests of
    profiles, terms and what pages show."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


def checksum(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_checksums(folder: Path, known: Mapping[str, str] | None = None) -> None:
    """Record the checksum of every file of a cache entry, in `folder/SHA256SUMS`.

    `known` has the checksums of files the caller has just written, by their names in
    the folder (as the file lists them): those are not read again.
    """
    known = known or {}
    names = []
    root = os.fspath(folder)
    # Names as strings, in the order of the paths' parts: the search index's 1,150 files
    # as `Path` objects cost 40 ms of an edit's search helper.
    for inside, _, files in os.walk(root):
        relative = os.path.relpath(inside, root).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        names.extend(prefix + name for name in files if name != SUMS)
    names.sort(key=lambda name: name.split("/"))
    lines = [f"{known.get(name) or checksum(folder / name)}  {name}" for name in names]
    (folder / SUMS).write_text("\n".join(lines) + "\n", encoding="utf-8")


def verify_checksums(folder: Path) -> bool:
    """Whether a cache entry is whole: every file it recorded, with the same bytes."""
    try:
        lines = (folder / SUMS).read_text(encoding="utf-8").splitlines()
        recorded = dict(reversed(line.split("  ", 1)) for line in lines if line)
        return bool(recorded) and all(checksum(folder / name) == digest
                                      for name, digest in recorded.items())
    except (OSError, ValueError):
        return False


def discard_entry(folder: Path) -> None:
    """Remove a damaged cache entry so that it is made again."""
    warn_cache(folder)
    shutil.rmtree(folder, ignore_errors=True)


def warn_cache(path: Path) -> None:
    print(f"Cảnh báo: bộ đệm hỏng ({path}), sẽ tạo lại.", file=sys.stderr)


SUMS = "SHA256SUMS"


def link_or_copy(source: Path | str, target: Path | str) -> None:
    """Hard-link `source` at `target` (replacing it), or copy across file systems."""
    # One system call when the folder is there and the name free (10,000 share cards in
    # a cold build); otherwise the name is freed or the folder made, and linked again.
    target = os.fspath(target)
    try:
        os.link(source, target)
        return
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    except OSError:
        pass
    with contextlib.suppress(FileNotFoundError):
        os.unlink(target)  # a copy must never be written through a link into the cache
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


# ---------------------------------------------------------------------------
# The one place that opens content files.
#
# Everything the build reads from the content folder goes through `content_file`
# or `read_content`: the path is resolved (symlinks followed) every time, cache
# warm or cold, and must still lie inside the resolved content folder and be a
# regular file. A link to /etc/passwd, to /proc/self/environ or to a folder
# outside is refused with a reason, never read and never published.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why a content file may not be read: a problem code, a message and a fix, in Vietnamese."""

    code: str
    message: str
    hint: str


OUTSIDE = "E006"
NOT_REGULAR = "E007"
TOO_LARGE = "E002"
UNREADABLE = "E005"


def content_file(root: Path, path: Path | str) -> Path | Refusal:
    """The resolved path of a content file, or why it is refused."""
    try:
        # os.path rather than pathlib: this runs for every file of every build.
        resolved = os.path.realpath(path)
        base = os.path.realpath(root)
        if resolved != base and not resolved.startswith(base.rstrip(os.sep) + os.sep):
            return Refusal(OUTSIDE, "tệp là liên kết tới nơi nằm ngoài thư mục nội dung, sẽ không được đăng",
                           "chép tệp thật vào thư mục content/ thay cho liên kết")
        status = os.stat(resolved)
    except FileNotFoundError:
        return Refusal(UNREADABLE, "tệp không tồn tại hoặc là liên kết hỏng",
                       "kiểm tra tên tệp; không dùng liên kết tượng trưng (symlink)")
    except (OSError, RuntimeError, ValueError) as error:  # loops, NUL bytes, too long
        return Refusal(UNREADABLE, f"không mở được tệp ({getattr(error, 'strerror', None) or error})",
                       "kiểm tra tên và quyền đọc của tệp")
    if not stat.S_ISREG(status.st_mode):
        return Refusal(NOT_REGULAR, "không phải tệp thông thường (thiết bị, ống dẫn hoặc thư mục)",
                       "chỉ đặt tệp văn bản và tệp ảnh trong thư mục content/")
    return Path(resolved)


def read_content(root: Path, path: Path | str, max_bytes: int) -> bytes | Refusal:
    """The bytes of a content file, refused before reading when it is too large.

    The size is taken from the open file, so a 3 GB sparse file costs nothing, and at
    most `max_bytes + 1` bytes are read even if the file grows meanwhile.
    """
    resolved = content_file(root, path)
    if isinstance(resolved, Refusal):
        return resolved
    try:
        with open(resolved, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                return _too_large(size, max_bytes)
            data = handle.read(max_bytes + 1)
    except OSError as error:
        return Refusal(UNREADABLE, f"không đọc được tệp ({error.strerror or error})",
                       "kiểm tra quyền đọc tệp")
    if len(data) > max_bytes:
        return _too_large(len(data), max_bytes)
    return data


def _too_large(size: int, max_bytes: int) -> Refusal:
    return Refusal(TOO_LARGE, f"tệp quá lớn ({_size(size)}, tối đa {_size(max_bytes)})",
                   "bỏ dữ liệu nhúng trong văn bản, thu nhỏ ảnh; ảnh để thành tệp riêng")


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1_000_000 else f"{count // 1024} KB"


def entry_metadata(entry: os.DirEntry) -> tuple[tuple, os.stat_result | None]:
    """(size, mtime_ns, inode) of a file, a link's target and the target's added (what the
    link points at is what a build reads), and the status of what is read; ("?",) when it
    cannot be looked at."""
    try:
        status = entry.stat(follow_symlinks=False)
        shown: tuple = (status.st_size, status.st_mtime_ns, status.st_ino)
        if entry.is_symlink():
            shown += (os.readlink(entry.path),)
            status = os.stat(entry.path)
            shown += (status.st_size, status.st_mtime_ns, status.st_ino)
    except OSError:
        return ("?",), None
    return shown, status


# A file changed less than this before its metadata was taken may change again within the
# clock's resolution and keep its metadata: such metadata is not trusted.
RACY_SECONDS = 2

# A value an edit changes by a few entries (the output manifest, the search index's memo)
# is kept as its changes to a whole, written once under a name of its own
# (`generation_name`), until the changes are more than this part of the whole.
CHANGES_SHARE = 8


def generation_name() -> str:
    """A name for a whole that no other writing of it has had: the time and this process."""
    return f"{time.time_ns()}-{os.getpid()}"


def trusted_before(taken_ns: int) -> int:
    """The time (ns) a file's or folder's metadata taken at `taken_ns` must be older than to
    be trusted (`RACY_SECONDS`)."""
    return taken_ns - RACY_SECONDS * 1_000_000_000


@dataclass
class ContentWalk:
    """One walk of a content folder, taken once per build (`take_walk`): the build's inputs
    are summed from its metadata (`lantoa.snapshot`) and its profiles found in it
    (`lantoa.collection`), without a second walk and a second look at every file."""

    root: str
    taken_ns: int  # when the walk began: metadata is as old as this, at most
    entries: list[tuple[str, Refusal | None]]  # as `walk_content` yields them
    metadata: dict[str, tuple]  # absolute path → `entry_metadata`, every entry that is not a folder

    @property
    def trusted_before(self) -> int:
        """The time (ns) a file's metadata must be older than to be trusted (`RACY_SECONDS`)."""
        return trusted_before(self.taken_ns)

    def forget(self) -> None:
        """Let go of what the walk found, once read (at 100,000 files some 50 MB, which a
        build would otherwise hold to its end)."""
        self.entries = []
        self.metadata = {}

    def status(self, path: Path | str) -> tuple[int, int, int] | None:
        """(size, mtime_ns, inode) of what the path names (a link's target), as `os.stat` gives
        them; None when it could not be looked at."""
        shown = self.metadata.get(os.fspath(path))
        if shown is None or len(shown) not in (3, 7):
            return None
        return shown[-3:]


def take_walk(root: Path) -> ContentWalk:
    """`walk_content` of the whole content folder, with every entry's metadata."""
    taken = time.time_ns()
    metadata: dict[str, tuple] = {}
    entries = list(walk_content(root, root, metadata))
    return ContentWalk(os.fspath(root), taken, entries, metadata)


def walk_content(root: Path, folder: Path,
                 metadata: dict[str, tuple] | None = None) -> Iterator[tuple[str, Refusal | None]]:
    """Every file under `folder` (its path, a string), in a stable order, each with its
    refusal if any.

    Folders reached through a symlink are not entered (they would publish whatever
    they point to, or loop); a symlinked folder is reported once as refused. A
    regular file reached without following any link lies inside the folder, so
    only links and special files are resolved and checked one by one: the walk
    costs one directory read per folder, not a path resolution per file.
    `metadata`, when given, receives every yielded entry's `entry_metadata` by path.
    """
    if not folder.is_dir() or folder.is_symlink():
        return
    base, start = os.path.realpath(root), os.path.realpath(folder)
    inside = start == base or start.startswith(base.rstrip(os.sep) + os.sep)
    yield from _walk(root, str(folder), inside, metadata)


def _walk(root: Path, directory: str, inside: bool,
          metadata: dict[str, tuple] | None) -> Iterator[tuple[str, Refusal | None]]:
    # Paths as strings: a `Path` made from one parses it again when it is first printed or
    # hashed, 4 µs a file, 50 ms of an edit at 10,000 profiles.
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    folders, files = [], []
    for entry in entries:
        try:
            (folders if entry.is_dir() else files).append(entry)
        except OSError:
            files.append(entry)
    for entry in folders:
        if entry.is_symlink():
            if metadata is not None:
                metadata[entry.path] = entry_metadata(entry)[0]
            yield entry.path, Refusal(
                OUTSIDE, "thư mục là liên kết tượng trưng (symlink), sẽ không được đọc",
                "chép thư mục thật vào content/ thay cho liên kết")
    for entry in files:
        if metadata is not None:
            metadata[entry.path] = entry_metadata(entry)[0]
        plain = inside and not entry.is_symlink() and entry.is_file(follow_symlinks=False)
        resolved = None if plain else content_file(root, entry.path)
        yield entry.path, resolved if isinstance(resolved, Refusal) else None
    for entry in folders:
        if not entry.is_symlink():
            yield from _walk(root, entry.path, inside, metadata)
