// Parse one RDF file with an independent JavaScript parser and print it as N-Quads.
// usage: node rdf_to_nquads.mjs FILE FORMAT   (FORMAT: turtle, trig, ntriples, nquads, jsonld)
// .gz files are decompressed first. n3.js reads Turtle/TriG/N-Triples/N-Quads; jsonld.js
// expands JSON-LD (with its inline @context) and converts it with toRDF.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import N3 from "n3";
import jsonld from "jsonld";

const [file, format] = process.argv.slice(2);
let data = readFileSync(file);
if (file.endsWith(".gz")) data = gunzipSync(data);
const text = data.toString("utf-8");

if (format === "jsonld") {
  // No document loader: a remote @context must never be fetched (ours is inline).
  const nquads = await jsonld.toRDF(JSON.parse(text), {
    format: "application/n-quads",
    documentLoader: async (url) => { throw new Error(`refusing to fetch ${url}`); },
  });
  process.stdout.write(nquads);
} else {
  const names = { turtle: "Turtle", trig: "TriG", ntriples: "N-Triples", nquads: "N-Quads" };
  const quads = new N3.Parser({ format: names[format] }).parse(text);
  const writer = new N3.Writer({ format: "N-Quads" });
  writer.addQuads(quads);
  writer.end((error, result) => {
    if (error) { console.error(error); process.exit(1); }
    process.stdout.write(result);
  });
}
