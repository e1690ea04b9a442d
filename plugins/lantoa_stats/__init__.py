"""Pelican plugin: the statistics page `/thong-ke/`, charts drawn at build time.

Counts by province, year, field, level and kind come from the facet indexes;
pygal draws each as an inline SVG (no JavaScript), and every chart has a data
table beside it for screen readers and for copying into reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pygal
from lantoa.facets import TermIndex, province_term
from lantoa.gazetteer import gazetteer
from lantoa.model import Field, Kind, Level
from pelican import signals
from pelican.generators import Generator
from pygal.style import Style

CHART_STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#1d1d1f",
    foreground_strong="#1d1d1f", foreground_subtle="#767676", colors=("#a3161a",),
    font_family="system-ui, sans-serif", label_font_size=13, major_label_font_size=13,
    value_font_size=12, title_font_size=16,
)


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    rows: list[tuple[str, str, int]]  # (label, url, count)
    svg: str


def draw(slug: str, title: str, rows: list[tuple[str, str, int]], horizontal: bool = True) -> Chart:
    """One bar chart as reproducible inline SVG: fixed ids, no script, no build date."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(220, 26 * len(rows) + 80) if horizontal else 360
    chart = kind(js=[], disable_xml_declaration=True, show_legend=False, width=760, height=height,
                 style=CHART_STYLE, print_values=True, show_y_guides=False, truncate_label=40,
                 x_label_rotation=0 if horizontal else -45)
    chart.title = title
    chart.x_labels = [label for label, _, _ in rows]
    chart.add("Số hồ sơ", [count for _, _, count in rows])
    svg = chart.render(is_unicode=True)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"<script.*?</script>", "", svg, flags=re.S)
    svg = re.sub(r"chart-[0-9a-f\-]{36}", f"bieu-do-{slug}", svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-labelledby="tieu-de-{slug}" ', 1)
    svg = re.sub(r"<title>(.*?)</title>", rf'<title id="tieu-de-{slug}">\1</title>', svg, count=1)
    return Chart(slug, title, rows, svg)


def count(index: dict[str, dict[str, TermIndex]], total: int) -> dict:
    """Every number the statistics page shows, without drawing anything."""
    def counted(facet: str) -> list[tuple[str, str, int]]:
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
    charts = [draw(slug, TITLES[slug], rows, horizontal=slug != "nam")
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
