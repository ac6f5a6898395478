// The simulation page: run a scenario as a job, follow it, draw epidemic
// curves with replicate bands and the per-country table; compare two runs
// side by side.
"use strict";

(function () {
  const { api, el, show, errorText } = window.holisec;
  const charts = window.holisecCharts;

  function draw(target, job) {
    const result = job.result || {};
    target.replaceChildren(el("h2", {}, "Job " + job.id + (job.scenario ? " · " + job.scenario : "")));
    if (Array.isArray(result.day) && Array.isArray(result.series)) charts.epidemic(target, result);
    const tables = el("div", {});
    target.append(tables);
    charts.tables(tables, result, ["day", "series"]);
  }

  async function open(id, target) {
    const r = await api("GET", "/api/v1/jobs/" + id);
    if (r.status === 200 && r.json.result) draw(target, r.json);
    else show(document.getElementById("run-error"), "job " + id + ": " + (r.status === 200 ? "no result yet" : errorText(r)));
  }

  const form = document.getElementById("sim-form");
  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = {
        kind: "simulation",
        scenario: document.getElementById("sim-scenario").value,
        replicates: Number(document.getElementById("sim-replicates").value),
        seed: Number(document.getElementById("sim-seed").value),
      };
      charts.runJob(body, { cancel: document.getElementById("sim-cancel"), kind: "simulation" },
        (job) => draw(document.getElementById("sim-a"), job));
    });
  }
  document.getElementById("compare-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const a = document.getElementById("compare-a").value;
    const b = document.getElementById("compare-b").value;
    if (a) open(a, document.getElementById("sim-a"));
    if (b) open(b, document.getElementById("sim-b"));
  });
  charts.listJobs("simulation", (id) => open(id, document.getElementById("sim-a")));
})();
