// The dashboard's report: starts a `report` job (analysts), follows it by
// server-sent events, then offers its HTML at /api/v1/jobs/{id}/report.html
// (a download). The organisation's latest finished report is offered on
// load, to viewers too.
"use strict";

(function () {
  const { api, show, errorText, when } = window.holisec;
  const section = document.getElementById("report");
  if (!section) return;
  const status = document.getElementById("report-status");
  const state = document.getElementById("report-state");
  const progress = document.getElementById("report-progress");
  const detail = document.getElementById("report-detail");
  const error = document.getElementById("report-error");
  const ready = document.getElementById("report-ready");
  const link = document.getElementById("report-link");
  const about = document.getElementById("report-about");
  const cancel = document.getElementById("report-cancel");
  const form = document.getElementById("report-form");
  const submit = form ? form.querySelector("button[type=submit]") : null;

  function offer(job) {
    link.href = "/api/v1/jobs/" + job.id + "/report.html";
    link.textContent = "Download the report (job " + job.id + ")";
    const r = job.result || {};
    const size = r.bytes ? ", " + Math.round(r.bytes / 1024) + " KB" : "";
    about.textContent = "HTML, asked for " + when(job.created_at) + size;
    ready.hidden = false;
  }

  async function finished(id) {
    const j = await api("GET", "/api/v1/jobs/" + id);
    if (j.status === 200) offer(j.json);
    else show(error, errorText(j));
  }

  function follow(id) {
    status.hidden = false;
    state.textContent = "report job " + id + ": queued";
    progress.value = 0;
    detail.textContent = "";
    if (submit) submit.disabled = true;
    if (cancel) {
      cancel.hidden = false;
      cancel.onclick = () => api("POST", "/api/v1/jobs/" + id + "/cancel");
    }
    const events = new EventSource("/api/v1/jobs/" + id + "/events");
    events.addEventListener("progress", (e) => {
      const p = JSON.parse(e.data);
      if (p.total) progress.value = p.done / p.total;
      detail.textContent = (p.phase || "") + " " + p.done + " / " + p.total + " " + (p.unit || "");
    });
    events.addEventListener("state", (e) => {
      const s = JSON.parse(e.data);
      state.textContent = "report job " + id + ": " + s.state;
      if (!["done", "failed", "cancelled"].includes(s.state)) return;
      events.close();
      if (cancel) cancel.hidden = true;
      if (submit) submit.disabled = false;
      if (s.error) show(error, s.error);
      if (s.state === "done") {
        progress.value = 1;
        detail.textContent = "";
        finished(id);
      }
    });
    events.onerror = () => { /* the browser reconnects; a closed stream ends here */ };
  }

  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      show(error, "");
      ready.hidden = true;
      const body = {
        kind: "report",
        iterations: Number(document.getElementById("report-iterations").value),
        simulation: document.getElementById("report-simulation").checked,
      };
      const r = await api("POST", "/api/v1/jobs", body);
      if (r.status !== 202) { show(error, errorText(r)); return; }
      follow(r.json.id);
    });
  }

  // A report job under way is followed; else the latest finished one is offered.
  (async function () {
    const r = await api("GET", "/api/v1/jobs");
    if (r.status !== 200 || !Array.isArray(r.json)) return;
    const reports = r.json.filter((j) => j.kind === "report");
    const active = reports.find((j) => j.state === "queued" || j.state === "running");
    const done = reports.find((j) => j.state === "done");
    if (active) follow(active.id);
    else if (done) finished(done.id);
  })();
})();
