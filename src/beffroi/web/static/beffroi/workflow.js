// Moderation workflow: keyboard, actions without reloading, undo toast, bulk selection.
// Every page works without JavaScript: forms post normally and the next page shows an undo notice.
(() => {
  "use strict";

  const csrfToken = () => {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  };

  // ---------------------------------------------------------------------------------------
  // Toast with "Annuler"
  const toastBox = () => document.getElementById("toast");
  let toastTimer = null;
  let lastUndo = null;

  function hideToast() {
    const box = toastBox();
    if (box) { box.textContent = ""; box.classList.remove("toast-error"); }
    lastUndo = null;
  }

  function showToast(message, options = {}) {
    const box = toastBox();
    if (!box) return;
    clearTimeout(toastTimer);
    box.textContent = "";
    box.classList.toggle("toast-error", Boolean(options.error));
    const text = document.createElement("span");
    text.textContent = message;
    box.appendChild(text);
    lastUndo = options.undo || null;
    if (lastUndo) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Annuler";
      button.setAttribute("data-toast-undo", "");
      button.addEventListener("click", () => undo(lastUndo));
      box.appendChild(button);
    }
    const seconds = (lastUndo && lastUndo.seconds) || (options.error ? 8 : 5);
    toastTimer = setTimeout(hideToast, seconds * 1000);
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!data) data = { ok: false, message: response.status === 403 ? "Action non autorisée pour votre rôle." : "Erreur : réessayez." };
    return data;
  }

  async function undo(info) {
    if (!info) return;
    const body = new FormData();
    body.append("decisions", info.decisions.join(","));
    const data = await post(info.url, body);
    showToast(data.message || (data.ok ? "Annulé." : "Impossible d'annuler."), { error: !data.ok });
    await refreshList();
    refreshCounts();
  }

  // ---------------------------------------------------------------------------------------
  // The list (inbox, queue, questions)
  const listPage = () => document.querySelector("[data-keyboard-list]");
  const cards = () => Array.from(document.querySelectorAll(".item-card"));
  let current = -1;

  function focusCard(index) {
    const all = cards();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((card, i) => card.classList.toggle("is-current", i === current));
    const card = all[current];
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function currentCard() {
    const all = cards();
    if (current < 0 || current >= all.length) {
      const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".item-card");
      if (focused) current = all.indexOf(focused);
    }
    return all[current] || null;
  }

  async function refreshList() {
    const list = document.getElementById("item-list");
    if (!list) return;
    const url = new URL(list.getAttribute("data-list-url") || window.location.href, window.location.origin);
    url.searchParams.set("fragment", "list");
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return;
    const html = await response.text();
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.querySelector("#item-list");
    if (fresh) {
      list.replaceWith(fresh);
      updateSelection();
      if (current >= 0) focusCard(current);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Forms sent without reloading (data-ajax)
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-ajax")) return;
    if (!listPage() && form.getAttribute("data-ajax") !== "undo") return; // item screen: normal post
    event.preventDefault();
    const submitter = event.submitter || form.querySelector("[type=submit]");
    if (submitter) submitter.disabled = true;
    const body = new FormData(form); // the cards' checkboxes belong to the bulk form (form="bulk-form")
    try {
      const data = await post(form.action, body);
      if (form.getAttribute("data-ajax") === "undo") {
        const banner = form.closest("[data-undo-banner]");
        if (banner) banner.remove();
      }
      showToast(data.message, { undo: data.undo, error: !data.ok });
      await refreshList();
      refreshCounts();
      const selectAll = document.querySelector("[data-select-all]");
      if (selectAll) selectAll.checked = false;
      updateSelection();
    } finally {
      if (submitter) submitter.disabled = false;
    }
  });

  // ---------------------------------------------------------------------------------------
  // Bulk selection
  function updateSelection() {
    const selected = document.querySelectorAll("input[data-select]:checked").length;
    const counter = document.querySelector("[data-selected-count]");
    if (counter) counter.textContent = selected + (selected > 1 ? " sélectionnés" : " sélectionné");
    const bar = document.getElementById("bulk-form");
    if (bar) bar.classList.toggle("has-selection", selected > 0);
  }

  document.addEventListener("change", (event) => {
    const el = event.target;
    if (!(el instanceof HTMLElement)) return;
    if (el.hasAttribute("data-select-all")) {
      document.querySelectorAll("input[data-select]").forEach((box) => { box.checked = el.checked; });
      updateSelection();
    } else if (el.hasAttribute("data-select")) {
      updateSelection();
    } else if (el.hasAttribute("data-message-label")) {
      refreshMessage(el);
    } else if (el.hasAttribute("data-saved-replies")) {
      fillSavedReply(el);
    } else if (el.hasAttribute("data-reply-kind")) {
      const form = el.closest("form");
      if (form) form.action = el.getAttribute("data-reply-kind");
    }
  });

  // The message to the author follows the chosen label, until the person edits it.
  document.addEventListener("input", (event) => {
    const el = event.target;
    if (el instanceof HTMLTextAreaElement && el.hasAttribute("data-message")) el.dataset.edited = "1";
  });

  async function refreshMessage(select) {
    const form = select.closest("form");
    const area = form && form.querySelector("textarea[data-message]");
    if (!area || area.dataset.edited === "1") return;
    const url = new URL(form.getAttribute("data-message-url"), window.location.origin);
    if (select.value) url.searchParams.set("label", select.value);
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.ok) area.value = await response.text();
  }

  function fillSavedReply(select) {
    const option = select.selectedOptions[0];
    const form = select.closest("form");
    const area = form && form.querySelector("textarea[data-reply-text]");
    if (!area || !option || !option.dataset.text) return;
    if (area.value.trim() && !window.confirm("Remplacer le texte déjà écrit par la réponse enregistrée ?")) return;
    area.value = option.dataset.text;
    area.focus();
  }

  // ---------------------------------------------------------------------------------------
  // Keyboard
  const typing = (el) => el instanceof HTMLElement && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

  function press(scope, key) {
    if (!scope) return false;
    const target = scope.querySelector(`[data-key="${key}"]`);
    if (!target) return false;
    if (target.tagName === "SUMMARY") {
      const details = target.parentElement;
      details.open = true;
      const field = details.querySelector("textarea, input[type=text], select, button[type=submit]");
      if (field) field.focus();
    } else {
      target.click();
    }
    return true;
  }

  function toggleHelp() {
    const help = document.getElementById("keyboard-help");
    if (help) { help.open = !help.open; if (help.open) help.querySelector("summary").focus(); }
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const el = event.target;
    if (event.key === "Escape") {
      const open = document.activeElement && document.activeElement.closest && document.activeElement.closest("details[open]");
      if (open && !open.classList.contains("nav-more")) {
        open.open = false;
        const card = open.closest(".item-card");
        (card || open.querySelector("summary")).focus();
      }
      hideToast();
      return;
    }
    if (typing(el)) return;
    const key = event.key;
    if (key === "?") { toggleHelp(); event.preventDefault(); return; }
    if (key === "/") {
      const search = document.querySelector("[data-search]");
      if (search) {
        const details = search.closest("details");
        if (details) details.open = true;
        search.focus();
        event.preventDefault();
      }
      return;
    }
    if (key === "u") {
      if (lastUndo) { undo(lastUndo); event.preventDefault(); return; }
      const bannerButton = document.querySelector("[data-undo-banner] [data-key=u]");
      if (bannerButton) { bannerButton.click(); event.preventDefault(); }
      return;
    }
    if (listPage()) {
      if (key === "j") { focusCard(current + 1); event.preventDefault(); return; }
      if (key === "k") { focusCard(current < 0 ? 0 : current - 1); event.preventDefault(); return; }
      const card = currentCard();
      if (!card) return;
      if (key === "o" || key === "Enter") {
        if (key === "Enter" && el !== card) return;
        window.location.href = card.getAttribute("data-open");
        event.preventDefault();
        return;
      }
      if (key === "x") {
        const box = card.querySelector("input[data-select]");
        if (box) { box.checked = !box.checked; updateSelection(); }
        event.preventDefault();
        return;
      }
      if (key === "r") { window.location.href = card.getAttribute("data-open") + "#repondre"; event.preventDefault(); return; }
      if (["h", "m", "c", "e", "v", "l"].includes(key) && press(card, key)) event.preventDefault();
      return;
    }
    const page = document.querySelector("[data-keyboard-item]");
    if (page) {
      if (key === "h") {
        const panel = page.querySelector("[data-hide-panel]");
        if (panel) {
          panel.open = true;
          const area = panel.querySelector("textarea[data-message]");
          if (area) area.focus();
          event.preventDefault();
        }
        return;
      }
      if (["m", "c", "e", "v", "l", "r"].includes(key) && press(page.querySelector(".item-aside"), key)) event.preventDefault();
    }
  });

  // The hide panel of a card: opening it makes that card the current one.
  document.addEventListener("focusin", (event) => {
    const card = event.target instanceof Element ? event.target.closest(".item-card") : null;
    if (card) {
      const all = cards();
      current = all.indexOf(card);
      all.forEach((c, i) => c.classList.toggle("is-current", i === current));
    }
  });

  // ---------------------------------------------------------------------------------------
  // Sending states: refresh the item's history while an action is on its way.
  function pollHistory() {
    const history = document.querySelector("#history[data-poll]");
    if (!history) return;
    setTimeout(async () => {
      const response = await fetch(history.getAttribute("data-poll"), { credentials: "same-origin" });
      if (response.ok) {
        const holder = document.createElement("div");
        holder.innerHTML = await response.text();
        const fresh = holder.querySelector("#history");
        if (fresh) history.replaceWith(fresh);
      }
      pollHistory();
    }, 3000);
  }

  // ---------------------------------------------------------------------------------------
  // Navigation counters: refreshed every minute while the page is visible (new items arrive).
  async function refreshCounts() {
    const holder = document.querySelector("[data-counts-url]");
    if (!holder || document.hidden) return;
    try {
      const response = await fetch(holder.getAttribute("data-counts-url"), { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      const values = { review: (data.counts.review || 0) + (data.counts.escalated || 0), todo: data.counts.todo || 0 };
      Object.entries(values).forEach(([name, value]) => {
        document.querySelectorAll(`[data-count="${name}"]`).forEach((badge) => {
          badge.firstChild.textContent = String(value);
        });
      });
    } catch (e) {
      // offline for a moment: the next refresh will do
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    setInterval(refreshCounts, 60000);
    updateSelection();
    pollHistory();
    const banner = document.querySelector("[data-undo-banner]");
    if (banner) setTimeout(() => banner.classList.add("is-old"), 30000);
  });
})();
