// singdeck's few behaviours beyond htmx: show failed requests as a toast.
document.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  const toast = document.getElementById("toast");
  if (!toast) return;
  const doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
  const text = (doc.querySelector(".flash") || doc.body).textContent.trim();
  toast.textContent = text || `Request failed (${xhr.status})`;
  toast.className = "show";
  clearTimeout(toast._timer);
  toast._timer = setTimeout(() => (toast.className = ""), 6000);
});
document.addEventListener("htmx:sendError", () => {
  const toast = document.getElementById("toast");
  if (!toast) return;
  toast.textContent = "The panel did not answer; is it still running?";
  toast.className = "show";
});
// Copy buttons: <button data-copy="text">. One delegated listener, so buttons that htmx
// swaps in work too. Falls back to selecting a hidden textarea where the async clipboard
// is unavailable (plain http on a non-local address).
document.addEventListener("click", async (event) => {
  const button = event.target.closest && event.target.closest("button[data-copy]");
  if (!button) return;
  const text = button.getAttribute("data-copy");
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    copied = document.execCommand("copy");
    area.remove();
  }
  const label = button.textContent;
  button.textContent = copied ? "Copied" : "Copy failed";
  setTimeout(() => (button.textContent = label), 1500);
});
