"""Search finds what was typed: exact result sets on a purpose-built site, the order
when marks are typed, the fallback notice, completion by frequency, a late page of
results, and a property test of the browser's reader over random Vietnamese texts."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from lantoa.search_index import write_index

from tests.browser.conftest import _Quiet, wait_until
from tests.browser.test_search import results
from tests.conftest import ROOT, build_site, valid_header, write_profile
from tests.search_corpus import adjacent, corpora, plain_syllables, typed_syllables, written_syllables

pytestmark = pytest.mark.browser

TITLES = {
    "k-ho": "Người K'Ho giữ rừng đầu nguồn",
    "kho-khan": "Vượt khó khăn, vươn lên thoát nghèo",
    "kho-gao": "Kho gạo tình thương",
    "ha-noi": "Phố văn minh ở Hà Nội",
    "han-oi": "Hàn ơi, về quê",
    "xa-hoi": "Sức mạnh xã hội",
    "lam-ha-1": "Tổ tự quản đường làng",
    "lam-ha-2": "Hợp tác xã cà phê sạch",
    "ha-tang-1": "Cùng làm hạ tầng nông thôn",
    "ha-tang-2": "Làm hạ tầng giao thông",
}
SLUGS = {title: slug for slug, title in TITLES.items()}
PATROLS = 40  # older profiles: the 20 oldest hold "tuần tra", the others "bảo vệ"


def write_corpus(content: Path) -> None:
    def profile(slug: str, body: str, year: int, **header: str) -> None:
        write_profile(content, f"p/{slug}.md", valid_header(
            Title=TITLES.get(slug, header.pop("Title", "")), District=None, Commune=None,
            Unit="Tổ tự quản", Level="xa", Year=str(year), Date=f"{year}-06-01", **header), body)

    profile("k-ho", "Đồng bào K'Ho nhận khoán bảo vệ rừng.", 2024)
    profile("kho-khan", "Những hộ khó khăn được giúp vốn.", 2024)
    profile("kho-gao", "Mỗi tháng kho gạo giúp người neo đơn.", 2024)
    profile("ha-noi", "Tổ dân phố giữ phố sạch.", 2024, Province="Hà Nội")
    profile("han-oi", "Câu hát của người đi xa.", 2024)
    profile("xa-hoi", "Củng cố niềm tin của nhân dân.", 2024, Summary="Phát huy sức mạnh xã hội")
    profile("lam-ha-1", "Mô hình ra đời ở Lâm Hà năm 2019.", 2021)
    profile("lam-ha-2", "Nông dân Lâm Hà cùng làm cà phê sạch.", 2020)
    profile("ha-tang-1", "Nhân dân góp công cùng làm hạ tầng thôn.", 2025)
    profile("ha-tang-2", "Thôn mở đường mới.", 2025)
    for n in range(PATROLS):
        duty = "tuần tra" if n >= PATROLS // 2 else "bảo vệ"
        profile(f"to-{n:02d}", f"Tổ {duty} thôn giữ bình yên.", 2019 - n // 4, Title=f"Tổ {duty} số {n:02d}")


def serve(folder: Path):
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("precision")
    write_corpus(base / "content")
    output = build_site(base / "content", base / "output", SITEURL="")
    server, url = serve(output)
    yield output, url
    server.shutdown()


def slugs(page) -> list[str]:
    return [SLUGS.get(title, title) for title in results(page)]


def search(page, url: str, query: str) -> list[str]:
    page.goto(f"{url}/tim-kiem/")
    page.get_by_label("Từ khóa").fill(query)
    return slugs(page)


@pytest.mark.parametrize(("query", "expected"), [
    ("K'Ho", {"k-ho"}), ("k’ho", {"k-ho"}),
    ("kho", {"kho-khan", "kho-gao"}), ("khó khăn", {"kho-khan"}), ("kho khan", {"kho-khan"}),
    ("kho gạo", {"kho-gao"}), ("KHO GAO", {"kho-gao"}),
    ("ha noi", {"ha-noi"}), ("hàn ơi", {"han-oi"}),
    ("lam ha", {"lam-ha-1", "lam-ha-2", "ha-tang-1", "ha-tang-2"}),
])
def test_each_query_finds_exactly_the_profiles_holding_it(page, corpus_site, query, expected):
    _, url = corpus_site
    assert set(search(page, url, query)) == expected
    assert page.locator("#cum-tu").is_hidden()


def test_typed_marks_put_the_profiles_holding_them_so_first(page, corpus_site):
    _, url = corpus_site
    # Without marks, the titles with "làm hạ" (strong fields) come first …
    assert search(page, url, "lam ha") == ["ha-tang-1", "ha-tang-2", "lam-ha-1", "lam-ha-2"]
    unmarked = page.locator("#ket-qua li").nth(3).locator("mark").all_inner_texts()
    assert sorted(unmarked) == ["Hà", "Lâm", "làm"]
    # … with them, the profiles about Lâm Hà, whose excerpts mark only "Lâm Hà".
    assert search(page, url, "Lâm Hà") == ["lam-ha-1", "lam-ha-2", "ha-tang-1", "ha-tang-2"]
    marked = [page.locator("#ket-qua li").nth(n).locator("mark").all_inner_texts() for n in range(4)]
    assert [sorted(marks) for marks in marked] == [["Hà", "Lâm"], ["Hà", "Lâm"], [], []]
    assert search(page, url, "khó")[0] == "kho-khan"
    assert search(page, url, "kho")[0] == "kho-gao"  # without marks: newest, then by file name


def test_a_phrase_split_between_fields_falls_back_to_the_words_and_says_so(page, corpus_site):
    _, url = corpus_site
    assert search(page, url, "xã hội") == ["xa-hoi"]
    assert page.locator("#cum-tu").is_hidden()
    assert search(page, url, "hội củng") == ["xa-hoi"]
    assert page.locator("#cum-tu").inner_text() == (
        "Không có cụm từ chính xác; các hồ sơ dưới đây có đủ các từ.")
    page.get_by_label("Từ khóa").fill("xyz abc")
    wait_until(page, "document.getElementById('trang-thai').textContent.startsWith('Không tìm thấy')")
    assert page.locator("#cum-tu").is_hidden()


def test_completion_proposes_the_commonest_syllables_first(page, corpus_site):
    output, url = corpus_site
    vocabulary = json.loads(gzip.decompress((output / "tim-kiem/chi-muc/am-tiet.json.gz").read_bytes()))
    counts = dict(zip(vocabulary["words"], vocabulary["counts"], strict=True))
    prefix = "t"
    candidates = [w for w in counts if w.startswith(prefix)]
    commonest = sorted(candidates, key=lambda w: (-counts[w], w))[:8]
    assert commonest != sorted(candidates)[:8]  # the order is not the alphabet's
    page.goto(f"{url}/tim-kiem/")
    completed = page.evaluate("""async (prefix) => {
        const { SearchIndex } = await import('/theme/js/search-index.js');
        const index = await SearchIndex.open(new URL('/tim-kiem/chi-muc/', location.href).href);
        return index.complete(prefix);
    }""", prefix)
    assert completed == commonest
    assert page.evaluate("""async () => {
        const { SearchIndex } = await import('/theme/js/search-index.js');
        const index = await SearchIndex.open(new URL('/tim-kiem/chi-muc/', location.href).href);
        return index.complete('tuan');
    }""") == ["tuan"]


def test_a_late_page_of_results_never_joins_a_newer_search(page, corpus_site):
    _, url = corpus_site
    held, holding = [], []
    page.route("**/chi-muc/d/*.json.gz",
               lambda route: held.append(route) if holding else route.continue_())
    page.goto(f"{url}/tim-kiem/?q=tuan+tra")
    assert len(slugs(page)) == 10
    holding.append(True)  # the documents of the next page are not in the first page's files
    page.locator("#them button").click()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the second page should be waiting for its documents"
    holding.clear()
    # The new search is shown at once, not after the old page's documents.
    page.get_by_label("Từ khóa").fill("kho")
    wait_until(page, "location.search === '?q=kho'")
    assert set(slugs(page)) == {"kho-khan", "kho-gao"}
    for route in held:
        route.continue_()
    page.wait_for_timeout(300)
    assert set(slugs(page)) == {"kho-khan", "kho-gao"}


def test_the_filters_come_from_the_index(page, corpus_site):
    output, url = corpus_site
    meta = json.loads((output / "tim-kiem/chi-muc/meta.json").read_text(encoding="utf-8"))
    page.goto(f"{url}/tim-kiem/?q=kho&nam=2024")
    assert set(slugs(page)) == {"kho-khan", "kho-gao"}
    labels = page.locator(".filters label").all_inner_texts()
    assert labels == [column["label"] for column in meta["columns"]]
    assert page.locator("#loc-nam").input_value() == "2024"
    assert page.locator("#loc-cap option").all_inner_texts() == ["Tất cả", "Cấp xã (2)"]


# --- the reader against random texts ------------------------------------------------

READER = ROOT / "theme/static/js/search-index.js"
QUERY_ALL = """async ([base, queries]) => {
    const { SearchIndex } = await import('/js/search-index.js');
    const index = await SearchIndex.open(new URL(base, location.href).href);
    const found = [];
    for (const query of queries) {
        const { ids, exact, phrase } = await index.search(query);
        found.push({ ids, exact, phrase });
    }
    return found;
}"""


@pytest.fixture(scope="module")
def reader_page(browser, tmp_path_factory):
    root = tmp_path_factory.mktemp("reader")
    (root / "js").mkdir()
    shutil.copy(READER, root / "js/search-index.js")
    (root / "index.html").write_text("<!doctype html><title>t</title>", encoding="utf-8")
    server, url = serve(root)
    context = browser.new_context()
    opened = context.new_page()
    opened.goto(f"{url}/index.html")
    yield root, opened
    context.close()
    server.shutdown()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora)
def test_every_two_syllable_query_finds_exactly_the_profiles_with_the_pair_in_one_field(reader_page, corpus):
    root, page = reader_page
    folder = Path(tempfile.mkdtemp(dir=root, prefix="i"))
    write_index([fields.profile(n) for n, fields in enumerate(corpus)], folder, "")
    holding = [adjacent(fields.texts()) for fields in corpus]
    written = [adjacent(fields.texts(), written_syllables) for fields in corpus]
    present = sorted(set().union(*(adjacent(fields.texts(), typed_syllables) for fields in corpus)))
    vocabulary = sorted({s for fields in corpus for t in fields.texts() for s in plain_syllables(t)})
    absent = [(a, b) for a in vocabulary[:6] for b in vocabulary[-6:]
              if not any((a, b) in pairs for pairs in holding)]
    queries = [" ".join(pair) for pair in present] + [f"{a} {b}" for a, b in absent]
    answers = page.evaluate(QUERY_ALL, [f"/{folder.name}/", queries])
    for query, answer in zip(queries, answers, strict=True):
        folded = tuple(plain_syllables(query))
        expected = {i for i, pairs in enumerate(holding) if folded in pairs}
        if not expected:
            assert not (answer["phrase"] and answer["ids"]), query
            continue
        assert answer["phrase"] and sorted(answer["ids"]) == sorted(expected), query
        as_written = {i for i, pairs in enumerate(written) if tuple(written_syllables(query)) in pairs}
        if query.isascii():
            assert answer["exact"] == 0, query
        else:
            assert set(answer["ids"][:answer["exact"]]) == as_written, query
