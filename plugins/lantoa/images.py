"""Photos with Pillow: checked, upright, stripped of metadata, resized; share cards.

`process_photo` turns one original (a phone's 4–12 MB JPEG with GPS in its EXIF,
a PNG screenshot, a file with the wrong extension) into WebP and JPEG files at
several widths plus a small 4:3 card crop, or into a `Problem` naming the file:
not an image, truncated, a decompression bomb, too many bytes. `draw_share_card`
draws the 1200×630 image that social networks show. Both are pure functions of
their inputs, so their results are cached by content hash and are reproducible.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import textwrap
import warnings
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import PIL
from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError
from zlib_ng import zlib_ng as zlib

from .cache import Cache
from .files import (
    TOO_LARGE,
    Refusal,
    discard_entry,
    read_content,
    read_pickle,
    verify_checksums,
    write_checksums,
    write_pickle,
)
from .parallel import process_pool, worker_count
from .photo_formats import EXTENSIONS, looks_like_heif, read_heif, unsupported_format, unsupported_variant
from .problems import Problem, Severity
from .progress import stage

CARD_SIZE = (480, 360)  # 4:3 crop for listing cards
LEAD_MIN_SIDE = 960  # long side, in pixels, below which a lead photo looks blurred on its page
SHARE_SIZE = (1200, 630)
JPEG_QUALITY = 82
WEBP_QUALITY = 78


@dataclass(frozen=True)
class Variant:
    """One written file: width, height, format, name inside the photo's folder, bytes."""

    width: int
    height: int
    mime: str
    name: str
    size: int


@dataclass(frozen=True)
class ProcessedPhoto:
    source: str  # content-relative path of the original
    digest: str  # its cache entry's key: the original's bytes, the widths, the code and settings
    width: int
    height: int
    variants: tuple[Variant, ...]  # full pictures, every width, WebP and JPEG
    card: tuple[Variant, ...]  # 4:3 crops for listings, WebP and JPEG
    original_bytes: int

    def largest(self, mime: str) -> Variant:
        return max((v for v in self.variants if v.mime == mime), key=lambda v: v.width)

    def srcset(self, mime: str, base_url: str, card: bool = False) -> str:
        chosen = self.card if card else self.variants
        return ", ".join(f"{base_url}{v.name} {v.width}w" for v in chosen if v.mime == mime)




def _problem(source: str, code: str, message: str, hint: str) -> Problem:
    return Problem(source, None, "Ảnh", code, message, hint)


def open_checked(data: bytes, source: str, max_pixels: int) -> tuple[Image.Image | None, Problem | None]:
    """Decode fully (a truncated file fails here, not later) within a pixel budget."""
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            # Pillow only warns between the limit and twice the limit: refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Sniffed first: Pillow would take a Canon RAW for a TIFF and publish its thumbnail.
            named = unsupported_format(data)
            if named:
                return None, _unsupported(source, named)
            read_heif()
            image = Image.open(io.BytesIO(data))
            named = unsupported_variant(image)
            if named:
                return None, _unsupported(source, named)
            image.load()
        return image, None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None, _problem(source, "E044",
                              f"ảnh quá nhiều điểm ảnh (giới hạn {max_pixels // 1_000_000} megapixel)",
                              "thu nhỏ ảnh (ví dụ chiều rộng 3000 px) rồi lưu lại")
    except UnidentifiedImageError:
        if looks_like_heif(data):  # libheif cannot even read the header of a cut-off HEIC
            return None, _problem(source, "E043", "ảnh bị hỏng hoặc chưa tải hết",
                                  "chép lại ảnh từ máy chụp hoặc điện thoại")
        return None, _problem(source, "E042", "tệp không phải là ảnh (dù có đuôi ảnh)",
                              "chọn lại đúng tệp ảnh JPEG hoặc PNG")
    except (OSError, SyntaxError, ValueError) as error:
        return None, _problem(source, "E043", f"ảnh bị hỏng hoặc chưa tải hết ({error})",
                              "chép lại ảnh từ máy chụp hoặc điện thoại")
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _unsupported(source: str, name: str) -> Problem:
    return _problem(source, "E046", f"định dạng {name} chưa hỗ trợ",
                    "xuất lại ảnh sang JPEG (trong phần mềm đã mở được ảnh, chọn Lưu thành/Xuất ra JPEG)")


def _upright_rgb(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation, flatten transparency on white, drop every metadata."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    clean = Image.new("RGB", image.size)
    clean.paste(image)  # a new image carries no EXIF, XMP, ICC or GPS from the original
    return clean


def _encode(image: Image.Image, mime: str) -> bytes:
    buffer = io.BytesIO()
    if mime == "image/webp":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def process_photo(data: bytes, source: str, widths: tuple[int, ...], max_pixels: int,
                  ) -> tuple[dict[str, bytes], ProcessedPhoto | None, list[Problem]]:
    """Original bytes → {file name: bytes} and their description, or a problem."""
    image, problem = open_checked(data, source, max_pixels)
    if problem:
        return {}, None, [problem]
    assert image is not None
    problems = []
    suffix = Path(source).suffix.lower()
    if suffix not in EXTENSIONS.get(image.format or "", set()):
        problems.append(Problem(source, None, "Ảnh", "W042",
                                f"đuôi tệp '{suffix}' không khớp nội dung ({image.format})",
                                "đổi đuôi tệp cho đúng; ảnh vẫn được dùng", Severity.WARNING))
    upright = _upright_rgb(image)
    files: dict[str, bytes] = {}
    variants = []
    # Never upscale: a small photo gets one size, its own.
    chosen = sorted({min(w, upright.width) for w in widths})
    for width in chosen:
        height = round(upright.height * width / upright.width)
        resized = upright if width == upright.width else upright.resize((width, height), Image.LANCZOS)
        for mime, ext in (("image/webp", "webp"), ("image/jpeg", "jpg")):
            name = f"{width}.{ext}"
            files[name] = _encode(resized, mime)
            variants.append(Variant(width, height, mime, name, len(files[name])))
    card_size = card_size_for(upright.width, upright.height)
    card_image = ImageOps.fit(upright, card_size, Image.LANCZOS)
    card = []
    for mime, ext in (("image/webp", "webp"), ("image/jpeg", "jpg")):
        name = f"the.{ext}"
        files[name] = _encode(card_image, mime)
        card.append(Variant(*card_size, mime, name, len(files[name])))
    photo = ProcessedPhoto(source, hashlib.sha256(data).hexdigest(), upright.width, upright.height,
                           tuple(variants), tuple(card), len(data))
    return files, photo, problems


def card_size_for(width: int, height: int) -> tuple[int, int]:
    """The listing crop for a photo: 4:3, at most CARD_SIZE, never larger than the photo.

    A small photo gets a small crop rather than a blurred 480×360 one; the page's
    width and height attributes keep the 4:3 box, so the card's layout is the same.
    """
    card_width, card_height = CARD_SIZE
    crop_height = max(1, min(card_height, height, width * card_height // card_width))
    crop_width = max(1, min(width, round(crop_height * card_width / card_height)))
    return crop_width, crop_height


class WordsMeet(Exception):
    """Two words' boxes meet on a mask of palette indices, where they cannot be blended."""


class _Typeset:
    """One font at one size, each word shaped and rasterised once per process.

    Titles and places repeat a few thousand Vietnamese syllables: drawing a card
    pastes words already drawn instead of laying out and rasterising every line.
    """

    MAX_WORDS = 20_000  # a bound on memory, far above the syllables of the language

    def __init__(self, path: str, size: int):
        from PIL import ImageFont  # with FreeType: only where a card is drawn (4 ms to import)

        self.font = ImageFont.truetype(path, size)
        self.space = self.font.getlength(" ")
        self._words: dict[str, tuple[Image.Image, tuple[int, int], float]] = {}
        self._indexed: dict[tuple[str, tuple[int, int, int]], Image.Image] = {}

    def word(self, text: str) -> tuple[Image.Image, tuple[int, int], float]:
        """The word's coverage mask, where its top-left sits from the pen, and its advance."""
        found = self._words.get(text)
        if found is None:
            if len(self._words) >= self.MAX_WORDS:
                self._words.clear()
            # FreeType's bitmap of the word as it is: what drawing it into a mask of its
            # bounding box gives, the same bytes, with one layout of the text instead of two
            # (its box, then its drawing): 250 µs a new word instead of 500.
            # A word with nothing to see (a zero-width space) is a blank pixel; `_new` is
            # Pillow's own wrapping of its images.
            bitmap, (left, top) = self.font.getmask2(text, mode="L")
            mask = Image.new("L", (1, 1)) if 0 in bitmap.size else Image.Image()._new(bitmap)
            found = self._words[text] = (mask, (left, top), self.font.getlength(text))
        return found

    def indexed(self, text: str, ink: tuple[int, int, int]) -> Image.Image:
        """The word's mask as the plain card's palette indices of `ink` (`_ink_indices`)."""
        found = self._indexed.get((text, ink))
        if found is None:
            if len(self._indexed) >= self.MAX_WORDS:
                self._indexed.clear()
            found = self._indexed[text, ink] = _as_indices(self.word(text)[0], ink)
        return found

    def length(self, text: str) -> float:
        words = text.split()
        return sum(self.word(w)[2] for w in words) + self.space * max(0, len(words) - 1)

    def wrap(self, text: str, width: int) -> list[str]:
        """Greedy wrap by measured width; a word longer than a line is cut, never overflows."""
        lines: list[str] = []
        used = 0.0
        for word in text.split():
            advance = self.word(word)[2]
            if lines and used + self.space + advance <= width:
                lines[-1] += f" {word}"
                used += self.space + advance
                continue
            while advance > width:
                cut = max(1, len(word) - 1)
                while cut > 1 and self.font.getlength(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
                advance = self.word(word)[2]
            lines.append(word)
            used = advance
        return lines

    def draw(self, image: Image.Image, xy: tuple[int, int], text: str,
             fill: tuple[int, int, int] | int, drawn: list[tuple[int, int, int, int]] | None = None,
             ink: tuple[int, int, int] | None = None) -> tuple[int, int]:
        """Draw `text` with its pen at `xy`; return the rows it covers (top, bottom).

        On a coverage mask ("L"), `fill` 255 adds the text's coverage. `drawn`: the boxes
        of everything drawn on such a mask so far, this text's words added as they are
        drawn. A word whose box meets none of them is copied in rather than blended: on
        blank pixels the two give the same bytes, and a copy takes a seventh of the time
        (2.4 µs against 16 for a word of a title). With `ink`, the mask holds the plain
        card's palette indices of that ink instead, each word copied in as indices: what
        translating the coverage gives, as long as no two words meet (`WordsMeet`).
        """
        x, y = xy
        pen = 0.0
        covered = (y, y)
        copying = drawn is not None and fill == 255 and image.mode == "L"
        for word in text.split():
            mask, (left, top), advance = self.word(word)
            at = (x + round(pen) + left, y + top)
            if copying:
                box = (*at, at[0] + mask.width, at[1] + mask.height)
                if any(box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]
                       for other in drawn):
                    if ink is not None:
                        raise WordsMeet(word)
                    image.paste(fill, at, mask)
                else:
                    image.paste(mask if ink is None else self.indexed(word, ink), at)
                drawn.append(box)
            else:
                image.paste(fill, at, mask)
            covered = (min(covered[0], y + top), max(covered[1], y + top + mask.height))
            pen += advance + self.space
        return covered


@cache
def _typeset(path: str, size: int) -> _Typeset:
    return _Typeset(path, size)


SHARE_RED = (163, 22, 26)
SHARE_DARK = (40, 8, 10)
SHARE_CREAM = (255, 236, 200)
SHARE_MARGIN = 72
TITLE_SIZES = (68, 60, 52, 46, 40, 34)  # the largest whose wrapped lines fit in four lines is used


# A card on a photo is a JPEG, as photographs are. A card without a photo is a PNG of
# 15 colours, four bits a pixel: the site colour, and 7 steps from it to each ink (the
# title's white, the cream of the caption and the site's name). Seven steps are what an
# eye tells apart on the edges of letters this size (compared side by side, enlarged,
# with the 127 steps a card had before), and the rows to compress are half as long:
# 190 µs a card instead of 300, and 18 KB instead of 25 on the synthetic profiles. Its
# text is lossless and its file about a third of the bytes of the same card as a JPEG at
# quality 85 (`_PlainCards`).
CARD_JPEG = {"quality": 85, "subsampling": "4:2:0"}
# The libraries that write a card's bytes: part of what a cached card is made from, as
# neither promises the same bytes across releases.
CARD_ENCODERS = f"Pillow {PIL.__version__}, zlib-ng {zlib.ZLIBNG_VERSION}"
CARD_INKS = ((255, 255, 255), SHARE_CREAM)
_STEPS = 7  # palette entries from the site colour to one ink: 15 colours, four bits a pixel
_PACKED = "L;4"  # Pillow's packing of indices 0–15 two to a byte, the left one high, as PNG has them
# Blank columns before a text mask's first column of the card: packed, they are the byte 0
# each PNG scanline starts with (filter: none), and a packed row of the mask is a scanline.
_BLANK_COLUMNS = 2
_BAND = 16  # rows of the background compressed on their own
_DEFLATE_LEVEL = 1  # with run-length matches only (`zlib.Z_RLE`), the level changes little
_ADLER_BASE = 65521


def _encode_card(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **CARD_JPEG)
    return buffer.getvalue()


@cache
def _ink_indices(ink: tuple[int, int, int]) -> bytes:
    """Coverage 0–255 of text in `ink` → its entry in the plain card's palette (0: none)."""
    first = CARD_INKS.index(ink) * _STEPS
    steps = [round(c * _STEPS / 255) for c in range(256)]
    return bytes(first + step if step else 0 for step in steps)


def _as_indices(coverage: Image.Image, ink: tuple[int, int, int]) -> Image.Image:
    """A coverage mask of `ink` as the plain card's palette indices (`_ink_indices`)."""
    return coverage.point(list(_ink_indices(ink)))


@cache
def _card_palette() -> bytes:
    """The site colour, then each ink's steps: what pasting the ink at that coverage makes."""
    entries = list(SHARE_RED)
    for ink in CARD_INKS:
        blends = _ink_palette(SHARE_RED, ink)
        for step in range(1, _STEPS + 1):
            coverage = round(step * 255 / _STEPS)
            entries += blends[3 * coverage:3 * coverage + 3]
    return bytes(entries)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_is_whole(data: bytes) -> bool:
    """Whether `data` is a PNG file as written: every chunk's CRC holds and the file ends
    with its IEND chunk. A truncated file or a changed byte fails; a PNG needs no checksum
    of its own beside it."""
    if not data.startswith(PNG_SIGNATURE):
        return False
    at = len(PNG_SIGNATURE)
    while at + 12 <= len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        end = at + 8 + length
        if end + 4 > len(data):
            return False
        kind = data[at + 4:at + 8]
        if zlib.crc32(data[at + 4:end]) != int.from_bytes(data[end:end + 4], "big"):
            return False
        at = end + 4
        if kind == b"IEND":
            return at == len(data)
    return False


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(data, zlib.crc32(kind))
    return b"".join((len(data).to_bytes(4, "big"), kind, data, checksum.to_bytes(4, "big")))


def _adler32_joined(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two byte strings one after the other, from theirs (zlib's adler32_combine)."""
    rest = second_length % _ADLER_BASE
    low = ((first & 0xFFFF) + (second & 0xFFFF) - 1) % _ADLER_BASE
    high = (rest * (first & 0xFFFF) + (first >> 16) + (second >> 16) - rest) % _ADLER_BASE
    return low | high << 16


def _scanlines(rows: bytes, width: int) -> bytes:
    """Rows of `width` bytes as PNG scanlines: each behind its filter byte 0 (none)."""
    return b"".join(b"\0" + rows[start:start + width] for start in range(0, len(rows), width))


def _deflated(scanlines: bytes) -> tuple[bytes, int, int]:
    """Scanlines compressed as a deflate stream flushed to a byte boundary; their Adler-32
    and length."""
    coder = zlib.compressobj(_DEFLATE_LEVEL, zlib.DEFLATED, -15, 9, zlib.Z_RLE)
    return coder.compress(scanlines) + coder.flush(zlib.Z_SYNC_FLUSH), zlib.adler32(scanlines), len(scanlines)


class _PlainCards:
    """Cards without a photo, as PNG: the background compressed once, band by band.

    Each band of rows of the background is compressed on its own (a deflate stream
    flushed to a byte boundary, nothing referring back to another band), and so is
    each run of bands a card's text covers: a card's file is the background's bands
    with its text's runs put in their place, and only the text is compressed. Text is
    coloured by index (`_ink_indices`): a run of one ink on the site colour alone is
    its coverage mask, translated.

    Compressed with run-length matches only (`Z_RLE`) by zlib-ng, zlib's faster fork:
    for these rows it writes the bytes zlib writes, in 310 µs where zlib takes 770 µs
    for the 420 KB of scanlines a four-line title covers, and sums them (Adler-32) in
    5 µs instead of 120. Two builds must write the same bytes (DESIGN §11): run-length
    matching looks only at the byte before, never at a table that outlives a stream.
    Intel's ISA-L took 85 µs and made files a tenth smaller, but two builds of the same
    card once wrote two encodings of the same rows (the same tokens but four matches at
    another distance in a run of identical rows).
    """

    def __init__(self, background: Image.Image):
        """`background`: the plain card's palette indices ("L"), the site's name drawn."""
        self.background = background
        self.width, self.height = background.size
        self.boxes = [(0, top, self.width, min(self.height, top + _BAND))
                      for top in range(0, self.height, _BAND)]
        self.bands = [self._compressed(background.crop(box)) for box in self.boxes]
        # Bands where the background is the site colour alone: text there is its coverage, translated.
        self.plain = [background.crop(box).getextrema() == (0, 0) for box in self.boxes]
        header = self.width.to_bytes(4, "big") + self.height.to_bytes(4, "big") + bytes((4, 3, 0, 0, 0))
        self.head = b"".join((PNG_SIGNATURE, _png_chunk(b"IHDR", header),
                              _png_chunk(b"PLTE", _card_palette())))

    def _compressed(self, indices: Image.Image) -> tuple[bytes, int, int]:
        """Rows of indices as scanlines, compressed; their Adler-32 and length."""
        return _deflated(_scanlines(indices.tobytes("raw", _PACKED), (self.width + 1) // 2))

    def _runs(self, layers: list[_TextLayer]) -> list[tuple[int, int, list[_TextLayer]]]:
        """[first, last) bands covered by text, touching runs merged, with the layers in each."""
        covered = sorted((max(0, top) // _BAND, min(len(self.boxes), -(-bottom // _BAND)), number)
                         for number, layer in enumerate(layers) for top, bottom in layer.rows)
        runs: list[tuple[int, int, list[_TextLayer]]] = []
        for first, last, number in covered:
            if first >= last:
                continue
            layer = layers[number]
            if runs and first <= runs[-1][1]:
                start, end, inked = runs[-1]
                runs[-1] = (start, max(end, last), inked if layer in inked else [*inked, layer])
            else:
                runs.append((first, last, [layer]))
        return runs

    def encode(self, layers: list[_TextLayer]) -> bytes:
        """The PNG of `layers` on the background."""
        parts: list[tuple[bytes, int, int]] = []
        done = 0
        for first, last, inked in self._runs(layers):
            box = (0, first * _BAND, self.width, min(self.height, last * _BAND))
            parts += self.bands[done:first]
            if len(inked) == 1 and all(self.plain[first:last]):
                layer = inked[0]
                parts.append(_deflated(layer.scanlines(box)) if layer.indexed
                             else self._compressed(layer.indices(box)))
            else:
                parts.append(self._compressed(self._inked(box, inked)))
            done = last
        parts += self.bands[done:]
        checksum = 1
        for _, adler, length in parts:
            checksum = _adler32_joined(checksum, adler, length)
        # zlib's header, the parts, an empty final block, the checksum of every scanline.
        stream = b"".join((b"\x78\x01", *(coded for coded, _, _ in parts), b"\x03\x00",
                           checksum.to_bytes(4, "big")))
        return b"".join((self.head, _png_chunk(b"IDAT", stream), _png_chunk(b"IEND", b"")))

    def _inked(self, box: tuple[int, int, int, int], layers: list[_TextLayer]) -> Image.Image:
        """The indices of `box`, the background and every layer's text: where two inks meet,
        the later in `CARD_INKS` wins (no palette entry mixes two inks)."""
        inked = self.background.crop(box)
        for layer in layers:
            inked = ImageChops.lighter(inked, layer.indices(box))
        return inked

    def indices(self, layers: list[_TextLayer]) -> Image.Image:
        """The whole card's palette indices."""
        return self._inked((0, 0, self.width, self.height), layers)


@dataclass
class _TextLayer:
    """Text of one ink on a card: its coverage mask ("L") from card row `top` down, card
    column 0 at its column `left`, and the rows (top, bottom) of the card its text covers.
    An `indexed` layer's mask holds the plain card's palette indices of its ink instead:
    what translating the coverage gives (`_ink_indices`), drawn from words translated
    once, not 400 KB of rows translated for every card (90 µs of a card's encoding).

    `_drawn` leaves two blank columns before the card's first (`_BLANK_COLUMNS`): a row
    of the mask packed four bits a pixel is then a PNG scanline as it is (filter byte 0,
    then the row), and a card compresses its rows without copying each behind a filter
    byte (60 µs of the 0.9 ms a card cost).
    """

    ink: tuple[int, int, int]
    coverage: Image.Image
    rows: list[tuple[int, int]]
    top: int = 0
    left: int = 0
    indexed: bool = False

    def indices(self, box: tuple[int, int, int, int]) -> Image.Image:
        """The plain card's palette indices of a box of the card (0 where there is no text)."""
        found = self.mask(box)
        return found if self.indexed else _as_indices(found, self.ink)

    def mask(self, box: tuple[int, int, int, int]) -> Image.Image:
        """The coverage of a box of the card (0 where the mask does not reach)."""
        left, upper, right, lower = box
        return self.coverage.crop((left + self.left, upper - self.top, right + self.left, lower - self.top))

    def scanlines(self, box: tuple[int, int, int, int]) -> bytes:
        """The mask of a box as wide as the card (palette indices), packed as PNG scanlines."""
        left, upper, right, lower = box
        if self.left == _BLANK_COLUMNS and left == 0 and right + _BLANK_COLUMNS == self.coverage.width:
            whole = self.coverage.crop((0, upper - self.top, self.coverage.width, lower - self.top))
            return whole.tobytes("raw", _PACKED)
        return _scanlines(self.mask(box).tobytes("raw", _PACKED), (right - left + 1) // 2)

    def paint(self, card: Image.Image) -> None:
        """Paste the ink through the coverage, once over each band of rows the text covers."""
        if self.indexed:
            raise ValueError("a layer of palette indices has no coverage to paint through")
        bands: list[list[int]] = []
        for top, bottom in sorted(self.rows):
            top, bottom = max(0, top), min(card.height, bottom)
            if bands and top <= bands[-1][1]:
                bands[-1][1] = max(bands[-1][1], bottom)
            elif top < bottom:
                bands.append([top, bottom])
        for top, bottom in bands:
            box = (0, top, card.width, bottom)
            card.paste(self.ink, box, self.mask(box))


@cache
def _ink_palette(colour: tuple[int, int, int], ink: tuple[int, int, int]) -> list[int]:
    """Coverage 0–255 → the colour pixel `Image.paste(ink, mask=coverage)` makes on `colour`,
    as Pillow itself blends it."""
    ramp = Image.frombytes("L", (256, 1), bytes(range(256)))
    blended = Image.new("RGB", (256, 1), colour)
    blended.paste(ink, (0, 0), ramp)
    return list(blended.tobytes())


def _draw_site_name(card: Image.Image, fonts: Path, site: str, fill: tuple[int, int, int] | int) -> None:
    """The site's name at the top of a card, the same on a photo and on the site colour."""
    _typeset(str(fonts / "NotoSans-Regular.ttf"), 34).draw(card, (SHARE_MARGIN, 56), site, fill)


@cache
def _plain_cards(fonts: Path, site: str) -> _PlainCards:
    """The card without a photo before its title: the site colour and the site's name, drawn once."""
    background = Image.new("L", SHARE_SIZE)
    _draw_site_name(background, fonts, site, 255)
    return _PlainCards(_as_indices(background, SHARE_CREAM))


def _photo_background(photo: bytes, fonts: Path, site: str) -> Image.Image:
    width, height = SHARE_SIZE
    read_heif()
    upright = _upright_rgb(Image.open(io.BytesIO(photo)))
    # Never blown up: a photo smaller than the card sits in its middle, on the dark tone.
    scale = min(1.0, max(width / upright.width, height / upright.height))
    box = (min(width, round(upright.width * scale)), min(height, round(upright.height * scale)))
    dark = Image.new("RGB", SHARE_SIZE, SHARE_DARK)
    background = dark.copy()
    background.paste(ImageOps.fit(upright, box, Image.LANCZOS),
                     ((width - box[0]) // 2, (height - box[1]) // 2))
    background = Image.blend(background, dark, 0.62)
    _draw_site_name(background, fonts, site, SHARE_CREAM)
    return background


def _drawn(ink: tuple[int, int, int], font: _Typeset, size: int,
           lines: list[tuple[tuple[int, int], str]], indexed: bool = False) -> _TextLayer:
    """Lines of text in one ink, each at its pen position on the card; with `indexed`, as
    the plain card's palette indices unless two words meet (then as coverage).

    The mask spans only the rows the lines can reach, an em above the first pen (marks
    stacked over a capital) to two below the last (descenders), not the whole card:
    clearing two card-sized masks for every card was a sixth of drawing it.
    """
    if indexed:
        try:
            return _drawn_as(ink, font, size, lines, ink)
        except WordsMeet:  # 4 titles in 3,000: drawn again as coverage, translated when compressed
            pass
    return _drawn_as(ink, font, size, lines, None)


def _drawn_as(ink: tuple[int, int, int], font: _Typeset, size: int,
              lines: list[tuple[tuple[int, int], str]], index_ink: tuple[int, int, int] | None) -> _TextLayer:
    pens = [y for (_, y), _ in lines] or [0]
    first, last = max(0, min(pens) - size), min(SHARE_SIZE[1], max(pens) + 2 * size)
    layer = _TextLayer(ink, Image.new("L", (SHARE_SIZE[0] + _BLANK_COLUMNS, max(1, last - first))), [], first,
                       left=_BLANK_COLUMNS,
                       indexed=index_ink is not None)
    drawn: list[tuple[int, int, int, int]] = []
    for (x, y), text in lines:
        covered = font.draw(layer.coverage, (x + _BLANK_COLUMNS, y - first), text, 255, drawn, index_ink)
        layer.rows.append((covered[0] + first, covered[1] + first))
    # The filter bytes, whatever a glyph reached.
    layer.coverage.paste(0, (0, 0, _BLANK_COLUMNS, layer.coverage.height))
    return layer


def _card_text(title: str, place: str, year: int, fonts: Path, indexed: bool = False) -> list[_TextLayer]:
    """The title (white) and the caption (place and year, cream) of a card, laid out; with
    `indexed`, as the plain card's palette indices where it can (`_drawn`)."""
    width, height = SHARE_SIZE
    text_width = width - 2 * SHARE_MARGIN
    bold = str(fonts / "NotoSans-Bold.ttf")
    for size in TITLE_SIZES:
        font = _typeset(bold, size)
        lines = font.wrap(title, text_width)
        if len(lines) <= 4:
            break
    if len(lines) > 4:
        lines = lines[:4]
        lines[-1] = textwrap.shorten(lines[-1] + " …", width=max(8, len(lines[-1])), placeholder=" …")
    line_height = int(size * 1.25)
    top = 140 + (4 - len(lines)) * line_height // 2
    pens = [(SHARE_MARGIN, top + number * line_height) for number in range(len(lines))]
    heading = _drawn((255, 255, 255), font, size, list(zip(pens, lines, strict=True)), indexed)
    footer = _typeset(str(fonts / "NotoSans-Regular.ttf"), 36)
    caption = _drawn(SHARE_CREAM, footer, 36,
                     [((SHARE_MARGIN, height - 56 - 36), footer.wrap(f"{place} · {year}", text_width)[0])],
                     indexed)
    return [heading, caption]


def share_card_suffix(photo: bool) -> str:
    """The file type of a card: a JPEG on a photo, a PNG on the site colour."""
    return ".jpg" if photo else ".png"


def share_card_image(title: str, place: str, year: int, site: str, fonts: Path,
                     photo: bytes | None = None) -> Image.Image:
    """The card's pixels: RGB on a photo, the palette's indices ("P") on the site colour."""
    layers = _card_text(title, place, year, fonts)
    if photo:
        card = _photo_background(photo, fonts, site)
        for layer in layers:
            layer.paint(card)
        return card
    card = _plain_cards(fonts, site).indices(layers).convert("P")
    card.putpalette(_card_palette())
    return card


def draw_share_card(title: str, place: str, year: int, site: str, fonts: Path,
                    photo: bytes | None = None) -> bytes:
    """A 1200×630 card: title, place and year on the photo darkened (a JPEG) or on the
    site colour (a PNG)."""
    if photo:
        return _encode_card(share_card_image(title, place, year, site, fonts, photo))
    return _plain_cards(fonts, site).encode(_card_text(title, place, year, fonts, indexed=True))


def _process_job(job: tuple[str, Path, Path, tuple[int, ...], int, int]):
    """In a worker: process one photo into its cache folder; return its description."""
    source, content, folder, widths, max_pixels, max_bytes = job
    data = read_content(content, content / source, max_bytes)
    if isinstance(data, Refusal):  # changed since it was checked: report it as unreadable
        return None, [_problem(source, "E043", f"ảnh thay đổi trong lúc dựng ({data.message})",
                               "chạy lại lệnh dựng")]
    files, photo, problems = process_photo(data, source, widths, max_pixels)
    if photo:  # its digest names its cache entry, where its files are linked from
        photo = replace(photo, digest=folder.name)
    # Written aside and renamed: a concurrent build never sees half a cache entry.
    staging = folder.with_name(f"{folder.name}.tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, encoded in files.items():
        (staging / name).write_bytes(encoded)
    write_pickle(staging / "meta.pickle", (photo, problems))
    write_checksums(staging)
    try:
        staging.rename(folder)
    except OSError:  # another build got there first with the same bytes
        shutil.rmtree(staging, ignore_errors=True)
    return photo, problems


@dataclass
class PhotoRun:
    photos: dict[str, ProcessedPhoto]  # content path → what was written to the cache
    problems: list[Problem]
    processed: int  # photos decoded and encoded in this run
    reused: int  # photos found in the cache


def process_all(sources: list[str], content: Path, cache: Cache, widths: tuple[int, ...],
                max_bytes: int, max_pixels: int, workers: int) -> PhotoRun:
    """Check and process every photo, in parallel; photos already in the cache cost a hash."""
    run = PhotoRun({}, [], 0, 0)
    jobs = []
    for source in sources:
        # Read through the content gate every time: a photo swapped for a link to an
        # outside file is refused even when its cache entry is warm.
        data = read_content(content, content / source, max_bytes)
        if isinstance(data, Refusal):
            if data.code == TOO_LARGE:
                size = (content / source).stat().st_size
                message = f"ảnh quá lớn ({size / 1e6:.1f} MB, tối đa {max_bytes / 1e6:.0f} MB)"
                run.problems.append(_problem(source, "E045", message,
                                             "giảm kích thước ảnh (ví dụ chiều rộng 3000 px) rồi lưu lại"))
            else:
                run.problems.append(_problem(source, "E040", f"ảnh không dùng được: {data.message}",
                                             data.hint))
            continue
        # The entry's key is the photo's address: its bytes and the widths asked for.
        folder = cache.entry("images", hashlib.sha256(data).hexdigest(), widths)
        cached = read_pickle(folder / "meta.pickle", None) if folder.is_dir() else None
        if cached is not None and verify_checksums(folder):
            photo, found = cached
            run.reused += 1
            if photo:
                run.photos[source] = replace(photo, source=source)
            run.problems.extend(replace(p, path=source) for p in found)
            continue
        if folder.exists():
            discard_entry(folder)
        jobs.append((source, content, folder, widths, max_pixels, max_bytes))
    run.processed = len(jobs)
    results = []
    with stage("Xử lý ảnh", len(jobs), "ảnh") as step:
        if len(jobs) > 1 and workers > 1:
            with process_pool(workers) as pool:
                for result in pool.map(_process_job, jobs):
                    results.append(result)
                    step.advance()
        else:
            for job in jobs:
                results.append(_process_job(job))
                step.advance()
    for job, (photo, found) in zip(jobs, results, strict=True):
        if photo:
            run.photos[job[0]] = photo
        run.problems.extend(found)
    return run


def check_photos(profiles: list, content: Path, settings: dict, cache: Cache | None = None) -> PhotoRun:
    """Check and process every photo the profiles show, within the LANTOA_* limits.

    Shared by `lantoa check` and the build: both fill the same cache, and each
    problem names the profiles that show the photo.
    """
    sources = sorted({photo for profile in profiles for photo in profile.photos})
    run = process_all(sources, content, cache or Cache(settings),
                      tuple(sorted(settings["LANTOA_IMAGE_WIDTHS"])), settings["LANTOA_MAX_IMAGE_BYTES"],
                      settings["LANTOA_MAX_IMAGE_PIXELS"], worker_count(settings["LANTOA_WORKERS"]))
    run.problems = name_profiles(run.problems, profiles) + small_lead_photos(profiles, run.photos)
    return run


def small_lead_photos(profiles, photos: dict[str, ProcessedPhoto]) -> list[Problem]:
    """Warn about lead photos smaller than the page shows them: they come out small or blurred.

    Only the lead photo (`Image:`) is judged: it heads the page, fills the listing
    cards and the share card, while a photo in the text may well be a small one.
    """
    problems = []
    for profile in profiles:
        photo = photos.get(profile.image) if profile.image else None
        if photo is None or max(photo.width, photo.height) >= LEAD_MIN_SIDE:
            continue
        problems.append(Problem(
            profile.source, None, "Image", "W043",
            f"ảnh đại diện '{profile.image}' quá nhỏ ({photo.width}×{photo.height} px, "
            f"cần cạnh dài từ {LEAD_MIN_SIDE} px)",
            "dùng ảnh gốc từ điện thoại hoặc máy ảnh, không dùng ảnh đã thu nhỏ hay ảnh chụp màn hình; "
            "ảnh nhỏ vẫn được đăng", Severity.WARNING))
    return problems


def name_profiles(problems: list[Problem], profiles) -> list[Problem]:
    """Say which profiles show each rejected photo."""
    named = []
    for problem in problems:
        users = [p.source for p in profiles if problem.path in p.photos]
        named.append(replace(problem, message=f"{problem.message} (hồ sơ: {', '.join(users)})")
                     if users else problem)
    return named
