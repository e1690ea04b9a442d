"""The map's geometry: committed data that joins the gazetteer, compact paths, both archipelagos."""

from __future__ import annotations

import re

import pytest
from lantoa.gazetteer import gazetteer
from lantoa.geography import (
    MAP_WIDTH,
    Area,
    Spot,
    centroids,
    clip,
    dot_path,
    marker_radius,
    national_map,
    province_map,
    ring_path,
    simplify,
)


def absolute_points(path: str) -> list[tuple[float, float]]:
    """Read a path written by dot_path/ring_path back into absolute points."""
    points: list[tuple[float, float]] = []
    x = y = 0.0
    for command, numbers in re.findall(r"([MmLlhz])([^MmLlhz]*)", path):
        values = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", numbers)]
        if command == "M":
            x, y = values[0], values[1]
            points.append((x, y))
        elif command in "ml":
            for dx, dy in zip(values[::2], values[1::2], strict=True):
                x, y = round(x + dx, 1), round(y + dy, 1)
                points.append((x, y))
    return points


def test_every_current_commune_has_a_centroid_inside_vietnam():
    geo = gazetteer()
    places = centroids()
    assert set(places) == set(geo.current_communes)  # joined by the official code
    for lon, lat in places.values():
        assert 102.0 < lon < 117.5 and 8.0 < lat < 23.5


def test_dots_are_written_relative_and_read_back_exactly():
    points = [(10.04, 20.0), (3.5, 7.25), (3.5, 7.25), (399.9, 0.0)]
    path = dot_path(points)
    assert path.startswith("M3.5 7.2h0") or path.startswith("M3.5 7.3h0")
    assert path.count("h0") == 3  # the duplicate is drawn once
    back = absolute_points(path)
    assert back == sorted({(round(x, 1), round(y, 1)) for x, y in points})


def test_rings_are_closed_and_read_back():
    ring = [(0, 0), (10, 0), (10, 10), (0, 10)]
    path = ring_path([ring])
    assert path.startswith("M0 0l") and path.endswith("z")
    assert absolute_points(path) == [(0, 0), (10, 0), (10, 10), (0, 10)]


def test_simplify_drops_points_on_a_line_and_keeps_corners():
    line = [(x / 10, 0.0) for x in range(101)] + [(10.0, 5.0)]
    assert simplify(line, 0.01) == [(0.0, 0.0), (10.0, 0.0), (10.0, 5.0)]


def test_clip_keeps_the_part_of_a_ring_inside_the_box():
    square = [(-5, -5), (5, -5), (5, 5), (-5, 5)]
    clipped = clip(square, (0, 0, 10, 10))
    assert sorted(clipped) == [(0, 0), (0, 5), (5, 0), (5, 5)]
    assert clip([(20, 20), (30, 20), (30, 30)], (0, 0, 10, 10)) == []


def test_markers_grow_with_the_count():
    radii = [marker_radius(n) for n in (1, 2, 5, 20, 1000)]
    assert radii == sorted(radii) and radii[0] >= 3 and radii[-1] <= 12


def test_the_national_map_draws_every_commune_and_both_archipelagos():
    geo = gazetteer()
    lam_ha = next(c for c in geo.current_communes.values() if c.name == "Xã Đinh Văn Lâm Hà")
    spot = Spot(lam_ha.code, "dia-phuong/lam-dong/dinh-van-lam-ha/", "Xã Đinh Văn Lâm Hà, tỉnh Lâm Đồng", 3)
    view = national_map([spot])
    assert view.width == MAP_WIDTH and view.communes == 3321
    assert view.dots.count("h0") >= 3300  # a few communes share a rounded position
    assert [m.url for m in view.markers] == [spot.url]
    labels = [" ".join(label.lines) for label in view.labels]
    assert labels == ["Quần đảo Hoàng Sa", "Quần đảo Trường Sa"]
    islands = absolute_points(view.islands)
    assert len(islands) >= 20
    for label in view.labels:
        assert 0 <= label.x <= view.width and 0 <= label.y <= view.height
    for x, y in islands + absolute_points(view.dots):
        assert 0 <= x <= view.width and 0 <= y <= view.height
    # Hoàng Sa and Trường Sa lie out at sea, east of the mainland's easternmost cape.
    mainland = absolute_points(view.land.split("z")[0])
    assert len(mainland) > 300
    assert min(x for x, _ in islands) > max(x for x, _ in mainland) + 40


def test_the_front_page_map_has_no_background_dots_and_stays_small():
    view = national_map([], background=False)
    assert view.dots == "" and view.islands and len(view.land) < 12_000


@pytest.mark.parametrize(("province", "inset"), [("da-nang", "Hoàng Sa"), ("khanh-hoa", "Trường Sa"),
                                                 ("ho-chi-minh", "Côn Đảo"), ("lam-dong", None)])
def test_a_province_map_puts_far_islands_in_an_inset(province, inset):
    geo = gazetteer()
    unit = geo.province_by_slug(province)
    communes = geo.current_communes_in(unit)
    spots = [Spot(c.code, f"dia-phuong/{province}/{c.slug}/", c.name, 1) for c in communes[:5]]
    view = province_map([(c.code, c.name) for c in communes], spots)
    assert view.communes == len(communes) and len(view.markers) == 5
    assert view.dots.count("h0") + len(view.markers) <= len(communes)
    assert max(view.width, view.height) <= MAP_WIDTH + 1
    for marker in view.markers:
        assert 0 <= marker.x <= view.width and 0 <= marker.y <= view.height
    if inset:
        assert len(view.frames) == 1 and inset in " ".join(view.labels[0].lines)
    else:
        assert view.frames == () and view.labels == ()


def test_a_crowded_national_map_links_provinces_and_still_draws_every_commune():
    geo = gazetteer()
    provinces = {p.code: p for p in geo.provinces()}
    communes = list(geo.current_communes.values())[::3]
    spots = [Spot(c.code, f"xa/{c.code}/", c.name, 1 + c.code % 7, c.name, c.parent_code) for c in communes]
    areas = [Area(code, f"tinh/{p.slug}/", p.name) for code, p in provinces.items()]
    linked = national_map(spots, areas=areas)
    crowded = national_map(spots, areas=areas, link_limit=100)
    assert len(linked.markers) == len(spots) and not linked.grouped
    assert crowded.grouped and {m.kind for m in crowded.markers} == {"province"}
    assert len(crowded.markers) == len({s.province for s in spots})
    lam_dong = next(m for m in crowded.markers if m.url == "tinh/lam-dong/")
    in_lam_dong = [s for s in spots if s.province == geo.province_by_slug("lam-dong").code]
    assert lam_dong.count == sum(s.count for s in in_lam_dong)
    assert lam_dong.label == f"Tỉnh Lâm Đồng, {len(in_lam_dong)} xã, phường"
    hot = [p for _, path in crowded.hot for p in absolute_points(path)]
    assert len(hot) >= len(spots) - 10  # every commune with profiles is still a red dot
    sizes = [r for r, _ in crowded.hot]
    assert sizes == sorted(sizes, reverse=True)  # the big ones first, the small ones on top


def test_the_province_footprint_pen_follows_the_gap_between_communes():
    from lantoa.geography import _spacing

    grid = [(x * 10.0, y * 10.0) for x in range(12) for y in range(30)]
    assert _spacing(grid) == 22.0  # 2.2 × the 10-unit gap
    spread = [(0.0, 0.0), (0.0, 3.0), (100.0, 100.0), (100.0, 104.0)]
    assert _spacing(spread) == round(4.0 * 2.2, 1)
