// Reader of Lan Tỏa's static search index (format: plugins/lantoa/search_index.py).
// Works in browsers and in Node (the query benchmark), with fetch and DecompressionStream.

export const FORMAT_VERSION = 4;
const MAX_SYLLABLE = 40; // longer runs are not syllables, and no pair spans them
const TONE_MARKS = new Set(["\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]);
const letters = new Map();

export function fold(text) {
  return text.toLowerCase().replaceAll("đ", "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
}

// The ASCII letter or digit a character folds to, or "" when it separates syllables.
function letterOf(char) {
  let letter = letters.get(char);
  if (letter === undefined) {
    const folded = fold(char);
    letter = /^[0-9a-z]$/.test(folded) ? folded : "";
    letters.set(char, letter);
  }
  return letter;
}

// A syllable as written with its tone mark moved to the end (text.marked_key):
// "hoà" and "hòa" give the same key, "hoa" and "hóa" do not.
export function markedKey(written) {
  let tone = "";
  let kept = "";
  for (const char of written.normalize("NFD")) {
    if (TONE_MARKS.has(char)) tone = char;
    else kept += char;
  }
  return kept.normalize("NFC") + tone;
}

// Runs of adjacent syllables, each { folded, marked }, as the index cuts them.
export function chains(text) {
  const found = [[]];
  let run = "";
  let folded = "";
  const close = () => {
    if (!run) return;
    if ([...run].length > MAX_SYLLABLE) found.push([]);
    else found[found.length - 1].push({ folded, marked: markedKey(run) });
    run = "";
    folded = "";
  };
  for (const char of text.normalize("NFC").toLowerCase()) {
    const letter = letterOf(char);
    if (letter) {
      run += char;
      folded += letter;
    } else close();
  }
  close();
  return found.filter((chain) => chain.length);
}

export function syllables(text) {
  return chains(text).flat().map((s) => s.folded);
}

export const pairKey = (first, second) => `${first} ${second}`;

// What a query looks up: its adjacent pairs for two syllables or more, else the
// syllable; each term { folded, marked } ("lam ha" and "lâm hà", as the index keys them).
export function queryTerms(query) {
  const found = chains(query);
  const words = found.flat();
  if (words.length < 2) return words;
  return found.flatMap((chain) => chain.slice(1).map((b, i) => ({
    folded: pairKey(chain[i].folded, b.folded), marked: pairKey(chain[i].marked, b.marked),
  })));
}

export const isMarked = (term) => term.marked !== term.folded;

const encoder = new TextEncoder();

function fnv1a(bytes) {
  let value = 0x811c9dc5;
  for (const byte of bytes) {
    value ^= byte;
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value >>> 0;
}

// Some hosts serve *.gz with Content-Encoding: gzip and the browser has already
// inflated it: decompress only what still starts with the gzip magic bytes.
async function gunzip(response) {
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

class Reader {
  constructor(data, at = 0) {
    this.data = data;
    this.at = at;
  }

  varint() {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      byte = this.data[this.at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  }

  // A set of positions in 0 … universe-1, sorted (types: 0 members, 1 bitmap, 2 non-members).
  set(universe) {
    const type = this.data[this.at++];
    if (type === 1) {
      const bytes = this.data.subarray(this.at, this.at + Math.ceil(universe / 8));
      this.at += bytes.length;
      let size = 0;
      for (const byte of bytes) size += BITS[byte];
      const members = new Int32Array(size);
      for (let i = 0, m = 0; i < universe; i++) if ((bytes[i >> 3] >> (i & 7)) & 1) members[m++] = i;
      return members;
    }
    const listed = new Int32Array(this.varint());
    let previous = -1;
    for (let n = 0; n < listed.length; n++) listed[n] = previous += this.varint() + 1;
    if (type === 0) return listed;
    const members = new Int32Array(universe - listed.length);
    for (let i = 0, n = 0, m = 0; i < universe; i++) {
      if (n < listed.length && listed[n] === i) n++;
      else members[m++] = i;
    }
    return members;
  }
}

const BITS = Uint8Array.from({ length: 256 }, (_, byte) => byte.toString(2).replaceAll("0", "").length);
const same = (data, at, key) => key.every((byte, i) => data[at + i] === byte);

function maskOf(ids, count) {
  const mask = new Uint8Array(count);
  for (const id of ids) mask[id] = 1;
  return mask;
}

export class SearchIndex {
  static async open(base) {
    const meta = await (await fetch(new URL("meta.json", base))).json();
    if (meta.version !== FORMAT_VERSION) throw new Error(`index format ${meta.version}`);
    return new SearchIndex(base, meta);
  }

  constructor(base, meta) {
    this.base = base;
    this.meta = meta;
    this.count = meta.count;
    this.columns = meta.columns;
    this.files = new Map();
    this.chunks = new Map();
    this.found = new Map();
  }

  async fetchBytes(path) {
    const response = await fetch(new URL(path, this.base));
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return gunzip(response);
  }

  // A file fetched once; a missing bucket is an empty one.
  file(path, missing = new Uint8Array()) {
    if (!this.files.has(path)) this.files.set(path, this.fetchBytes(path).catch(() => missing));
    return this.files.get(path);
  }

  async loadColumns() {
    const names = [...new Set(this.columns.map((column) => column.file))];
    const data = await Promise.all(names.map((name) => this.file(name, null)));
    if (data.includes(null)) throw new Error("columns");
    return new Map(names.map((name, i) => [name, data[i]]));
  }

  // The payload of `key` in the buckets under `folder`, as a Reader, or null.
  async entry(folder, buckets, key) {
    const wanted = encoder.encode(key);
    const data = await this.file(`${folder}/${fnv1a(wanted) % buckets}.bin.gz`);
    const reader = new Reader(data);
    while (reader.at < data.length) {
      const length = reader.varint();
      const hit = length === wanted.length && same(data, reader.at, wanted);
      reader.at += length;
      const size = reader.varint();
      if (hit) return reader;
      reader.at += size;
    }
    return null;
  }

  // Profiles holding a folded term: { anywhere, strong } as sorted ids, or null.
  postings(term) {
    if (!this.found.has(term)) {
      this.found.set(term, this.entry("t", this.meta.buckets, term).then((reader) => {
        if (!reader) return null;
        const anywhere = reader.set(this.count);
        const strong = reader.set(anywhere.length).map((rank) => anywhere[rank]);
        return { anywhere, strong };
      }));
    }
    return this.found.get(term);
  }

  // Profiles holding a marked term exactly as written (its folded postings given), or null.
  async marked(term, folded) {
    const reader = await this.entry("dau", this.meta.markedBuckets, term.marked);
    return reader && reader.set(folded.anywhere.length).map((rank) => folded.anywhere[rank]);
  }

  // Every group must match; a group is one term or several alternatives (a syllable
  // still being typed, completed from the vocabulary). Returns the masks of the
  // profiles matching anywhere and in strong fields, or null when a group is unknown.
  async match(groups) {
    const all = new Uint8Array(this.count).fill(1);
    const strong = new Uint8Array(this.count).fill(1);
    for (const group of groups) {
      // One group after the other: a term that is not in the index spares the others' files.
      const alternatives = (await Promise.all([].concat(group).map((term) => this.postings(term.folded))))
        .filter(Boolean);
      if (!alternatives.length) return null;
      const anywhere = new Uint8Array(this.count);
      const inStrong = new Uint8Array(this.count);
      for (const posting of alternatives) {
        for (const id of posting.anywhere) anywhere[id] = 1;
        for (const id of posting.strong) inStrong[id] = 1;
      }
      for (let i = 0; i < this.count; i++) {
        all[i] &= anywhere[i];
        strong[i] &= inStrong[i];
      }
    }
    return { all, strong };
  }

  // Profiles holding every term exactly as written, as a mask; a term without marks
  // asks nothing more than its folded match. The terms' folded postings are loaded.
  async exact(terms) {
    const mask = new Uint8Array(this.count).fill(1);
    for (const term of terms.filter(isMarked)) {
      const folded = await this.postings(term.folded);
      const keep = maskOf((folded && await this.marked(term, folded)) || [], this.count);
      for (let i = 0; i < this.count; i++) mask[i] &= keep[i];
    }
    return mask;
  }

  async vocabulary() {
    if (!this.words) {
      this.words = this.fetchBytes("am-tiet.json.gz")
        .then((bytes) => JSON.parse(new TextDecoder().decode(bytes)))
        .catch(() => ({ words: [], counts: [] }));
    }
    return this.words;
  }

  // Known syllables starting with `prefix`, the most common first (at most `limit`);
  // the prefix itself first when it is a syllable.
  async complete(prefix, limit = 8) {
    const { words, counts } = await this.vocabulary();
    let low = 0;
    let high = words.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (words[middle] < prefix) low = middle + 1;
      else high = middle;
    }
    const itself = words[low] === prefix;
    const others = [];
    for (let i = itself ? low + 1 : low; i < words.length && words[i].startsWith(prefix); i++) others.push(i);
    others.sort((a, b) => counts[b] - counts[a] || a - b);
    const chosen = [...(itself ? [prefix] : []), ...others.slice(0, limit - itself).map((i) => words[i])];
    return chosen.length ? chosen : [prefix];
  }

  // Ids of every matching profile and the counts of each filter value among them.
  // Order: typed with marks, those holding the query exactly as written first; then
  // strong-field matches; newest first within each. `exact` says how many ids lead
  // as written; `phrase` is false when the words were not found together and every
  // profile holding all of them is given instead.
  async search(query, filters = {}) {
    const columnsLoading = this.loadColumns();
    const words = chains(query).flat();
    let matched = null;
    let phrase = true;
    let exactMask = null;
    if (words.length) {
      let terms = queryTerms(query);
      matched = await this.match(terms);
      if (!matched || !matched.all.some(Boolean)) {
        // Not as a phrase: every syllable anywhere, the last one perhaps still being
        // typed (then only a complete syllable counts for the match as written).
        const last = words[words.length - 1];
        const completed = (await this.complete(last.folded)).map((folded) => ({ folded, marked: folded }));
        terms = completed[0].folded === last.folded ? words : words.slice(0, -1);
        matched = await this.match([...words.slice(0, -1), completed]);
        phrase = words.length < 2;
      }
      if (!matched) matched = { all: new Uint8Array(this.count), strong: new Uint8Array(this.count) };
      else if (words.some(isMarked)) exactMask = await this.exact(terms);
    }
    const files = await columnsLoading;
    // Each column as the meta describes it: its bits in a byte, one value or a set.
    const columns = this.columns.map((column) => {
      const wanted = column.values.indexOf(String(filters[column.param] ?? ""));
      return {
        ...column, data: files.get(column.file), mask: 2 ** column.bits - 1,
        wanted: wanted < 0 ? null : wanted, counts: new Array(column.values.length).fill(0),
      };
    });
    const codes = new Int32Array(columns.length);
    const tiers = [[], [], [], []];
    profiles: for (let i = 0; i < this.count; i++) {
      if (matched && !matched.all[i]) continue;
      for (let c = 0; c < columns.length; c++) {
        const column = columns[c];
        codes[c] = (column.data[i] >> column.shift) & column.mask;
        if (column.wanted === null) continue;
        if (column.multi ? !((codes[c] >> column.wanted) & 1) : codes[c] !== column.wanted) continue profiles;
      }
      const tier = (exactMask && !exactMask[i] ? 2 : 0) + (matched && !matched.strong[i] ? 1 : 0);
      tiers[tier].push(i);
      for (let c = 0; c < columns.length; c++) {
        const column = columns[c];
        if (!column.multi) column.counts[codes[c]]++;
        else for (let v = 0; v < column.values.length; v++) column.counts[v] += (codes[c] >> v) & 1;
      }
    }
    const counts = {};
    for (const column of columns) {
      counts[column.param] = {};
      column.values.forEach((value, v) => { if (column.counts[v]) counts[column.param][value] = column.counts[v]; });
    }
    const exact = exactMask ? tiers[0].length + tiers[1].length : 0;
    return { ids: tiers.flat(), counts, exact, phrase };
  }

  // What the results list shows for these ids, in the same order.
  async documents(ids) {
    const size = this.meta.chunk;
    const needed = [...new Set(ids.map((id) => Math.floor(id / size)))];
    await Promise.all(needed.map((chunk) => {
      if (!this.chunks.has(chunk)) {
        this.chunks.set(chunk, this.fetchBytes(`d/${chunk}.json.gz`)
          .then((bytes) => JSON.parse(new TextDecoder().decode(bytes))));
      }
      return this.chunks.get(chunk);
    }));
    return Promise.all(ids.map(async (id) => (await this.chunks.get(Math.floor(id / size)))[id % size]));
  }
}
