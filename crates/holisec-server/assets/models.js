// The models page: upload a model or scenario (a file read here, or pasted
// text) as JSON; a refused one shows its diagnostics with line, column and
// message, and the CLI's rendering verbatim in a <pre>.
"use strict";

(function () {
  const { api, el, show, errorText } = window.holisec;

  async function list() {
    const body = document.querySelector("#model-list tbody");
    const r = await api("GET", "/api/v1/models");
    if (r.status !== 200 || !Array.isArray(r.json)) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "muted" }, "no uploads to list (" + errorText(r) + ")")));
      return;
    }
    body.replaceChildren(...r.json.map((m) => el("tr", {},
      el("td", {}, m.id), el("td", {}, m.name), el("td", {}, m.kind), el("td", {}, m.created_at || m.uploaded_at || ""))));
  }

  const file = document.getElementById("upload-file");
  if (file) {
    file.addEventListener("change", async () => {
      const f = file.files[0];
      if (!f) return;
      document.getElementById("upload-text").value = await f.text();
      const name = document.getElementById("upload-name");
      if (!name.value) name.value = f.name.replace(/\.toml$/, "");
    });
  }

  const form = document.getElementById("upload-form");
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const box = document.getElementById("upload-error");
      box.hidden = true;
      show(document.getElementById("upload-ok"), "");
      const r = await api("POST", "/api/v1/models", {
        name: document.getElementById("upload-name").value,
        kind: document.getElementById("upload-kind").value,
        text: document.getElementById("upload-text").value,
      });
      if (r.status === 201 || r.status === 200) {
        show(document.getElementById("upload-ok"), "uploaded: " + r.json.name);
        list();
        return;
      }
      box.hidden = false;
      document.getElementById("upload-error-message").textContent = errorText(r);
      const diags = (r.json && r.json.diagnostics) || [];
      document.querySelector("#diagnostics tbody").replaceChildren(...diags.map((d) => el("tr", {},
        el("td", { class: "num" }, d.line), el("td", { class: "num" }, d.column),
        el("td", {}, d.message + (d.help ? " (" + d.help + ")" : "")))));
      document.getElementById("rendered").textContent = (r.json && r.json.rendered) || "";
    });
  }
  list();
})();
