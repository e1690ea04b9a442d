"""Pelican plugin: the search page `/tim-kiem/` and its static index (Pagefind).

Only profile pages carry `data-pagefind-body`, so listings, menus and footers are
never indexed. Pagefind folds tone and vowel marks but not đ: each profile page
carries a hidden copy of its title, actor and place names with every mark and
đ folded, so "duc" finds "Đức". The index is built after the site is written and
kept in the cache by the digests of every profile: an unchanged site reuses it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

from lantoa.facets import TermIndex
from lantoa.gazetteer import gazetteer
from lantoa.model import Field, Kind, Level, Profile
from lantoa.text import fold
from pelican import signals
from pelican.generators import Generator

BUNDLE = "pagefind"


def syllable_pairs(text: str) -> list[str]:
    """Adjacent syllables, folded and joined: "Dân vận khéo" → ["danvan", "vankheo"].

    Vietnamese words are mostly two syllables; indexing the pairs makes a query for
    "lam ha" mean Lâm Hà, not every text with "làm" and "hà" somewhere.
    """
    words = re.findall(r"[0-9a-z]+", fold(text))
    return [a + b for a, b in pairwise(words)]


def search_text(profile: Profile) -> str:
    """Hidden text for the index: folded names (đ → d) and the syllable pairs of the profile."""
    place = profile.place
    units = [place.province, place.commune, place.historical_province, place.historical_district,
             place.historical_commune]
    names = " · ".join(fold(name) for name in [profile.title, profile.actor, *(u.name for u in units if u)])
    body = re.sub(r"<[^>]+>", " ", profile.body_html)
    pairs = syllable_pairs(" . ".join([profile.title, profile.actor, *(u.name for u in units if u), body]))
    return f"{names} · {' '.join(dict.fromkeys(pairs))}"


class SearchPageGenerator(Generator):
    """Writes /tim-kiem/ with the filter choices and their labels."""

    def generate_context(self) -> None:
        self.context["search_text"] = search_text

    def generate_output(self, writer) -> None:
        index: dict[str, dict[str, TermIndex]] = self.context["facet_index"]
        # Filter values in the index and the URL are slugs; the page shows these labels.
        labels = {
            "tinh": {p.slug: p.name for p in gazetteer().provinces()},
            "nam": {key: key for key in sorted(index["year"], reverse=True)},
            "linh-vuc": {f.value: f.label for f in Field},
            "loai": {k.value: k.label for k in Kind},
            "cap": {lv.value: lv.label for lv in Level},
        }
        self.context["page_cache"].write_page(
            writer, "tim-kiem/index.html", self.get_template("search"), self.context, labels,
            labels=labels, page_url="tim-kiem/")


def build_index(pelican) -> None:
    """Run Pagefind over the written site, or reuse the bundle of identical input."""
    settings = pelican.settings
    if not settings["LANTOA_SEARCH"]:
        return
    output = Path(settings["OUTPUT_PATH"])
    pages = sorted(p for kind in ("mo-hinh", "dien-hinh") for p in (output / kind).glob("*/index.html"))
    digest = hashlib.sha256()
    for page in pages:
        digest.update(page.relative_to(output).as_posix().encode())
        digest.update(page.read_bytes())
    cached = Path(settings["LANTOA_CACHE_DIR"]) / "search" / digest.hexdigest()[:24]
    target = output / BUNDLE
    shutil.rmtree(target, ignore_errors=True)
    if not cached.is_dir():
        staging = cached.with_name(cached.name + f".tmp{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        command = [sys.executable, "-m", "pagefind", "--site", str(output),
                   "--output-path", str(staging), "--force-language", "vi", "--silent"]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise RuntimeError(f"Pagefind không tạo được chỉ mục tìm kiếm:\n{result.stderr}")
        try:
            staging.rename(cached)
        except OSError:  # a concurrent build indexed the same pages
            shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(cached, target, copy_function=_link_or_copy)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def get_generators(pelican):
    return SearchPageGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(build_index)
