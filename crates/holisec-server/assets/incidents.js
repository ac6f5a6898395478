// /incidents: report an incident (POST /api/v1/incidents) and show who was
// alerted and why; list the reports the organisation may see with their
// label, owner and reason; the organisation's own can be edited (a new
// version), relabelled, withdrawn and their versions read.
"use strict";

(function () {
  const h = window.holisec;
  const { api, el, show, errorText, tlpBadge, directory, orgName, named, chainList } = h;
  const canEdit = document.getElementById("main").dataset.canEdit === "true";
  const form = document.getElementById("incident-form");
  const me = form ? Number(form.dataset.org) : null;
  const LABELS = ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"];

  function recipientRows(tbody, recipients, names) {
    tbody.replaceChildren(...recipients.map((r) => el("tr", {},
      el("td", {}, orgName(names, r.org)),
      el("td", {}, el("span", { class: "priority", "data-priority": r.priority }, r.priority)),
      el("td", {}, chainList(r.chain, names)))));
  }

  function selected(select) {
    return Array.from(select.selectedOptions).map((o) => o.value);
  }

  function reportBody() {
    const v = (id) => document.getElementById(id).value.trim();
    const report = {
      date: v("f-date"),
      actor: v("f-actor"),
      motive: v("f-motive"),
      actions: selected(document.getElementById("f-actions")),
      assets: v("f-assets").split(",").map((s) => s.trim()).filter((s) => s),
      attributes: Array.from(form.querySelectorAll("input[name=attributes]:checked")).map((c) => c.value),
      discovery: v("f-discovery"),
      factors: selected(document.getElementById("f-factors")),
    };
    if (v("f-impact") !== "") report.impact_eur = Number(v("f-impact"));
    if (v("f-narrative") !== "") report.narrative = v("f-narrative");
    if (v("f-supplier") !== "") report.supplier = Number(v("f-supplier"));
    const tlp = form.querySelector("input[name=tlp]:checked");
    return { report, tlp: tlp ? tlp.value : "" };
  }

  // The incident being edited (its id), or null when the form reports a new one.
  let editing = null;

  function fill(report) {
    const set = (id, value) => { document.getElementById(id).value = value == null ? "" : value; };
    set("f-date", report.date);
    set("f-actor", report.actor);
    set("f-motive", report.motive);
    set("f-discovery", report.discovery);
    set("f-assets", (report.assets || []).join(", "));
    set("f-impact", report.impact_eur);
    set("f-narrative", report.narrative);
    set("f-supplier", report.supplier);
    for (const [id, values] of [["f-actions", report.actions || []], ["f-factors", report.factors || []]]) {
      for (const o of document.getElementById(id).options) o.selected = values.includes(o.value);
    }
    for (const c of form.querySelectorAll("input[name=attributes]")) c.checked = (report.attributes || []).includes(c.value);
  }

  // Edit mode: the form holds the report; saving makes a new version. The
  // label is changed from the list (relabelling has its own rule).
  function startEdit(incident) {
    editing = incident.id;
    fill(incident.report || {});
    for (const r of form.querySelectorAll("input[name=tlp]")) r.disabled = true;
    const note = document.getElementById("editing");
    note.textContent = "Editing incident " + incident.id + " (version " + incident.version +
      "): saving keeps the old version in its history. Its label is changed from the list below.";
    note.hidden = false;
    document.getElementById("edit-cancel").hidden = false;
    document.getElementById("report-submit").textContent = "Save as a new version";
    document.getElementById("report").open = true;
    form.scrollIntoView();
  }

  function stopEdit() {
    editing = null;
    for (const r of form.querySelectorAll("input[name=tlp]")) r.disabled = false;
    document.getElementById("editing").hidden = true;
    document.getElementById("edit-cancel").hidden = true;
    document.getElementById("report-submit").textContent = "Report";
    form.reset();
    document.getElementById("f-date").value = new Date().toISOString().slice(0, 10);
  }

  async function saveEdit(body, error) {
    const id = editing;
    const r = await api("PUT", "/api/v1/incidents/" + id, body.report);
    if (r.status !== 200) {
      h.fieldError(form, error, r);
      return;
    }
    document.getElementById("reported-verb").textContent = "Edited";
    document.getElementById("reported-title").textContent =
      "incident " + id + " saved as version " + r.json.version;
    document.getElementById("reported-none").hidden = true;
    document.getElementById("recipients").hidden = true;
    document.getElementById("reported").hidden = false;
    stopEdit();
    load();
  }

  async function submit(event) {
    event.preventDefault();
    const error = document.getElementById("report-error");
    h.fieldError(form, error, null);
    const body = reportBody();
    if (editing !== null) {
      await saveEdit(body, error);
      return;
    }
    const r = await api("POST", "/api/v1/incidents", body);
    if (r.status !== 201) {
      h.fieldError(form, error, r);
      return;
    }
    const names = await directory();
    document.getElementById("reported-verb").textContent = "Reported";
    document.getElementById("reported-title").textContent =
      "incident " + r.json.incident.id + " under " + body.tlp + ", " + r.json.recipients.length + " organisation(s) alerted";
    document.getElementById("reported-none").hidden = r.json.recipients.length > 0;
    const table = document.getElementById("recipients");
    table.hidden = r.json.recipients.length === 0;
    recipientRows(table.querySelector("tbody"), r.json.recipients, names);
    document.getElementById("reported").hidden = false;
    load();
  }

  function relabel(incident, cell) {
    const select = el("select", { "aria-label": "New label of incident " + incident.id },
      LABELS.map((l) => el("option", { value: l, selected: l === "TLP:" + incident.tlp.toUpperCase() }, l)));
    const button = el("button", { type: "button", class: "relabel" }, "Relabel");
    button.addEventListener("click", async () => {
      const r = await api("PUT", "/api/v1/incidents/" + incident.id + "/tlp", { tlp: select.value });
      if (r.status === 200) load();
      else show(cell.querySelector(".error"), errorText(r));
    });
    return [select, button];
  }

  function edit(incident) {
    const button = el("button", { type: "button", class: "edit" }, "Edit");
    button.addEventListener("click", () => startEdit(incident));
    return button;
  }

  function withdraw(incident, cell) {
    const button = el("button", { type: "button", class: "withdraw" }, "Withdraw");
    button.addEventListener("click", async () => {
      if (!window.confirm("Withdraw incident " + incident.id + "? It will be shared no more (its history is kept).")) return;
      const r = await api("POST", "/api/v1/incidents/" + incident.id + "/withdraw");
      if (r.status === 200) load();
      else show(cell.querySelector(".error"), errorText(r));
    });
    return button;
  }

  function history(incident, row) {
    const button = el("button", { type: "button", class: "link history" }, "History");
    button.addEventListener("click", async () => {
      const open = row.nextElementSibling;
      if (open && open.classList.contains("versions")) { open.remove(); return; }
      const r = await api("GET", "/api/v1/incidents/" + incident.id + "/history");
      const items = r.status === 200
        ? r.json.map((v) => el("li", {}, "version " + v.version + " · ", tlpBadge(v.tlp), " · " + h.when(v.edited_at) +
            " · " + (v.report.actions || []).join(", ")))
        : [el("li", { class: "error" }, errorText(r))];
      row.after(el("tr", { class: "versions" }, el("td", { colspan: 6 }, el("ol", {}, items))));
    });
    return button;
  }

  function row(v, names) {
    const i = v.incident;
    const report = i.report || {};
    const own = i.organisation_id === me || v.decision.grounds === "owner";
    const controls = el("td", { class: "controls" });
    const tr = el("tr", { dataset: { incident: i.id, own: own } },
      el("td", {}, tlpBadge(i.tlp)),
      el("td", {}, orgName(names, i.organisation_id)),
      el("td", { class: "date" }, report.date || ""),
      el("td", {}, (report.actions || []).join(", ")),
      el("td", { class: "reason" }, own ? "your organisation's report" : named(v.decision.reason, names)),
      controls);
    if (own) {
      if (canEdit && form) controls.append(edit(i), " ", ...relabel(i, controls), " ", withdraw(i, controls), " ");
      controls.append(history(i, tr), el("span", { class: "error", hidden: true }));
    }
    return tr;
  }

  async function load() {
    const [r, names] = await Promise.all([api("GET", "/api/v1/incidents"), directory()]);
    if (r.status !== 200) {
      show(document.getElementById("incidents-error"), errorText(r));
      return;
    }
    const list = r.json.slice().sort((a, b) => b.incident.id - a.incident.id);
    document.querySelector("#incident-list tbody").replaceChildren(...list.map((v) => row(v, names)));
    document.getElementById("incidents-none").hidden = list.length > 0;
  }

  if (form) {
    document.getElementById("f-date").value = new Date().toISOString().slice(0, 10);
    form.addEventListener("submit", submit);
    document.getElementById("edit-cancel").addEventListener("click", stopEdit);
  }
  load();
})();
