// The risk page: run risk as a job on the built-in or an uploaded model,
// follow it, draw the loss exceedance curves and the result's tables.
"use strict";

(function () {
  const { api, el } = window.holisec;
  const charts = window.holisecCharts;

  function showResult(job) {
    const result = job.result || {};
    document.getElementById("risk-result").hidden = false;
    const chart = document.getElementById("lec");
    if (result.lec && Array.isArray(result.lec.series)) charts.lec(chart, result.lec.series);
    charts.tables(document.getElementById("risk-tables"), result, ["lec"]);
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
      };
      charts.runJob(body, { cancel: document.getElementById("risk-cancel"), kind: "risk" }, showResult);
    });
  }
  models();
  charts.listJobs("risk", open);
})();
