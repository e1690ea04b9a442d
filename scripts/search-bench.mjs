// Query benchmark for the built search bundle, as a phone would run it: each query
// starts from a cold instance (nothing cached) and loads its first 10 results.
// Usage: node scripts/search-bench.mjs OUTPUT/pagefind ["query" …] [--filter tinh=lam-dong]
// Prints bytes fetched and milliseconds per query, as JSON lines.
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const args = process.argv.slice(2);
const bundle = path.resolve(args.shift() || "output/pagefind");
const filterArgs = [];
const queries = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--filter") filterArgs.push(args[++i]);
  else queries.push(args[i]);
}
if (!queries.length) queries.push("dan van kheo", "van", "nguyen van", "lam ha", "duc");

let bytes = 0;
globalThis.fetch = async (url) => {
  const file = fileURLToPath(String(url).split("?")[0]);
  const data = await readFile(file);
  bytes += data.length;
  return new Response(data, { status: 200 });
};

function fold(text) {
  return text.toLowerCase().replaceAll("đ", "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
}
function indexQuery(text) {
  const words = fold(text).match(/[0-9a-z]+/g) || [];
  if (words.length < 2) return words.join(" ");
  return words.slice(1).map((word, i) => words[i] + word).join(" ");
}

const filters = Object.fromEntries(filterArgs.map((f) => f.split("=")));
let run = 0;
async function measure(query) {
  const pagefind = await import(`${pathToFileURL(path.join(bundle, "pagefind.js"))}?run=${run++}`);
  await pagefind.options({ basePath: pathToFileURL(bundle).href + "/" });
  bytes = 0;
  const started = performance.now();
  let search = await pagefind.search(query ? indexQuery(query) : null, { filters });
  if (query && !search.results.length) search = await pagefind.search(fold(query), { filters });
  await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
  const ms = performance.now() - started;
  return { query, filters, results: search.results.length, kilobytes: +(bytes / 1024).toFixed(1), ms: +ms.toFixed(1) };
}

for (const query of queries) console.log(JSON.stringify(await measure(query === "-" ? "" : query)));
