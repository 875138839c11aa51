// singdeck's few behaviours beyond htmx. No inline scripts or styles anywhere (the
// Content-Security-Policy forbids them): pages ask for these through data attributes.
"use strict";

// ---------------------------------------------------------------------------------------
// Self-refresh. An element with `data-refresh="5"` and an hx-get is fetched again every
// 5 seconds while the tab is visible (at once when it becomes visible again), through the
// `refresh` event its hx-trigger names; it is then morphed, not replaced, so focus,
// selection, open menus and checked boxes survive.
const lastRefresh = new WeakMap();

function refreshDue(force) {
  if (document.visibilityState !== "visible" || !globalThis.htmx) return;
  const now = Date.now();
  for (const el of document.querySelectorAll("[data-refresh]")) {
    const every = Number(el.dataset.refresh) * 1000;
    if (!(every > 0)) continue;
    if (!lastRefresh.has(el)) lastRefresh.set(el, now);
    if (force || now - lastRefresh.get(el) >= every) {
      lastRefresh.set(el, now);
      htmx.trigger(el, "refresh");
    }
  }
}
setInterval(() => refreshDue(false), 1000);
document.addEventListener("visibilitychange", () => refreshDue(true));

// What the operator changed stays as it is when a refresh morphs the page: open menus
// (<details>) and checked selection boxes (marked data-keep-checked).
// (Deferred scripts run in order: idiomorph-ext.min.js has defined Idiomorph by now.)
if (globalThis.Idiomorph) {
  Idiomorph.defaults.callbacks.beforeAttributeUpdated = (attribute, element) => {
    if (attribute === "open" && element.tagName === "DETAILS") return false;
    if (attribute === "checked" && element.hasAttribute("data-keep-checked")) return false;
    return true;
  };
}

// ---------------------------------------------------------------------------------------
// Words this script shows, in the page's language: the server renders them on #toast
// (data-offline, data-copied, data-copy-failed).
function word(name) {
  return document.getElementById("toast")?.dataset[name] ?? "";
}

// Failed requests as a toast.
function toast(text) {
  const el = document.getElementById("toast");
  if (!el) return;
  el.textContent = text;
  el.className = "show";
  clearTimeout(el._timer);
  el._timer = setTimeout(() => (el.className = ""), 6000);
}
document.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  const doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
  const text = (doc.querySelector(".flash") || doc.body).textContent.trim();
  toast(text || `${xhr.status} ${xhr.statusText}`);
});
document.addEventListener("htmx:sendError", () => toast(word("offline")));

// ---------------------------------------------------------------------------------------
// Plain forms that ask first: <form data-confirm="Revoke this token?">.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !globalThis.confirm(message)) event.preventDefault();
});

// ---------------------------------------------------------------------------------------
// Copy buttons: <button data-copy="the text">. One delegated listener, so buttons that
// htmx swaps in work too; plain http on a remote address has no clipboard API (and the API
// may refuse), so the text is copied through a selection there.
async function copyText(text) {
  if (navigator.clipboard && globalThis.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // refused (no permission, document not focused): copy through a selection below
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "offscreen";
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("execCommand(copy) refused");
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const label = button.textContent;
  try {
    await copyText(button.getAttribute("data-copy"));
    button.textContent = word("copied");
  } catch {
    button.textContent = word("copyFailed");
    toast(word("copyFailed"));
  }
  setTimeout(() => (button.textContent = label), 1500);
});

// ---------------------------------------------------------------------------------------
// "All" boxes: <input type="checkbox" data-check-all="inbounds"> checks every box named
// "inbounds" in its form (or, with data-check-all-scope, inside that element), and shows
// whether all, some or none of them are checked.
function groupOf(allBox) {
  const scope = allBox.dataset.checkAllScope
    ? document.querySelector(allBox.dataset.checkAllScope)
    : allBox.form;
  if (!scope) return [];
  const name = allBox.dataset.checkAll;
  return [...scope.querySelectorAll(`input[type=checkbox][name="${name}"]`)];
}

function syncAllBox(allBox) {
  const boxes = groupOf(allBox).filter((box) => !box.disabled);
  const checked = boxes.filter((box) => box.checked).length;
  allBox.checked = boxes.length > 0 && checked === boxes.length;
  allBox.indeterminate = checked > 0 && checked < boxes.length;
}

function syncAllBoxes() {
  for (const allBox of document.querySelectorAll("input[data-check-all]")) syncAllBox(allBox);
  for (const counter of document.querySelectorAll("[data-selected-count]")) {
    const n = document.querySelectorAll(counter.dataset.selectedCount + ":checked").length;
    counter.textContent = n.toLocaleString(document.documentElement.lang || undefined);
    counter.closest("[data-when-selected]")?.classList.toggle("has-selection", n > 0);
  }
}

document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
  if (box.dataset.checkAll !== undefined) {
    for (const member of groupOf(box)) if (!member.disabled) member.checked = box.checked;
  }
  syncAllBoxes();
});
document.addEventListener("DOMContentLoaded", syncAllBoxes);
document.addEventListener("htmx:afterSettle", syncAllBoxes);

// ---------------------------------------------------------------------------------------
// Expiry shortcuts: <button data-expiry-days="30" data-expiry-for="field-id"> moves the date
// 30 days past the later of today and the date already entered; data-expiry-days="" clears
// it (never). A change event follows, so the "in 12 days" hint updates.
function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-expiry-days]");
  if (!button) return;
  const input = document.getElementById(button.dataset.expiryFor);
  if (!input) return;
  const days = button.dataset.expiryDays;
  if (days === "") {
    input.value = "";
  } else {
    const today = isoDay(new Date());
    const from = input.value && input.value > today ? input.value : today;
    const date = new Date(`${from}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + Number(days));
    input.value = isoDay(date);
  }
  input.dispatchEvent(new Event("change", { bubbles: true }));
});

// ---------------------------------------------------------------------------------------
// Fields shown for some choices only: an element with data-shown-by="select-id" and
// data-show-for="a b" is hidden unless that select's value is a or b. Its inputs are
// disabled while hidden, so they are not sent. (Without script everything shows.)
function applyShowFor(root) {
  for (const el of root.querySelectorAll("[data-shown-by]")) {
    const select = document.getElementById(el.dataset.shownBy);
    if (!select) continue;
    // In document order, so an enclosing part is already decided.
    const shown = el.dataset.showFor.split(" ").includes(select.value) &&
      !el.parentElement.closest("[hidden]");
    el.hidden = !shown;
    for (const input of el.querySelectorAll("input, select, textarea")) input.disabled = !shown;
  }
}
document.addEventListener("DOMContentLoaded", () => applyShowFor(document));
document.addEventListener("htmx:afterSettle", () => applyShowFor(document));
document.addEventListener("change", (event) => {
  if (event.target instanceof HTMLSelectElement) applyShowFor(document);
});

// Dismiss buttons: <button data-dismiss=".bulk-confirm"> removes that ancestor.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-dismiss]");
  if (button) button.closest(button.dataset.dismiss)?.remove();
});

// ---------------------------------------------------------------------------------------
// Following the end of a log (<pre data-follow>): it starts scrolled to the last line and
// stays there as lines arrive, unless the operator scrolled up to read.
const atEnd = new WeakMap();
function followEnds() {
  for (const pre of document.querySelectorAll("pre[data-follow]")) {
    if (atEnd.get(pre) !== false) pre.scrollTop = pre.scrollHeight;
  }
}
document.addEventListener("scroll", (event) => {
  const pre = event.target;
  if (pre instanceof HTMLElement && pre.matches("pre[data-follow]")) {
    atEnd.set(pre, pre.scrollHeight - pre.scrollTop - pre.clientHeight < 8);
  }
}, true);
document.addEventListener("DOMContentLoaded", followEnds);
document.addEventListener("htmx:afterSettle", followEnds);
