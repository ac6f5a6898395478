// The assessment page's "Compared with peers": the organisation's latest
// domain scores against its opted-in peers'
// (GET /api/v1/assessments/{id}/benchmark); a domain with fewer than k
// contributors shows how many more are needed, never a figure.
"use strict";

(function () {
  const { api, el, show, errorText } = window.holisec;
  const section = document.getElementById("peers");
  if (!section) return;
  const id = section.dataset.assessment;
  const scope = document.getElementById("peers-scope");
  const band = document.getElementById("peers-band");
  const fmt = (x) => (x === null || x === undefined ? "–" : Number(x).toFixed(2));

  function row(domain, b) {
    if (b.status !== "shown") {
      const n = b.contributors_needed;
      return el("tr", { class: "suppressed", dataset: { domain } }, el("td", {}, domain),
        el("td", { colspan: 6, class: "muted" },
          `not shown: ${n} more participating organisation${n === 1 ? "" : "s"} needed`));
    }
    return el("tr", { dataset: { domain } }, el("td", {}, domain),
      el("td", { class: "num" }, fmt(b.own_score)), el("td", { class: "num" }, fmt(b.p25)),
      el("td", { class: "num" }, fmt(b.median)), el("td", { class: "num" }, fmt(b.p75)),
      el("td", { class: "num" }, b.percentile_rank === null || b.percentile_rank === undefined ? "–" : b.percentile_rank.toFixed(0)),
      el("td", { class: "num" }, String(b.n)));
  }

  async function load() {
    const q = `scope=${encodeURIComponent(scope.value)}&same_size_band=${band.checked}`;
    const r = await api("GET", `/api/v1/assessments/${id}/benchmark?${q}`);
    const tbody = section.querySelector("tbody");
    if (r.status !== 200) {
      tbody.replaceChildren();
      show(document.getElementById("peers-error"), errorText(r));
      return;
    }
    show(document.getElementById("peers-error"), "");
    tbody.replaceChildren(...Object.entries(r.json.domains).map(([d, b]) => row(d, b)));
  }

  scope.addEventListener("change", load);
  band.addEventListener("change", load);
  load();
})();
