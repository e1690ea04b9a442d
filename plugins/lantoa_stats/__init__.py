"""Pelican plugin: the statistics page `/thong-ke/`, charts drawn at build time.

Counts by province, year, field, level and kind come from the facet indexes.
Each chart is a table whose rows carry a bar (a tiny SVG with one `rect`), so
labels and numbers are page text: readable at 12 px or more on a 360-px phone,
read by screen readers as a table, copied as numbers, and no JavaScript. Bars
are sorted by count (years in order of time); provinces without a profile are
folded into one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from lantoa.facets import TermIndex, province_term
from lantoa.gazetteer import gazetteer
from lantoa.model import Field, Kind, Level
from pelican import signals
from pelican.generators import Generator

Row = tuple[str, str, int]  # (label, url, count)


@dataclass(frozen=True)
class Bar:
    label: str
    url: str
    count: int
    width: float  # share of the longest bar, 0–100


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    bars: tuple[Bar, ...]
    rest: tuple[tuple[str, str], ...] = ()  # (label, url) of the rows with no profile, folded
    rest_label: str = ""


def draw(slug: str, title: str, rows: list[Row], by_count: bool = True, fold_zero: str = "") -> Chart:
    """One chart: bars sorted by count (ties keep the given order), zeros folded when asked."""
    shown = [row for row in rows if row[2] or not fold_zero]
    folded = tuple((label, url) for label, url, n in rows if not n) if fold_zero else ()
    if by_count:
        shown = sorted(shown, key=lambda row: -row[2])  # stable: ties keep the given order
    longest = max((n for _, _, n in shown), default=0)
    bars = tuple(Bar(label, url, n, round(100 * n / longest, 1) if longest else 0.0)
                 for label, url, n in shown)
    rest_label = f"{len(folded)} {fold_zero} chưa có hồ sơ" if folded else ""
    return Chart(slug, title, bars, folded, rest_label)


def count(index: dict[str, dict[str, TermIndex]], total: int) -> dict:
    """Every number the statistics page shows, without drawing anything."""
    def counted(facet: str) -> list[Row]:
        return [(e.term.title, e.term.url, len(e.profiles)) for e in index[facet].values()]

    provinces = [(p.short_name, province_term(p).url, _count(index, "province", p.slug))
                 for p in gazetteer().provinces()]
    years = sorted(counted("year"), key=lambda row: row[0])
    year_numbers = sorted({int(e.term.key) for e in index["year"].values()})
    table = []
    for name, url, n in provinces:
        if n:
            slug = url.split("/")[1]
            table.append((name, url, [_count(index, "province_year", f"{slug}/{y}")
                                      for y in year_numbers], n))
    return {
        "rows": {
            "tinh": provinces,
            "nam": [(y.removeprefix("Năm "), u, n) for y, u, n in years],
            "linh-vuc": [(f.label, f"linh-vuc/{f.value}/", _count(index, "field", f.value))
                         for f in Field],
            "cap": [(lv.label, f"cap/{lv.value}/", _count(index, "level", lv.value)) for lv in Level],
            "loai": [(k.label, f"{k.value}/", _count(index, "kind", k.value)) for k in Kind],
        },
        "years": year_numbers, "province_year": table, "total": total,
    }


TITLES = {
    "tinh": "Số hồ sơ theo tỉnh, thành phố", "nam": "Số hồ sơ theo năm công nhận",
    "linh-vuc": "Số hồ sơ theo lĩnh vực", "cap": "Số hồ sơ theo cấp công nhận",
    "loai": "Số hồ sơ theo loại",
}


def statistics(counts: dict) -> dict:
    """The counts with their charts drawn."""
    charts = [draw(slug, TITLES[slug], rows, by_count=slug != "nam",
                   fold_zero="tỉnh, thành phố" if slug == "tinh" else "")
              for slug, rows in counts["rows"].items()]
    return {**counts, "charts": charts}


def _count(index: dict[str, dict[str, TermIndex]], facet: str, key: str) -> int:
    entry = index[facet].get(key)
    return len(entry.profiles) if entry else 0


class StatisticsGenerator(Generator):
    def generate_output(self, writer) -> None:
        # Counts are cheap; drawing is not: draw only when the counts changed.
        counts = count(self.context["facet_index"], len(self.context["profiles"]))
        name = "thong-ke/index.html"
        if self.context["page_cache"].needs_render(name, counts):
            writer.write_file(name, self.get_template("statistics"), self.context,
                              stats=statistics(counts), page_url="thong-ke/")


def get_generators(pelican):
    return StatisticsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
