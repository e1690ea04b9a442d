"""Shared fixtures: build a real site with Pelican into a temporary folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from lantoa.build import load_settings, run_pelican

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CONTENT = ROOT / "content"
TODAY = "2026-11-25"


@pytest.fixture(scope="session", autouse=True)
def own_cache_folder(tmp_path_factory: pytest.TempPathFactory):
    """Commands run by tests never read or fill the developer's own `.cache/`."""
    previous = os.environ.get("LANTOA_CACHE_DIR")
    os.environ["LANTOA_CACHE_DIR"] = str(tmp_path_factory.mktemp("lantoa-cache"))
    yield
    if previous is None:
        os.environ.pop("LANTOA_CACHE_DIR", None)
    else:
        os.environ["LANTOA_CACHE_DIR"] = previous


def build_site(content: Path, output: Path, **overrides) -> Path:
    """Build `content` into `output` with the project's settings; return `output`."""
    settings = load_settings(ROOT / "pelicanconf.py", content, output)
    settings.update({"LANTOA_CACHE_DIR": str(output.parent / ".cache"), "LANTOA_TODAY": TODAY})
    settings.update(overrides)
    run_pelican(settings)
    return output


@contextmanager
def linking_when_waited_for() -> Iterator[list[str]]:
    """Builds in which the previous site is linked into the build folder as late as the child
    of `lantoa.output.start_linking` may do it: when the page cache waits for it. Anything a
    plugin wrote into the folder before is then removed or replaced, every time, not only
    when the child happens to be slow. Yields the build folders linked so, for the test to
    check that the delay took place."""
    from lantoa import build, output

    deferred: dict[str, tuple] = {}
    linked: list[str] = []

    def start_later(settings, previous, staging, *rest) -> None:
        deferred[os.path.abspath(staging)] = (settings, previous, staging, *rest)

    def link_now(staging, discard: bool = False) -> None:
        arguments = deferred.pop(os.path.abspath(staging), None)
        if arguments is not None and not discard:
            output._link_published(*arguments)
            linked.append(os.path.abspath(staging))

    with mock.patch.object(build, "start_linking", start_later), \
            mock.patch.object(build, "wait_for_linking", link_now), \
            mock.patch.object(output, "wait_for_linking", link_now):
        yield linked


def write_profile(content: Path, relative: str, header: dict[str, str], body: str | None = None) -> Path:
    """Write one profile file from header keys and a body."""
    path = content / "profiles" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}: {value}" for key, value in header.items()]
    text = "\n".join(lines) + "\n\n" + (body if body is not None else DEFAULT_BODY)
    path.write_text(text, encoding="utf-8")
    return path


DEFAULT_BODY = (
    "Mô hình được triển khai theo phương châm \u201cdân biết, dân bàn, dân làm, dân kiểm tra, "
    "dân giám sát, dân thụ hưởng\u201d. Cán bộ xã xuống từng thôn, nghe dân nói, nói dân hiểu, "
    "làm dân tin; các hộ cùng bàn cách làm, công khai đóng góp và tự giám sát công trình.\n\n"
    "## Kết quả\n\nSau hai năm, nhân dân đã góp hơn 2 tỷ đồng, hiến 8.000 m² đất, làm mới "
    "6 km đường bê tông nông thôn; 40 hộ thoát nghèo, an ninh trật tự được giữ vững, "
    "tình làng nghĩa xóm thêm gắn bó.\n"
)


def valid_header(**changes: str) -> dict[str, str]:
    header = {
        "Title": "Nông dân Đinh Văn chung sức làm đường",
        "Kind": "mo-hinh",
        "Year": "2023",
        "Province": "Lâm Đồng",
        "District": "Lâm Hà",
        "Commune": "Đinh Văn",
        "Field": "kinh-te",
        "Level": "huyen",
        "Unit": "Hội Nông dân thị trấn Đinh Văn",
        "Date": "2023-11-20",
    }
    header.update(changes)
    return {k: v for k, v in header.items() if v is not None}


def build_sample(base: Path, siteurl: str) -> Path:
    """A copy of the shipped sample content, built under `base`."""
    content = base / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    return build_site(content, base / "output", SITEURL=siteurl)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The shipped sample content with absolute URLs, built once per test session."""
    return build_sample(tmp_path_factory.mktemp("sample"), "https://lantoa.example.vn")
