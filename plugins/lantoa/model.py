"""The profile model: small frozen values that every plugin and template reads.

Raw metadata strings are turned into these once, in `lantoa.reading`; nothing
else parses metadata.
"""

from __future__ import annotations

import copyreg
import pickle
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from .gazetteer import REFORM_DATE_LABEL, Unit, gazetteer


class Kind(StrEnum):
    MO_HINH = "mo-hinh"
    DIEN_HINH = "dien-hinh"

    @property
    def label(self) -> str:
        return {"mo-hinh": "Mô hình", "dien-hinh": "Điển hình"}[self.value]

    @property
    def plural_label(self) -> str:
        return {
            "mo-hinh": "Mô hình \u201cDân vận khéo\u201d",
            "dien-hinh": "Điển hình \u201cDân vận khéo\u201d",
        }[self.value]


class Field(StrEnum):
    KINH_TE = "kinh-te"
    VAN_HOA_XA_HOI = "van-hoa-xa-hoi"
    QUOC_PHONG_AN_NINH = "quoc-phong-an-ninh"
    XAY_DUNG_HE_THONG_CHINH_TRI = "xay-dung-he-thong-chinh-tri"

    @property
    def label(self) -> str:
        return {
            "kinh-te": "Kinh tế",
            "van-hoa-xa-hoi": "Văn hóa - xã hội",
            "quoc-phong-an-ninh": "Quốc phòng - an ninh",
            "xay-dung-he-thong-chinh-tri": "Xây dựng Đảng, hệ thống chính trị",
        }[self.value]


class Level(StrEnum):
    XA = "xa"
    HUYEN = "huyen"
    TINH = "tinh"
    TRUNG_UONG = "trung-uong"

    @property
    def label(self) -> str:
        return {
            "xa": "Cấp xã",
            "huyen": "Cấp huyện",
            "tinh": "Cấp tỉnh",
            "trung-uong": "Cấp Trung ương",
        }[self.value]

    @property
    def rank(self) -> int:
        return list(Level).index(self)


class Status(StrEnum):
    PUBLISHED = "published"
    DRAFT = "draft"
    HIDDEN = "hidden"

# How a sanitised body points at the n-th of its profile's photos: `src="lantoa-photo:<n>"`
# (`lantoa.reading` writes it, `lantoa.site.resolve_photos` turns it into markup).
PHOTO_SCHEME = "lantoa-photo:"


@dataclass(frozen=True)
class Place:
    """Where a profile belongs now, and the pre-2025 units it was recognized in.

    A pre-2025 commune that was split between several current communes belongs to
    all of them (`communes`, listed on each one's page); `commune` is the main one,
    used wherever a single value is needed (open data, the share card, JSON-LD).
    """

    province: Unit
    commune: Unit | None = None
    historical_province: Unit | None = None
    historical_district: Unit | None = None
    historical_commune: Unit | None = None
    as_written: str = ""
    communes: tuple[Unit, ...] = ()  # every current commune, the main one (`commune`) first

    def __post_init__(self) -> None:
        if self.commune and not self.communes:
            object.__setattr__(self, "communes", (self.commune,))

    @property
    def is_historical(self) -> bool:
        """True when the profile names units that no longer exist as written."""
        if self.historical_district or self.historical_commune:
            return True
        return bool(
            self.historical_province and self.historical_province.key != self.province.key
        )

    @property
    def label(self) -> str:
        """Current locality for running text: "Xã Đinh Văn Lâm Hà, tỉnh Lâm Đồng"."""
        parts = [self.commune.name] if self.commune else []
        parts.append(self.province.label if parts else self.province.name)
        return ", ".join(parts)

    @property
    def historical_label(self) -> str:
        """"trước 01/7/2025: huyện Lâm Hà, tỉnh Lâm Đồng" — empty when not historical."""
        if not self.is_historical:
            return ""
        units = [self.historical_commune, self.historical_district, self.historical_province]
        names = ", ".join(u.label for u in units if u)
        label = f"trước {REFORM_DATE_LABEL}: {names}"
        if len(self.communes) > 1:
            label += "; nay thuộc " + ", ".join(c.label for c in self.communes)
        return label


@dataclass(frozen=True)
class Profile:
    """One validated profile: a mô hình or an điển hình.

    Read back from the reading cache, a profile may be folded (`folded`): its text, place
    and dates are unpickled the first time one of them is asked for, which its readers
    never see but as the time it takes."""

    source: str  # path relative to the content folder, POSIX separators
    slug: str
    kind: Kind
    title: str
    year: int
    place: Place
    fields: tuple[Field, ...]
    level: Level
    date: datetime
    body_html: str
    summary: str
    summary_given: bool = False  # False: the summary is the text's first paragraph
    unit: str = ""
    person: str = ""
    period: str = ""
    awarded_by: str = ""
    award: str = ""
    modified: datetime | None = None
    image: str | None = None  # content-relative path of the main photo
    image_caption: str = ""
    body_images: tuple[str, ...] = ()  # content-relative paths referenced in the text
    results: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    status: Status = Status.PUBLISHED
    featured: bool = False  # shown first on the front page and listed at /noi-bat/
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @cached_property  # asked for on almost every page of a build, for every profile it shows
    def url(self) -> str:
        """Site-relative URL, stable across title edits: "mo-hinh/<slug>/"."""
        return f"{self.kind.value}/{self.slug}/"

    @property
    def photos(self) -> list[str]:
        """Content-relative paths of every photo the profile shows."""
        return ([self.image] if self.image else []) + list(self.body_images)

    @property
    def actor(self) -> str:
        """Who carries the model: the unit, or the person."""
        return self.person or self.unit

    @property
    def updated(self) -> datetime:
        return self.modified or self.date

    @property
    def is_published(self) -> bool:
        return self.status is Status.PUBLISHED

    @cached_property  # kept with the profile in the reading cache, like `url`
    def sort_key(self) -> tuple:
        """Newest first everywhere: recognition year, publication date, then slug."""
        return (-self.year, -self.date.timestamp(), self.slug)

    @cached_property  # kept in the reading cache too: feeds and the front page order by it
    def publication_key(self) -> tuple:
        """Newest published first, whatever year the model was recognized: what subscribers want."""
        return (-self.date.timestamp(), self.slug)

    @cached_property  # kept in the reading cache too: folding 10,000 titles took 20 ms a build
    def identity(self) -> tuple[str, int, int]:
        """What one model submitted twice shares: its title (case aside), province and year."""
        return (self.title.casefold(), self.place.province.code, self.year)

    def __getattr__(self, name: str) -> Any:
        """A folded field (`_AT_HAND`): all of them unfolded the first time one is asked for.
        Called only when the attribute is not found otherwise."""
        state = self.__dict__
        if name.startswith("__") or not self.unfold():  # pickle and others probe for dunders
            raise AttributeError(name)
        try:
            return state[name]
        except KeyError:
            raise AttributeError(name) from None

    def unfold(self) -> bool:
        """Unpickle the folded fields now, if they are; say whether they were."""
        state = self.__dict__
        folded = state.get(_FOLDED)
        if folded is None:
            return False
        rest = pickle.loads(folded)
        if rest.get("place") is not None:
            rest["place"] = _place_of(rest["place"])
        state.update(rest)
        state.pop(_FOLDED, None)  # last: another thread asking meanwhile unfolds it again
        return True


def folded(profile: Profile) -> tuple:
    """How the reading cache pickles a profile (a pickler's `dispatch_table` entry): what every
    build reads of every profile — to order them, name their pages, find a model submitted
    twice, check photos, pick the front page's — as itself; the rest (text, place, dates) as
    one string of bytes inside it, unpickled the first time any of it is asked for
    (`Profile.unfold`). An edit at 10,000 profiles renders a few dozen pages, and unpickling
    every profile's text and place from the cache took 130 ms of it (30 ms folded).

    Elsewhere (a reading worker's results) a profile is pickled whole: what a build has just
    read, it shows."""
    state = profile.__dict__
    if _FOLDED not in state:  # else never unfolded: pickled as it was unpickled
        for name in _KEPT_PROPERTIES:
            getattr(profile, name)
        at_hand, rest = {}, {}
        for name, value in state.items():
            (at_hand if name in _AT_HAND else rest)[name] = value
        if rest.get("place") is not None:
            rest["place"] = _place_parts(rest["place"])
        at_hand[_FOLDED] = pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL)
        state = at_hand
    return copyreg.__newobj__, (Profile,), state


_KEPT_PROPERTIES = ("url", "sort_key", "publication_key", "identity")
_AT_HAND = frozenset({"source", "slug", "kind", "year", "status", "featured", "image", "body_images",
                      *_KEPT_PROPERTIES})
_FOLDED = "_folded"
# A folded field's default must not be found on the class before `__getattr__` is asked.
for _field in fields(Profile):
    if _field.name not in _AT_HAND and _field.default is not MISSING:
        delattr(Profile, _field.name)

_PLACE_UNITS = ("province", "commune", "historical_province", "historical_district", "historical_commune")


def _place_parts(place: Place) -> tuple:
    """A place as plain values for pickling: each of the gazetteer's units by its name for it
    (a unit the gazetteer does not hold, as itself)."""
    name = gazetteer().reference

    def named(unit: Unit | None) -> str | Unit | None:
        return None if unit is None else name(unit) or unit

    return (*(named(getattr(place, unit)) for unit in _PLACE_UNITS), place.as_written,
            tuple(map(named, place.communes)))


def _place_of(parts: tuple) -> Place:
    units = gazetteer().units_by_reference

    def unit(value: str | Unit | None) -> Unit | None:
        return units[value] if type(value) is str else value

    place = object.__new__(Place)
    place.__dict__.update(zip(_PLACE_UNITS, map(unit, parts[:5]), strict=True))
    place.__dict__["as_written"] = parts[5]
    place.__dict__["communes"] = tuple(map(unit, parts[6]))
    return place
