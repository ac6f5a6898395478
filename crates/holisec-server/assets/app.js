// Shared by every page: JSON calls to /api/v1, a safe element builder (text
// only, never innerHTML, so names from models and users cannot inject
// markup), and the logout button.
"use strict";

window.holisec = (function () {
  // fetch with JSON in and out; resolves to {status, json} (json null when
  // the body is empty or not JSON).
  async function api(method, path, body) {
    const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    let json = null;
    const text = await res.text();
    if (text) {
      try { json = JSON.parse(text); } catch (_) { json = null; }
    }
    if (res.status === 401 && path !== "/api/v1/login") {
      window.location.assign("/login");
    }
    return { status: res.status, json };
  }

  // el("td", {class: "num"}, "text", otherNode)
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function show(node, text) {
    if (!node) return;
    node.textContent = text || "";
    node.hidden = !text;
  }

  function errorText(reply) {
    if (reply.json && reply.json.error) {
      return reply.json.field ? reply.json.error + " (" + reply.json.field + ")" : reply.json.error;
    }
    return "the server answered " + reply.status;
  }

  function euros(x) {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    return new Intl.NumberFormat("en-GB", { style: "currency", currency: "EUR", maximumFractionDigits: 0 }).format(x);
  }

  // A TLP badge: stored labels are lower case without the prefix
  // ("amber+strict"); requests and answers may carry "TLP:AMBER+STRICT".
  function tlpBadge(label) {
    const text = "TLP:" + String(label || "").replace(/^tlp:/i, "").toUpperCase();
    return el("span", { class: "tlp", "data-tlp": text }, text);
  }

  // id -> {name, kind} of every organisation (the community directory).
  let directoryCache = null;
  async function directory() {
    if (directoryCache) return directoryCache;
    const r = await api("GET", "/api/v1/organisations/directory");
    const out = {};
    if (r.status === 200) for (const o of r.json) out[o.id] = o;
    directoryCache = out;
    return out;
  }

  function orgName(names, id) {
    return names[id] ? names[id].name : "organisation " + id;
  }

  // The rules write "organisation 12 (kind)" and "uses supplier 3": put
  // the organisations' names.
  function named(text, names) {
    return String(text || "").replace(/\b(organisation|supplier|client|agency) (\d+)/g, (m, word, id) => {
      if (!names[id]) return m;
      return word === "organisation" ? names[id].name : word + " " + names[id].name;
    });
  }

  // The chain of relations that brought an alert: one readable step per link.
  function chainList(chain, names) {
    const steps = (Array.isArray(chain) ? chain : []).map((link) => el("li", {}, named(link.why, names)));
    return el("ol", { class: "chain" }, steps.length ? steps : [el("li", {}, "no chain recorded")]);
  }

  // Shows an API refusal next to the field it names (a `.field-error` with
  // data-field in `form`), else in `fallback`; clears the previous ones.
  function fieldError(form, fallback, reply) {
    for (const n of form.querySelectorAll(".field-error")) show(n, "");
    show(fallback, "");
    if (!reply) return;
    const field = reply.json && reply.json.field;
    const slot = field ? form.querySelector(`.field-error[data-field="${CSS.escape(field)}"]`) : null;
    if (slot) show(slot, reply.json.error);
    else show(fallback, errorText(reply));
  }

  function when(iso) {
    return String(iso || "").replace("T", " ").replace(/(\.\d+)?Z$/, " UTC");
  }

  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      await api("POST", "/api/v1/logout");
      window.location.assign("/login");
    });
  }

  return { api, el, show, errorText, euros, tlpBadge, directory, orgName, named, chainList, fieldError, when };
})();
