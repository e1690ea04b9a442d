"""Open data made row by row is byte for byte the document made at once."""

from __future__ import annotations

import csv
import io
import json

from lantoa.collection import collect
from lantoa_opendata import COLUMNS, LIST_COLUMNS, _csv, _json, csv_row, record, spreadsheet_safe

from tests.conftest import SAMPLE_CONTENT, build_site, valid_header, write_profile


def test_rows_joined_are_the_whole_json_and_csv_documents(tmp_path):
    profiles = collect(SAMPLE_CONTENT, cache_dir=tmp_path).profiles
    records = [record(p, "https://lantoa.example.vn") for p in profiles]
    assert len(records) > 3

    whole = json.dumps({"columns": list(COLUMNS), "count": len(records), "profiles": records},
                       ensure_ascii=False, separators=(",", ":")) + "\n"
    assert _json([json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]) == whole

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in records:
        writer.writerow({k: spreadsheet_safe("; ".join(v) if k in LIST_COLUMNS else ("" if v is None else v))
                         for k, v in row.items()})
    assert _csv([csv_row(r) for r in records]) == "\ufeff" + buffer.getvalue()


def test_rows_kept_between_builds_follow_the_site_address(tmp_path):
    content = tmp_path / "content"
    write_profile(content, "lam-dong/2023/mo-hinh.md", valid_header(Title="Mô hình giữ hàng"))
    # Two builds sharing one cache, for two addresses: each file names its own.
    for address in ("https://tinh-mot.example.vn", "https://tinh-hai.example.vn"):
        output = build_site(content, tmp_path / "site", SITEURL=address)
        rows = json.loads((output / "du-lieu/ho-so.json").read_text(encoding="utf-8"))["profiles"]
        assert [row["url"] for row in rows] == [f"{address}/mo-hinh/mo-hinh/"]
        assert address in (output / "du-lieu/ho-so.csv").read_text(encoding="utf-8")


def test_an_edit_makes_again_only_the_edited_profiles_row_and_the_files_are_a_clean_builds(
        tmp_path, monkeypatch):
    """The rows' digests are kept in the profiles' order with the profiles' digests: a build
    after an edit makes the edited profile's row alone, and the open-data files are those of
    a clean build of the same content, whether the edit changed the row (the summary) or not
    (a sentence below it)."""
    import shutil
    import time

    import lantoa_opendata
    from lantoa.bench import write_synthetic
    from lantoa.files import RACY_SECONDS

    content = tmp_path / "content"
    files = write_synthetic(30, content)
    build_site(content, tmp_path / "a" / "site")
    made: list[str] = []
    real = lantoa_opendata.record
    monkeypatch.setattr(lantoa_opendata, "record",
                        lambda profile, siteurl: made.append(profile.source) or real(profile, siteurl))
    edited = files[3]
    for change in (lambda text: text.replace("\n\n", "\n\nMột câu mở đầu mới.\n\n", 1),
                   lambda text: text + "\nThêm một câu ở cuối.\n"):
        edited.write_text(change(edited.read_text(encoding="utf-8")), encoding="utf-8")
        time.sleep(RACY_SECONDS)
        made.clear()
        site = build_site(content, tmp_path / "a" / "site")
        assert made == [edited.relative_to(content).as_posix()]
        shutil.rmtree(tmp_path / "b", ignore_errors=True)
        clean = build_site(content, tmp_path / "b" / "site")
        for name in ("du-lieu/ho-so.json", "du-lieu/ho-so.csv"):
            assert (site / name).read_bytes() == (clean / name).read_bytes(), name
