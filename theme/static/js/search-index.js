// Reader of Lan Tỏa's static search index (format: plugins/lantoa/search_index.py).
// Works in browsers and in Node (the query benchmark), with fetch and DecompressionStream.

export function fold(text) {
  return text.toLowerCase().replaceAll("đ", "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
}

export function syllables(text) {
  return fold(text).match(/[0-9a-z]+/g) || [];
}

// Two syllables or more are looked up as adjacent pairs ("lam ha" → "lamha"), as indexed.
export function queryTerms(query) {
  const words = syllables(query);
  if (words.length < 2) return words;
  return words.slice(1).map((word, i) => words[i] + word);
}

function fnv1a(term) {
  let value = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    value ^= term.charCodeAt(i);
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

export class SearchIndex {
  static async open(base) {
    const meta = await (await fetch(new URL("meta.json", base))).json();
    return new SearchIndex(base, meta);
  }

  constructor(base, meta) {
    this.base = base;
    this.meta = meta;
    this.count = meta.count;
    this.buckets = new Map();
    this.chunks = new Map();
    this.columns = null;
  }

  async fetchBytes(path) {
    const response = await fetch(new URL(path, this.base));
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return gunzip(response);
  }

  async loadColumns() {
    if (!this.columns) {
      const [tinh, nam, khac] = await Promise.all(
        ["cot-tinh", "cot-nam", "cot-khac"].map((name) => this.fetchBytes(`${name}.bin.gz`)));
      this.columns = { tinh, nam, khac };
    }
    return this.columns;
  }

  async bucket(term) {
    const number = fnv1a(term) % this.meta.buckets;
    if (!this.buckets.has(number)) {
      this.buckets.set(number, this.fetchBytes(`t/${number}.bin.gz`).catch(() => new Uint8Array()));
    }
    return this.buckets.get(number);
  }

  // The postings of one term as two masks (anywhere, strong fields), or null if absent.
  async postings(term) {
    const data = await this.bucket(term);
    let at = 0;
    const readSet = () => {
      const mask = new Uint8Array(this.count);
      const type = data[at++];
      if (type === 1) {
        for (let i = 0; i < this.count; i++) mask[i] = (data[at + (i >> 3)] >> (i & 7)) & 1;
        at += Math.ceil(this.count / 8);
        return mask;
      }
      const varint = () => {
        let value = 0;
        let shift = 0;
        let byte;
        do {
          byte = data[at++];
          value += (byte & 0x7f) * 2 ** shift;
          shift += 7;
        } while (byte & 0x80);
        return value;
      };
      let previous = -1;
      for (let n = varint(); n > 0; n--) {
        previous += varint() + 1;
        mask[previous] = 1;
      }
      return mask;
    };
    while (at < data.length) {
      const length = data[at++];
      let name = "";
      for (let i = 0; i < length; i++) name += String.fromCharCode(data[at + i]);
      at += length;
      const anywhere = readSet();
      const strong = readSet();
      if (name === term) return { anywhere, strong };
    }
    return null;
  }

  // Every group must match; a group is one term or several alternatives (a syllable
  // still being typed, completed from the vocabulary).
  async match(groups) {
    const all = new Uint8Array(this.count).fill(1);
    const strong = new Uint8Array(this.count).fill(1);
    for (const group of groups) {
      const alternatives = (await Promise.all([].concat(group).map((t) => this.postings(t))))
        .filter(Boolean);
      if (!alternatives.length) return null;
      for (let i = 0; i < this.count; i++) {
        let anywhere = 0;
        let inStrong = 0;
        for (const posting of alternatives) {
          anywhere |= posting.anywhere[i];
          inStrong |= posting.strong[i];
        }
        all[i] &= anywhere;
        strong[i] &= inStrong;
      }
    }
    return { all, strong };
  }

  async vocabulary() {
    if (!this.words) {
      this.words = this.fetchBytes("am-tiet.json.gz")
        .then((bytes) => JSON.parse(new TextDecoder().decode(bytes)))
        .catch(() => []);
    }
    return this.words;
  }

  // Known syllables starting with `prefix` (at most `limit`), the prefix itself first.
  async complete(prefix, limit = 8) {
    const words = await this.vocabulary();
    let low = 0;
    let high = words.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (words[middle] < prefix) low = middle + 1;
      else high = middle;
    }
    const found = [];
    for (let i = low; i < words.length && words[i].startsWith(prefix) && found.length < limit; i++) {
      found.push(words[i]);
    }
    return found.length ? found : [prefix];
  }

  // Ids of every matching profile (strong-field matches first, then newest first) and
  // the counts of each filter value among them.
  async search(query, filters = {}) {
    const columnsLoading = this.loadColumns();
    let matched = null;
    if (syllables(query).length) {
      matched = await this.match(queryTerms(query));
      const words = syllables(query);
      if (!matched || !matched.all.some(Boolean)) {
        // Not as a phrase: every syllable anywhere, the last one perhaps still being typed.
        const last = await this.complete(words[words.length - 1]);
        matched = await this.match([...words.slice(0, -1), last]);
      }
      if (!matched) matched = { all: new Uint8Array(this.count), strong: new Uint8Array(this.count) };
    }
    const { tinh, nam, khac } = await columnsLoading;
    const values = this.meta.values;
    const wanted = {
      tinh: filters.tinh ? values.tinh.indexOf(filters.tinh) : -1,
      nam: filters.nam ? Number(filters.nam) - 2000 : -1,
      field: filters["linh-vuc"] ? values["linh-vuc"].indexOf(filters["linh-vuc"]) : -1,
      kind: filters.loai ? values.loai.indexOf(filters.loai) : -1,
      level: filters.cap ? values.cap.indexOf(filters.cap) : -1,
    };
    const counts = { tinh: {}, nam: {}, "linh-vuc": {}, loai: {}, cap: {} };
    const first = [];
    const rest = [];
    for (let i = 0; i < this.count; i++) {
      if (matched && !matched.all[i]) continue;
      const other = khac[i];
      if (wanted.tinh >= 0 && tinh[i] !== wanted.tinh) continue;
      if (wanted.nam >= 0 && nam[i] !== wanted.nam) continue;
      if (wanted.field >= 0 && !((other >> wanted.field) & 1)) continue;
      if (wanted.kind >= 0 && ((other >> 4) & 1) !== wanted.kind) continue;
      if (wanted.level >= 0 && ((other >> 5) & 3) !== wanted.level) continue;
      (matched && matched.strong[i] ? first : rest).push(i);
      const add = (facet, value) => { counts[facet][value] = (counts[facet][value] || 0) + 1; };
      add("tinh", values.tinh[tinh[i]]);
      add("nam", String(2000 + nam[i]));
      for (let f = 0; f < 4; f++) if ((other >> f) & 1) add("linh-vuc", values["linh-vuc"][f]);
      add("loai", values.loai[(other >> 4) & 1]);
      add("cap", values.cap[(other >> 5) & 3]);
    }
    return { ids: first.concat(rest), counts };
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
