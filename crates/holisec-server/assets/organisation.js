// /organisation: the sharing profile; an admin saves it with
// PUT /api/v1/organisation/sharing (a refused field is named next to it).
"use strict";

(function () {
  const h = window.holisec;
  const form = document.getElementById("profile-form");
  const saved = document.getElementById("profile-saved");
  if (!form || !saved) return;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = document.getElementById("profile-error");
    h.fieldError(form, error, null);
    h.show(saved, "");
    const v = (id) => document.getElementById(id).value.trim();
    const body = {
      country: v("p-country") === "" ? null : v("p-country").toUpperCase(),
      size_band: v("p-size") === "" ? null : v("p-size"),
      agency: v("p-agency") === "" ? null : Number(v("p-agency")),
      suppliers: Array.from(document.getElementById("p-suppliers").selectedOptions).map((o) => Number(o.value)),
      benchmark_opt_in: document.getElementById("p-optin").checked,
    };
    const r = await h.api("PUT", "/api/v1/organisation/sharing", body);
    if (r.status === 200) {
      document.getElementById("p-country").value = r.json.country || "";
      h.show(saved, "saved");
    } else {
      h.fieldError(form, error, r);
    }
  });
})();
