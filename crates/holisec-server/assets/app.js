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

  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      await api("POST", "/api/v1/logout");
      window.location.assign("/login");
    });
  }

  return { api, el, show, errorText, euros };
})();
