#!/usr/bin/env python3
"""Draw the sample site's photos: five phone-like JPEGs, an iPhone-like HEIC and a PNG infographic.

Every picture is drawn from code (Pillow and pillow-heif, no network) so that the
sample content exercises the whole image pipeline: large originals to resize, EXIF
with the camera, the time and the GPS position to strip, one portrait photo stored
sideways with EXIF Orientation 6 to turn upright, a HEIC as iPhones save them, and
a PNG screenshot.

The output is deterministic: a fixed seed per picture, no clock and no C-library
random numbers (the film grain comes from Python's `random`, not from
`Image.effect_noise`, which uses the C library's `rand()`), so every run writes
the same bytes with the same Pillow. Files already right are not rewritten.

    .venv/bin/python scripts/make_sample_photos.py
"""

from __future__ import annotations

import io
import itertools
import math
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from lantoa import photo_formats  # noqa: F401  (registers the HEIF opener)
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageStat

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "content" / "profiles"
FONTS = ROOT / "theme" / "fonts"
SEED = 20231120
JPEG_QUALITY = 90
HEIC_QUALITY = 55
BUDGET = 8_000_000  # bytes for all the sample photos together
WIDE = (2400, 1800)

Colour = tuple[int, int, int]
Point = tuple[float, float]
Draw = ImageDraw.ImageDraw

# EXIF and GPS tags
MAKE, MODEL, ORIENTATION, DATETIME = 0x010F, 0x0110, 0x0112, 0x0132
EXIF_IFD, DATETIME_ORIGINAL = 0x8769, 0x9003
GPS_IFD = 0x8825
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4


# ---------------------------------------------------------------- small helpers

def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def mix(a: Sequence[float], b: Sequence[float], t: float) -> Colour:
    t = clamp(t)
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return r, g, bl


def jitter(rng: random.Random, colour: Sequence[int], amount: int) -> Colour:
    r, g, b = (max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)
    return r, g, b


def tone(rng: random.Random, colour: Sequence[int], amount: int) -> Colour:
    """Lighter or darker, same hue (stone, concrete)."""
    shift = rng.randint(-amount, amount)
    r, g, b = (max(0, min(255, c + shift)) for c in colour)
    return r, g, b


def gradient(size: tuple[int, int], stops: Sequence[tuple[float, Colour]]) -> Image.Image:
    """A vertical gradient through (position 0–1, colour) stops."""
    height = size[1]
    column = []
    for y in range(height):
        t = y / max(1, height - 1)
        for (p0, c0), (p1, c1) in itertools.pairwise(stops):
            if t <= p1:
                column.append(mix(c0, c1, (t - p0) / (p1 - p0) if p1 > p0 else 1.0))
                break
        else:
            column.append(stops[-1][1])
    strip = Image.new("RGB", (1, height))
    strip.putdata(column)
    return strip.resize(size, Image.Resampling.NEAREST)


def ridge(rng: random.Random, width: int, base: float, amplitude: float, waves: int = 5,
          step: int = 6, rough: float = 0.0) -> list[Point]:
    """A hill line: sines of doubling frequency plus a little smoothed roughness."""
    parts = []
    for k in range(waves):
        frequency = rng.uniform(0.7, 1.3) * (2 ** k) * 2 * math.pi / width
        parts.append((frequency, amplitude * rng.uniform(0.6, 1.0) / (2 ** k), rng.uniform(0, 2 * math.pi)))
    points, wobble = [], 0.0
    for x in range(-step, width + 2 * step, step):
        wobble = wobble * 0.7 + rng.uniform(-rough, rough)
        points.append((float(x), base - sum(a * math.sin(f * x + p) for f, a, p in parts) + wobble))
    return points


def close_down(points: list[Point], height: int) -> list[Point]:
    return [*points, (points[-1][0], height + 10), (points[0][0], height + 10)]


def line_y(points: list[Point], x: float) -> float:
    """Height of a sampled line at x (linear between samples)."""
    step = points[1][0] - points[0][0]
    i = int(clamp((x - points[0][0]) / step, 0, len(points) - 2))
    (x0, y0), (x1, y1) = points[i], points[i + 1]
    return y0 + (y1 - y0) * clamp((x - x0) / (x1 - x0))


def dot(draw: Draw, x: float, y: float, rx: float, ry: float, fill: tuple[int, ...]) -> None:
    draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=fill)


def foliage(draw: Draw, rng: random.Random, cx: float, cy: float, rx: float, ry: float,
            dark: Colour, light: Colour, count: int, blob: float = 0.3) -> None:
    """A bush or a canopy: many overlapping blobs, lit from the upper left."""
    blobs = []
    for _ in range(count):
        angle, radius = rng.uniform(0, 2 * math.pi), math.sqrt(rng.random())
        x = cx + math.cos(angle) * radius * rx
        y = cy + math.sin(angle) * radius * ry
        size = rng.uniform(0.5, 1.0) * blob * min(rx, ry) + 0.6
        shade = clamp(0.55 - 0.3 * (x - cx) / rx - 0.45 * (y - cy) / ry + rng.uniform(-0.2, 0.2))
        blobs.append((shade, x, y, size))
    for shade, x, y, size in sorted(blobs):
        dot(draw, x, y, size, size * 0.8, jitter(rng, mix(dark, light, shade), 6))


def leaf(draw: Draw, x: float, y: float, length: float, width: float, angle: float,
         colour: Colour, vein: Colour | None = None) -> None:
    """A pointed leaf growing from (x, y) along `angle`."""
    ca, sa = math.cos(angle), math.sin(angle)
    left, right = [], []
    for i in range(11):
        t = i / 10
        half = width * 0.5 * math.sin(math.pi * t) ** 0.8
        ax = t * length
        left.append((x + ax * ca - half * sa, y + ax * sa + half * ca))
        right.append((x + ax * ca + half * sa, y + ax * sa - half * ca))
    draw.polygon(left + right[::-1], fill=colour)
    if vein and length > 30:
        draw.line([(x, y), (x + length * 0.92 * ca, y + length * 0.92 * sa)], fill=vein,
                  width=max(1, round(length / 60)))


def coffee_shrub(draw: Draw, rng: random.Random, sx: float, sy: float, r: float, tall: float,
                 dark: Colour, light: Colour) -> None:
    """A coffee shrub standing on (sx, sy): blobs far away, leaves and cherries up close."""
    dot(draw, sx, sy, r * 1.15, r * 0.15, (30, 14, 6, 80))  # its shadow
    cy = sy - tall * 0.5
    if r < 3:
        dot(draw, sx, cy, r, tall * 0.5, mix(dark, light, 0.4))
        return
    if r < 50:
        foliage(draw, rng, sx, cy, r, tall * 0.5, dark, light, int(clamp(r * 1.4, 8, 90)), blob=0.24)
        return
    foliage(draw, rng, sx, cy, r * 0.9, tall * 0.48, dark, mix(dark, light, 0.5), 70, blob=0.3)
    bright = mix(light, (150, 190, 110), 0.3)
    for _ in range(int(clamp(r * 1.7, 80, 900))):  # leaves, lit from the upper left
        a, d = rng.uniform(0, 2 * math.pi), math.sqrt(rng.random())
        lx, ly = sx + math.cos(a) * d * r, cy + math.sin(a) * d * tall * 0.5
        lit = 0.6 - 0.3 * (lx - sx) / r - 0.4 * (ly - cy) / (tall * 0.5) + rng.uniform(-0.25, 0.25)
        colour = jitter(rng, mix(dark, bright, lit), 8)
        length = r * rng.uniform(0.14, 0.24)
        angle = rng.uniform(0, math.pi) if ly < sy - tall * 0.6 else rng.uniform(0.2, math.pi - 0.2)
        leaf(draw, lx, ly, length, length * 0.42, angle, colour, mix(colour, (200, 220, 160), 0.25))
    for _ in range(int(r / 14)):  # cherry clusters along the branches
        bx, by = sx + rng.uniform(-0.75, 0.75) * r, sy - tall * rng.uniform(0.2, 0.85)
        cr = r * rng.uniform(0.018, 0.026)
        ripe = rng.random()
        base = (178, 24, 28) if ripe > 0.45 else (110, 150, 40) if ripe < 0.25 else (206, 96, 36)
        for _ in range(rng.randint(5, 12)):
            cx, cy2 = bx + rng.gauss(0, cr * 1.6), by + rng.gauss(0, cr * 0.8)
            dot(draw, cx, cy2, cr, cr, jitter(rng, base, 18))
            dot(draw, cx - cr * 0.35, cy2 - cr * 0.4, cr * 0.22, cr * 0.2, (255, 235, 220, 150))


def clouds(image: Image.Image, rng: random.Random, top: int, bottom: int, count: int,
           colour: Colour = (255, 255, 255), flat: float = 0.45) -> None:
    """Soft cumulus: clusters of translucent ellipses, blurred on their own layer."""
    layer = Image.new("RGBA", image.size, (*colour, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(count):
        cx, cy = rng.uniform(-100, image.width + 100), rng.uniform(top, bottom)
        span = rng.uniform(180, 520)
        for _ in range(rng.randint(14, 30)):
            x, y = cx + rng.gauss(0, span * 0.45), cy + rng.gauss(0, span * 0.12)
            r = rng.uniform(0.12, 0.3) * span
            dot(draw, x, y, r, r * flat, (*colour, rng.randint(28, 70)))
    soft = layer.filter(ImageFilter.GaussianBlur(14))
    image.paste(Image.alpha_composite(image.convert("RGBA"), soft).convert("RGB"))


def star(cx: float, cy: float, radius: float) -> list[Point]:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        a = -math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points


def flag(draw: Draw, x: float, y: float, width: float, height: float, phase: float) -> None:
    """A waving Vietnamese flag hanging from the pole top at (x, y)."""

    def bend(u: float) -> float:
        return height * 0.09 * math.sin(phase + u * 2.6 * math.pi) * u

    top = [(x + u * width, y + bend(u)) for u in (i / 20 for i in range(21))]
    bottom = [(x + u * width, y + height + bend(u)) for u in (i / 20 for i in range(20, -1, -1))]
    draw.polygon(top + bottom, fill=(214, 34, 30))
    for i in range(20):  # folds: darker and lighter bands
        u, v = i / 20, (i + 1) / 20
        shade = math.cos(phase + u * 2.6 * math.pi)
        colour = (150, 20, 20, int(45 * shade)) if shade > 0 else (255, 90, 70, int(-35 * shade))
        x0, x1 = x + u * width, x + v * width
        draw.polygon([(x0, y + bend(u)), (x1, y + bend(v)), (x1, y + height + bend(v)),
                      (x0, y + height + bend(u))], fill=colour)
    draw.polygon(star(x + width * 0.5, y + height * 0.5 + bend(0.5), height * 0.3), fill=(255, 222, 0))


def finish(image: Image.Image, rng: random.Random, grain: float, blur: float = 0.8,
           vignette: float = 0.35) -> Image.Image:
    """The camera's look: soft focus, darker corners, mild grain."""
    image = image.convert("RGB").filter(ImageFilter.GaussianBlur(blur))
    width, height = image.size
    ring = Image.radial_gradient("L").resize((width, height), Image.Resampling.BILINEAR)
    ring = ring.point(lambda v: round(clamp((v - 120) / 160) ** 1.6 * 255 * vignette))
    image = Image.composite(Image.new("RGB", image.size, (12, 10, 8)), image, ring)
    noise = Image.frombytes("L", image.size, rng.randbytes(width * height))
    noise = noise.filter(ImageFilter.GaussianBlur(0.55))
    stat = ImageStat.Stat(noise)
    mean, spread = stat.mean[0], stat.stddev[0]
    noise = noise.point(lambda v: round(clamp(128 + (v - mean) * grain / spread, 0, 255)))
    return ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), 1.0, -128)


def dms(value: float) -> tuple[float, float, float]:
    """Decimal degrees → (degrees, minutes, seconds) as EXIF stores them."""
    total = round(value * 3600, 2)
    degrees, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return float(degrees), float(minutes), round(seconds, 2)


def phone_exif(lat: float, lon: float, taken: str, orientation: int = 1) -> bytes:
    """What a phone writes: the camera, the time, the orientation and where it was."""
    exif = Image.Exif()
    # UTF-8 bytes in the ASCII tags, as phones write them (a str would become '?i?n…')
    exif[MAKE] = "Điện thoại mẫu".encode()
    exif[MODEL] = "Điện thoại mẫu LT-1".encode()
    exif[ORIENTATION] = orientation
    exif[DATETIME] = taken
    exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = taken
    exif.get_ifd(GPS_IFD).update({GPS_LAT_REF: "N", GPS_LAT: dms(lat), GPS_LON_REF: "E", GPS_LON: dms(lon)})
    return exif.tobytes()


# ---------------------------------------------------------------- scenes

def scene_road(rng: random.Random) -> Image.Image:
    """A concrete field road between coffee rows on red basalt soil (Đinh Văn)."""
    width, height = WIDE
    horizon, vpx, f, k = 770, 1180, 1000.0, 4160.0
    image = gradient(WIDE, [(0, (62, 116, 190)), (0.28, (128, 172, 222)), (horizon / height, (222, 230, 233)),
                            (1, (222, 230, 233))])
    clouds(image, rng, 60, horizon - 260, 8)
    draw = ImageDraw.Draw(image, "RGBA")
    haze = (214, 224, 230)
    for base, amplitude, colour, fade in ((horizon - 150, 70, (70, 100, 115), 0.6),
                                          (horizon - 95, 50, (52, 92, 72), 0.45),
                                          (horizon - 40, 26, (44, 84, 50), 0.3)):
        hills = ridge(rng, width, base, amplitude, rough=2.5)
        draw.polygon(close_down(hills, height), fill=mix(colour, haze, fade))
        for _ in range(900):  # forest on the slopes
            x = rng.uniform(0, width)
            r = rng.uniform(2, 6)
            dot(draw, x, line_y(hills, x) + rng.uniform(0, 60), r, r,
                (*mix(colour, (20, 40, 20), rng.random() * 0.5), 70))
    image.paste(gradient((width, height - horizon), [(0, (100, 120, 74)), (1, (70, 100, 46))]), (0, horizon))
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(20000):  # fields and gardens far away
        y = horizon + 4 + 500 * rng.random() ** 2.5
        x, r = rng.uniform(0, width), 1 + (y - horizon) / 40 * rng.uniform(0.5, 1.5)
        speck = rng.choice([(60, 96, 44), (96, 130, 60), (120, 80, 56), (50, 80, 40)])
        dot(draw, x, y, r * 1.6, r, (*mix(speck, haze, 0.45 - (y - horizon) / 800), 170))
    for _ in range(700):  # tree line on the horizon
        x, r = rng.uniform(0, width), rng.uniform(4, 16)
        y = horizon + rng.uniform(-4, 4)
        colour = mix((40, 72, 44), haze, rng.uniform(0.3, 0.55))
        draw.ellipse((x - r, y - r * 1.6, x + r, y + r * 0.4), fill=colour)
    for _ in range(9):  # farm houses
        x, w = rng.uniform(100, width - 100), rng.uniform(14, 30)
        roof = mix(rng.choice([(150, 60, 50), (70, 100, 150), (180, 90, 60)]), haze, 0.35)
        draw.rectangle((x, horizon - w * 0.5, x + w, horizon + 2), fill=mix((225, 220, 205), haze, 0.3))
        eaves = horizon - w * 0.5
        draw.polygon([(x - 3, eaves), (x + w / 2, horizon - w * 0.85), (x + w + 3, eaves)], fill=roof)

    def at(x: float, z: float) -> Point:  # ground point x metres across, z metres ahead
        return vpx + f * (x + 0.0009 * z * z - 0.4) / z, horizon + k / z

    def far(z: float) -> float:  # how much the air fades things at depth z
        return clamp((z - 15) / 260) * 0.65

    rows = [side * (3.6 + 2.6 * i) for i in range(9) for side in (-1, 1)]
    depths = [3.9 * 1.025 ** i for i in range(220)]
    for z0, z1 in itertools.pairwise(depths):  # soil under the rows, shoulders, road
        for x in rows:
            quad = [at(x - 0.9, z0), at(x + 0.9, z0), at(x + 0.9, z1), at(x - 0.9, z1)]
            if max(p[0] for p in quad) > -50 and min(p[0] for p in quad) < width + 50:
                draw.polygon(quad, fill=mix((122, 64, 44), (170, 150, 140), far(z0)))
        for side in (-1, 1):
            draw.polygon([at(side * 1.75, z0), at(side * 2.7, z0), at(side * 2.7, z1), at(side * 1.75, z1)],
                         fill=mix((138, 74, 52), (176, 150, 140), far(z0)))
        draw.polygon([at(-1.75, z0), at(1.75, z0), at(1.75, z1), at(-1.75, z1)],
                     fill=mix((168, 166, 160), (205, 208, 208), far(z0) + 0.1))
        for track in (-0.95, 0.95):  # darker wheel tracks
            draw.polygon([at(track - 0.3, z0), at(track + 0.3, z0), at(track + 0.3, z1), at(track - 0.3, z1)],
                         fill=(40, 40, 40, 18))
    for _ in range(16000):  # concrete: grit and stains
        z = 3.9 / rng.uniform(0.02, 1.0)
        x, y = at(rng.uniform(-1.72, 1.72), z)
        r = f * 0.012 / z * rng.uniform(0.5, 2.2)
        if r >= 0.5:
            grit = rng.choice([(120, 118, 112), (196, 194, 188), (140, 132, 120)])
            dot(draw, x, y, r, r * 0.6, (*grit, rng.randint(60, 160)))
    for z in (4.5 + 4.0 * i for i in range(45)):  # expansion joints
        draw.line([at(-1.75, z), at(1.75, z)], fill=(96, 94, 90, 200), width=max(1, round(f * 0.02 / z)))
    for _ in range(24000):  # clods on the soil, grass and weeds between the rows
        z = 3.9 / rng.uniform(0.015, 1.0)
        x, y = at(rng.choice((-1, 1)) * rng.uniform(2.7, 26), z)
        r = f * 0.03 / z * rng.uniform(0.4, 1.6)
        if 0 <= x <= width and r >= 0.5:
            speck = rng.choice([(104, 52, 36), (156, 86, 60), (70, 108, 44), (112, 144, 66), (88, 124, 52)])
            dot(draw, x, y, r, r * 0.5, (*mix(speck, haze, far(z)), 150))
    things = [(z, x + rng.uniform(-0.15, 0.15), "shrub") for x in rows
              for z in itertools.accumulate((2.2 + rng.uniform(-0.3, 0.3) for _ in range(260)),
                                            initial=rng.uniform(3.0, 5.0))
              if 4.4 < z < 560]
    things += [(float(z), 2.95, "pole") for z in range(8, 300, 32)]
    for z, x, kind in sorted(things, reverse=True):
        sx, sy = at(x, z)
        fade = far(z)
        if kind == "pole":  # an electricity pole and its wire to the next one
            top = sy - f * 7.5 / z
            colour = mix((78, 78, 80), haze, fade)
            arm = top + f * 0.3 / z
            draw.line([(sx, sy), (sx, top)], fill=colour, width=max(1, round(f * 0.16 / z)))
            draw.line([(sx - f * 0.5 / z, arm), (sx + f * 0.5 / z, arm)], fill=colour,
                      width=max(1, round(f * 0.06 / z)))
            nx, ny = at(x, z + 32)
            ntop = ny - f * 7.5 / (z + 32)
            wire = [(sx + (nx - sx) * t, top + (ntop - top) * t + math.sin(math.pi * t) * f * 0.35 / z)
                    for t in (i / 16 for i in range(17))]
            draw.line(wire, fill=(50, 50, 55, 150), width=max(1, round(f * 0.012 / z)))
            continue
        r = f * 0.95 / z * rng.uniform(0.85, 1.15)
        if -r < sx < width + r:
            coffee_shrub(draw, rng, sx, sy, r, f * 1.7 / z * rng.uniform(0.9, 1.1),
                         mix((24, 58, 24), haze, fade), mix((92, 140, 56), haze, fade))
    for _ in range(2600):  # grass on the shoulders in the foreground
        z = 3.9 / rng.uniform(0.35, 1.0)
        x, y = at(rng.choice((-1, 1)) * rng.uniform(2.4, 3.1), z)
        blade = f * 0.14 / z * rng.uniform(0.5, 1.3)
        draw.line([(x, y), (x + rng.uniform(-0.5, 0.5) * blade, y - blade)],
                  fill=(*jitter(rng, (80, 126, 50), 25), 200), width=max(1, round(blade / 18)))
    return finish(image, rng, grain=4.0)


def scene_tea(rng: random.Random) -> Image.Image:
    """Tea hills of La Bằng under the Tam Đảo range, with pickers in conical hats."""
    width, height = WIDE
    image = gradient(WIDE, [(0, (110, 150, 196)), (0.3, (176, 198, 214)), (0.42, (226, 228, 222)),
                            (1, (226, 228, 222))])
    clouds(image, rng, 40, 420, 7, colour=(250, 250, 248), flat=0.35)
    draw = ImageDraw.Draw(image, "RGBA")
    haze = (214, 220, 218)
    for base, amplitude, colour, fade in ((560, 150, (80, 100, 120), 0.62), (650, 90, (66, 96, 86), 0.45)):
        line = ridge(rng, width, base, amplitude, waves=6, rough=3)
        draw.polygon(close_down(line, height), fill=mix(colour, haze, fade))
        for _ in range(1400):
            x = rng.uniform(0, width)
            r = rng.uniform(2, 7)
            dot(draw, x, line_y(line, x) + rng.uniform(2, 140), r, r,
                (*mix(colour, (30, 50, 40), rng.random() * 0.6), 60))
    draw.rectangle((0, 740, width, height), fill=mix((70, 100, 56), haze, 0.3))
    for _ in range(3000):  # the valley: trees, gardens, a few houses
        y = rng.uniform(700, 1150)
        x, r = rng.uniform(0, width), rng.uniform(6, 22) * (0.6 + (y - 700) / 600)
        colour = mix(jitter(rng, (44, 84, 42), 14), haze, 0.45 - (y - 700) / 1500)
        dot(draw, x, y, r, r * 0.8, colour)
    for _ in range(18):
        x, y, w = rng.uniform(60, width - 60), rng.uniform(720, 800), rng.uniform(18, 34)
        roof = mix(rng.choice([(160, 70, 50), (90, 110, 150)]), haze, 0.3)
        draw.rectangle((x, y - w * 0.45, x + w, y), fill=mix((226, 218, 200), haze, 0.3))
        draw.polygon([(x - 3, y - w * 0.45), (x + w / 2, y - w * 0.8), (x + w + 3, y - w * 0.45)], fill=roof)

    # (centre x, top y, half width, foot y, haze), far to near
    hills = [(380, 800, 900, 1120, 0.3), (1650, 770, 1000, 1140, 0.28), (2550, 850, 900, 1250, 0.22),
             (1050, 930, 1250, 1500, 0.12), (-300, 1060, 2000, 2700, 0.03), (2450, 1180, 1300, 2500, 0.0)]
    for cx, top, half, foot, fade in hills:

        def outline(x: float, cx: float = cx, top: float = top, half: float = half,
                    foot: float = foot) -> float:  # a rounded dome
            return top + (foot - top) * clamp(abs(x - cx) / half) ** 1.8

        layer = Image.new("RGB", WIDE, (56, 80, 38))
        ld = ImageDraw.Draw(layer, "RGBA")
        for _ in range(2500):  # weeds and bare earth between the rows
            x, y, r = rng.uniform(0, width), rng.uniform(top, height), rng.uniform(3, 14)
            dot(ld, x, y, r, r * 0.6, jitter(rng, (58, 84, 40), 14))
        count = max(10, int((foot - top) / 22))
        phase, period = rng.uniform(0, 6), rng.uniform(0.18, 0.3) * half
        path_at = rng.uniform(0.25, 0.5) * rng.choice((-1, 1))
        path: list[tuple[float, float, float]] = []
        for j in range(count, 0, -1):  # contour rows, from the foot up
            u = (j / count) ** 1.25
            reach = half * (0.06 + u) ** 0.85
            bulge = (foot - top) * 0.3 * u ** 0.8
            thick = max(3.0, (foot - top) / count * (0.5 + 0.9 * u))
            steps = max(12, int(reach / max(2.0, thick * 0.55)))
            for i in range(steps + 1):
                dx = -reach + 2 * reach * i / steps
                x = cx + dx
                if not -60 < x < width + 60:
                    continue
                y = (outline(cx + reach) + bulge * math.sqrt(max(0.0, 1 - (dx / reach) ** 2)) - thick * 0.4
                     + thick * 0.5 * math.sin(dx / period + phase))
                if y > height + 60:
                    continue
                w, h = thick * rng.uniform(0.65, 0.85), thick * rng.uniform(0.42, 0.55)
                dot(ld, x, y, w, h, jitter(rng, (86, 140, 44), 14))
                dot(ld, x - w * 0.05, y - h * 0.55, w * 0.75, h * 0.48, jitter(rng, (138, 186, 70), 16))
                if thick > 12 and rng.random() < 0.5:  # yellow-green new buds
                    bx, by, bud = x + rng.uniform(-w, w) * 0.7, y - h * rng.uniform(0.4, 0.9), thick * 0.07
                    dot(ld, bx, by, bud, bud, (190, 214, 96))
            dx = path_at * reach
            path.append((cx + dx, outline(cx + reach) + bulge * math.sqrt(1 - path_at ** 2)
                         + thick * 0.5 * math.sin(dx / period + phase), thick))
        for (x0, y0, t0), (x1, y1, _) in itertools.pairwise(path):  # a footpath down the slope
            ld.line([(x0, y0), (x1, y1)], fill=(150, 122, 84), width=max(2, round(t0 * 0.7)))
        scale = (foot - top) / 600
        for _ in range(3 if fade < 0.2 else 1):  # shade trees
            tx = cx + rng.uniform(-0.6, 0.6) * half
            ty = outline(tx) + rng.uniform(10, 80)
            ld.line([(tx, ty), (tx, ty - 160 * scale)], fill=(60, 48, 36), width=max(2, round(7 * scale)))
            foliage(ld, rng, tx, ty - 200 * scale, 70 * scale, 60 * scale, (28, 60, 28), (90, 130, 60),
                    int(clamp(80 * scale, 12, 120)))
        layer = Image.blend(layer, Image.new("RGB", WIDE, haze), fade)
        mask = Image.new("L", WIDE, 0)
        shape = [(float(x), outline(x)) for x in range(-10, width + 20, 8)]
        ImageDraw.Draw(mask).polygon(close_down(shape, height), fill=255)
        image.paste(layer, mask=mask.filter(ImageFilter.GaussianBlur(1.2)))
    draw = ImageDraw.Draw(image, "RGBA")
    for px, py, s in ((430, 1420, 1.3), (660, 1500, 1.4), (1480, 1120, 0.8), (1700, 1170, 0.85),
                      (2050, 1560, 1.35)):
        shirt = rng.choice([(40, 70, 140), (170, 50, 60), (220, 210, 190), (90, 60, 120)])
        dot(draw, px, py - 40 * s, 16 * s, 30 * s, shirt)
        dot(draw, px, py - 79 * s, 9 * s, 9 * s, (170, 120, 90))
        draw.polygon([(px - 34 * s, py - 76 * s), (px, py - 108 * s), (px + 34 * s, py - 76 * s)],
                     fill=(226, 210, 160))
        draw.line([(px - 34 * s, py - 76 * s), (px + 34 * s, py - 76 * s)], fill=(150, 130, 90), width=2)
        draw.rounded_rectangle((px + 8 * s, py - 66 * s, px + 30 * s, py - 32 * s), radius=5 * s,
                               fill=(150, 112, 60))
        foliage(draw, rng, px, py - 4 * s, 46 * s, 20 * s, (60, 110, 36), (140, 186, 70), 26)
    return finish(image, rng, grain=4.0)


def scene_coffee(rng: random.Random) -> Image.Image:
    """An alley between coffee shrubs with ripening cherries, shade trees, pine hills."""
    width, height = WIDE
    horizon, vpx, f, k = 780, 1180, 1100.0, 1540.0
    image = gradient(WIDE, [(0, (86, 140, 200)), (0.32, (160, 192, 220)), (horizon / height, (224, 228, 226)),
                            (1, (224, 228, 226))])
    clouds(image, rng, 30, 480, 6)
    draw = ImageDraw.Draw(image, "RGBA")
    haze = (212, 220, 222)
    for base, amplitude, colour, fade in ((horizon - 200, 90, (64, 92, 100), 0.55),
                                          (horizon - 110, 60, (40, 76, 52), 0.35)):
        line = ridge(rng, width, base, amplitude, rough=2)
        draw.polygon(close_down(line, height), fill=mix(colour, haze, fade))
        for x in range(0, width, 9):  # pines along the ridge
            if rng.random() < 0.6:
                y, s = line_y(line, x) + rng.uniform(-2, 30), rng.uniform(10, 26)
                draw.polygon([(x - s * 0.35, y), (x, y - s * 1.6), (x + s * 0.35, y)],
                             fill=mix((22, 48, 32), haze, fade * rng.uniform(0.8, 1.1)))

    def at(x: float, z: float) -> Point:
        return vpx + f * x / z, horizon + k / z

    def far(z: float) -> float:
        return clamp((z - 8) / 120) * 0.7

    for z0, z1 in itertools.pairwise([1.45 * 1.03 ** i for i in range(170)]):
        y0, y1 = at(0, z0)[1], at(0, z1)[1]
        draw.polygon([(-50, y0), (width + 50, y0), (width + 50, y1), (-50, y1)],
                     fill=mix((130, 62, 42), (186, 150, 136), far(z0)))
    for _ in range(30000):  # basalt soil: clods, pebbles, dry leaves, weeds
        z = 1.45 / rng.uniform(0.01, 1.0)
        x, y = at(rng.uniform(-12, 12), z)
        r = f * 0.012 / z * rng.uniform(0.4, 2.0)
        if 0 <= x <= width and r >= 0.5:
            speck = rng.choice([(100, 46, 30), (150, 84, 58), (136, 112, 72), (86, 110, 50), (70, 40, 26)])
            dot(draw, x, y, r, r * 0.45, (*mix(speck, haze, far(z)), 140))
    items = []
    for side in (-1, 1):
        for row in range(5):
            z = 1.6 + rng.uniform(0, 0.6)
            while z < 150:
                items.append((z, side * (1.35 + 3.0 * row) + rng.uniform(-0.1, 0.1), "shrub"))
                z += 1.8 + rng.uniform(-0.2, 0.2)
        for z in (9.0, 22.0, 37.0, 58.0, 90.0):
            items.append((z + rng.uniform(-2, 2), side * (2.9 + 3.0 * rng.randint(0, 2)), "tree"))
    for z, x, kind in sorted(items, reverse=True):
        sx, sy = at(x, z)
        fade = far(z)
        if kind == "tree":  # a tall shade tree with a thin crown
            tall = f * 10.0 / z
            trunk = mix((70, 56, 44), haze, fade)
            draw.line([(sx, sy), (sx + f * 0.3 / z, sy - tall)], fill=trunk,
                      width=max(1, round(f * 0.22 / z)))
            for _ in range(5):
                bx, by = sx + rng.uniform(-1.8, 1.8) * f / z, sy - tall * rng.uniform(0.75, 1.0)
                draw.line([(sx + f * 0.2 / z, sy - tall * 0.7), (bx, by)], fill=trunk,
                          width=max(1, round(f * 0.06 / z)))
                foliage(draw, rng, bx, by, f * 1.3 / z, f * 0.7 / z, mix((30, 64, 30), haze, fade),
                        mix((110, 150, 70), haze, fade), int(clamp(f * 8 / z, 6, 60)), blob=0.35)
            continue
        r = f * 0.9 / z * rng.uniform(0.9, 1.1)
        if -r - 20 < sx < width + r + 20:
            coffee_shrub(draw, rng, sx, sy, r, f * 1.9 / z * rng.uniform(0.92, 1.08),
                         mix((16, 46, 20), haze, fade), mix((76, 128, 52), haze, fade))
    for _ in range(90):  # big out-of-focus leaves at the bottom corners
        x = width / 2 + rng.choice((-1, 1)) * rng.uniform(800, 1300)
        y = height - rng.uniform(-40, 300)
        length = rng.uniform(160, 300)
        colour = jitter(rng, (34, 76, 30), 18)
        leaf(draw, x, y, length, length * 0.4, rng.uniform(-math.pi * 0.95, -math.pi * 0.05), colour,
             mix(colour, (170, 200, 120), 0.3))
    return finish(image, rng, grain=4.0, blur=0.9)


def boat(draw: Draw, rng: random.Random, x: float, y: float, s: float, facing: int, fade: float,
         haze: Colour) -> None:
    """A blue Bình Thuận fishing boat: red trim, painted eye, wheelhouse, flag."""
    length, depth = 430 * s, 72 * s

    def p(u: float, v: float) -> Point:  # u along the hull (-0.5 stern … 0.5 bow), v up from the water
        return x + facing * u * length, y - v * depth

    def c(colour: Colour) -> Colour:
        return mix(colour, haze, fade)

    thin = max(1, round(2 * s))
    for i in range(14):  # the reflection first, broken by ripples
        shift = rng.uniform(-8, 8) * s
        band = [p(-0.48, -0.18 * i), p(0.45, -0.18 * i), p(0.45, -0.18 * i - 0.1), p(-0.48, -0.18 * i - 0.1)]
        draw.polygon([(bx + shift, by) for bx, by in band], fill=(*c((30, 70, 140)), max(0, 95 - 7 * i)))
    hull = [p(-0.5, 1.0), p(-0.2, 0.92), p(0.2, 1.0), p(0.45, 1.25), p(0.56, 1.45), p(0.47, 0.4),
            p(0.35, 0.0), p(-0.42, 0.0), p(-0.5, 0.3)]
    draw.polygon(hull, fill=c(jitter(rng, (32, 88, 168), 12)))
    draw.polygon([p(-0.5, 1.0), p(-0.2, 0.92), p(0.2, 1.0), p(0.45, 1.25), p(0.56, 1.45), p(0.55, 1.25),
                  p(0.44, 1.05), p(0.2, 0.82), p(-0.2, 0.74), p(-0.5, 0.82)], fill=c((196, 38, 32)))
    draw.line([p(-0.45, 0.25), p(0.38, 0.25)], fill=c((230, 230, 220)), width=max(1, round(4 * s)))
    ex, ey = p(0.42, 0.85)
    dot(draw, ex, ey, 16 * s, 11 * s, c((245, 245, 240)))
    dot(draw, ex, ey, 7 * s, 7 * s, c((20, 20, 24)))
    hx0, hx1 = sorted((p(-0.38, 0)[0], p(-0.02, 0)[0]))
    top = y - depth * 0.95 - 95 * s
    draw.rectangle((hx0, top, hx1, y - depth * 0.93), fill=c((232, 236, 236)))
    draw.rectangle((hx0 - 8 * s, top - 10 * s, hx1 + 8 * s, top), fill=c((30, 90, 160)))
    for i in range(4):
        wx = hx0 + (hx1 - hx0) * (0.08 + i * 0.23)
        draw.rectangle((wx, top + 18 * s, wx + (hx1 - hx0) * 0.15, top + 45 * s), fill=c((40, 54, 70)))
    mx = p(0.12, 0)[0]
    mast_top = y - depth - 260 * s
    draw.line([(mx, y - depth * 0.95), (mx, mast_top)], fill=c((70, 60, 50)), width=max(1, round(6 * s)))
    for end in (p(0.5, 1.4), p(-0.5, 1.0)):  # stays
        draw.line([(mx, mast_top + 20 * s), end], fill=(*c((60, 60, 60)), 160), width=thin)
    flag(draw, mx, mast_top, 70 * s, 46 * s, rng.uniform(0, 6))
    for _ in range(int(30 * s) + 4):  # rust streaks and scuffs
        sx, sy = p(rng.uniform(-0.45, 0.4), rng.uniform(0.3, 0.9))
        draw.line([(sx, sy), (sx, sy + rng.uniform(4, 16) * s)], fill=(*c((110, 70, 50)), 90), width=thin)


def scene_boats(rng: random.Random) -> Image.Image:
    """Fishing boats anchored off Phan Rí Cửa at sunrise; basket boats on the sand."""
    width, height = WIDE
    horizon, shore, sun = 760, 1340, (1720, 600)
    image = gradient(WIDE, [(0, (80, 124, 186)), (0.22, (168, 186, 206)), (horizon / height, (246, 206, 170)),
                            (1, (246, 206, 170))]).convert("RGBA")
    glow = Image.new("RGBA", WIDE, (255, 220, 170, 0))
    gd = ImageDraw.Draw(glow)
    for r in range(420, 0, -12):
        dot(gd, *sun, r, r, (255, 226, 180, int(90 * (1 - r / 420) ** 2)))
    dot(gd, *sun, 30, 30, (255, 246, 220, 255))
    image.alpha_composite(glow.filter(ImageFilter.GaussianBlur(10)))
    streaks = Image.new("RGBA", WIDE, (255, 200, 190, 0))
    sd = ImageDraw.Draw(streaks)
    for _ in range(40):  # thin morning clouds
        x, y, w = rng.uniform(-200, width), rng.uniform(150, 620), rng.uniform(200, 700)
        sd.ellipse((x, y, x + w, y + rng.uniform(10, 28)), fill=(255, 196, 186, rng.randint(30, 70)))
    image.alpha_composite(streaks.filter(ImageFilter.GaussianBlur(8)))
    image = image.convert("RGB")
    draw = ImageDraw.Draw(image, "RGBA")
    haze = (236, 206, 180)
    cape = [(float(x), horizon - (160 + 20 * math.sin(x / 70)) * clamp(1 - x / 950) ** 0.6)
            for x in range(-10, 1000, 8)]
    draw.polygon(close_down(cape, horizon), fill=mix((86, 96, 120), haze, 0.45))
    image.paste(gradient((width, shore - horizon), [(0, (150, 160, 170)), (0.2, (92, 128, 150)),
                                                    (1, (36, 90, 116))]), (0, horizon))
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(26000):  # waves: short strokes, longer nearer; the sun's glint below it
        t = rng.random() ** 1.6
        y = horizon + 2 + t * (shore - horizon)
        length = 6 + 110 * t * rng.uniform(0.5, 1.3)
        x = rng.uniform(-60, width)
        glint = abs(x - sun[0]) < 120 + 500 * t and rng.random() < 0.6
        colour = (255, 232, 196, 150) if glint else rng.choice([(190, 214, 222, 70), (20, 60, 84, 80),
                                                                 (120, 170, 190, 60)])
        draw.line([(x, y), (x + length, y + rng.uniform(-1, 1))], fill=colour, width=max(1, round(1 + 3 * t)))
    for _ in range(12):  # boats far out on the horizon
        x = rng.uniform(1000, width - 50)
        draw.polygon([(x, horizon + 2), (x + 22, horizon + 2), (x + 26, horizon - 4), (x - 2, horizon - 3)],
                     fill=(70, 80, 100))
        draw.line([(x + 10, horizon - 3), (x + 10, horizon - 18)], fill=(70, 80, 100), width=1)
    fleet = [(1450, 800, 0.28, -1), (820, 810, 0.3, 1), (2100, 830, 0.36, -1), (1150, 860, 0.45, 1),
             (300, 900, 0.55, 1), (1850, 960, 0.7, -1), (700, 1060, 0.95, 1), (1500, 1200, 1.25, -1)]
    for x, y, s, facing in fleet:
        boat(draw, rng, x, y, s, facing, clamp(0.55 - s * 0.45), haze)
    beach = ridge(rng, width, shore, 14, waves=6, step=8, rough=1.5)
    sand = gradient((width, height - shore + 60), [(0, (150, 128, 104)), (0.25, (186, 160, 124)),
                                                   (1, (220, 198, 160))])
    mask = Image.new("L", WIDE, 0)
    ImageDraw.Draw(mask).polygon(close_down(beach, height), fill=255)
    full = Image.new("RGB", WIDE)
    full.paste(sand, (0, shore - 60))
    image.paste(full, mask=mask.filter(ImageFilter.GaussianBlur(2)))
    draw = ImageDraw.Draw(image, "RGBA")
    draw.line(beach, fill=(250, 250, 245, 170), width=7)
    for i in range(3):  # spent waves
        draw.line([(x, y - 14 - 16 * i + 4 * math.sin(x / 33 + i)) for x, y in beach],
                  fill=(240, 245, 245, 70 - 18 * i), width=3)
    for _ in range(30000):  # sand grains and shells
        x, y = rng.uniform(0, width), rng.uniform(shore, height)
        r = rng.uniform(0.6, 2.4) * (0.5 + (y - shore) / (height - shore))
        grain = rng.choice([(120, 100, 80, 110), (240, 226, 200, 120), (160, 140, 110, 100)])
        dot(draw, x, y, r, r * 0.6, grain)
    for _ in range(60):  # footprints
        x, y = rng.uniform(0, width), rng.uniform(shore + 60, height)
        s = 0.6 + (y - shore) / (height - shore)
        for side in (-1, 1):
            dot(draw, x + side * 20 * s, y + 2 * s, 8 * s, 12 * s, (140, 116, 90, 80))
    for bx, by, s in ((420, 1520, 1.0), (780, 1600, 1.25), (1180, 1490, 0.85), (2050, 1650, 1.4)):
        w, h = 190 * s, 64 * s  # round basket boats (thúng chai), tarred black
        dot(draw, bx, by + h * 0.4, w * 1.1, h * 0.7, (90, 70, 50, 90))
        dot(draw, bx, by, w, h, (44, 36, 30))
        draw.ellipse((bx - w * 0.9, by - h * 0.85, bx + w * 0.9, by + h * 0.55), fill=(70, 58, 46))
        for i in range(26):  # woven bamboo showing through the tar
            a = math.pi * i / 25
            draw.line([(bx - w * 0.9 * math.cos(a), by - h * 0.8 * math.sin(a)), (bx, by + h * 0.2)],
                      fill=(96, 80, 60, 90), width=max(1, round(2 * s)))
        rim = (bx - w, by - h, bx + w, by + h)
        draw.arc(rim, 180, 360, fill=(120, 100, 70), width=max(2, round(6 * s)))
        draw.arc(rim, 200, 260, fill=(200, 180, 150, 150), width=max(1, round(3 * s)))
    for nx, ny in ((1500, 1560), (1650, 1720)):
        for _ in range(700):  # heaps of green nets with orange floats
            a, d = rng.uniform(0, 2 * math.pi), rng.random() ** 0.7
            x, y = nx + math.cos(a) * d * 200, ny + math.sin(a) * d * 60
            draw.arc((x - 12, y - 6, x + 12, y + 6), rng.uniform(0, 180), rng.uniform(180, 360),
                     fill=rng.choice([(40, 120, 90, 200), (30, 90, 70, 200), (60, 140, 120, 200)]), width=2)
        for _ in range(12):
            dot(draw, nx + rng.uniform(-170, 170), ny + rng.uniform(-40, 40), 13, 13, (236, 120, 30))
    return finish(image, rng, grain=4.0)


def scene_border(rng: random.Random) -> Image.Image:
    """Portrait: the Lũng Cú flag tower on its karst peak above the border post."""
    width, height = 1800, 2400
    image = gradient((width, height), [(0, (46, 104, 186)), (0.3, (140, 184, 226)), (0.46, (214, 224, 232)),
                                       (1, (214, 224, 232))])
    clouds(image, rng, 120, 900, 9)
    draw = ImageDraw.Draw(image, "RGBA")
    haze = (210, 220, 228)

    def karst(base: float, peaks: list[tuple[float, float, float]], step: int = 5) -> list[Point]:
        return [(float(x), base - sum(a * math.exp(-(((x - c) / w) ** 2)) for c, a, w in peaks)
                 + 6 * math.sin(x / 23)) for x in range(-10, width + 20, step)]

    def speckle(line: list[Point], count: int, depth: float, size: float, colour: Colour, alpha: int) -> None:
        for _ in range(count):
            x = rng.uniform(0, width)
            r = rng.uniform(0.4, 1.0) * size
            dot(draw, x, line_y(line, x) + rng.uniform(4, depth), r, r * 0.7, (*tone(rng, colour, 16), alpha))

    for base, count, spread, colour, fade in ((1180, 16, (140, 300), (96, 118, 140), 0.55),
                                              (1300, 12, (200, 380), (72, 104, 96), 0.38)):
        peaks = [(rng.uniform(-100, width + 100), rng.uniform(*spread), rng.uniform(60, 150))
                 for _ in range(count)]
        line = karst(base, peaks)
        draw.polygon(close_down(line, height), fill=mix(colour, haze, fade))
        speckle(line, 900, 260, 5, mix((150, 150, 140), haze, fade), 90)
        speckle(line, 1200, 300, 5, mix((40, 70, 40), haze, fade), 80)
    peak_x = 1050.0
    dragon = karst(1560, [(peak_x, 920, 230), (300, 420, 200), (1650, 360, 180), (640, 260, 120)])
    draw.polygon(close_down(dragon, height), fill=(66, 100, 62))
    speckle(dragon, 5000, 800, 8, (50, 88, 44), 150)
    speckle(dragon, 2200, 700, 7, (156, 156, 146), 120)
    # the flag tower on the summit, its pole and the big flag
    top = line_y(dragon, peak_x)
    draw.polygon([(peak_x - 60, top + 20), (peak_x + 60, top + 20), (peak_x + 48, top - 60),
                  (peak_x - 48, top - 60)], fill=(200, 190, 170))
    draw.rectangle((peak_x - 36, top - 190, peak_x + 36, top - 60), fill=(226, 216, 196))
    draw.rectangle((peak_x + 12, top - 190, peak_x + 36, top - 60), fill=(186, 176, 158))
    for i in range(5):
        y = top - 180 + 24 * i
        draw.line([(peak_x - 36, y), (peak_x + 36, y)], fill=(170, 160, 144), width=2)
    draw.rectangle((peak_x - 46, top - 200, peak_x + 46, top - 188), fill=(200, 190, 170))
    draw.line([(peak_x, top - 200), (peak_x, top - 430)], fill=(90, 90, 96), width=6)
    flag(draw, peak_x + 2, top - 428, 230, 150, 0.8)
    # terraced fields on the near slope, edged with dry-stone walls
    for i in range(20):
        ridge_line = karst(1640, [(900, 200 * (1 - i / 20), 700)], step=10)
        upper = [(x, y + 20 + 620 * (i / 20) ** 1.3) for x, y in ridge_line]
        lower = [(x, y + 20 + 620 * ((i + 1) / 20) ** 1.3) for x, y in ridge_line]
        field = jitter(rng, rng.choice([(110, 150, 58), (150, 170, 70), (176, 170, 92), (92, 130, 52)]), 10)
        draw.polygon(upper + lower[::-1], fill=field)
        draw.line(upper, fill=(70, 80, 50), width=2 + i // 6)
        for x, y in upper[:: max(1, 6 - i // 4)]:
            r = 2 + i * 0.35
            dot(draw, x, y, r * 1.4, r, (*tone(rng, (150, 148, 138), 20), 200))
    # the border post: a long yellow building, red roof, gate with its sign, flagpole
    bx0, bx1, wall_top, ground = 260.0, 1320.0, 1880.0, 2010.0
    ridge_y = wall_top - 90
    draw.polygon([(bx0 - 40, wall_top), (bx1 + 40, wall_top), (bx1 - 20, ridge_y), (bx0 + 20, ridge_y)],
                 fill=(168, 58, 40))
    for i in range(1, 9):
        y = wall_top - 90 + i * 10
        draw.line([(bx0 + 20 - 60 * i / 9, y), (bx1 - 20 + 60 * i / 9, y)], fill=(140, 44, 32), width=2)
    draw.rectangle((bx0, wall_top, bx1, ground), fill=(232, 204, 120))
    draw.rectangle((bx0, ground - 14, bx1, ground), fill=(200, 176, 110))
    for i in range(11):
        wx = bx0 + 40 + i * 92
        draw.rectangle((wx, wall_top + 30, wx + 46, wall_top + 94), fill=(244, 238, 220))
        draw.rectangle((wx + 5, wall_top + 35, wx + 41, wall_top + 89), fill=(60, 80, 100))
        draw.line([(wx + 23, wall_top + 35), (wx + 23, wall_top + 89)], fill=(244, 238, 220), width=3)
    draw.rectangle((bx0 + 440, wall_top - 150, bx0 + 620, wall_top + 6), fill=(240, 214, 130))
    draw.polygon([(bx0 + 420, wall_top - 150), (bx0 + 640, wall_top - 150), (bx0 + 530, wall_top - 215)],
                 fill=(170, 58, 40))
    draw.rectangle((bx0 + 460, wall_top - 126, bx0 + 600, wall_top - 92), fill=(200, 36, 32))
    font = ImageFont.truetype(str(FONTS / "NotoSans-Bold.ttf"), 15)
    draw.text((bx0 + 530, wall_top - 116), "ĐỒN BIÊN PHÒNG", font=font, fill=(255, 226, 80), anchor="mt")
    draw.rectangle((bx0 + 495, wall_top - 40, bx0 + 565, ground), fill=(120, 80, 50))
    draw.rectangle((1400, 1950, 1760, 2040), fill=(226, 200, 120))
    draw.polygon([(1385, 1950), (1775, 1950), (1740, 1900), (1420, 1900)], fill=(160, 56, 40))
    draw.rectangle((0, ground, width, 2090), fill=(176, 172, 164))
    for _ in range(2500):  # the yard's concrete
        r = rng.uniform(0.8, 2.5)
        dot(draw, rng.uniform(0, width), rng.uniform(ground, 2090), r, r,
            (*rng.choice([(140, 136, 128), (200, 198, 190)]), 150))
    draw.line([(1000, 2060), (1000, 1640)], fill=(220, 220, 225), width=8)
    flag(draw, 1004, 1642, 120, 80, 2.0)
    # foreground: a dry-stone wall, grass and maize
    for course in range(4):
        y0, x = 2090 + course * 34, -20.0
        while x < width + 20:
            w, h = rng.uniform(40, 90), rng.uniform(26, 40)
            stone = tone(rng, (140, 138, 128), 28)
            outline = [(x + rng.uniform(0, 6), y0 + rng.uniform(0, 5)),
                       (x + w - rng.uniform(0, 6), y0 + rng.uniform(0, 5)), (x + w, y0 + h * 0.6),
                       (x + w - rng.uniform(0, 8), y0 + h), (x + rng.uniform(0, 8), y0 + h),
                       (x, y0 + h * 0.5)]
            draw.polygon(outline, fill=stone, outline=(80, 78, 72))
            draw.line(outline[:2], fill=mix(stone, (255, 255, 255), 0.35), width=3)
            x += w + rng.uniform(-4, 2)
    draw.rectangle((0, 2226, width, height), fill=(84, 110, 52))
    for _ in range(5000):
        x, y = rng.uniform(0, width), rng.uniform(2220, height + 20)
        draw.line([(x, y), (x + rng.uniform(-10, 10), y - rng.uniform(12, 40))],
                  fill=(*jitter(rng, (96, 140, 60), 30), 220), width=2)
    for column in range(60, width, 150):  # maize plants
        cx = column + rng.uniform(-30, 30)
        base = rng.uniform(2300, 2420)
        stalk_top = base - rng.uniform(260, 380)
        draw.line([(cx, base), (cx, stalk_top)], fill=(110, 150, 60), width=7)
        for _ in range(7):
            angle = -math.pi / 2 + rng.choice((-1, 1)) * rng.uniform(0.6, 1.3)
            leaf(draw, cx, rng.uniform(stalk_top + 20, base - 40), rng.uniform(120, 200), 26, angle,
                 jitter(rng, (86, 140, 52), 20), (150, 190, 100))
        draw.line([(cx, stalk_top), (cx + 6, stalk_top - 40)], fill=(200, 180, 110), width=4)
    return finish(image, rng, grain=4.0)


# ---------------------------------------------------------------- the infographic

def infographic() -> Image.Image:
    """A 1280×800 results chart, as if someone screenshotted a slide."""
    width, height = 1280, 800
    image = Image.new("RGB", (width, height), (250, 247, 240))
    draw = ImageDraw.Draw(image)

    def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
        return ImageFont.truetype(str(FONTS / name), size)

    red, ink, grey, green = (163, 22, 26), (34, 30, 28), (110, 104, 98), (46, 120, 60)
    draw.rectangle((0, 0, width, 112), fill=red)
    draw.text((48, 22), "Chung sức làm đường giao thông nội đồng", font=font(40, True), fill=(255, 255, 255))
    draw.text((48, 74), "Hội Nông dân thị trấn Đinh Văn, huyện Lâm Hà, tỉnh Lâm Đồng · 2021–2023",
              font=font(22), fill=(255, 230, 200))
    tiles = [("12 km", "đường bê tông nội đồng"), ("4,3 tỷ đồng", "tổng kinh phí"),
             ("126 hộ", "tự nguyện hiến đất"), ("18.000 m²", "đất được hiến")]
    tile_w = (width - 96 - 3 * 24) / 4
    for i, (number, label) in enumerate(tiles):
        x = 48 + i * (tile_w + 24)
        draw.rounded_rectangle((x, 140, x + tile_w, 280), radius=14, fill=(255, 255, 255),
                               outline=(226, 218, 206), width=2)
        draw.rectangle((x, 150, x + 6, 270), fill=red)
        size = 40
        while draw.textlength(number, font=font(size, True)) > tile_w - 52:
            size -= 2
        draw.text((x + 26, 160), number, font=font(size, True), fill=red)
        draw.text((x + 26, 228), label, font=font(20), fill=grey)
    # left: where the money came from
    draw.text((48, 318), "Nguồn kinh phí làm đường", font=font(28, True), fill=ink)
    left, right, top = 48, 600, 380
    split = left + (right - left) * 0.6
    draw.rounded_rectangle((left, top, right, top + 70), radius=10, fill=(200, 190, 176))
    draw.rounded_rectangle((left, top, split, top + 70), radius=10, fill=green)
    draw.rectangle((split - 12, top, split, top + 70), fill=green)
    draw.text((left + 20, top + 18), "Nhân dân: trên 60%", font=font(24, True), fill=(255, 255, 255))
    draw.text((split + 16, top + 18), "Ngân sách", font=font(24), fill=ink)
    notes = ["Bà con góp tiền theo chiều dài mặt tiền thửa đất;", "hộ nghèo góp bằng ngày công.",
             "Ngân sách hỗ trợ xi măng, máy móc theo cơ chế", "“Nhà nước và nhân dân cùng làm”."]
    for i, line in enumerate(notes):
        draw.text((left, top + 100 + i * 34), line, font=font(22), fill=grey)
    # right: the cost of carrying coffee out, before and after
    draw.text((680, 318), "Chi phí vận chuyển cà phê", font=font(28, True), fill=ink)
    draw.text((680, 360), "trước khi làm đường = 100", font=font(18), fill=grey)
    axis_y, bar_w, unit = 690, 150, 2.5
    for i in range(0, 101, 25):
        y = axis_y - i * unit
        draw.line([(700, y), (1220, y)], fill=(232, 226, 216), width=1)
        draw.text((690, y), f"{i}", font=font(16), fill=grey, anchor="rm")
    draw.line([(700, axis_y), (1220, axis_y)], fill=(180, 172, 160), width=2)
    for x, value, label, colour in ((780, 100, "Trước khi làm đường", (200, 190, 176)),
                                    (1000, 67, "Sau khi làm đường", green)):
        draw.rectangle((x, axis_y - value * unit, x + bar_w, axis_y), fill=colour)
        draw.text((x + bar_w / 2, axis_y - value * unit - 8), f"{value}", font=font(24, True), fill=ink,
                  anchor="mb")
        draw.text((x + bar_w / 2, axis_y + 12), label, font=font(20), fill=grey, anchor="mt")
    draw.text((1075, axis_y - 100 * unit), "giảm khoảng ⅓", font=font(24, True), fill=green, anchor="mt")
    draw.line([(0, height - 50), (width, height - 50)], fill=(226, 218, 206), width=2)
    draw.text((48, height - 38), "Nguồn: Hội Nông dân thị trấn Đinh Văn · số liệu của hồ sơ mẫu Lan Tỏa",
              font=font(18), fill=grey)
    return image


# ---------------------------------------------------------------- the files

def photo(scene: Callable[[random.Random], Image.Image], name: str, lat: float, lon: float, taken: str,
          portrait: bool = False) -> bytes:
    upright = scene(random.Random(f"{SEED}-{name}"))
    orientation = 1
    if portrait:
        # Orientation 6 means "turn 90° clockwise to show": a phone held upright stores
        # the upright scene turned 90° counter-clockwise.
        upright, orientation = upright.transpose(Image.Transpose.ROTATE_90), 6
    buffer = io.BytesIO()
    upright.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True,
                 exif=phone_exif(lat, lon, taken, orientation))
    return buffer.getvalue()


def heic(scene: Callable[[random.Random], Image.Image], name: str, lat: float, lon: float,
         taken: str) -> bytes:
    """The iPhone's default format, with the same EXIF a phone writes."""
    upright = scene(random.Random(f"{SEED}-{name}"))
    buffer = io.BytesIO()
    upright.save(buffer, "HEIF", quality=HEIC_QUALITY, exif=phone_exif(lat, lon, taken))
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


# content/profiles/… path → how to make it
SAMPLES: list[tuple[str, Callable[[], bytes]]] = [
    ("lam-dong/2023/duong-be-tong-dinh-van.jpg",
     lambda: photo(scene_road, "road", 11.7803, 108.2455, "2023:10:14 07:42:18")),
    ("lam-dong/2023/ket-qua-lam-duong.png", lambda: png(infographic())),
    ("thai-nguyen/2014/doi-che-la-bang.jpg",
     lambda: photo(scene_tea, "tea", 21.7052, 105.6307, "2014:09:21 08:05:51")),
    ("lam-dong/2024/vuon-che-loc-ngai.heic",
     lambda: heic(scene_tea, "tea-loc-ngai", 11.6290, 107.7857, "2024:09:12 07:15:40")),
    ("lam-dong/2016/vuon-ca-phe-ta-nang.jpg",
     lambda: photo(scene_coffee, "coffee", 11.7000, 108.3302, "2016:11:03 09:17:04")),
    ("lam-dong/2015/tau-ca-phan-ri-cua.jpg",
     lambda: photo(scene_boats, "boats", 11.1728, 108.5651, "2015:08:30 05:48:33")),
    ("tuyen-quang/2016/don-bien-phong-lung-cu.jpg",
     lambda: photo(scene_border, "border", 23.3637, 105.3161, "2016:10:19 10:26:40", portrait=True)),
]


def main() -> int:
    total = 0
    for relative, make in SAMPLES:
        data = make()
        target = PROFILES / relative
        if target.is_file() and target.read_bytes() == data:
            state = "unchanged"
        else:
            target.write_bytes(data)
            state = "written"
        total += len(data)
        with Image.open(io.BytesIO(data)) as check:
            print(f"{relative}: {check.width}×{check.height} {check.format}, {len(data):,} bytes ({state})")
    print(f"total: {total:,} bytes (budget {BUDGET:,})")
    if total > BUDGET:
        print("over budget: lower the grain or JPEG_QUALITY", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
