"""Pelican plugin: open data — every published profile as `/du-lieu/ho-so.json` and `.csv`.

One row per profile with every metadata field, the current and historical
locality with official codes, and the page URL. The CSV carries a BOM so that
Excel opens Vietnamese text correctly. Columns are documented in docs/portals.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from functools import cache
from pathlib import Path

from lantoa.cache import KeptByDigest, changed_positions
from lantoa.files import read_keyed, write_keyed
from lantoa.model import Profile
from lantoa.output import names_digest
from lantoa.site import absolute_url
from lantoa.state import build_state
from pelican import signals

COLUMNS = (
    "slug", "url", "kind", "title", "year", "period", "date", "modified",
    "province", "province_code", "commune", "commune_code",
    "historical_province", "historical_province_code", "historical_district",
    "historical_district_code", "historical_commune", "historical_commune_code",
    "locality_as_written", "fields", "level", "featured", "unit", "person", "awarded_by", "award",
    "results", "tags", "sources", "summary", "source_file",
)
LIST_COLUMNS = {"fields", "results", "tags", "sources"}


def record(profile: Profile, siteurl: str) -> dict:
    """The open-data row of one profile (lists stay lists; the CSV joins them)."""
    place = profile.place

    def unit(u):
        return (u.name, u.code) if u else ("", None)

    commune, commune_code = unit(place.commune)
    old_province, old_province_code = unit(place.historical_province if place.is_historical else None)
    old_district, old_district_code = unit(place.historical_district)
    old_commune, old_commune_code = unit(place.historical_commune)
    return {
        "slug": profile.slug,
        "url": absolute_url(siteurl, profile.url),
        "kind": profile.kind.value,
        "title": profile.title,
        "year": profile.year,
        "period": profile.period,
        "date": profile.date.isoformat(),
        "modified": profile.modified.isoformat() if profile.modified else "",
        "province": place.province.name,
        "province_code": place.province.code,
        "commune": commune,
        "commune_code": commune_code,
        "historical_province": old_province,
        "historical_province_code": old_province_code,
        "historical_district": old_district,
        "historical_district_code": old_district_code,
        "historical_commune": old_commune,
        "historical_commune_code": old_commune_code,
        "locality_as_written": place.as_written,
        "fields": [f.value for f in profile.fields],
        "level": profile.level.value,
        "featured": profile.featured,
        "unit": profile.unit,
        "person": profile.person,
        "awarded_by": profile.awarded_by,
        "award": profile.award,
        "results": list(profile.results),
        "tags": list(profile.tags),
        "sources": list(profile.sources),
        "summary": profile.summary,
        "source_file": profile.source,
    }


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A cell Excel or LibreOffice will not run as a formula (OWASP: prefix `'`)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_row(row: dict) -> str:
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n").writerow(
        {k: spreadsheet_safe("; ".join(v) if k in LIST_COLUMNS else ("" if v is None else v))
         for k, v in row.items()})
    return buffer.getvalue()


def to_csv(records: list[dict]) -> str:
    return _csv(list(map(csv_row, records)))


def _csv(rows: list[str]) -> str:
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n").writeheader()
    return "\ufeff" + buffer.getvalue() + "".join(rows)


def _json(rows: list[str]) -> str:
    # Byte for byte what json.dumps gives for the whole document, from rows dumped one by one.
    head = json.dumps({"columns": list(COLUMNS), "count": len(rows)}, ensure_ascii=False,
                      separators=(",", ":"))
    return f'{head[:-1]},"profiles":[{",".join(rows)}]}}\n'


ROWS_FOLDER = "open-data-rows"  # rows kept between builds, by profile digest, in shards
ROW_DIGESTS_FOLDER = "open-data-row-digests"  # each row's own digest, by profile digest


def write_open_data(generators) -> None:
    """Both files, written only when a row changed; each row made again only when its profile did.

    The rows are kept by profile digest under the cache's salt (the site's address
    shows in them), in shards: an edit rewrites one shard, not every row. Whether a row
    changed is told by the rows' own digests, kept apart: the rows themselves (15 MB at
    10,000 profiles) are read only when the files are written.
    """
    settings = generators[0].settings
    state = build_state(generators[0].context, "lantoa_opendata")
    siteurl = settings["SITEURL"]
    made_now: dict[str, tuple[str, str, str]] = {}

    def made(profile: Profile, digest: str) -> tuple[str, str, str]:
        found = made_now.get(digest)
        if found is None:
            row = record(profile, siteurl)
            text = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
            # The row's own digest, kept with it: the files' inputs are the 10,000 short
            # digests, not 15 MB of rows hashed again on every build.
            found = made_now[digest] = (text, csv_row(row), hashlib.sha256(text.encode()).hexdigest()[:32])
        return found

    profiles = state.profiles
    digests = state.collection.digests_in_order()
    pairs = list(zip(profiles, digests, strict=True))
    ordered = _ordered_as_kept(state.cache, digests, lambda i: made(profiles[i], digests[i])[2])
    if ordered is None:
        row_digests = KeptByDigest(state.cache, ROW_DIGESTS_FOLDER, state.cache.salt)
        ordered = [row_digests.get(d, lambda p=p, d=d: made(p, d)[2]) for p, d in pairs]
        row_digests.save()
        _keep_order(state.cache, digests, ordered)
    else:
        KeptByDigest.shards(state.cache, ROW_DIGESTS_FOLDER)  # counted as used: kept for the next build

    @cache
    def rows() -> list[tuple[str, str, str]]:
        kept = KeptByDigest(state.cache, ROWS_FOLDER, state.cache.salt)
        found = [kept.get(d, lambda p=p, d=d: made(p, d)) for p, d in pairs]
        kept.save()
        return found

    # The rows themselves, in order, not the profiles' digests: an edit to a profile's text
    # below its summary changes no row, and neither file is written again. A row's CSV is
    # made from the same record as its JSON.
    shown = names_digest(ordered)
    written = [state.pages.write_bytes("du-lieu/ho-so.json", ("json", shown),
                                       lambda: _json([j for j, _, _ in rows()]).encode("utf-8")),
               state.pages.write_bytes("du-lieu/ho-so.csv", ("csv", shown),
                                       lambda: _csv([c for _, c, _ in rows()]).encode("utf-8"))]
    if not any(written):
        KeptByDigest.shards(state.cache, ROWS_FOLDER)  # counted as used: kept for a build that writes
    state.pages.flush("Dữ liệu mở")


ORDER_ENTRY = "order"  # the rows' digests in the profiles' order, with the profiles' digests
# Profiles changed since the order was kept beyond which it is made again from every row.
ORDER_CHANGES = 64


def _ordered_as_kept(cache, digests: list[str], row_digest) -> list[str] | None:
    """The rows' digests in the profiles' order, from those the build before kept with its
    profiles' digests, made again (`row_digest(position)`) only for the profiles whose
    digests changed; None when the order is not kept, or is another's (a profile moved,
    added or removed, or many changed). An edit at 10,000 profiles then looks up one row's
    digest, not 10,000 (30 ms)."""
    kept = read_keyed(_order_file(cache), cache.salt)
    if not (isinstance(kept, tuple) and len(kept) == 2 and len(kept[0]) == len(digests)):
        return None
    before, ordered = kept
    if before == digests:
        return ordered
    changed = changed_positions(digests, before)
    if len(changed) > ORDER_CHANGES:
        return None
    ordered = list(ordered)
    for position in changed:
        ordered[position] = row_digest(position)
    _keep_order(cache, digests, ordered)
    return ordered


def _keep_order(cache, digests: list[str], ordered: list[str]) -> None:
    write_keyed(_order_file(cache), cache.salt, (digests, ordered))


def _order_file(cache) -> Path:
    return cache.entry(ROW_DIGESTS_FOLDER, ORDER_ENTRY, suffix=".pickle")


def register() -> None:
    signals.all_generators_finalized.connect(write_open_data)
