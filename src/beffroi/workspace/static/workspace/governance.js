// Governance screens: small progressive enhancements (every page works without JavaScript).
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-check-all]") : null;
  if (!button) return;
  const name = button.getAttribute("data-check-all");
  const boxes = Array.from(document.querySelectorAll(`input[type=checkbox][name="${name}"]`));
  const check = boxes.some((box) => !box.checked);
  boxes.forEach((box) => { box.checked = check; });
});
document.addEventListener("focusin", (event) => {
  const el = event.target;
  if (el instanceof HTMLInputElement && el.hasAttribute("data-select-on-focus")) el.select();
});
// After a full-page POST (charter preview, errors), bring the result into view and focus.
document.addEventListener("DOMContentLoaded", () => {
  const target = document.querySelector("[data-focus-on-load]");
  if (target instanceof HTMLElement) {
    target.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  }
});
