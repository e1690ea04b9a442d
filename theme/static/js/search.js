// Lan Tỏa — search page. Progressive enhancement: without this script the page
// shows a form and links to the browse pages. Query and filters live in the URL.
// The index format, and the filters it describes, are in plugins/lantoa/search_index.py.
import { SearchIndex, chains, isMarked } from "./search-index.js";

const script = document.querySelector("script[data-index]");
const form = document.getElementById("tim-kiem");
const filters = form.querySelector(".filters");
const filterList = filters.querySelector("fieldset") || filters; // where the selects go
const input = document.getElementById("q");
const status = document.getElementById("trang-thai");
const notice = document.getElementById("cum-tu");
const list = document.getElementById("ket-qua");
const more = document.getElementById("them");
const PAGE = 10;
let index;
let selects = [];
let current = { ids: [], counts: {}, exact: 0 };
let shown = 0;
let generation = 0;
let wanted = {};

function readUrl() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  wanted = Object.fromEntries([...params].filter(([name]) => name !== "q"));
}

function writeUrl() {
  const params = new URLSearchParams();
  if (input.value.trim()) params.set("q", input.value.trim());
  for (const select of selects) if (select.value) params.set(select.name, select.value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

// One labelled select per column the index describes, in its order.
function buildFilters(columns) {
  selects = columns.map((column) => {
    const paragraph = document.createElement("p");
    const label = document.createElement("label");
    const select = document.createElement("select");
    select.id = `loc-${column.param}`;
    select.name = column.param;
    label.htmlFor = select.id;
    label.textContent = column.label;
    select.dataset.wanted = wanted[column.param] || "";
    select.column = column;
    select.addEventListener("change", run);
    paragraph.append(label, document.createElement("br"), select);
    filterList.append(paragraph);
    return select;
  });
  filters.hidden = false;
  // A filter chosen in the URL is shown, not left folded out of sight.
  if (Object.values(wanted).some(Boolean)) filters.open = true;
}

function chosenFilters() {
  const chosen = {};
  for (const select of selects) {
    const value = select.value || select.dataset.wanted;
    if (value) chosen[select.name] = value;
  }
  return chosen;
}

function fillFilters(counts) {
  for (const select of selects) {
    const { param, values, labels } = select.column;
    const keep = select.value || select.dataset.wanted || "";
    const available = counts[param] || {};
    select.replaceChildren(new Option("Tất cả", ""));
    values.forEach((value, i) => {
      const n = available[value] || 0;
      if (n || value === keep) select.append(new Option(`${labels[i]} (${n})`, value));
    });
    select.value = keep;
    delete select.dataset.wanted;
  }
}

function element(name, text = "", attributes = {}) {
  const made = document.createElement(name);
  made.textContent = text;
  return Object.assign(made, attributes);
}

// A paragraph of the ~30 words around the best cluster of matches, the matched words
// marked: compared as written when the query was typed with marks, folded otherwise.
function excerpt(text, query, size = 30) {
  const typed = chains(query).flat();
  const key = typed.some(isMarked) ? "marked" : "folded";
  const wanted = new Set(typed.map((s) => s[key]));
  const words = text.split(/\s+/).filter(Boolean);
  const hit = words.map((word) => {
    const parts = chains(word).flat();
    return parts.length > 0 && parts.every((s) => wanted.has(s[key]));
  });
  let best = 0;
  let bestScore = -1;
  for (let start = 0; start < Math.max(1, words.length - size + 1); start++) {
    const score = hit.slice(start, start + size).filter(Boolean).length;
    if (score > bestScore) [best, bestScore] = [start, score];
  }
  const paragraph = element("p", best > 0 ? "…" : "");
  words.slice(best, best + size).forEach((word, i) => {
    if (best > 0 || i > 0) paragraph.append(" ");
    paragraph.append(hit[best + i] ? element("mark", word) : word);
  });
  if (best + size < words.length) paragraph.append(" …");
  return paragraph;
}

// Batches are appended in the order asked for, and only to the list of the search
// that asked for them.
let appending = Promise.resolve();
function showMore() {
  const mine = generation;
  const from = shown;
  const batch = current.ids.slice(from, from + PAGE);
  shown += batch.length;
  const loading = index.documents(batch);
  appending = appending.then(async () => {
    const rows = await loading;
    if (mine !== generation) return; // a newer search has replaced the list
    const query = input.value;
    for (const [url, title, place, year, kind, text] of rows) {
      const heading = element("h2", "", { className: "result-title" });
      heading.append(element("a", title, { href: url }));
      const li = document.createElement("li");
      li.append(heading, element("p", `${kind} · ${place} · ${year}`, { className: "meta" }),
        excerpt(text, query));
      list.append(li);
    }
    more.hidden = shown >= current.ids.length;
  }).catch(() => {});
  return appending;
}

async function run() {
  const mine = ++generation;
  const query = input.value.trim();
  const chosen = chosenFilters();
  writeUrl();
  notice.hidden = true;
  if (!query && !Object.keys(chosen).length) {
    current = { ids: [], counts: {}, exact: 0 };
    shown = 0;
    appending = Promise.resolve();
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "Gõ từ khóa hoặc chọn bộ lọc để tìm.";
    const { counts } = await index.search("", {});
    if (mine === generation) fillFilters(counts);
    return;
  }
  status.textContent = "Đang tìm…";
  const found = await index.search(query, chosen);
  if (mine !== generation) return; // a newer search has started
  current = found;
  shown = 0;
  appending = Promise.resolve(); // batches of an older search are not waited for
  list.replaceChildren();
  fillFilters(found.counts);
  const what = query ? ` cho “${query}”` : "";
  status.textContent = found.ids.length
    ? `Tìm thấy ${found.ids.length} hồ sơ${what}.`
    : `Không tìm thấy hồ sơ nào${what}.`;
  notice.hidden = found.phrase || !found.ids.length;
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
  buildFilters(index.columns);
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  more.querySelector("button").addEventListener("click", showMore);
  await run();
}

start();
