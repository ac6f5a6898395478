// Checks one self-contained HTML report of `holisec report` (inline SVG
// figures, inline CSS, no scripts, no external requests), for the Rust tests.
//
// Usage: node report-check.mjs REPORT.html [SCREENSHOT_DIR]
//
// 1. Validates the file with html-validate (the `html-validate:recommended`
//    preset, a few purely stylistic rules off: see RULES_OFF).
// 2. Opens it in Debian's chromium (playwright-core, no downloaded browser;
//    $CHROMIUM or /usr/bin/chromium). The file is served to the browser
//    through page.route under an address that cannot resolve; every other
//    request (http, https, a relative file, a font, a print stylesheet ...)
//    is aborted and recorded: the report must make none.
// 3. Runs axe-core in the page with the WCAG 2.0/2.1 A and AA rules and the
//    best practices.
// 4. With SCREENSHOT_DIR, saves report-screen.png (full page) and
//    report-print.png (full page, print media emulated) there.
//
// Output: one JSON object on stdout:
//   { "validator": { "valid": bool,
//                    "messages": [{ "rule", "message", "line", "column",
//                                   "severity": "error" | "warning" }] },
//     "axe": { "violations": [{ "id", "impact", "help", "nodes": N,
//                               "targets": [selectors of the first 3 nodes] }] },
//     "external_requests": [urls],        // every request but the file itself
//     "title": document.title,
//     "headings": [text of every h1 and h2, in document order],
//     "images_without_text": [selectors],  // img/svg with no accessible name
//     "scripts": N }                       // <script> elements in the file
// Exit status: 0 when the checks ran (whatever they found); 2 on a usage error
// or an unreadable file; 3 when the browser could not be started or driven.
// The reason is on stderr.
import { readFileSync, existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { HtmlValidate, StaticConfigLoader } from "html-validate";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

function fail(status, message) {
  console.error(`report-check: ${message}`);
  process.exit(status);
}

const [file, shotDir] = process.argv.slice(2);
if (!file || process.argv.length > 4) fail(2, "usage: node report-check.mjs REPORT.html [SCREENSHOT_DIR]");
let html;
try {
  html = readFileSync(file, "utf8");
} catch (e) {
  fail(2, `cannot read ${file}: ${e.message}`);
}
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
if (!existsSync(executablePath)) fail(3, `no chromium at ${executablePath} (set $CHROMIUM, or install Debian's chromium)`);
if (shotDir) {
  try {
    mkdirSync(shotDir, { recursive: true });
  } catch (e) {
    fail(2, `cannot create ${shotDir}: ${e.message}`);
  }
}

// Rules of the recommended preset switched off. Each is about how the markup
// is written, not about what it means; everything about validity (content
// models, ids, attributes) and accessibility (headings, alt text, table
// headers, labels, the wcag/* rules) stays on.
const RULES_OFF = {
  // The report is one self-contained file by design: inline SVG carries its
  // presentation in style attributes, and there is no stylesheet file to
  // move them to.
  "no-inline-style": "off",
  // Whether a boolean attribute is written `hidden` or `hidden=""`: spelling.
  "attribute-boolean-style": "off",
  // Whether a void element is written `<br>` or `<br/>`: spelling; both are
  // valid HTML, and SVG emitters tend to close everything.
  "void-style": "off",
  // Trailing spaces in generated markup (labels, wrapped SVG text) change
  // nothing in the document.
  "no-trailing-whitespace": "off",
  // A search-engine advice (titles under 70 characters); the report's title
  // carries the model's name, whatever its length.
  "long-title": "off",
};

async function validate() {
  const loader = new StaticConfigLoader({ extends: ["html-validate:recommended"], rules: RULES_OFF });
  const validator = new HtmlValidate(loader);
  const report = await validator.validateString(html, path.basename(file));
  const messages = report.results.flatMap((r) =>
    r.messages.map((m) => ({
      rule: m.ruleId,
      message: m.message,
      line: m.line,
      column: m.column,
      severity: m.severity === 2 ? "error" : "warning",
    })));
  return { valid: report.valid, messages };
}

// Runs in the page: what the DOM says, before axe is added.
function inspectPage() {
  const selectorOf = (el) => {
    if (el.id && document.querySelectorAll(`#${CSS.escape(el.id)}`).length === 1) return `#${CSS.escape(el.id)}`;
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && e !== document.documentElement; e = e.parentElement) {
      if (e !== el && e.id && document.querySelectorAll(`#${CSS.escape(e.id)}`).length === 1) {
        parts.unshift(`#${CSS.escape(e.id)}`);
        break;
      }
      const name = e.localName;
      const same = e.parentElement ? Array.from(e.parentElement.children).filter((c) => c.localName === name) : [e];
      parts.unshift(same.length > 1 ? `${name}:nth-of-type(${same.indexOf(e) + 1})` : name);
    }
    return parts.join(" > ");
  };
  const text = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : "");
  const labelledBy = (el) =>
    (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean)
      .map((id) => text(document.getElementById(id))).join(" ").trim();
  const decorative = (el) =>
    el.getAttribute("aria-hidden") === "true" || ["presentation", "none"].includes(el.getAttribute("role"));
  // An image has text when it names itself: an img by its alt (alt="" marks
  // it decorative), an outermost svg by aria-labelledby or aria-label or its
  // own <title> child. A deliberately hidden image (aria-hidden="true",
  // role="presentation"/"none") needs none. Inner svg elements are parts of
  // their figure.
  const missing = [];
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt") && !labelledBy(img) && !(img.getAttribute("aria-label") || "").trim() && !decorative(img)) {
      missing.push(selectorOf(img));
    }
  }
  for (const svg of document.querySelectorAll("svg")) {
    if (svg.parentElement && svg.parentElement.closest("svg")) continue;
    if (decorative(svg)) continue;
    const title = Array.from(svg.children).find((c) => c.localName === "title");
    if (labelledBy(svg) || (svg.getAttribute("aria-label") || "").trim() || text(title)) continue;
    missing.push(selectorOf(svg));
  }
  return {
    title: document.title,
    headings: Array.from(document.querySelectorAll("h1, h2"), text),
    images_without_text: missing,
    scripts: document.querySelectorAll("script").length,
  };
}

async function inBrowser() {
  // An address under .invalid never resolves, so nothing reaches a network
  // even if the route below were bypassed.
  const reportUrl = `http://holisec-report.invalid/${encodeURIComponent(path.basename(file))}`;
  const external = [];
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url === reportUrl) {
        return route.fulfill({ status: 200, contentType: "text/html", body: html });
      }
      external.push(url);
      return route.abort("blockedbyclient");
    });
    // Requests the route does not see (a WebSocket, say) are recorded too.
    page.on("websocket", (ws) => external.push(ws.url()));
    await page.goto(reportUrl, { waitUntil: "load" });
    const facts = await page.evaluate(inspectPage);

    // axe-core, added only now so its own script is not counted above.
    await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
    const result = await page.evaluate(() =>
      window.axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
        resultTypes: ["violations"],
      }));
    const violations = result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((n) => n.target.flat(Infinity).join(" ")),
    }));

    if (shotDir) await page.screenshot({ path: path.join(shotDir, "report-screen.png"), fullPage: true });
    // Print media always, so a print-only resource is caught too.
    await page.emulateMedia({ media: "print" });
    await page.evaluate(() => document.body && document.body.getBoundingClientRect());
    if (shotDir) await page.screenshot({ path: path.join(shotDir, "report-print.png"), fullPage: true });
    await page.waitForLoadState("load");
    return { violations, external, facts };
  } finally {
    await browser.close();
  }
}

const validator = await validate().catch((e) => fail(2, `html-validate could not run: ${e.stack || e.message}`));
const seen = await inBrowser().catch((e) => fail(3, `the browser check could not run: ${e.message}`));
const out = {
  validator,
  axe: { violations: seen.violations },
  external_requests: [...new Set(seen.external)],
  ...seen.facts,
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
