// Background jobs: a panel with data-job-url (templates/jobs/_panel.html) follows its job
// and reloads the page once the job has ended, so the page shows what it produced. Without
// script the panel's "Tải lại trang" link does the same.
"use strict";

const JOB_POLL_MS = 1500;

function followJob(panel) {
  const field = (name) => panel.querySelector(`[data-job-field="${name}"]`);

  function show(body) {
    const state = field("state");
    if (state) state.textContent = body.state_label;
    const bar = field("progress");
    if (bar) {
      if (body.progress.percent === null) {
        bar.removeAttribute("value"); // indeterminate: the amount of work is not known yet
      } else {
        bar.max = body.progress.total;
        bar.value = body.progress.done;
        bar.textContent = `${body.progress.percent}%`;
      }
    }
    const text = field("text");
    if (text) text.textContent = body.text;
    const delay = field("delay");
    if (delay) {
      delay.textContent = body.delay_message;
      delay.hidden = !body.delayed;
    }
  }

  async function poll() {
    let response;
    try {
      response = await fetch(panel.dataset.jobUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch (error) {
      setTimeout(poll, JOB_POLL_MS); // the network dropped: ask again
      return;
    }
    if (response.status === 404) return; // removed, or no longer the user's to see
    if (!(response.headers.get("Content-Type") || "").includes("json")) {
      window.location.reload(); // not an answer for this page (signed out): let it show
      return;
    }
    const body = await response.json();
    if (!body.pending) {
      window.location.reload();
      return;
    }
    show(body);
    setTimeout(poll, JOB_POLL_MS);
  }

  setTimeout(poll, JOB_POLL_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-job-url]").forEach(followJob);
});
