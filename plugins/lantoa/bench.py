"""Synthetic profiles and the build benchmark (`lantoa bench N`).

`write_synthetic` makes N deterministic, realistic profiles (Vietnamese text,
real current and pre-2025 place names, every facet) for benchmarks and scale
tests. `benchmark` builds them with Lan Tỏa and with plain Pelican (its default
theme and feeds, the same Markdown) in one run and reports the ratio.
"""

from __future__ import annotations

import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

from .gazetteer import gazetteer
from .model import Field, Kind, Level

OPENINGS = [
    "Thực hiện phong trào thi đua \u201cDân vận khéo\u201d, {unit} đã chủ động nắm tình hình, "
    "lắng nghe tâm tư, nguyện vọng của nhân dân.",
    "Phát huy vai trò nòng cốt trong công tác dân vận, {unit} vận động nhân dân cùng chung tay "
    "thực hiện các phần việc thiết thực.",
]
SENTENCES = [
    "Cán bộ bám địa bàn theo phương châm \u201cnghe dân nói, nói dân hiểu, làm dân tin\u201d.",
    "Mọi việc đều được bàn bạc công khai: dân biết, dân bàn, dân làm, dân kiểm tra, dân giám sát, "
    "dân thụ hưởng.",
    "Đội ngũ cán bộ luôn thấm nhuần tinh thần trọng dân, gần dân, hiểu dân, học dân và có trách "
    "nhiệm với dân.",
    "Nhà nước và nhân dân cùng làm, huy động được {money} tỷ đồng và {days} ngày công.",
    "Nhân dân tự nguyện hiến {area} m² đất để mở rộng {km} km đường giao thông nông thôn.",
    "Đến nay có {households} hộ thoát nghèo, thu nhập bình quân tăng rõ rệt.",
    "Tổ tự quản an ninh trật tự duy trì tuần tra, không để xảy ra điểm nóng.",
    "Chuyển đổi số được đẩy mạnh, người dân nộp hồ sơ trực tuyến ngay tại thôn.",
]
TOPICS = ["làm đường giao thông nông thôn", "tổ tự quản an ninh trật tự", "hợp tác xã cà phê",
          "tiết kiệm giúp nhau thoát nghèo", "chuyển đổi số ở thôn", "giữ gìn bản sắc văn hóa",
          "dân vận trong giải phóng mặt bằng", "bảo vệ rừng", "xây dựng nông thôn mới"]
UNITS = ["Hội Nông dân", "Hội Liên hiệp Phụ nữ", "Đoàn Thanh niên", "Ủy ban Mặt trận Tổ quốc",
         "Chi bộ thôn", "Hội Cựu chiến binh", "Công an"]
PEOPLE = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Đức",
          "Đặng Thị Hoa", "Vũ Văn Hùng", "Bùi Thị Lan"]


def write_synthetic(count: int, content: Path, seed: int = 2009) -> list[Path]:
    """Write `count` profiles under `content/profiles/`; the same seed gives the same files."""
    rng = random.Random(seed)
    geo = gazetteer()
    legacy_districts = list(geo.legacy_districts.values())
    current_communes = list(geo.current_communes.values())
    files = []
    for number in range(count):
        year = rng.randint(2012, 2025)
        kind = rng.choice(list(Kind))
        fields = rng.sample(list(Field), rng.randint(1, 2))
        if year < 2025:
            district = rng.choice(legacy_districts)
            communes = geo.legacy_communes_in([district])
            commune = rng.choice(communes) if communes else None
            province = geo.legacy_province_of(district)
            place = {"Province": province.short_name, "District": district.name}
            levels = list(Level)
        else:
            commune = rng.choice(current_communes)
            province = geo.current_provinces[commune.parent_code]
            place = {"Province": province.short_name}
            levels = [Level.XA, Level.TINH, Level.TRUNG_UONG]
        if commune is not None:
            place["Commune"] = commune.name
        unit = f"{rng.choice(UNITS)} {commune.label if commune else province.label}"
        topic = rng.choice(TOPICS)
        current = geo.current_province_of(province)
        slug = f"ho-so-{number:06d}"
        header = {
            "Title": f"Mô hình {topic} ở {commune.short_name if commune else province.short_name}",
            "Kind": kind.value, "Year": str(year), **place,
            "Field": ", ".join(f.value for f in fields), "Level": rng.choice(levels).value,
            ("Person" if kind is Kind.DIEN_HINH and rng.random() < 0.6 else "Unit"):
                rng.choice(PEOPLE) if kind is Kind.DIEN_HINH else unit,
            "Date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "Results": f"Huy động {rng.randint(1, 90) / 10} tỷ đồng; {rng.randint(1, 30)} km đường",
            "Tags": f"{topic}, dân vận khéo",
        }
        values = {"unit": unit, "money": rng.randint(1, 90) / 10, "days": rng.randint(100, 5000),
                  "area": rng.randint(500, 20000), "km": rng.randint(1, 30),
                  "households": rng.randint(5, 200)}
        paragraphs = [rng.choice(OPENINGS).format(**values)]
        for _ in range(3):
            paragraphs.append(" ".join(rng.choice(SENTENCES).format(**values) for _ in range(4)))
        body = "\n\n".join([paragraphs[0], "## Cách làm", paragraphs[1], "## Kết quả",
                            *paragraphs[2:]])
        path = content / "profiles" / current.slug / str(year) / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(f"{k}: {v}" for k, v in header.items()) + "\n\n" + body + "\n",
                        encoding="utf-8")
        files.append(path)
    return files


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def benchmark(count: int, project: Path, keep: Path | None = None) -> dict[str, float]:
    """Build `count` synthetic profiles with Lan Tỏa and with plain Pelican; return timings."""
    from pelican import Pelican
    from pelican.settings import read_settings

    from .build import load_settings

    work = Path(keep or tempfile.mkdtemp(prefix="lantoa-bench-"))
    content = work / "content"
    shutil.rmtree(work, ignore_errors=True)
    write_synthetic(count, content)
    results: dict[str, float] = {"profiles": count}

    plain = read_settings(override={
        "PATH": str(content), "OUTPUT_PATH": str(work / "pelican"), "ARTICLE_PATHS": ["profiles"],
        "TIMEZONE": "Asia/Ho_Chi_Minh", "SITEURL": "https://lantoa.example.vn",
        "FEED_ALL_ATOM": "feeds/all.atom.xml", "CATEGORY_FEED_ATOM": "feeds/{slug}.atom.xml",
        "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False, "READERS": {"rst": None},
        "SLUGIFY_SOURCE": "basename"})
    results["pelican_seconds"] = _timed(lambda: Pelican(plain).run())

    settings = load_settings(project / "pelicanconf.py", content, work / "lantoa")
    settings["LANTOA_CACHE_DIR"] = str(work / "cache")
    results["lantoa_seconds"] = _timed(lambda: Pelican(dict(settings)).run())
    # The same pages and feeds as plain Pelican makes, from a cold profile cache and
    # into an empty folder; photos and share cards come from their cache, no search.
    # Each in a copy of the cache: the cache keeps two builds' worth, and the rebuild
    # below must find what the first build left for its own output folder.
    def cache_copy(name: str, *cold: str) -> str:
        copy = work / name
        shutil.copytree(work / "cache", copy)
        for entry in cold:
            shutil.rmtree(copy / entry, ignore_errors=True) if (copy / entry).is_dir() else (
                copy / entry).unlink(missing_ok=True)
        return str(copy)

    pages_only = {**settings, "OUTPUT_PATH": str(work / "pages-only"), "LANTOA_SEARCH": False,
                  "LANTOA_CACHE_DIR": cache_copy("cache-pages", "profiles.pickle")}
    results["lantoa_pages_feeds_seconds"] = _timed(lambda: Pelican(pages_only).run())
    with_search = {**settings, "OUTPUT_PATH": str(work / "with-search"),
                   "LANTOA_CACHE_DIR": cache_copy("cache-search", "profiles.pickle", "search")}
    results["lantoa_with_search_seconds"] = _timed(lambda: Pelican(with_search).run())
    edited = next((content / "profiles").rglob("*.md"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
    results["lantoa_rebuild_seconds"] = _timed(lambda: Pelican(dict(settings)).run())
    results["ratio"] = results["lantoa_seconds"] / results["pelican_seconds"]
    results["pages_feeds_ratio"] = results["lantoa_pages_feeds_seconds"] / results["pelican_seconds"]
    results["with_search_ratio"] = results["lantoa_with_search_seconds"] / results["pelican_seconds"]
    results["rebuild_share"] = results["lantoa_rebuild_seconds"] / results["lantoa_seconds"]
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return results


SEARCH_QUERIES = ("dan van kheo", "dân vận khéo", "van", "nguyen van", "lam ha", "Lâm Hà", "duc",
                  "hien dat lam duong", "hiến đất làm đường", "-")


def search_benchmark(count: int, project: Path, keep: Path | None = None) -> list[dict]:
    """Index `count` synthetic profiles and time typical queries with the site's own reader."""
    import json
    import subprocess
    import time as clock

    from .collection import collect
    from .search_index import write_index

    work = Path(keep or tempfile.mkdtemp(prefix="lantoa-search-"))
    content = work / "content"
    if not (content / "profiles").is_dir():
        write_synthetic(count, content)
    collection = collect(content, cache_dir=work / "cache")
    started = clock.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    meta = write_index(collection.profiles, work / "chi-muc", "https://lantoa.example.vn")
    seconds = clock.perf_counter() - started
    size = sum(p.stat().st_size for p in (work / "chi-muc").rglob("*") if p.is_file())
    rows = [{"profiles": meta["count"], "terms": meta["terms"], "buckets": meta["buckets"],
             "index_seconds": round(seconds, 1), "index_megabytes": round(size / 1e6, 1),
             "peak_rss_mb": round(max(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024)}]
    runs = [*SEARCH_QUERIES, "--filter", "tinh=lam-dong", "-"]
    output = subprocess.run(["node", str(project / "scripts/search-bench.mjs"), str(work / "chi-muc"),
                             *SEARCH_QUERIES], capture_output=True, text=True, check=True).stdout
    filtered = subprocess.run(["node", str(project / "scripts/search-bench.mjs"), str(work / "chi-muc"),
                               *runs[len(SEARCH_QUERIES):]], capture_output=True, text=True,
                              check=True).stdout
    rows += [json.loads(line) for line in (output + filtered).splitlines() if line.strip()]
    if keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return rows
