// The dashboard's alert inbox: GET /api/v1/alerts, newest first, each with
// its priority, label, the chain of relations that brought it here and, for
// analysts, an acknowledge button (POST /api/v1/alerts/{id}/acknowledge).
"use strict";

(function () {
  const { api, el, show, errorText, tlpBadge, directory, named, chainList, when } = window.holisec;
  const list = document.getElementById("alert-list");
  if (!list) return;
  const canEdit = document.getElementById("main").dataset.canEdit === "true";

  function acknowledged(item, at) {
    item.classList.add("acknowledged");
    const button = item.querySelector("button.ack");
    if (button) button.remove();
    item.querySelector(".alert-head").append(el("span", { class: "ack-note" }, "acknowledged " + when(at)));
  }

  function entry(e, names) {
    const a = e.alert;
    const head = el("div", { class: "alert-head" },
      el("span", { class: "priority", "data-priority": e.priority }, e.priority),
      tlpBadge(a.tlp),
      el("strong", { class: "alert-title" }, named(a.title, names)),
      el("span", { class: "muted" }, when(a.created_at)));
    const item = el("li", { class: "alert", dataset: { alert: a.id } }, head);
    if (a.text) item.append(el("p", { class: "alert-text" }, a.text));
    item.append(el("div", { class: "why" }, el("span", { class: "muted" }, "Why you received it:"), chainList(e.chain, names)));
    if (e.acknowledged_at) {
      acknowledged(item, e.acknowledged_at);
    } else if (canEdit) {
      const button = el("button", { type: "button", class: "ack" }, "Acknowledge");
      button.addEventListener("click", async () => {
        button.disabled = true;
        const r = await api("POST", "/api/v1/alerts/" + a.id + "/acknowledge");
        if (r.status === 200) acknowledged(item, new Date().toISOString());
        else {
          button.disabled = false;
          show(document.getElementById("alerts-error"), errorText(r));
        }
      });
      head.append(button);
    }
    return item;
  }

  async function load() {
    const [r, names] = await Promise.all([api("GET", "/api/v1/alerts"), directory()]);
    if (r.status !== 200) {
      show(document.getElementById("alerts-error"), errorText(r));
      return;
    }
    const entries = r.json.slice().sort((x, y) =>
      String(y.alert.created_at).localeCompare(String(x.alert.created_at)) || y.alert.id - x.alert.id);
    list.replaceChildren(...entries.map((e) => entry(e, names)));
    document.getElementById("alerts-none").hidden = entries.length > 0;
  }

  load();
})();
