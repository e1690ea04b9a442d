// Query benchmark for the built search index, as a phone would run it: each query
// starts cold (nothing cached), runs the search with its filter counts and loads the
// first 10 results. Usage:
//   node scripts/search-bench.mjs OUTPUT/tim-kiem/chi-muc ["query" …] [--filter tinh=lam-dong]
// A query "-" is a filter-only browse. Prints one JSON line per query.
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const args = process.argv.slice(2);
const folder = path.resolve(args.shift() || "output/tim-kiem/chi-muc");
const here = path.dirname(fileURLToPath(import.meta.url));
const { SearchIndex } = await import(pathToFileURL(path.join(here, "../theme/static/js/search-index.js")));
const filters = {};
const queries = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--filter") {
    const [key, value] = args[++i].split("=");
    filters[key] = value;
  } else queries.push(args[i]);
}
if (!queries.length) queries.push("dan van kheo", "van", "nguyen van", "lam ha", "Lâm Hà", "duc", "-");

let bytes = 0;
globalThis.fetch = async (url) => {
  try {
    const data = await readFile(fileURLToPath(String(url)));
    bytes += data.length;
    return new Response(data, { status: 200 });
  } catch {
    return new Response(null, { status: 404 });
  }
};

const base = pathToFileURL(folder).href + "/";
for (const raw of queries) {
  const query = raw === "-" ? "" : raw;
  bytes = 0;
  const started = performance.now();
  const index = await SearchIndex.open(base);
  const found = await index.search(query, filters);
  await index.documents(found.ids.slice(0, 10));
  const ms = performance.now() - started;
  console.log(JSON.stringify({ query, filters, results: found.ids.length,
    kilobytes: +(bytes / 1024).toFixed(1), ms: +ms.toFixed(1) }));
}
