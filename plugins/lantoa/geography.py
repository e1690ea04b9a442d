"""Maps drawn at build time: Vietnam's outline, a dot per current commune, the archipelagos.

The data files under `data/` are written by `scripts/make_map_data.py` from two
open datasets: commune centroids from `vietnamadminunits` (MIT), joined to the
gazetteer by the official commune code, and the land outline from Natural Earth
(public domain) with the islands of Hoàng Sa and Trường Sa. This module projects
them into small frozen values (`MapView`); the markup is in the theme's `_map.html`.

A national map always draws and labels both archipelagos; a province map whose
province holds one of them (Đà Nẵng, Khánh Hòa) draws it in an inset beside the
mainland rather than shrinking the mainland to fit the open sea.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
ARCHIPELAGOS = {"hoang-sa": "Quần đảo Hoàng Sa", "truong-sa": "Quần đảo Trường Sa"}
# (west, south, east, north): the national map's frame, both archipelagos included.
NATIONAL_EXTENT = (102.1, 6.9, 117.6, 23.45)
MAP_WIDTH = 400  # viewBox units; the page scales the SVG to its column
# Labels are SVG text and scale with the map: at this size they are at least 12 CSS
# px when the map is 328 px wide (a 360-px phone less the page margins).
LABEL_SIZE = 15
OUTLIER_DEGREES = 2.0  # a commune this far from its province's middle goes into an inset
INSET_WIDTH = 120
LINE_HEIGHT = 18
Point = tuple[float, float]


@dataclass(frozen=True)
class Spot:
    """A commune with profiles, as the map links it."""

    code: int
    url: str  # site-relative
    label: str  # accessible name: "Xã Đinh Văn Lâm Hà, tỉnh Lâm Đồng"
    count: int
    name: str = ""  # within its province: "Xã Đinh Văn Lâm Hà"
    province: int = 0  # code of its province


@dataclass(frozen=True)
class Area:
    """A province as the national map links it when it has too many communes to link each."""

    code: int
    url: str
    label: str  # "Tỉnh Lâm Đồng"


@dataclass(frozen=True)
class Marker:
    """A drawn, linked dot: a commune, or a province on a crowded national map."""

    x: float
    y: float
    r: float
    url: str
    label: str
    count: int
    kind: str = "commune"


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    lines: tuple[str, ...]
    anchor: str = "middle"


@dataclass(frozen=True)
class Frame:
    """An inset's box, with its own caption."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class MapView:
    """Everything one SVG map shows, in viewBox units."""

    width: float
    height: float
    land: str  # path data of the land outline
    islands: str  # path data of the archipelagos' islands (dots)
    dots: str  # path data of the communes without profiles (dots)
    markers: tuple[Marker, ...]  # communes with profiles, largest first
    labels: tuple[Label, ...]
    frames: tuple[Frame, ...] = ()
    communes: int = 0  # how many communes are drawn
    hot: tuple[tuple[float, str], ...] = ()  # (radius, path data): communes with profiles, not linked
    grouped: bool = False  # True: the links lead to provinces, whose maps link the communes
    footprint: str = ""  # path data: the communes drawn with a wide pen, the province's territory
    footprint_width: float = 0

    @property
    def view_box(self) -> str:
        return f"0 0 {_num(self.width)} {_num(self.height)}"


@cache
def centroids() -> dict[int, Point]:
    """Current commune code → (longitude, latitude) of its centroid."""
    found = {}
    for line in (DATA / "xa-toa-do.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, lat, lon = line.split("\t")
            found[int(code)] = (float(lon), float(lat))
    return found


@cache
def outline() -> dict:
    """Land rings and archipelago islands as (longitude, latitude) lists."""
    return json.loads((DATA / "ban-do-viet-nam.json").read_text(encoding="utf-8"))


class Projection:
    """Equirectangular at the frame's middle latitude: true shapes at this size."""

    def __init__(self, extent: tuple[float, float, float, float], width: float):
        west, south, east, north = extent
        self.west, self.north = west, north
        self.stretch = math.cos(math.radians((south + north) / 2))
        self.scale = width / ((east - west) * self.stretch)
        self.width = width
        self.height = (north - south) * self.scale

    def __call__(self, point: Point) -> Point:
        lon, lat = point
        return ((lon - self.west) * self.stretch * self.scale, (self.north - lat) * self.scale)


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker, iterative (the mainland ring has thousands of points)."""
    if len(points) < 4:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = 0.0, 0
        for i in range(first + 1, last):
            x, y = points[i]
            distance = (abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm if norm
                        else math.hypot(x - x1, y - y1))
            if distance > worst:
                worst, index = distance, i
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def clip(ring: Sequence[Point], box: tuple[float, float, float, float]) -> list[Point]:
    """Sutherland–Hodgman: the part of a closed ring inside an axis-aligned box."""
    left, top, right, bottom = box
    edges = (
        (lambda p: p[0] >= left, lambda a, b: _cross_x(a, b, left)),
        (lambda p: p[0] <= right, lambda a, b: _cross_x(a, b, right)),
        (lambda p: p[1] >= top, lambda a, b: _cross_y(a, b, top)),
        (lambda p: p[1] <= bottom, lambda a, b: _cross_y(a, b, bottom)),
    )
    points = list(ring)
    for keeps, cross in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for current in points:
            if keeps(current):
                if not keeps(previous):
                    result.append(cross(previous, current))
                result.append(current)
            elif keeps(previous):
                result.append(cross(previous, current))
            previous = current
        points = result
    return points


def _cross_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cross_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def _num(value: float) -> str:
    text = f"{value:.1f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def ring_path(rings: Iterable[Sequence[Point]]) -> str:
    """Closed rings as compact path data (relative moves, one decimal)."""
    parts = []
    for ring in rings:
        points = [(round(x, 1), round(y, 1)) for x, y in ring]
        points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        if len(points) < 3:
            continue
        (x0, y0), rest = points[0], points[1:]
        steps, (px, py) = [], (x0, y0)
        for x, y in rest:
            steps.append(f"{_num(x - px)} {_num(y - py)}")
            px, py = x, y
        parts.append(f"M{_num(x0)} {_num(y0)}l" + " ".join(steps) + "z")
    return "".join(parts).replace(" -", "-")


def dot_path(points: Iterable[Point]) -> str:
    """Zero-length segments: with a round line cap each is a dot, at ~9 bytes a dot."""
    parts, previous = [], None
    for x, y in sorted((round(x, 1), round(y, 1)) for x, y in points):
        if previous is None:
            parts.append(f"M{_num(x)} {_num(y)}h0")
        elif (x, y) != previous:
            parts.append(f"m{_num(x - previous[0])} {_num(y - previous[1])}h0")
        previous = (x, y)
    return "".join(parts).replace(" -", "-")


def marker_radius(count: int) -> float:
    """Area grows with the number of profiles, from a dot a finger can find."""
    return round(min(3.2 + 1.6 * math.sqrt(count - 1), 12.0), 1)


def _markers(spots: Iterable[Spot], place: dict[int, Point]) -> tuple[Marker, ...]:
    markers = [Marker(round(x, 1), round(y, 1), marker_radius(s.count), s.url, s.label, s.count)
               for s in spots if s.code in place for x, y in [place[s.code]]]
    # Largest first, so that smaller dots drawn later stay on top and clickable.
    return tuple(sorted(markers, key=lambda m: (-m.r, m.url)))


def national_map(spots: Iterable[Spot], background: bool = True, link_limit: int = 10**9,
                 areas: Iterable[Area] = ()) -> MapView:
    """Vietnam with every commune (or, without `background`, only those with profiles).

    Each commune with profiles is a link, up to `link_limit` of them: past that the map
    would outgrow a phone's budget (≈ 190 bytes a link), so the communes are drawn as
    plain dots and each province in `areas` with profiles becomes the link, to its page
    and its own map, where every commune is linked.
    """
    import statistics  # maps are drawn once and kept: not an import of every build

    project = Projection(NATIONAL_EXTENT, MAP_WIDTH)
    data = outline()
    land = [simplify([project(p) for p in ring], 0.35) for ring in data["land"]]
    place = {code: project(p) for code, p in centroids().items()}
    spots = [s for s in spots if s.code in place]
    linked = {s.code for s in spots}
    dots = dot_path(p for code, p in place.items() if code not in linked) if background else ""
    islands = [project(p) for name in ARCHIPELAGOS for p in data["islands"][name]]
    labels = []
    for name, title in ARCHIPELAGOS.items():
        xs, ys = zip(*(project(p) for p in data["islands"][name]), strict=True)
        # Labels sit in open sea beside their islands: east of Hoàng Sa, under Trường Sa.
        if name == "hoang-sa":
            words = title.split()
            labels.append(Label(round(max(xs) + 6, 1), round(statistics.mean(ys) - 4, 1),
                                (" ".join(words[:2]), " ".join(words[2:])), "start"))
        else:
            labels.append(Label(round(statistics.mean(xs), 1), round(max(ys) + LABEL_SIZE * 1.3, 1),
                                (title,)))
    view = MapView(MAP_WIDTH, round(project.height, 1), ring_path(land), dot_path(islands), dots,
                   _markers(spots, place), tuple(labels), communes=len(place))
    if len(spots) <= link_limit:
        return view
    by_radius: dict[float, list[Point]] = {}
    for spot in spots:
        by_radius.setdefault(marker_radius(spot.count), []).append(place[spot.code])
    hot = tuple((r, dot_path(points)) for r, points in sorted(by_radius.items(), reverse=True))
    return replace(view, markers=_area_markers(spots, place, areas), hot=hot, grouped=True)


def _area_markers(spots: list[Spot], place: dict[int, Point], areas: Iterable[Area]) -> tuple[Marker, ...]:
    """One ring per province with profiles, where its profiles are, sized by their number."""
    import statistics  # maps are drawn once and kept: not an import of every build

    found: dict[int, list[Spot]] = {}
    for spot in spots:
        found.setdefault(spot.province, []).append(spot)
    markers = []
    for area in areas:
        inside = found.get(area.code)
        if not inside:
            continue
        x = statistics.median(place[s.code][0] for s in inside)
        y = statistics.median(place[s.code][1] for s in inside)
        count = sum(s.count for s in inside)
        markers.append(Marker(round(x, 1), round(y, 1), round(min(7 + 1.2 * math.sqrt(len(inside)), 16), 1),
                              area.url, f"{area.label}, {len(inside)} xã, phường", count, "province"))
    return tuple(sorted(markers, key=lambda m: (-m.r, m.url)))


def province_map(communes: Iterable[tuple[int, str]], spots: Iterable[Spot]) -> MapView:
    """One province within a MAP_WIDTH square: its communes over the coast and borders
    around them, and its far islands (an archipelago, Côn Đảo) in an inset beside it.

    `communes` are the province's (code, name) pairs; the names title the inset.
    """
    base = _province_base(tuple(communes))
    place = dict(base.place)
    spots = [s for s in spots if s.code in place]
    linked = {s.code for s in spots}
    dots = dot_path(p for c, p in place.items() if c not in linked)
    return replace(base.view, dots=dots, markers=_markers(spots, place))


@dataclass(frozen=True)
class _Base:
    view: MapView  # everything but the dots and markers
    place: tuple[tuple[int, Point], ...]  # commune code → its position on this map


@cache
def _province_base(communes: tuple[tuple[int, str], ...]) -> _Base:
    """What a province's map shows whatever its profiles: drawn once per process."""
    import statistics  # maps are drawn once and kept: not an import of every build

    every = centroids()
    names = {code: name for code, name in communes if code in every}
    if not names:
        return _Base(MapView(MAP_WIDTH, 0, "", "", "", (), ()), ())
    mid = (statistics.median(every[c][0] for c in names), statistics.median(every[c][1] for c in names))
    main = [c for c in names if math.dist(every[c], mid) <= OUTLIER_DEGREES]
    far = [c for c in names if c not in main]
    west, east = min(every[c][0] for c in main), max(every[c][0] for c in main)
    south, north = min(every[c][1] for c in main), max(every[c][1] for c in main)
    pad = max(east - west, north - south) * 0.06 + 0.04
    extent = (west - pad, south - pad, east + pad, north + pad)
    inset_width = INSET_WIDTH if far else 0
    square = Projection(extent, 1.0)
    width = (MAP_WIDTH - inset_width) * min(1.0, 1 / square.height)  # tall provinces are narrower
    project = Projection(extent, width)
    place = {c: project(every[c]) for c in main}
    land = _land_within(extent, project, (-2, -2, project.width + 2, project.height + 2))
    height, total_width = project.height, project.width
    frames, labels, islands = [], [], []
    if far:
        frame = Frame(round(project.width + 8, 1), 2, INSET_WIDTH - 10, INSET_WIDTH - 10)
        frames.append(frame)
        island_points = _inset_islands(far, every)
        place.update(_fit_inset(far, island_points, every, frame, islands, land))
        titles = _inset_titles(far, every, names)
        labels.append(Label(round(frame.x + frame.width / 2, 1), round(frame.y + frame.height + 18, 1),
                            titles))
        total_width = frame.x + frame.width + 2
        height = max(height, frame.y + frame.height + 22 + LINE_HEIGHT * (len(titles) - 1))
    view = MapView(round(total_width, 1), round(height, 1), ring_path(land), dot_path(islands), "", (),
                   tuple(labels), tuple(frames), communes=len(names),
                   footprint=dot_path(place.values()), footprint_width=_spacing(list(place.values())))
    return _Base(view, tuple(place.items()))


def _land_within(extent: tuple[float, float, float, float], project, box) -> list[list[Point]]:
    """The land rings that reach into `extent`, projected and clipped to `box`."""
    west, south, east, north = extent
    land = []
    for ring, (r_west, r_south, r_east, r_north) in zip(outline()["land"], _ring_extents(), strict=True):
        if r_east < west or r_west > east or r_north < south or r_south > north:
            continue  # an island elsewhere: nothing to clip
        clipped = clip([project(p) for p in ring], box)
        if len(clipped) >= 3:
            land.append(simplify(clipped, 0.35))
    return land


@cache
def _ring_extents() -> tuple[tuple[float, float, float, float], ...]:
    extents = []
    for ring in outline()["land"]:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        extents.append((min(xs), min(ys), max(xs), max(ys)))
    return tuple(extents)


def _spacing(points: list[Point]) -> float:
    """A pen as wide as the usual gap between neighbouring communes: drawn with it, the
    dots merge into the province's territory (there is no open dataset of the 2025
    province boundaries to draw instead)."""
    if len(points) < 2:
        return 20.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    cell = max(math.sqrt((max(xs) - min(xs) + 1) * (max(ys) - min(ys) + 1) / len(points)), 1.0)
    grid: dict[tuple[int, int], list[Point]] = {}
    for p in points:
        grid.setdefault((int(p[0] // cell), int(p[1] // cell)), []).append(p)
    gaps = []
    for index, p in enumerate(points):
        cx, cy = int(p[0] // cell), int(p[1] // cell)
        best, ring = math.inf, 0
        while (ring - 1) * cell <= best:  # rings of cells until none can hold a nearer point
            for gx in range(cx - ring, cx + ring + 1):
                for gy in range(cy - ring, cy + ring + 1):
                    if max(abs(gx - cx), abs(gy - cy)) != ring:
                        continue
                    for q in grid.get((gx, gy), ()):
                        if q is not points[index]:
                            best = min(best, math.dist(p, q))
            ring += 1
        gaps.append(best)
    gaps.sort()
    return round(min(max(gaps[len(gaps) * 3 // 4] * 2.2, 6.0), 40.0), 1)


def _archipelago_of(point: Point) -> str | None:
    for name, points in outline()["islands"].items():
        xs, ys = zip(*points, strict=True)
        if min(xs) - 1 <= point[0] <= max(xs) + 1 and min(ys) - 1 <= point[1] <= max(ys) + 1:
            return name
    return None


def _inset_islands(far: list[int], every: dict[int, Point]) -> list[Point]:
    names = {_archipelago_of(every[c]) for c in far}
    return [p for name in sorted(n for n in names if n) for p in outline()["islands"][name]]


def _inset_titles(far: list[int], every: dict[int, Point], names: dict[int, str]) -> tuple[str, ...]:
    """An archipelago's name on two lines ("Quần đảo", "Hoàng Sa"), or the far communes' names."""
    lines: list[str] = []
    for code in far:
        archipelago = _archipelago_of(every[code])
        title = ARCHIPELAGOS[archipelago] if archipelago else names[code]
        words = title.split()
        for line in (" ".join(words[:2]), " ".join(words[2:])):
            if line and line not in lines:
                lines.append(line)
    return tuple(lines)


def _fit_inset(far: list[int], island_points: list[Point], every: dict[int, Point], frame: Frame,
               islands: list[Point], land: list[list[Point]]) -> dict[int, Point]:
    """Project the far communes, their islands and any land near them into the inset frame."""
    points = island_points + [every[c] for c in far]
    xs, ys = zip(*points, strict=True)
    pad = 0.15
    extent = (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)
    inner = Projection(extent, frame.width - 12)
    scale = min(1.0, (frame.height - 12) / inner.height) if inner.height else 1.0
    dx = frame.x + 6 + (frame.width - 12 - inner.width * scale) / 2
    dy = frame.y + 6 + (frame.height - 12 - inner.height * scale) / 2

    def fit(p: Point) -> Point:
        x, y = inner(p)
        return (dx + x * scale, dy + y * scale)

    islands.extend(fit(p) for p in island_points)
    land.extend(_land_within(extent, fit, (frame.x, frame.y, frame.x + frame.width, frame.y + frame.height)))
    return {c: fit(every[c]) for c in far}
