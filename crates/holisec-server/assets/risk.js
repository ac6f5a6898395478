// The risk page: run risk as a job on the built-in or an uploaded model,
// follow it, draw the loss exceedance curves and the result's tables.
"use strict";

(function () {
  const { api, el, euros } = window.holisec;
  const charts = window.holisecCharts;


  // An insurer's book: the same members drawn independently and with shared
  // suppliers' compromises hitting every client at once; the gap in the tail
  // is the accumulation risk.
  function showPortfolio(p) {
    const box = document.getElementById("portfolio-result");
    box.hidden = !p;
    if (!p) return;
    document.getElementById("portfolio-summary").textContent =
      p.sharing_structure + "; " + p.iterations.toLocaleString("en-GB") + " simulated years, seed " + p.seed +
      ". Sharing suppliers multiplies the 1-in-100-year loss by " + p.p99_ratio.toFixed(2) + ".";
    const curve = (name, s) => ({ name, loss: s.lec.map((q) => q.loss), probability: s.lec.map((q) => q.probability) });
    charts.lec(document.getElementById("portfolio-lec"),
      [curve("independent members", p.independent), curve("shared suppliers", p.shared_suppliers)]);
    const rows = [
      ["Mean annual loss", euros(p.independent.ale), euros(p.shared_suppliers.ale)],
      ["95th percentile", euros(p.independent.percentiles.p95), euros(p.shared_suppliers.percentiles.p95)],
      ["99th percentile", euros(p.independent.percentiles.p99), euros(p.shared_suppliers.percentiles.p99)],
      ["Worst year seen", euros(p.independent.max), euros(p.shared_suppliers.max)],
      ["Members hit in a year (mean)", p.members_hit_independent.mean.toFixed(1), p.members_hit_shared.mean.toFixed(1)],
      ["Members hit in a year (99th percentile)", String(p.members_hit_independent.p99), String(p.members_hit_shared.p99)],
    ];
    document.querySelector("#portfolio-figures tbody").replaceChildren(...rows.map((r) =>
      el("tr", {}, el("th", {}, r[0]), el("td", { class: "num" }, r[1]), el("td", { class: "num" }, r[2]))));
  }

  function showResult(job) {
    const result = job.result || {};
    document.getElementById("risk-result").hidden = false;
    const chart = document.getElementById("lec");
    if (result.lec && Array.isArray(result.lec.series)) charts.lec(chart, result.lec.series);
    showPortfolio(result.portfolio);
    charts.tables(document.getElementById("risk-tables"), result, ["lec", "portfolio"]);
  }

  function portfolio() {
    const on = document.getElementById("risk-portfolio");
    if (!on || !on.checked) return null;
    const n = (id) => Number(document.getElementById(id).value);
    return {
      organisations: n("portfolio-organisations"),
      providers: n("portfolio-providers"),
      concentration: n("portfolio-concentration"),
    };
  }

  async function open(id) {
    const r = await api("GET", "/api/v1/jobs/" + id);
    if (r.status === 200 && r.json.result) showResult(r.json);
  }

  async function models() {
    const select = document.getElementById("risk-model");
    if (!select) return;
    const r = await api("GET", "/api/v1/models");
    if (r.status !== 200 || !Array.isArray(r.json)) return;
    r.json.filter((m) => m.kind === "model").forEach((m) => select.append(el("option", { value: m.id }, m.name)));
  }

  const form = document.getElementById("risk-form");
  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const model = document.getElementById("risk-model").value;
      const body = {
        kind: "risk",
        model: model ? Number(model) : null,
        iterations: Number(document.getElementById("risk-iterations").value),
        seed: Number(document.getElementById("risk-seed").value),
        portfolio: portfolio(),
      };
      charts.runJob(body, { cancel: document.getElementById("risk-cancel"), kind: "risk" }, showResult);
    });
  }
  models();
  charts.listJobs("risk", open);
})();
