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
