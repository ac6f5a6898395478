// The assessment pages. On /assessments: "New assessment". On
// /assessments/{id}: every answer is saved as soon as it is given (one PUT
// per item, so people answering other items at the same time lose nothing),
// then the scores are refreshed.
"use strict";

(function () {
  const { api, show, errorText } = window.holisec;

  const create = document.getElementById("new-assessment");
  if (create) {
    create.addEventListener("click", async () => {
      const r = await api("POST", "/api/v1/assessments", {});
      if (r.status === 201) window.location.assign("/assessments/" + r.json.id);
      else show(document.getElementById("new-error"), errorText(r));
    });
  }

  const form = document.getElementById("questionnaire");
  if (!form) return;
  const id = form.dataset.assessment;

  async function refreshScores() {
    const r = await api("GET", "/api/v1/assessments/" + id + "/score");
    if (r.status !== 200) return;
    document.getElementById("answered").textContent = r.json.assessment.answered;
    const current = document.getElementById("history-current");
    if (current) current.textContent = r.json.assessment.answered;
    const rows = document.querySelectorAll("#scores tbody tr");
    const all = r.json.scores.domains.concat([r.json.scores.overall]);
    all.forEach((d, i) => {
      const row = rows[i];
      if (!row) return;
      row.children[1].textContent = d.score.toFixed(2);
      row.children[2].textContent = d.answered + " / " + d.items;
    });
  }

  async function save(question) {
    const item = question.dataset.item;
    const checked = question.querySelector("input[type=radio]:checked");
    if (!checked) return; // evidence alone waits for a level
    const status = question.querySelector(".status");
    status.textContent = "saving…";
    status.className = "status";
    const evidence = question.querySelector("textarea").value;
    const body = { level: Number(checked.value) };
    if (evidence.trim() !== "") body.evidence = evidence;
    const r = await api("PUT", "/api/v1/assessments/" + id + "/answers/" + encodeURIComponent(item), body);
    if (r.status === 200) {
      status.textContent = "saved";
      question.classList.add("answered");
      refreshScores();
    } else {
      status.textContent = "not saved: " + errorText(r);
      status.className = "status error";
    }
  }

  form.addEventListener("change", (event) => {
    const question = event.target.closest(".question");
    if (question) save(question);
  });
  form.addEventListener("submit", (event) => event.preventDefault());
})();
