// The ecosystem map: draws GET /api/v1/map with cytoscape.js.
//
// Layout (preset positions, computed here): stakeholders on concentric rings
// by influence (the server's `ring`: the most influential alone in the
// centre, then rings of 10, 20, ...), each ring wide enough for its labels,
// so the centre is never crowded; threats in a column on the left, support
// on the right; the threat-to-target edges only for a selection or a path. Vulnerability factors are shown with their
// stakeholder when it is selected (fanned outward from it), on an attack
// path, with a domain filter, or all at once with the checkbox.
"use strict";

(function () {
  const { api, el, show, errorText } = window.holisec;
  const RING = 260;       // least distance between rings
  const SLOT = 270;       // room along a ring per stakeholder
  const FAN = 150;        // distance of a factor from its stakeholder
  const ROW = 64;         // vertical spacing of threats and support
  const COLUMN = 260;     // distance of the threat and support columns from the outer ring

  let cy = null;
  let data = null;

  const style = [
    { selector: "node", style: {
      "label": "data(label)", "text-wrap": "wrap", "text-max-width": 130,
      "font-family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "font-size": 13,
      "text-valign": "center", "text-halign": "center", "color": "#111",
    } },
    { selector: "node.stakeholder", style: {
      "shape": "round-rectangle", "width": 200, "height": 64, "font-size": 19, "text-max-width": 190,
      "background-color": "data(fill)", "border-color": "data(stroke)", "border-width": 2,
      "font-weight": "bold",
    } },
    { selector: "node.factor", style: {
      "shape": "round-rectangle", "width": 150, "height": 54, "font-size": 14, "text-max-width": 142,
      "background-color": "data(fill)", "border-color": "data(stroke)", "border-width": 1.5,
      "display": "none",
    } },
    { selector: "node.factor.visible", style: { "display": "element" } },
    { selector: "node.threat", style: {
      "shape": "round-rectangle", "width": 230, "height": 52, "font-size": 17, "text-max-width": 220, "font-style": "italic",
      "background-color": "#ffffff", "border-color": "#9e9e9e", "border-width": 1,
    } },
    { selector: "node.support", style: {
      "shape": "round-rectangle", "width": 230, "height": 52, "font-size": 17, "text-max-width": 220, "font-weight": "bold",
      "background-color": "#ffffff", "border-color": "#9e9e9e", "border-width": 1,
    } },
    { selector: "edge", style: {
      "curve-style": "bezier", "width": 1.2, "line-color": "#9e9e9e",
      "target-arrow-color": "#9e9e9e", "target-arrow-shape": "triangle", "arrow-scale": 0.8,
      "font-size": 14, "color": "#333", "text-background-color": "#fff", "text-background-opacity": 0.9,
      "text-background-padding": 2,
    } },
    { selector: "edge.relation.first", style: { "line-color": "#333", "target-arrow-color": "#333", "width": 1.6 } },
    { selector: "edge.relation.second", style: {
      "line-color": "#6b6b6b", "target-arrow-color": "#6b6b6b", "line-style": "dashed", "line-dash-pattern": [7, 5],
    } },
    { selector: "edge.targets", style: { "display": "none", "width": 1 } },
    { selector: "edge.targets.shown", style: { "display": "element", "opacity": 0.55 } },
    { selector: "edge.has", style: { "line-color": "#e67e00", "target-arrow-shape": "none", "width": 1 } },
    { selector: "edge.mitigates", style: { "line-style": "dotted", "target-arrow-shape": "tee" } },
    { selector: "edge.labelled", style: { "label": "data(label)" } },
    { selector: ".faded", style: { "opacity": 0.12 } },
    { selector: "node.selected", style: { "border-width": 4, "border-color": "#1b5e20" } },
    { selector: "edge.onpath", style: {
      "line-color": "#c62828", "target-arrow-color": "#c62828", "width": 4, "opacity": 1, "z-index": 10,
    } },
    { selector: "node.onpath", style: { "border-color": "#c62828", "border-width": 4, "opacity": 1 } },
  ];

  // Positions: stakeholders on rings, factors fanned out, threats and support in columns.
  function positions(elements) {
    const pos = {};
    const byRing = {};
    for (const n of elements.nodes) {
      if (n.classes === "stakeholder") (byRing[n.data.ring] = byRing[n.data.ring] || []).push(n);
    }
    let outer = 0;
    for (const [ring, nodes] of Object.entries(byRing)) {
      const r = Number(ring) === 0 ? 0 : Math.max(outer + RING, (nodes.length * SLOT) / (2 * Math.PI));
      outer = Math.max(outer, r);
      nodes.forEach((n, i) => {
        const a = -Math.PI / 2 + (2 * Math.PI * i) / nodes.length + (Number(ring) % 2 ? 0 : Math.PI / nodes.length);
        pos[n.data.id] = { x: r * Math.cos(a), y: r * Math.sin(a) };
      });
    }
    const factorsOf = {};
    for (const n of elements.nodes) {
      if (n.classes === "factor") (factorsOf[n.data.owner] = factorsOf[n.data.owner] || []).push(n);
    }
    for (const [owner, factors] of Object.entries(factorsOf)) {
      const o = pos[owner] || { x: 0, y: 0 };
      if (Math.hypot(o.x, o.y) < 1) {
        // The centre's own factors: an ellipse around it (they are wide),
        // inside the first ring, one slot each.
        const r = Math.max(FAN, (factors.length * 165) / (2 * Math.PI));
        factors.forEach((f, i) => {
          const a = -Math.PI / 2 + (2 * Math.PI * i) / factors.length;
          pos[f.data.id] = { x: o.x + 1.3 * r * Math.cos(a), y: o.y + 0.9 * r * Math.sin(a) };
        });
        continue;
      }
      // Others: fanned outward, away from the centre.
      const out = Math.atan2(o.y, o.x);
      const spread = Math.min(Math.PI * 1.1, 0.45 * factors.length);
      factors.forEach((f, i) => {
        const a = out + (factors.length === 1 ? 0 : -spread / 2 + (spread * i) / (factors.length - 1));
        const d = FAN + (i % 2) * 55;
        pos[f.data.id] = { x: o.x + d * Math.cos(a), y: o.y + d * Math.sin(a) };
      });
    }
    for (const [kind, side] of [["threat", -1], ["support", 1]]) {
      const column = elements.nodes.filter((n) => n.classes === kind);
      column.forEach((n, i) => {
        pos[n.data.id] = { x: side * (outer + COLUMN), y: (i - (column.length - 1) / 2) * ROW };
      });
    }
    return pos;
  }

  function clearFocus() {
    cy.elements().removeClass("faded selected onpath labelled shown");
    cy.nodes(".factor").removeClass("visible");
    applyFactorVisibility();
  }

  function applyFactorVisibility() {
    const all = document.getElementById("show-factors").checked || (data && data.filter.domain);
    if (all) cy.nodes(".factor").addClass("visible");
  }

  function list(title, items, describe) {
    return el("section", {},
      el("h3", {}, title),
      items.length ? el("ul", {}, items.map((i) => el("li", {}, describe(i)))) : el("p", { class: "muted" }, "none"));
  }

  function showPanel(s) {
    const body = document.getElementById("panel-body");
    document.getElementById("panel-hint").hidden = true;
    body.replaceChildren(
      el("h2", { id: "panel-title" }, s.name),
      el("p", { class: "muted" }, s.kind),
      el("table", { class: "compact" }, el("tbody", {},
        el("tr", {}, el("th", {}, "influence (PageRank)"), el("td", { class: "num" }, s.influence.toFixed(3))),
        el("tr", {}, el("th", {}, "betweenness"), el("td", { class: "num" }, s.betweenness.toFixed(3))),
        el("tr", {}, el("th", {}, "relations"), el("td", { class: "num" }, s.degree)))),
      el("section", { id: "panel-factors" }, el("h3", {}, "Vulnerability factors"),
        s.factors.length ? s.factors.map((d) => el("div", {}, el("h4", {}, d.domain),
          el("ul", {}, d.factors.map((f) => el("li", { class: "factor-item" }, f.name))))) : el("p", { class: "muted" }, "none")),
      list("Threats that target it", s.threats, (t) => [el("i", {}, t.name), " (" + t.tag + ")"]),
      list("Support that covers it", s.support, (p) => [el("b", {}, p.name), " (" + p.tag + ")"]),
      list("Within one level (" + s.one_level_count + ")", s.within_one_level, (n) => n),
      list("Within two levels (" + s.two_levels_count + ")", s.within_two_levels, (n) => n),
    );
  }

  function select(node) {
    clearFocus();
    const s = data.stakeholders.find((x) => x.element === node.id());
    if (!s) return;
    const factors = cy.nodes(".factor").filter((f) => f.data("owner") === node.id());
    factors.addClass("visible");
    const relations = node.connectedEdges(".relation");
    const keep = node.union(factors).union(relations).union(relations.connectedNodes())
      .union(factors.connectedEdges()).union(factors.connectedEdges().connectedNodes())
      .union(node.connectedEdges(".targets")).union(node.connectedEdges(".targets").connectedNodes());
    cy.elements().not(keep).addClass("faded");
    node.connectedEdges(".targets").addClass("shown");
    relations.addClass("labelled");
    node.addClass("selected");
    showPanel(s);
  }

  function highlight(path) {
    clearFocus();
    const ids = new Set(path.elements);
    const on = cy.elements().filter((e) => ids.has(e.id()));
    on.nodes(".factor").addClass("visible");
    cy.elements().not(on).addClass("faded");
    on.addClass("onpath");
    on.nodes(".threat").connectedEdges(".targets").addClass("shown");
    on.edges(".relation").addClass("labelled");
  }

  function showPaths() {
    const box = document.getElementById("paths");
    if (!data.filter.motivation) { box.replaceChildren(); return; }
    const name = (id) => { const s = data.stakeholders.find((x) => x.id === id); return s ? s.name : id; };
    const label = (id) => { const n = data.elements.nodes.find((x) => x.data.id === id); return n ? n.data.label : id; };
    const items = data.attack_paths.map((p, i) => el("li", {},
      el("button", { type: "button", class: "link path", dataset: { path: i } },
        [el("i", {}, label("t:" + p.path.threat)), " → " + label("v:" + p.path.vulnerability) + " → ",
          p.path.steps.map((s) => name(s.stakeholder)).join(" → ")]),
      el("span", { class: "muted" }, " score " + p.path.score.toPrecision(2))));
    box.replaceChildren(el("h2", {}, "Attack paths: " + data.filter.motivation),
      items.length ? el("ol", { class: "paths" }, items) : el("p", { class: "muted" }, "none with this filter"));
    box.querySelectorAll("button.path").forEach((b) =>
      b.addEventListener("click", () => highlight(data.attack_paths[Number(b.dataset.path)])));
    if (data.attack_paths.length) highlight(data.attack_paths[0]);
  }

  async function load() {
    const params = new URLSearchParams();
    const domain = document.getElementById("filter-domain").value;
    const motivation = document.getElementById("filter-motivation").value;
    if (domain) params.set("domain", domain);
    if (motivation) params.set("motivation", motivation);
    const r = await api("GET", "/api/v1/map" + (params.toString() ? "?" + params : ""));
    const error = document.getElementById("map-error");
    if (r.status !== 200) { show(error, errorText(r)); return; }
    show(error, "");
    data = r.json;
    document.getElementById("panel-hint").hidden = false;
    document.getElementById("panel-body").replaceChildren();
    const pos = positions(data.elements);
    if (cy) cy.destroy();
    cy = window.cytoscape({
      container: document.getElementById("cy"),
      elements: data.elements,
      style,
      layout: { name: "preset", positions: (n) => pos[n.id()], fit: true, padding: 12 },
      minZoom: 0.2, maxZoom: 3, wheelSensitivity: 0.3,
      boxSelectionEnabled: false, autoungrabify: false,
    });
    cy.on("tap", "node.stakeholder", (e) => select(e.target));
    cy.on("tap", (e) => { if (e.target === cy) { clearFocus(); showPaths(); } });
    applyFactorVisibility();
    showPaths();
    document.getElementById("cy").dataset.ready = "true";
  }

  document.getElementById("filter-domain").addEventListener("change", load);
  document.getElementById("filter-motivation").addEventListener("change", load);
  document.getElementById("show-factors").addEventListener("change", () => {
    if (!cy) return;
    if (!document.getElementById("show-factors").checked) cy.nodes(".factor").removeClass("visible");
    applyFactorVisibility();
  });
  document.getElementById("fit").addEventListener("click", () => cy && cy.fit(undefined, 12));
  document.getElementById("map-filters").addEventListener("submit", (e) => e.preventDefault());
  // The graph, for the browser test and the console (read only).
  window.holisecMap = { get cy() { return cy; } };
  load();
})();
