// Lan Tỏa — search page. Progressive enhancement: without this script the page
// shows a form and links to the browse pages. Query and filters live in the URL.
// The index format is described in plugins/lantoa/search_index.py.
import { SearchIndex, syllables } from "./search-index.js";

const script = document.querySelector("script[data-index]");
const form = document.getElementById("tim-kiem");
const input = document.getElementById("q");
const status = document.getElementById("trang-thai");
const list = document.getElementById("ket-qua");
const more = document.getElementById("them");
const labels = JSON.parse(document.getElementById("nhan-bo-loc").textContent);
const selects = [...form.querySelectorAll("select[data-filter]")];
const PAGE = 10;
const collator = new Intl.Collator("vi");
let index;
let current = { ids: [], counts: {} };
let shown = 0;
let generation = 0;

function readUrl() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  for (const select of selects) select.dataset.wanted = params.get(select.name) || "";
}

function writeUrl() {
  const params = new URLSearchParams();
  if (input.value.trim()) params.set("q", input.value.trim());
  for (const select of selects) if (select.value) params.set(select.name, select.value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

function chosenFilters() {
  const filters = {};
  for (const select of selects) {
    const value = select.value || select.dataset.wanted;
    if (value) filters[select.name] = value;
  }
  return filters;
}

function fillFilters(counts) {
  for (const select of selects) {
    const name = select.name;
    const wanted = select.value || select.dataset.wanted || "";
    const values = Object.keys(labels[name] || {});
    if (name !== "nam") values.sort((a, b) => collator.compare(labels[name][a], labels[name][b]));
    const available = counts[name] || {};
    select.replaceChildren(new Option("Tất cả", ""));
    for (const value of values) {
      const n = available[value] || 0;
      if (!n && value !== wanted) continue;
      select.append(new Option(`${labels[name][value]} (${n})`, value));
    }
    select.value = wanted;
    delete select.dataset.wanted;
  }
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

// The ~30 words around the best cluster of matches, with the matched words marked.
function excerpt(text, query, size = 30) {
  const wanted = new Set(syllables(query));
  const words = text.split(/\s+/).filter(Boolean);
  const hit = words.map((word) => {
    const bare = syllables(word).join("");
    return bare !== "" && wanted.has(bare);
  });
  let best = 0;
  let bestScore = -1;
  for (let start = 0; start < Math.max(1, words.length - size + 1); start++) {
    const score = hit.slice(start, start + size).filter(Boolean).length;
    if (score > bestScore) [best, bestScore] = [start, score];
  }
  const shown = words.slice(best, best + size)
    .map((word, i) => (hit[best + i] ? `<mark>${escapeHtml(word)}</mark>` : escapeHtml(word)));
  return (best > 0 ? "… " : "") + shown.join(" ") + (best + size < words.length ? " …" : "");
}

async function showMore() {
  const batch = current.ids.slice(shown, shown + PAGE);
  shown += batch.length;
  const rows = await index.documents(batch);
  const query = input.value;
  // Among what is shown, a title with the query exactly as typed comes first.
  const exact = query.trim().toLocaleLowerCase("vi");
  if (exact && shown === batch.length) {
    rows.sort((a, b) => (b[1].toLocaleLowerCase("vi").includes(exact) ? 1 : 0)
      - (a[1].toLocaleLowerCase("vi").includes(exact) ? 1 : 0));
  }
  for (const [url, title, place, year, kind, text] of rows) {
    const li = document.createElement("li");
    li.innerHTML = `<h2 class="result-title"><a href="${escapeHtml(url)}">${escapeHtml(title)}</a></h2>
      <p class="meta">${escapeHtml(kind)} · ${escapeHtml(place)} · ${escapeHtml(year)}</p>
      <p>${excerpt(text, query)}</p>`;
    list.append(li);
  }
  more.hidden = shown >= current.ids.length;
}

async function run() {
  const mine = ++generation;
  const query = input.value.trim();
  const filters = chosenFilters();
  writeUrl();
  if (!query && !Object.keys(filters).length) {
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "Gõ từ khóa hoặc chọn bộ lọc để tìm.";
    fillFilters((await index.search("", {})).counts);
    return;
  }
  status.textContent = "Đang tìm…";
  const found = await index.search(query, filters);
  if (mine !== generation) return; // a newer search has started
  current = found;
  shown = 0;
  list.replaceChildren();
  fillFilters(found.counts);
  const what = query ? ` cho “${query}”` : "";
  status.textContent = found.ids.length
    ? `Tìm thấy ${found.ids.length} hồ sơ${what}.`
    : `Không tìm thấy hồ sơ nào${what}.`;
  await showMore();
}

async function start() {
  readUrl();
  try {
    index = await SearchIndex.open(new URL(script.dataset.index, location.href).href);
  } catch (error) {
    status.textContent = "Không tải được chỉ mục tìm kiếm. Hãy duyệt theo địa phương, năm hoặc lĩnh vực.";
    return;
  }
  form.querySelector(".filters").hidden = false;
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  for (const select of selects) select.addEventListener("change", run);
  more.querySelector("button").addEventListener("click", showMore);
  await run();
}

start();
