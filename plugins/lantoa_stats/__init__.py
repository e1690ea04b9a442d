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


def statistics(index: dict[str, dict[str, TermIndex]], total: int) -> dict:
    """The charts and the province × year table of the statistics page."""
    def counted(facet: str) -> list[tuple[str, str, int]]:
        return [(e.term.title, e.term.url, len(e.profiles)) for e in index[facet].values()]

    provinces = [(p.short_name, province_term(p).url,
                  len(index["province"][p.slug].profiles) if p.slug in index["province"] else 0)
                 for p in gazetteer().provinces()]
    years = sorted(counted("year"), key=lambda row: row[0])
    fields = [(f.label, f"linh-vuc/{f.value}/", _count(index, "field", f.value)) for f in Field]
    levels = [(lv.label, f"cap/{lv.value}/", _count(index, "level", lv.value)) for lv in Level]
    kinds = [(k.label, f"{k.value}/", _count(index, "kind", k.value)) for k in Kind]
    charts = [
        draw("tinh", "Số hồ sơ theo tỉnh, thành phố", provinces),
        draw("nam", "Số hồ sơ theo năm công nhận", [(y.removeprefix("Năm "), u, n) for y, u, n in years],
             horizontal=False),
        draw("linh-vuc", "Số hồ sơ theo lĩnh vực", fields),
        draw("cap", "Số hồ sơ theo cấp công nhận", levels),
        draw("loai", "Số hồ sơ theo loại", kinds),
    ]
    year_numbers = sorted({int(e.term.key) for e in index["year"].values()})
    table = []
    for name, url, count in provinces:
        if not count:
            continue
        slug = url.split("/")[1]
        cells = [_count(index, "province_year", f"{slug}/{y}") for y in year_numbers]
        table.append((name, url, cells, count))
    return {"charts": charts, "years": year_numbers, "province_year": table, "total": total}


def _count(index: dict[str, dict[str, TermIndex]], facet: str, key: str) -> int:
    entry = index[facet].get(key)
    return len(entry.profiles) if entry else 0


class StatisticsGenerator(Generator):
    def generate_output(self, writer) -> None:
        stats = statistics(self.context["facet_index"], len(self.context["profiles"]))
        writer.write_file("thong-ke/index.html", self.get_template("statistics"), self.context,
                          stats=stats, page_url="thong-ke/")


def get_generators(pelican):
    return StatisticsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
