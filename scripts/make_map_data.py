#!/usr/bin/env python3
"""Write the map's data files under `plugins/lantoa/data/` from two open datasets.

- `xa-toa-do.tsv`: the centroid (latitude, longitude) of each of the 3,321 current
  communes, joined to the gazetteer by the official code. Source: the
  `vietnamadminunits` package (MIT licence, © Hieu Tran), table `admin_units`
  of its `dataset.db`; installed with the test tools (`pip install -e '.[test]'`).
- `ban-do-viet-nam.json`: Vietnam's land outline (Natural Earth 1:10m Admin 0
  countries, public domain, as TopoJSON in the npm package `world-atlas` 2.0.2,
  ISC licence), simplified; and the islands of the Hoàng Sa and Trường Sa
  archipelagos — Natural Earth's islands inside each archipelago's extent, and
  the main islands of Trường Sa that Natural Earth's small scale leaves out, from
  their published coordinates (named in `EXTRA_ISLANDS`).

Run it again only when a dataset changes; the output is deterministic:

    (cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz)
    .venv/bin/python scripts/make_map_data.py /tmp/package/countries-10m.json
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import vietnamadminunits
from lantoa.geography import simplify

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "plugins" / "lantoa" / "data"
TOLERANCE = 0.004  # degrees (≈ 400 m): finer than a province map's pixel at phone width
MIN_ISLAND_AREA = 0.0005  # square degrees: smaller islands are drawn as the commune dots

# (west, south, east, north) of each archipelago, generously drawn.
EXTENTS = {
    "hoang-sa": (110.9, 15.5, 113.0, 17.3),
    "truong-sa": (111.4, 6.5, 116.5, 12.0),
}
# Main islands of Trường Sa that Natural Earth 1:10m does not draw (coordinates as
# published for each island, rounded to 0.01°).
EXTRA_ISLANDS = {
    "truong-sa": [
        ("Đảo Trường Sa", 111.92, 8.64),
        ("Đảo Song Tử Tây", 114.33, 11.43),
        ("Đảo Sinh Tồn", 114.32, 9.88),
        ("Đảo An Bang", 112.92, 7.87),
        ("Đảo Phan Vinh", 113.69, 8.97),
        ("Đảo Thuyền Chài", 113.30, 8.17),
    ],
}


def decode_topojson(path: Path):
    """(geometries, polygons of a geometry) from a quantised, delta-encoded TopoJSON."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    def polygons(geometry: dict) -> list[list[list[tuple[float, float]]]]:
        if geometry["type"] == "Polygon":
            return [[ring(r) for r in geometry["arcs"]]]
        if geometry["type"] == "MultiPolygon":
            return [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
        return []

    return topology["objects"]["countries"]["geometries"], polygons


def area(ring: list[tuple[float, float]]) -> float:
    return abs(sum(ring[i][0] * ring[i - 1][1] - ring[i - 1][0] * ring[i][1]
                   for i in range(len(ring)))) / 2


def centre(ring: list[tuple[float, float]]) -> tuple[float, float]:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return (round((min(xs) + max(xs)) / 2, 2), round((min(ys) + max(ys)) / 2, 2))


def inside(point: tuple[float, float], extent: tuple[float, float, float, float]) -> bool:
    west, south, east, north = extent
    return west <= point[0] <= east and south <= point[1] <= north


def outline(countries: Path) -> dict:
    geometries, polygons = decode_topojson(countries)
    vietnam = next(g for g in geometries if g["properties"]["name"] == "Vietnam")
    land = []
    for polygon in polygons(vietnam):
        outer = polygon[0]
        if area(outer) >= MIN_ISLAND_AREA:
            land.append([[round(x, 3), round(y, 3)] for x, y in simplify(outer, TOLERANCE)])
    land.sort(key=lambda ring: -area(ring))
    islands: dict[str, list] = {}
    for name, extent in EXTENTS.items():
        found = {centre(p[0]) for g in geometries for p in polygons(g) if inside(centre(p[0]), extent)}
        found |= {(x, y) for _, x, y in EXTRA_ISLANDS.get(name, [])}
        islands[name] = [list(p) for p in sorted(found)]
    return {
        "source": "Natural Earth 1:10m Admin 0 countries 4.1.0 (public domain), via npm world-atlas "
                  "2.0.2 (ISC); islands of Trường Sa not drawn at that scale added from their "
                  "published coordinates (scripts/make_map_data.py)",
        "land": land,
        "islands": islands,
    }


def centroids() -> list[str]:
    database = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT wardCode, wardLat, wardLon FROM admin_units").fetchall()
    lines = ["# Tọa độ tâm của 3.321 xã, phường, đặc khu (mã chính thức, vĩ độ, kinh độ).",
             "# Nguồn: vietnamadminunits 1.0.4 (giấy phép MIT, © Hieu Tran), bảng admin_units.",
             "# Tạo bởi scripts/make_map_data.py; đừng sửa tay."]
    for code, lat, lon in sorted((int(c), lat, lon) for c, lat, lon in rows):
        lines.append(f"{code}\t{lat:.4f}\t{lon:.4f}")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    DATA.mkdir(exist_ok=True)
    (DATA / "xa-toa-do.tsv").write_text("\n".join(centroids()) + "\n", encoding="utf-8")
    text = json.dumps(outline(Path(argv[1])), ensure_ascii=False, separators=(",", ":"))
    (DATA / "ban-do-viet-nam.json").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
