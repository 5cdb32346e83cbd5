// Crisis room: small progressive enhancements (every page works without JavaScript).
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button.use-template") : null;
  if (!button) return;
  const area = document.getElementById("reply-text");
  if (!(area instanceof HTMLTextAreaElement)) return;
  area.value = button.getAttribute("data-template") || "";
  area.dispatchEvent(new Event("input", { bubbles: true }));
  area.focus();
});
