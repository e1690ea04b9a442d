"""The garbage collector during a build: run less often, and as before once the build ends."""

from __future__ import annotations

import gc
from pathlib import Path

import pelican
import pytest
from lantoa.build import build_atomic, load_settings

from tests.conftest import ROOT, SAMPLE_CONTENT


def test_a_build_collects_less_often_and_restores_the_collector_even_when_it_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []

    def run(self) -> None:
        seen.append((gc.get_threshold(), gc.isenabled()))
        raise RuntimeError("hỏng giữa chừng")

    monkeypatch.setattr(pelican.Pelican, "run", run)
    before = gc.get_threshold()
    settings = load_settings(ROOT / "pelicanconf.py", SAMPLE_CONTENT, tmp_path / "output",
                             cache=tmp_path / "cache")
    with pytest.raises(RuntimeError):
        build_atomic(settings)
    assert seen and seen[0][0][0] > before[0]
    assert not seen[0][1]  # paused while the build has done little
    assert gc.get_threshold() == before and gc.isenabled()
    assert not (tmp_path / "output").exists()  # the failed build left no site behind
