"""Pelican plugin: the statistics page `/thong-ke/`, charts drawn at build time.

Every facet declared with a chart gets one, from the facet indexes;
pygal draws each as an inline SVG (no JavaScript), and every chart has a data
table beside it for screen readers and for copying into reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pygal
from lantoa.state import BuildState, build_state, require_plugins
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


def count(state: BuildState) -> dict:
    """Every number the statistics page shows, without drawing anything."""
    rows = {}
    for facet in state.facets:
        if not facet.chart:
            continue
        counted = [(e.term, len(e.profiles)) for e in state.index[facet.name].values()]
        counted += [(t, 0) for t in state.empty_terms if t.facet == facet.name]
        order = (lambda row: row[0].name) if facet.over_time else (lambda row: row[0].sort_key)
        rows[facet.param or facet.name] = [(t.label, t.url, n) for t, n in sorted(counted, key=order)]
    years = sorted(int(key) for key in state.index["year"])
    table = []
    for entry in state.index["province"].values():
        cells = [_count(state, "province_year", f"{entry.term.key}/{y}") for y in years]
        table.append((entry.term.label, entry.term.url, cells, len(entry.profiles)))
    titles = {f.param or f.name: f.chart for f in state.facets if f.chart}
    over_time = [f.param or f.name for f in state.facets if f.over_time]
    return {"rows": rows, "titles": titles, "over_time": over_time, "years": years,
            "province_year": table, "total": len(state.profiles)}


def statistics(counts: dict) -> dict:
    """The counts with their charts drawn."""
    charts = [draw(slug, counts["titles"][slug], rows, horizontal=slug not in counts["over_time"])
              for slug, rows in counts["rows"].items()]
    return {**counts, "charts": charts}


def _count(state: BuildState, facet: str, key: str) -> int:
    entry = state.index[facet].get(key)
    return len(entry.profiles) if entry else 0


class StatisticsGenerator(Generator):
    def generate_output(self, writer) -> None:
        # Counts are cheap; drawing is not: draw only when the counts changed.
        counts = count(build_state(self.context, "lantoa_stats"))
        name = "thong-ke/index.html"
        if build_state(self.context, "lantoa_stats").pages.needs_render(name, counts):
            writer.write_file(name, self.get_template("statistics"), self.context,
                              stats=statistics(counts), page_url="thong-ke/")


def get_generators(pelican):
    return StatisticsGenerator


def check_plugins(pelican) -> None:
    require_plugins(pelican.settings, "lantoa_stats", ("lantoa_profiles",))


def register() -> None:
    signals.initialized.connect(check_plugins)
    signals.get_generators.connect(get_generators)
