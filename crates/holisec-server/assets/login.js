// The login form: posts to the JSON login so the server's throttling, audit
// and session cycling apply; on success, to the dashboard.
"use strict";

(function () {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const body = {
      email: document.getElementById("email").value,
      password: document.getElementById("password").value,
    };
    const res = await fetch("/api/v1/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
    if (res.ok) {
      window.location.assign("/");
      return;
    }
    let message = "the server answered " + res.status;
    try {
      const json = await res.json();
      if (json && json.error) message = json.error;
    } catch (_) { /* not JSON */ }
    error.textContent = message;
    error.hidden = false;
  });
})();
