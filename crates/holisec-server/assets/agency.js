// /agency: the national view (GET /api/v1/agency) as totals, bars by month
// (widths set from the script: the CSP forbids style attributes, not
// element.style) and tables; analysts issue an alert (POST /api/v1/alerts)
// and see who receives it and why.
"use strict";

(function () {
  const h = window.holisec;
  const { api, el, show, errorText, directory, orgName, chainList } = h;

  function bars(node, counts) {
    const entries = Object.entries(counts);
    const max = Math.max(1, ...entries.map(([, n]) => n));
    node.replaceChildren(...entries.map(([key, n]) => {
      const fill = el("span", { class: "fill" });
      fill.style.width = (100 * n / max).toFixed(1) + "%";
      return el("div", { class: "bar-row" }, el("span", { class: "bar-label" }, key),
        el("span", { class: "bar" }, fill), el("span", { class: "bar-value" }, String(n)));
    }));
    if (!entries.length) node.append(el("p", { class: "muted" }, "none"));
  }

  function table(id, counts) {
    const rows = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    document.querySelector(`#${id} tbody`).replaceChildren(...(rows.length
      ? rows.map(([key, n]) => el("tr", {}, el("td", {}, key), el("td", { class: "num" }, String(n))))
      : [el("tr", {}, el("td", { class: "muted" }, "none"))]));
  }

  async function loadView() {
    const r = await api("GET", "/api/v1/agency");
    if (r.status !== 200) {
      show(document.getElementById("agency-error"), errorText(r));
      return;
    }
    const v = r.json;
    document.getElementById("agency-total").textContent =
      v.incidents + " incident(s) reported by " + v.organisations.length + " organisation(s)";
    bars(document.getElementById("by-month"), v.by_month);
    table("by-motivation", v.by_motivation);
    table("by-domain", v.by_domain);
    table("by-action", v.by_action_variety);
    table("by-kind", v.by_kind);
    document.getElementById("affected").replaceChildren(...v.organisations.map(([, name]) => el("li", {}, name)));
  }

  async function loadIncidents(names) {
    const box = document.getElementById("a-incidents");
    const r = await api("GET", "/api/v1/incidents");
    if (r.status !== 200 || !r.json.length) return;
    box.replaceChildren(...r.json.map((v) => {
      const i = v.incident;
      const report = i.report || {};
      return el("label", { class: "check" }, el("input", { type: "checkbox", name: "incidents", value: i.id }),
        h.tlpBadge(i.tlp), ` #${i.id} ${report.date || ""} · ${orgName(names, i.organisation_id)} · ${(report.actions || []).join(", ")}`);
    }));
  }

  async function issue(event, form, names) {
    event.preventDefault();
    const error = document.getElementById("alert-error");
    h.fieldError(form, error, null);
    const values = (sel) => Array.from(form.querySelectorAll(sel)).map((n) => n.value);
    const body = {
      title: document.getElementById("a-title").value.trim(),
      text: document.getElementById("a-text").value.trim(),
      tlp: document.getElementById("a-tlp").value,
      incidents: values("input[name=incidents]:checked").map(Number),
      factors: values("#a-factors option:checked"),
      suppliers: values("#a-suppliers option:checked").map(Number),
    };
    const r = await api("POST", "/api/v1/alerts", body);
    if (r.status !== 201) {
      h.fieldError(form, error, r);
      return;
    }
    const recipients = r.json.recipients;
    document.getElementById("issued-none").hidden = recipients.length > 0;
    const t = document.getElementById("issued-recipients");
    t.hidden = recipients.length === 0;
    t.querySelector("tbody").replaceChildren(...recipients.map((x) => el("tr", {},
      el("td", {}, orgName(names, x.org)),
      el("td", {}, el("span", { class: "priority", "data-priority": x.priority }, x.priority)),
      el("td", {}, chainList(x.chain, names)))));
    document.getElementById("issued").hidden = false;
  }

  async function start() {
    loadView();
    const form = document.getElementById("alert-form");
    if (!form) return;
    const names = await directory();
    loadIncidents(names);
    form.addEventListener("submit", (event) => issue(event, form, names));
  }

  start();
})();
