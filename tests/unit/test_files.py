"""Checked cache files written without holding them twice in memory, and read back the same."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from lantoa.files import read_checked, read_pickle, write_atomic, write_checked, write_pickle


def test_a_pickle_written_into_its_file_is_the_checked_entry_of_its_pickle(tmp_path: Path) -> None:
    value = {"hồ sơ": list(range(50_000)), "thân bài": "Dân vận khéo " * 20_000}
    write_pickle(tmp_path / "streamed.pickle", value)
    write_checked(tmp_path / "whole.pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    assert (tmp_path / "streamed.pickle").read_bytes() == (tmp_path / "whole.pickle").read_bytes()
    assert read_pickle(tmp_path / "streamed.pickle", None) == value
    assert [p.name for p in tmp_path.iterdir()].count("streamed.pickle") == 1
    assert not list(tmp_path.glob("*.tmp*"))


def test_a_damaged_entry_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entry = tmp_path / "entry.pickle"
    write_pickle(entry, {"a": 1})
    data = bytearray(entry.read_bytes())
    data[-3] ^= 0x01
    entry.write_bytes(bytes(data))
    assert read_pickle(entry, "mặc định") == "mặc định"
    entry.write_bytes(b"no newline at all")
    assert read_checked(entry) is None
    assert capsys.readouterr().err.count("bộ đệm hỏng") == 2


def test_an_atomic_write_is_its_parts_in_order(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.bin"
    write_atomic(target, b"dau ", b"", b"cuoi")
    assert target.read_bytes() == b"dau cuoi"
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.bin"]
