"""Checked cache files written without holding them in memory whole, and read back the same."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pytest
from lantoa.files import (
    link_or_copy,
    read_keyed,
    read_pickle,
    write_atomic,
    write_checking_itself,
    write_keyed,
    write_pickle,
)


def test_a_pickle_written_into_its_file_is_its_checksum_line_then_the_pickle(tmp_path: Path) -> None:
    value = {"hồ sơ": list(range(50_000)), "thân bài": "Dân vận khéo " * 20_000}
    write_pickle(tmp_path / "streamed.pickle", value)
    pickled = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    assert (tmp_path / "streamed.pickle").read_bytes() == hashlib.sha256(pickled).hexdigest().encode() \
        + b"\n" + pickled
    assert read_pickle(tmp_path / "streamed.pickle", None) == value
    assert [p.name for p in tmp_path.iterdir()] == ["streamed.pickle"]  # no file left aside


def test_a_damaged_entry_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entry = tmp_path / "entry.pickle"
    write_pickle(entry, {"a": 1})
    data = bytearray(entry.read_bytes())
    data[-3] ^= 0x01
    entry.write_bytes(bytes(data))
    assert read_pickle(entry, "mặc định") == "mặc định"
    entry.write_bytes(b"no newline at all")
    assert read_pickle(entry, None) is None
    assert capsys.readouterr().err.count("bộ đệm hỏng") == 2


def test_a_keyed_entry_is_read_for_its_key_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entry = tmp_path / "kept.pickle"
    write_keyed(entry, ("mã và cài đặt", 4), {"hồ sơ": list(range(1000))})
    assert read_keyed(entry, ("mã và cài đặt", 4)) == {"hồ sơ": list(range(1000))}
    assert read_keyed(entry, ("mã khác", 4)) is None
    assert read_keyed(tmp_path / "missing.pickle", ("mã và cài đặt", 4)) is None
    write_pickle(entry, (("mã và cài đặt", 4), {"hồ sơ": []}))  # the layout of older code
    assert read_keyed(entry, ("mã và cài đặt", 4)) is None
    assert capsys.readouterr().err == ""


def test_a_keyed_entry_for_another_key_is_not_read_past_its_key_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # After the code or a setting that shows changed, every keyed file is another key's:
    # some of them hundreds of megabytes, which are neither read nor unpickled.
    entry = tmp_path / "kept.pickle"
    write_keyed(entry, "mã cũ", "Dân vận khéo " * 1000)
    data = bytearray(entry.read_bytes())
    data[-3] ^= 0x01  # damaged past the key line
    entry.write_bytes(bytes(data))
    assert read_keyed(entry, "mã mới") is None
    assert capsys.readouterr().err == ""  # not read far enough to see the damage
    assert read_keyed(entry, "mã cũ") is None
    assert "bộ đệm hỏng" in capsys.readouterr().err  # its own key: read whole, and checked


def test_an_atomic_write_leaves_the_file_and_nothing_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.bin"
    write_atomic(target, b"dau cuoi")
    assert target.read_bytes() == b"dau cuoi"
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.bin"]


def test_a_file_checking_itself_is_written_in_place_and_never_through_a_link(tmp_path: Path) -> None:
    target = tmp_path / "the" / "card.png"
    write_checking_itself(target, b"lan dau")  # its folder made
    assert target.read_bytes() == b"lan dau"
    published = tmp_path / "site-card.png"
    published.hardlink_to(target)  # as the last build's site links its cards
    write_checking_itself(target, b"lan hai")
    assert target.read_bytes() == b"lan hai"
    assert published.read_bytes() == b"lan dau"  # the published file is left as it was
    assert sorted(p.name for p in target.parent.iterdir()) == ["card.png"]


def test_an_atomic_write_to_a_bare_file_name_writes_in_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_atomic(Path("ho-so.md"), b"noi dung")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ho-so.md"]


def test_arrays_are_pickled_from_their_own_memory_and_come_back_equal(tmp_path: Path) -> None:
    """The default reduction of an array copies it to bytes, and the pickler keeps every
    copy until the end: 40 MB of arrays took 40 MB more to write."""
    import tracemalloc
    from array import array

    postings = {f"term {n}": array("I", range(n, n + 10_000)) for n in range(1_000)}
    others = [array("d", [0.5, -1.5]), array("b"), array("q", [-(2**62)])]
    tracemalloc.start()
    try:
        write_pickle(tmp_path / "memo.pickle", (postings, others))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000
    assert read_pickle(tmp_path / "memo.pickle", None) == (postings, others)


def test_link_or_copy_links_into_a_new_folder_and_replaces_what_is_there(tmp_path: Path):
    source, other = tmp_path / "nguon.png", tmp_path / "khac.png"
    source.write_bytes(b"the")
    other.write_bytes(b"cu")
    target = tmp_path / "a" / "b" / "the.png"
    link_or_copy(source, target)
    assert target.samefile(source)
    target.unlink()
    target.hardlink_to(other)  # the name holds a link to another file: replaced, never written through
    link_or_copy(source, target)
    assert target.samefile(source) and other.read_bytes() == b"cu"
    with pytest.raises(FileNotFoundError):
        link_or_copy(tmp_path / "khong-co.png", tmp_path / "x.png")


def test_link_or_copy_copies_across_file_systems_without_writing_through_a_link(tmp_path: Path,
                                                                               monkeypatch):
    import errno
    import os

    source, other, target = tmp_path / "nguon.png", tmp_path / "khac.png", tmp_path / "the.png"
    source.write_bytes(b"the")
    other.write_bytes(b"cu")
    target.hardlink_to(other)

    def across(*_args, **_kwargs):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", across)
    link_or_copy(source, target)
    assert target.read_bytes() == b"the" and not target.samefile(source)
    assert other.read_bytes() == b"cu"


def test_a_keyed_file_tells_its_key_from_one_line_and_gives_its_value_for_any_key(tmp_path, capsys):
    from lantoa.files import ANY_KEY, kept_for, read_keyed, write_keyed, write_pickle

    path = tmp_path / "record.pickle"
    write_keyed(path, "inputs-a", {"site": {"a.html": (1, 2, 3)}})
    assert kept_for(path, "inputs-a") and not kept_for(path, "inputs-b")
    assert not kept_for(tmp_path / "missing.pickle", "inputs-a")
    assert read_keyed(path, ANY_KEY) == read_keyed(path, "inputs-a") == {"site": {"a.html": (1, 2, 3)}}
    assert read_keyed(path, "inputs-b") is None
    plain = tmp_path / "plain.pickle"  # a file of the format before keys: no key line, no warning
    write_pickle(plain, {"site": {}})
    assert read_keyed(plain, ANY_KEY) is None and not kept_for(plain, "inputs-a")
    assert capsys.readouterr().err == ""
    data = bytearray(path.read_bytes())
    data[-3] ^= 1  # damaged after its key's line: the key still reads, the value does not
    path.write_bytes(bytes(data))
    assert kept_for(path, "inputs-a") and read_keyed(path, ANY_KEY) is None


def test_a_cache_file_found_whole_is_trusted_by_its_size_and_time_until_either_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A cache file whose checksum was found its own is marked with its size and time, once
    they are old enough that a later change shows a later time; while they stay, it is read
    without its checksum computed. A file changed since is checked, and refused if damaged."""
    import os
    import time

    from lantoa import files
    from lantoa.files import RACY_SECONDS

    entry = tmp_path / "entry.pickle"
    value = {"hồ sơ": list(range(1000))}
    hashed: list[int] = []
    sha256 = hashlib.sha256
    # The key's line is a digest too, of a few bytes: only the file's data is counted.
    monkeypatch.setattr(files.hashlib, "sha256",
                        lambda *data: hashed.extend(1 for d in data if len(d) > 1000) or sha256(*data))

    def read() -> tuple[object, int]:
        hashed.clear()
        return read_keyed(entry, "khóa"), len(hashed)

    write_keyed(entry, "khóa", value)
    assert read() == (value, 1)
    assert read() == (value, 1)  # written a moment ago: a change now could keep its time
    past = time.time_ns() - 10 * RACY_SECONDS * 1_000_000_000
    os.utime(entry, ns=(past, past))
    assert read() == (value, 1)
    assert read() == (value, 0)  # marked whole: its checksum is not computed again
    data = bytearray(entry.read_bytes())
    data[-3] ^= 0x01
    entry.write_bytes(bytes(data))  # the same size, in place: a later time
    assert read() == (None, 1)
    assert "bộ đệm hỏng" in capsys.readouterr().err
    write_keyed(entry, "khóa", value)
    os.utime(entry, ns=(past, past))
    assert read() == (value, 1)
    os.utime(entry, ns=(past + 1, past + 1))  # only touched: checked again, and found whole
    assert read() == (value, 1)

    def no_attributes(*arguments):
        raise OSError(95, "Operation not supported")

    monkeypatch.setattr(files.os, "getxattr", no_attributes)
    monkeypatch.setattr(files.os, "setxattr", no_attributes)
    assert read() == (value, 1)  # a file system without extended attributes: always checked
    assert read() == (value, 1)


def test_what_a_build_reads_from_a_large_cache_file_is_left_out_of_collections(tmp_path: Path) -> None:
    """Within a build (`frozen_after_reading`), the objects of a large cache file read are
    frozen (`gc.freeze`): the collector does not go through them again and again. Outside
    a build, and for a small file, nothing is frozen."""
    import gc

    from lantoa.files import FREEZE_AFTER_BYTES, frozen_after_reading

    large, small = tmp_path / "large.pickle", tmp_path / "small.pickle"
    write_keyed(large, "khóa", [["hồ sơ", [n]] for n in range(FREEZE_AFTER_BYTES // 8)])  # lists: tracked
    write_keyed(small, "khóa", [{"hồ sơ": n} for n in range(10)])
    gc.unfreeze()
    try:
        assert read_keyed(large, "khóa") and gc.get_freeze_count() == 0
        with frozen_after_reading():
            assert read_keyed(small, "khóa") and gc.get_freeze_count() == 0
            found = read_keyed(large, "khóa")
            assert gc.get_freeze_count() >= len(found)
    finally:
        gc.unfreeze()


def test_the_collector_paused_in_a_build_runs_again_when_resumed_or_when_the_build_ends() -> None:
    import gc

    from lantoa.files import frozen_after_reading, pause_collections, resume_collections

    assert gc.isenabled()
    pause_collections()  # outside a build: nothing
    assert gc.isenabled()
    with frozen_after_reading():
        pause_collections()
        assert not gc.isenabled()
        resume_collections()
        assert gc.isenabled()
        pause_collections()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()  # turned off by someone else: neither paused nor resumed by the build
    try:
        with frozen_after_reading():
            pause_collections()
            resume_collections()
            assert not gc.isenabled()
    finally:
        gc.enable()
