// Lan Tỏa — search page. Progressive enhancement: without this script the page
// shows a form and links to the browse pages. Query and filters live in the URL.
const script = document.querySelector("script[data-bundle]");
const form = document.getElementById("tim-kiem");
const input = document.getElementById("q");
const status = document.getElementById("trang-thai");
const list = document.getElementById("ket-qua");
const more = document.getElementById("them");
const labels = JSON.parse(document.getElementById("nhan-bo-loc").textContent);
const selects = [...form.querySelectorAll("select[data-filter]")];
const PAGE = 10;
let pagefind;
let current = [];
let shown = 0;
let generation = 0;

const collator = new Intl.Collator("vi");

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

function fillFilters(counts) {
  for (const select of selects) {
    const name = select.name;
    const wanted = select.value || select.dataset.wanted || "";
    const values = Object.keys(labels[name] || {});
    const available = counts[name] || {};
    const order = name === "nam" ? values : values.sort((a, b) => collator.compare(labels[name][a], labels[name][b]));
    select.replaceChildren(new Option("Tất cả", ""));
    for (const value of order) {
      const n = available[value] || 0;
      if (!n && value !== wanted) continue;
      select.append(new Option(`${labels[name][value]} (${n})`, value));
    }
    select.value = wanted;
    delete select.dataset.wanted;
  }
}

function chosenFilters() {
  const filters = {};
  for (const select of selects) if (select.value) filters[select.name] = select.value;
  return filters;
}

// The same folding as the index: no tone or vowel marks, đ → d, lower case.
function fold(text) {
  return text.toLowerCase().replaceAll("đ", "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
}

function syllables(text) {
  return fold(text).match(/[0-9a-z]+/g) || [];
}

// Two syllables or more are searched as adjacent pairs ("lam ha" → "lamha"), as indexed.
function indexQuery(text) {
  const words = syllables(text);
  if (words.length < 2) return words.join(" ");
  return words.slice(1).map((word, i) => words[i] + word).join(" ");
}

function highlight(text, query) {
  const wanted = new Set(syllables(query));
  return text.split(/(\s+)/).map((part) => {
    const bare = syllables(part).join("");
    return bare && wanted.has(bare) ? `<mark>${escapeHtml(part)}</mark>` : escapeHtml(part);
  }).join("");
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

async function showMore() {
  const batch = current.slice(shown, shown + PAGE);
  shown += batch.length;
  const items = await Promise.all(batch.map((result) => result.data()));
  for (const item of items) {
    const li = document.createElement("li");
    const meta = item.meta || {};
    li.innerHTML = `<h2 class="result-title"><a href="${escapeHtml(item.url)}">${escapeHtml(meta.title || item.url)}</a></h2>
      <p class="meta">${escapeHtml(meta.loai || "")} · ${escapeHtml(meta.noi || "")} · ${escapeHtml(meta.nam || "")}</p>
      <p>${highlight(meta.tomtat || "", input.value)}</p>`;
    list.append(li);
  }
  more.hidden = shown >= current.length;
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
    fillFilters(await pagefind.filters());
    return;
  }
  status.textContent = "Đang tìm…";
  let search = await pagefind.search(query ? indexQuery(query) : null, { filters });
  if (query && !search.results.length && syllables(query).length > 1) {
    // Not found as a phrase: every syllable, anywhere in the profile.
    search = await pagefind.search(syllables(query).join(" "), { filters });
  }
  if (mine !== generation) return; // a newer search has started
  current = search.results;
  shown = 0;
  list.replaceChildren();
  fillFilters(search.filters || {});
  const what = query ? ` cho “${query}”` : "";
  status.textContent = current.length ? `Tìm thấy ${current.length} hồ sơ${what}.` : `Không tìm thấy hồ sơ nào${what}.`;
  await showMore();
}

async function start() {
  readUrl();
  try {
    pagefind = await import(script.dataset.bundle);
    await pagefind.options({ excerptLength: 24 });
  } catch (error) {
    status.textContent = "Không tải được chỉ mục tìm kiếm. Hãy duyệt theo địa phương, năm hoặc lĩnh vực.";
    return;
  }
  form.querySelector(".filters").hidden = false;
  fillFilters(await pagefind.filters()); // selects the filters named in the URL
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
