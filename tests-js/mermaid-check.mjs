// Validates Mermaid text with Mermaid's own parser (the `mermaid` npm package).
//
// Usage: node mermaid-check.mjs [FILE]   (reads stdin when FILE is absent or "-")
// Exit status: 0 when Mermaid accepts the text as a flowchart, 1 when it rejects it
// (the parser's message on stderr), 2 on a usage or I/O error.
//
// Mermaid needs a DOM even to parse (it sanitises labels with DOMPurify), so a
// jsdom window provides `window`, `document` and friends as globals first.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!DOCTYPE html><html><body></body></html>", { pretendToBeVisual: true });
for (const key of ["window", "document", "navigator", "Element", "HTMLElement", "SVGElement", "Node", "DOMParser", "MutationObserver"]) {
  if (globalThis[key] === undefined) {
    Object.defineProperty(globalThis, key, { value: dom.window[key], configurable: true, writable: true });
  }
}

const { default: mermaid } = await import("mermaid");

let text;
try {
  const arg = process.argv[2];
  text = readFileSync(arg === undefined || arg === "-" ? 0 : arg, "utf8");
} catch (e) {
  console.error(`mermaid-check: cannot read input: ${e.message}`);
  process.exit(2);
}

mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
try {
  const result = await mermaid.parse(text);
  if (!result || result.diagramType !== "flowchart-v2") {
    console.error(`mermaid-check: parsed, but as ${result && result.diagramType}, not a flowchart`);
    process.exit(1);
  }
  console.log(`mermaid-check: ok (${result.diagramType})`);
  process.exit(0);
} catch (e) {
  console.error(`mermaid-check: rejected: ${e && e.message ? e.message : e}`);
  process.exit(1);
}
