// The simulation page: run a scenario (built in or uploaded) as a job,
// follow it, draw epidemic curves with replicate bands, the organisations
// the scenario names and the per-country table; compare two runs side by
// side.
"use strict";

(function () {
  const { api, el, show, errorText } = window.holisec;
  const charts = window.holisecCharts;

  function draw(target, job) {
    const result = job.result || {};
    target.replaceChildren(el("h2", {}, "Job " + job.id + (job.scenario ? " · " + job.scenario : "")));
    if (Array.isArray(result.day) && Array.isArray(result.series)) charts.epidemic(target, result);
    // The organisations the scenario names first: a replay of one
    // organisation's incident is about them.
    if (Array.isArray(result.named) && result.named.length) {
      const named = el("div", {});
      target.append(named);
      charts.tables(named, { organisations_the_scenario_names: result.named }, []);
    }
    const tables = el("div", {});
    target.append(tables);
    charts.tables(tables, result, ["day", "series", "named"]);
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
      const choice = document.getElementById("sim-scenario");
      const option = choice.selectedOptions[0];
      const body = {
        kind: "simulation",
        // An uploaded scenario goes by its id, a built-in one by its name.
        scenario: option && option.dataset.upload ? Number(choice.value) : choice.value,
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
