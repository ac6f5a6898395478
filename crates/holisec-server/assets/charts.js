// Charts drawn with uPlot, and the job plumbing the risk and simulation
// pages share: start a job, follow its server-sent events, cancel it, list
// earlier runs, and render any result table generically.
"use strict";

window.holisecCharts = (function () {
  const { api, el, show, errorText } = window.holisec;
  const COLOURS = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037", "#ad1457"];

  function width(container) {
    return Math.max(320, Math.min(1100, container.clientWidth || 800));
  }

  // Loss exceedance curves: each series {name, loss[], probability[]} on log-log axes.
  function lec(container, series) {
    const xs = new Set();
    const clean = series.map((s) => {
      const pts = s.loss.map((x, i) => [x, s.probability[i]]).filter(([x, p]) => x > 0 && p > 0);
      pts.forEach(([x]) => xs.add(x));
      return { name: s.name, map: new Map(pts) };
    });
    const x = Array.from(xs).sort((a, b) => a - b);
    const data = [x].concat(clean.map((s) => x.map((v) => (s.map.has(v) ? s.map.get(v) : null))));
    const opts = {
      width: width(container), height: 380, legend: { live: false },
      scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
      axes: [
        { label: "loss in a year (EUR)", values: (u, v) => v.map((n) => n == null ? "" : "€" + n.toExponential(0)) },
        { label: "probability of exceeding", values: (u, v) => v.map((n) => n == null ? "" : n.toExponential(0)) },
      ],
      series: [{ label: "loss" }].concat(clean.map((s, i) => ({
        label: s.name, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: true, points: { show: false },
      }))),
    };
    container.replaceChildren();
    return new window.uPlot(opts, data, container);
  }

  // Epidemic curves: {day[], series:[{name, median[], low[], high[]}]} with replicate bands.
  function epidemic(container, result) {
    const data = [result.day];
    const series = [{ label: "day" }];
    const bands = [];
    result.series.forEach((s, i) => {
      const colour = COLOURS[i % COLOURS.length];
      const base = data.length;
      data.push(s.high, s.median, s.low);
      series.push(
        { label: s.name + " high", stroke: colour, width: 0.5, dash: [4, 4], points: { show: false } },
        { label: s.name, stroke: colour, width: 2, points: { show: false } },
        { label: s.name + " low", stroke: colour, width: 0.5, dash: [4, 4], points: { show: false } },
      );
      bands.push({ series: [base, base + 2], fill: colour + "33" });
    });
    const opts = {
      width: width(container), height: 340, legend: { live: false },
      scales: { x: { time: false } },
      axes: [{ label: "day" }, { label: "organisations compromised" }],
      series, bands,
    };
    const box = el("div", { class: "chart" });
    container.append(box);
    return new window.uPlot(opts, data, box);
  }

  function cell(v) {
    if (typeof v === "number") return el("td", { class: "num" }, Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-GB") : String(Number(v.toPrecision(4))));
    if (v === null || v === undefined) return el("td", {}, "–");
    if (typeof v === "object") return el("td", {}, JSON.stringify(v).slice(0, 80));
    return el("td", {}, String(v));
  }

  const PREFERRED = ["rank", "ale", "ale_standard_error", "p90", "p95", "p99", "max", "probability_of_loss_event",
    "annual_cost", "delta_ale", "delta_ale_per_euro", "peak_day", "final", "median"];

  // A row with its nested objects flattened one level (`summary.ale` -> `ale`).
  function flat(row) {
    const out = {};
    for (const [k, v] of Object.entries(row)) {
      if (v && typeof v === "object" && !Array.isArray(v)) {
        for (const [k2, v2] of Object.entries(v)) if (typeof v2 !== "object" || v2 === null) out[k2 in out ? k + " " + k2 : k2] = v2;
      } else if (Array.isArray(v)) {
        if (v.length && typeof v[0] !== "object") out[k] = v.join(", ");
      } else {
        out[k] = v;
      }
    }
    return out;
  }

  function table(container, title, rows) {
    const flatRows = rows.map(flat);
    const keys = Object.keys(flatRows[0]);
    // Names first, then figures.
    let figures = keys.filter((k) => typeof flatRows[0][k] === "number");
    // Wide rows keep the figures people compare; the rest is in the JSON.
    if (figures.length > 7) figures = PREFERRED.filter((k) => figures.includes(k));
    const cols = keys.filter((k) => typeof flatRows[0][k] !== "number").concat(figures);
    container.append(el("h3", {}, title.replace(/_/g, " ")), el("div", { class: "scroll" }, el("table", { class: "result", dataset: { table: title } },
      el("thead", {}, el("tr", {}, cols.map((c) => el("th", {}, c.replace(/_/g, " "))))),
      el("tbody", {}, flatRows.map((row) => el("tr", {}, cols.map((c) => cell(row[c]))))))));
  }

  // Every array of objects in `result`, and in its objects one level down
  // (e.g. `ranking.single_items`), but the chart data, as a table.
  function tables(container, result, skip) {
    container.replaceChildren();
    const isRows = (v) => Array.isArray(v) && v.length && typeof v[0] === "object" && v[0] !== null;
    for (const [key, value] of Object.entries(result || {})) {
      if (skip.includes(key)) continue;
      if (isRows(value)) table(container, key, value);
      else if (value && typeof value === "object" && !Array.isArray(value)) {
        for (const [k2, v2] of Object.entries(value)) if (isRows(v2)) table(container, key + " " + k2, v2);
      }
    }
  }

  // Starts a job, follows it, calls onDone(job) with its result.
  function runJob(body, ui, onDone) {
    const status = document.getElementById("job-status");
    const state = document.getElementById("job-state");
    const progress = document.getElementById("job-progress");
    const detail = document.getElementById("job-detail");
    const error = document.getElementById("run-error");
    show(error, "");
    return api("POST", "/api/v1/jobs", body).then((r) => {
      if (r.status !== 202 && r.status !== 201) { show(error, errorText(r)); return; }
      const id = r.json.id;
      status.hidden = false;
      state.textContent = "job " + id + ": " + r.json.state;
      progress.value = 0;
      detail.textContent = "";
      ui.cancel.hidden = false;
      ui.cancel.onclick = () => api("POST", "/api/v1/jobs/" + id + "/cancel");
      const events = new EventSource("/api/v1/jobs/" + id + "/events");
      events.addEventListener("progress", (e) => {
        const p = JSON.parse(e.data);
        if (p.total) progress.value = p.done / p.total;
        detail.textContent = (p.phase || "") + " " + p.done + " / " + p.total + " " + (p.unit || "");
      });
      events.addEventListener("state", async (e) => {
        const s = JSON.parse(e.data);
        state.textContent = "job " + id + ": " + s.state;
        if (["done", "failed", "cancelled"].includes(s.state)) {
          events.close();
          ui.cancel.hidden = true;
          if (s.error) show(error, s.error);
          if (s.state === "done") {
            progress.value = 1;
            const j = await api("GET", "/api/v1/jobs/" + id);
            if (j.status === 200) onDone(j.json);
          }
          listJobs(ui.kind);
        }
      });
      events.onerror = () => { /* the browser reconnects; a closed stream ends here */ };
    });
  }

  async function listJobs(kind, onOpen) {
    const body = document.querySelector("#job-list tbody");
    if (!body) return;
    const r = await api("GET", "/api/v1/jobs");
    if (r.status !== 200 || !Array.isArray(r.json)) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "muted" }, "no runs to list (" + errorText(r) + ")")));
      return;
    }
    const rows = r.json.filter((j) => j.kind === kind).map((j) => el("tr", {},
      el("td", {}, j.id), el("td", {}, j.kind), el("td", {}, j.state), el("td", {}, j.created_at || ""),
      el("td", {}, j.state === "done" && onOpen ? el("button", { type: "button", class: "link", dataset: { job: j.id } }, "show") : "")));
    body.replaceChildren(...rows);
    if (onOpen) body.querySelectorAll("button[data-job]").forEach((b) => b.addEventListener("click", () => onOpen(Number(b.dataset.job))));
  }

  return { lec, epidemic, tables, runJob, listJobs };
})();
