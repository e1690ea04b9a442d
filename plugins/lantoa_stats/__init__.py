"""Pelican plugin: the statistics page `/thong-ke/`, charts drawn at build time.

Every facet declared with a chart gets one, from the facet indexes. Each chart
is a table whose rows carry a bar (a tiny SVG with one `rect`), so labels and
numbers are page text: readable at 12 px or more on a 360-px phone, read by
screen readers as a table, copied as numbers, and no JavaScript. Bars are
sorted by count (charts over time keep the order of time); in a long chart the
terms without a profile (18 provinces of 34, say) are folded into one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from lantoa.state import BuildState, build_state, require_plugins
from pelican import signals
from pelican.generators import Generator

Row = tuple[str, str, int]  # (label, url, count)
FOLD_ZEROS_FROM = 8  # a chart with this many rows or more folds its empty ones


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
    """One chart: bars sorted by count (ties keep the given order), zeros folded when named."""
    shown = [row for row in rows if row[2] or not fold_zero]
    folded = tuple((label, url) for label, url, n in rows if not n) if fold_zero else ()
    if by_count:
        shown = sorted(shown, key=lambda row: -row[2])  # stable: ties keep the given order
    longest = max((n for _, _, n in shown), default=0)
    bars = tuple(Bar(label, url, n, round(100 * n / longest, 1) if longest else 0.0)
                 for label, url, n in shown)
    rest_label = f"{len(folded)} {fold_zero} chưa có hồ sơ" if folded else ""
    return Chart(slug, title, bars, folded, rest_label)


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
    labels = {f.param or f.name: f.label.lower() for f in state.facets if f.chart}
    over_time = [f.param or f.name for f in state.facets if f.over_time]
    return {"rows": rows, "titles": titles, "labels": labels, "over_time": over_time, "years": years,
            "province_year": table, "total": len(state.profiles)}


def statistics(counts: dict) -> dict:
    """The counts with their charts drawn."""
    charts = []
    for slug, rows in counts["rows"].items():
        timeline = slug in counts["over_time"]
        fold = counts["labels"][slug] if len(rows) >= FOLD_ZEROS_FROM and not timeline else ""
        charts.append(draw(slug, counts["titles"][slug], rows, by_count=not timeline, fold_zero=fold))
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
