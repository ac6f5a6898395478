// The assessment page's risk and plan: shows the plan computed last (by a
// job or by `holisec assess plan`), starts a `plan` job and follows it.
"use strict";

(function () {
  const { api, el, show, euros } = window.holisec;
  const charts = window.holisecCharts;
  const section = document.getElementById("plan");
  const form = document.getElementById("questionnaire");
  if (!section || !form) return;
  const id = Number(form.dataset.assessment);

  const DECISIONS = {
    "recommended": "recommended",
    "budget-fill": "taken to use the budget",
    "over-budget": "pays, but over budget",
    "not-worth-it": "does not pay for itself",
  };

  function figures(plan, latest) {
    const b = plan.baseline;
    const rows = [
      ["Expected annual loss (closed form)", euros(b.expected)],
      ["Mean annual loss (simulated)", euros(b.ale)],
      ["95th percentile of a year's loss", euros(b.p95)],
      ["99th percentile of a year's loss", euros(b.p99)],
      ["Selected steps", plan.actions.filter((a) => a.selected).length + " costing " + euros(plan.selected_cost) + " a year"],
      ["Expected loss they avoid", euros(plan.selected_delta_ale) + " a year (net " + euros(plan.selected_net_benefit) + ")"],
      ["Budget", plan.budget == null ? "none" : euros(plan.budget)],
      ["Run", plan.iterations.toLocaleString("en-GB") + " simulated years, seed " + plan.seed + (latest.computed_at ? ", computed " + latest.computed_at : "")],
    ];
    document.querySelector("#plan-figures tbody").replaceChildren(
      ...rows.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", { class: "num" }, v))));
  }

  function actions(plan) {
    const rows = plan.actions.map((a) => el("tr", { class: a.selected ? "selected" : "", dataset: { item: a.item } },
      el("td", {}, a.title),
      el("td", { class: "num" }, a.from + " → " + a.to),
      el("td", { class: "num" }, euros(a.cost)),
      el("td", { class: "num" }, euros(a.delta_expected)),
      el("td", { class: "num" }, a.per_euro == null ? "free" : a.per_euro.toFixed(2)),
      el("td", { class: "num" }, euros(a.net_benefit)),
      el("td", {}, DECISIONS[a.decision] || a.decision)));
    document.querySelector("#plan-actions tbody").replaceChildren(...rows);
  }

  function render(latest) {
    if (!latest) return;
    // The plan's fields are flattened into `latest` (see PlanView).
    const plan = latest;
    document.getElementById("plan-none").hidden = true;
    document.getElementById("plan-result").hidden = false;
    document.getElementById("plan-stale").hidden = !latest.stale;
    figures(plan, latest);
    actions(plan);
    if (Array.isArray(plan.lec) && plan.lec.length) {
      charts.lec(document.getElementById("plan-lec"), [{
        name: "this hospital as answered",
        loss: plan.lec.map((p) => p.loss),
        probability: plan.lec.map((p) => p.probability),
      }]);
    }
  }

  async function load() {
    const r = await api("GET", "/api/v1/assessments/" + id + "/plan");
    if (r.status === 200 && r.json.latest) render(r.json.latest);
  }

  const start = document.getElementById("plan-form");
  if (start) {
    start.addEventListener("submit", (event) => {
      event.preventDefault();
      const budget = document.getElementById("plan-budget").value;
      const body = {
        kind: "plan",
        assessment: id,
        iterations: Number(document.getElementById("plan-iterations").value),
        seed: Number(document.getElementById("plan-seed").value),
      };
      if (budget !== "") body.budget = Number(budget);
      show(document.getElementById("run-error"), "");
      charts.runJob(body, { cancel: document.getElementById("plan-cancel"), kind: "plan" }, () => load());
    });
  }
  load();
})();
