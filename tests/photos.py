"""Photos as phones and editors' computers make them, drawn at test time."""

from __future__ import annotations

import io
import struct

from lantoa.photo_formats import read_heif
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
GPS = {1: "N", 2: (11.0, 56.0, 30.5), 3: "E", 4: (108.0, 26.0, 10.2)}


def marked(size: tuple[int, int]) -> Image.Image:
    """A green picture with a light top-left corner, to see which way is up."""
    image = Image.new("RGB", size, (30, 120, 60))
    image.paste((250, 250, 250), (0, 0, size[0] // 4, size[1] // 4))
    return image


def phone_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Điện thoại"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update(GPS)
    return exif


def heic_from_phone(stored: tuple[int, int]) -> bytes:
    """A HEIC as an iPhone held upright writes it: the sensor's pixels, turned by the file.

    The phone stores the picture sideways and says "turn 90° clockwise" twice: in the
    HEIF `irot` property (what HEIF readers obey) and as EXIF Orientation 6. pillow-heif
    writes the EXIF but no `irot`, so the `colr` property is swapped for an `irot` of
    270° counter-clockwise, padded with a `free` box so that no offset in the file moves.
    """
    read_heif()  # Pillow writes HEIF through pillow-heif's plugin too
    buffer = io.BytesIO()
    marked(stored).save(buffer, "HEIF", exif=phone_exif(6), quality=90)
    data = buffer.getvalue()
    start = data.index(b"colr") - 4
    (size,) = struct.unpack(">I", data[start:start + 4])
    ipco = data.index(b"ipco") - 4
    end = ipco + struct.unpack(">I", data[ipco:ipco + 4])[0]
    irot = struct.pack(">I4sB", 9, b"irot", 3)
    free = struct.pack(">I4s", size - 9, b"free") + bytes(size - 9 - 8)
    return data[:start] + irot + data[start + size:end] + free + data[end:]


def avif_from_phone(stored: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    marked(stored).save(buffer, "AVIF", exif=phone_exif(6), quality=90)
    return buffer.getvalue()


def psd_file() -> bytes:
    # The 26-byte Photoshop header (3 channels, 120×160, 8 bits, RGB) and empty sections.
    return (b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, 120, 160, 8, 3)
            + struct.pack(">III", 0, 0, 0) + b"\x00\x00" + bytes(3 * 120 * 160))
