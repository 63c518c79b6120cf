// Follows a background job on its page: every second, asks /api/jobs/{id} for its state and
// progress, shows them, and when the job is done goes on to the report (or reloads the job's
// page, which then shows the result). Without script, the page refreshes itself instead.
"use strict";
(function () {
  const number = (n) => n.toLocaleString("en-GB");
  function words(job) {
    const p = job.progress;
    if (job.state === "queued") {
      return "Waiting for a worker";
    }
    if (job.state !== "running") {
      return job.state.charAt(0).toUpperCase() + job.state.slice(1);
    }
    let text = "Running: " + Math.round(p.percent) + "%";
    if (p.total) {
      text += " (" + number(p.done) + " of " + number(p.total) + " people)";
    }
    if (p.seconds_left !== null) {
      text += ", about " + number(Math.round(p.seconds_left)) + " s left";
    }
    return text;
  }
  function follow(box) {
    const api = box.dataset.jobApi;
    const next = box.dataset.next;
    const state = box.querySelector("[data-job-state]");
    const bar = box.querySelector("[data-job-bar]");
    const phase = box.querySelector("[data-job-phase]");
    const live = box.querySelector("[data-job-live]");
    let announced = -1;
    async function poll() {
      let job;
      try {
        const response = await fetch(api, { headers: { Accept: "application/json" } });
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        job = await response.json();
      } catch (error) {
        setTimeout(poll, 3000); // the server is busy or restarting: try again later
        return;
      }
      const text = words(job);
      state.replaceChildren(Object.assign(document.createElement("strong"), { textContent: text }));
      bar.value = job.progress.percent;
      bar.textContent = Math.round(job.progress.percent) + "%";
      phase.textContent = job.progress.phase || "";
      const step = Math.floor(job.progress.percent / 25); // a screen reader hears every quarter
      if (step !== announced) {
        announced = step;
        live.textContent = text;
      }
      if (job.state === "done") {
        live.textContent = "Done";
        if (next) {
          window.location.assign(next);
        } else {
          window.location.reload();
        }
        return;
      }
      if (job.state === "failed" || job.state === "cancelled") {
        window.location.reload();
        return;
      }
      setTimeout(poll, 1000);
    }
    setTimeout(poll, 1000);
  }
  document.querySelectorAll("[data-job-api]").forEach(follow);
})();
