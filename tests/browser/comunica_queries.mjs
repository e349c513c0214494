// Run several queries with Comunica against one SPARQL endpoint in a single Node process
// (each CLI call costs ~2 s of start-up). Usage: node comunica_queries.mjs ENDPOINT QUERIES.json
// QUERIES.json: {"name": "query text", ...}; prints {"name": result} as JSON, where a
// SELECT gives a list of {var: value}, an ASK a boolean and a CONSTRUCT a list of N-Triples.
import { readFileSync } from "node:fs";
import { QueryEngine } from "@comunica/query-sparql";

const [endpoint, file] = process.argv.slice(2);
const queries = JSON.parse(readFileSync(file, "utf8"));
const engine = new QueryEngine();
const context = { sources: [{ type: "sparql", value: endpoint }], lenient: false };
const out = {};
for (const [name, query] of Object.entries(queries)) {
  try {
    const result = await engine.query(query, context);
    if (result.resultType === "bindings") {
      const bindings = await (await result.execute()).toArray();
      out[name] = bindings.map((b) => Object.fromEntries([...b].map(([k, v]) => [k.value, v.value])));
    } else if (result.resultType === "boolean") {
      out[name] = await result.execute();
    } else {
      const quads = await (await result.execute()).toArray();
      out[name] = quads.map((q) => `${q.subject.value} ${q.predicate.value} ${q.object.value}`);
    }
  } catch (error) {
    out[name] = { error: String(error && error.message || error) };
  }
}
console.log(JSON.stringify(out));
process.exit(0);
