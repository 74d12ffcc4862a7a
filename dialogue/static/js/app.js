// Progressive enhancement for the forms: type-to-search pickers and "add a row" buttons.
// Served by the app itself: the app must work on an isolated network, without any CDN.
"use strict";

function setupPicker(box) {
  const hidden = box.querySelector("input[type=hidden]");
  const input = box.querySelector("input[role=combobox]");
  const list = box.querySelector(".suggestions");
  const form = box.closest("form");
  let items = [];
  let active = -1;
  let timer = null;
  let lastQuery = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  }

  function choose(item) {
    hidden.value = item.id;
    input.value = item.label;
    close();
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function highlight(index) {
    const options = list.querySelectorAll("li");
    options.forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
    if (options[index]) options[index].scrollIntoView({ block: "nearest" });
  }

  function render() {
    list.replaceChildren();
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "none";
      li.textContent = box.dataset.emptyText;
      list.appendChild(li);
    }
    items.forEach((item, index) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = `${input.id}-option-${index}`;
      const label = document.createElement("strong");
      label.textContent = item.label;
      li.appendChild(label);
      if (item.detail) {
        const detail = document.createElement("span");
        detail.textContent = item.detail;
        li.appendChild(detail);
      }
      if (item.note) {
        const note = document.createElement("small");
        note.textContent = item.note;
        li.appendChild(note);
      }
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(item);
      });
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }

  function params() {
    const search = new URLSearchParams({ q: input.value });
    for (const key of ["era", "level"]) {
      if (box.dataset[`picker${key[0].toUpperCase()}${key.slice(1)}`]) {
        search.set(key, box.dataset[`picker${key[0].toUpperCase()}${key.slice(1)}`]);
      }
    }
    const dateField = box.dataset.pickerValidOnField && form.elements[box.dataset.pickerValidOnField];
    if (dateField && dateField.value) search.set("on", dateField.value);
    const unitField = box.dataset.pickerUnitField && form.elements[box.dataset.pickerUnitField];
    if (unitField && unitField.value) search.set("unit_id", unitField.value);
    return search;
  }

  async function lookup() {
    const search = params();
    const query = search.toString();
    if (query === lastQuery) return;
    lastQuery = query;
    try {
      const response = await fetch(`${box.dataset.pickerUrl}?${query}`, {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      if (query !== lastQuery) return; // a newer lookup is on its way
      items = await response.json();
      render();
    } catch (error) {
      // The network dropped: keep what was typed; the server says what is missing on submit.
    }
  }

  input.addEventListener("input", () => {
    hidden.value = "";
    clearTimeout(timer);
    timer = setTimeout(lookup, 150);
  });
  input.addEventListener("focus", () => {
    if (!hidden.value) {
      lastQuery = null;
      lookup();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight(Math.min(active + 1, items.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter") {
      if (active >= 0 && items[active]) {
        event.preventDefault();
        choose(items[active]);
      }
    } else if (event.key === "Escape") {
      close();
    }
  });
}

function setupRows(container) {
  const button = container.querySelector(".add-row");
  button.addEventListener("click", () => {
    const rows = container.querySelectorAll(".row");
    const last = rows[rows.length - 1];
    const copy = last.cloneNode(true);
    const index = rows.length;
    copy.querySelectorAll("[name], [id], [for]").forEach((element) => {
      for (const attribute of ["name", "id", "for"]) {
        const value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replace(/-\d+-/, `-${index}-`));
      }
      if (element.tagName === "INPUT") element.value = "";
      if (element.tagName === "SELECT") {
        element.selectedIndex = Math.max(0, [...element.options].findIndex((o) => o.defaultSelected));
      }
    });
    copy.querySelectorAll(".error").forEach((element) => element.remove());
    copy.querySelectorAll(".has-error").forEach((element) => element.classList.remove("has-error"));
    last.after(copy);
    const first = copy.querySelector("input");
    if (first) first.focus();
  });
}

// Irreversible actions ask first: the button carries its question in data-confirm.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-picker-url]").forEach(setupPicker);
  document.querySelectorAll(".rows[data-rows]").forEach(setupRows);
});

// Live entry of issues: every form on the page posts in the background, so the secretary
// never leaves the page; when the network drops, what was typed stays where it is.
function setupLiveEntry(root) {
  root.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.live-form, form.live-action");
    if (!form) return;
    event.preventDefault();
    const data = new FormData(form);
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    const warning = form.querySelector(".live-network");
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
    } catch (error) {
      if (warning) warning.hidden = false;
      return;
    }
    if (warning) warning.hidden = true;
    if (!(response.headers.get("Content-Type") || "").includes("json")) {
      // Not an answer of this page (signed out, say): let the browser show it.
      form.submit();
      return;
    }
    const body = await response.json();
    if (body.errors) {
      if (warning) {
        warning.textContent = body.errors.join(" ");
        warning.hidden = false;
      }
      return;
    }
    if (body.list !== undefined) {
      document.getElementById("issue-list-wrap").innerHTML = body.list;
    }
    const newForm = document.getElementById("new-issue-wrap");
    if (form.id === "new-issue-form" && newForm && body.form !== undefined) {
      // The server sends the form back: empty after a save, with messages (and what was
      // typed) after a refusal.
      newForm.innerHTML = body.form;
      const first = newForm.querySelector("input:not([type=hidden]), textarea");
      if (body.ok && first) first.focus();
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-live-entry]").forEach(setupLiveEntry);
});

// The report form shows only the fields its kind of period uses (all of them without script).
function setupPeriodFields(form) {
  const kind = form.querySelector("select[name=period]");
  const wanted = { month: ".period-month", quarter: ".period-quarter", custom: ".period-custom" };
  const update = () => {
    for (const [value, selector] of Object.entries(wanted)) {
      form.querySelectorAll(selector).forEach((field) => {
        field.hidden = kind.value !== value;
      });
    }
    form.querySelectorAll("[name=year]").forEach((input) => {
      input.closest(".field").hidden = kind.value === "custom";
    });
  };
  kind.addEventListener("change", update);
  update();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.report-filters").forEach(setupPeriodFields);
});
