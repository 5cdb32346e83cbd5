/*
 * Beffroi — comment widget for the commune's website (no framework, no cookie, no storage).
 *
 * Paste on a page:
 *   <div id="beffroi-commentaires"></div>
 *   <script src="https://<beffroi>/widget/<commune>/widget.js" defer></script>
 * Options on the container: data-page="<address of the page>" (default: this page),
 * data-titre="<heading>" and data-niveau="2" (heading level, 2 to 4).
 * Comments are published only after moderation; see /widget/<commune>/ on Beffroi.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var match = script.src.match(/^(.*)\/widget\/([^/?#]+)\/widget\.js(?:[?#].*)?$/);
  if (!match) { return; }
  var BASE = match[1];
  var COMMUNE = match[2];
  var API = BASE + "/api/website/" + COMMUNE + "/comments";
  var CSS = BASE + "/widget/" + COMMUNE + "/widget.css";
  var LANG = (document.documentElement.getAttribute("lang") || "fr").toLowerCase().indexOf("en") === 0 ? "en" : "fr";

  var TEXTS = {
    fr: {
      title: "Commentaires",
      loading: "Chargement des commentaires…",
      none: "Aucun commentaire pour le moment.",
      count1: "1 commentaire",
      countN: "{n} commentaires",
      loadError: "Les commentaires ne peuvent pas être affichés pour le moment.",
      formTitle: "Laisser un commentaire",
      intro: "Les commentaires sont relus avant d'être publiés, selon la charte de modération de la commune.",
      charter: "Lire la charte",
      required: "Les champs marqués d'un astérisque (*) sont obligatoires.",
      name: "Nom ou pseudonyme",
      email: "Adresse e-mail (facultative)",
      emailHelp: "Elle n'est jamais publiée ; elle permet à la mairie de vous répondre.",
      text: "Votre commentaire",
      counter: "{n} caractères sur {max}",
      hp: "Ne remplissez pas ce champ",
      send: "Envoyer",
      sending: "Envoi en cours…",
      needName: "Indiquez votre nom (ou un pseudonyme).",
      needText: "Le commentaire est vide.",
      tooLong: "Le commentaire est trop long ({n} caractères pour {max} au plus).",
      badEmail: "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr). Elle est facultative.",
      network: "Le service de commentaires est injoignable. Vérifiez votre connexion et réessayez.",
      failed: "L'envoi n'a pas abouti. Réessayez dans quelques minutes.",
      commune: "Mairie",
      replies: "Réponses",
      on: "le"
    },
    en: {
      title: "Comments",
      loading: "Loading comments…",
      none: "No comments yet.",
      count1: "1 comment",
      countN: "{n} comments",
      loadError: "Comments cannot be shown right now.",
      formTitle: "Leave a comment",
      intro: "Comments are reviewed before they are published, according to the town's moderation charter.",
      charter: "Read the charter",
      required: "Fields marked with an asterisk (*) are required.",
      name: "Name or nickname",
      email: "E-mail address (optional)",
      emailHelp: "It is never published; it lets the town hall answer you.",
      text: "Your comment",
      counter: "{n} characters out of {max}",
      hp: "Do not fill in this field",
      send: "Send",
      sending: "Sending…",
      needName: "Please give your name (or a nickname).",
      needText: "The comment is empty.",
      tooLong: "The comment is too long ({n} characters, {max} at most).",
      badEmail: "This e-mail address is not valid. It is optional.",
      network: "The comment service cannot be reached. Check your connection and try again.",
      failed: "Sending failed. Please try again in a few minutes.",
      commune: "Town hall",
      replies: "Replies",
      on: "on"
    }
  }[LANG];

  var counter = 0;

  function t(key, values) {
    var text = TEXTS[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", String(values[name])); });
    return text;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; } else { node.setAttribute(name, value === true ? "" : String(value)); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function ensureCss() {
    if (document.querySelector("link[data-beffroi-css]")) { return; }
    document.head.appendChild(el("link", { rel: "stylesheet", href: CSS, "data-beffroi-css": true }));
  }

  function pageAddress(container) {
    return container.getAttribute("data-page") || (window.location.origin + window.location.pathname + window.location.search);
  }

  function formatDate(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) { return ""; }
    return date.toLocaleDateString(LANG === "en" ? "en-GB" : "fr-FR", { day: "numeric", month: "long", year: "numeric" });
  }

  function renderComment(comment) {
    var number = String(comment.id || "").replace(/^site-/, "");
    var header = el("p", { "class": "beffroi-c__meta" }, [
      el("strong", { "class": "beffroi-c__author", text: comment.name }),
      comment.from_commune ? el("span", { "class": "beffroi-c__badge", text: TEXTS.commune }) : null,
      el("span", { text: " " + TEXTS.on + " " }),
      el("time", { datetime: comment.published_at, text: formatDate(comment.published_at) })
    ]);
    var body = el("p", { "class": "beffroi-c__text", text: comment.text });
    var item = el("li", { "class": "beffroi-c__item" + (comment.from_commune ? " beffroi-c__item--commune" : ""), id: "beffroi-commentaire-" + number }, [
      el("article", {}, [header, body])
    ]);
    if (comment.replies && comment.replies.length) {
      var replies = el("ol", { "class": "beffroi-c__replies", "aria-label": TEXTS.replies });
      comment.replies.forEach(function (reply) { replies.appendChild(renderComment(reply)); });
      item.appendChild(replies);
    }
    return item;
  }

  function field(id, label, input, required, help) {
    var error = el("p", { "class": "beffroi-c__error", id: id + "-erreur", hidden: true });
    var described = [help ? id + "-aide" : null, id + "-erreur"].filter(Boolean).join(" ");
    input.setAttribute("id", id);
    input.setAttribute("aria-describedby", described);
    if (required) { input.setAttribute("required", ""); input.setAttribute("aria-required", "true"); }
    return {
      wrap: el("div", { "class": "beffroi-c__field" }, [
        el("label", { "for": id, text: label + (required ? " *" : "") }),
        help ? el("p", { "class": "beffroi-c__help", id: id + "-aide", text: help }) : null,
        input,
        error
      ]),
      input: input,
      error: error
    };
  }

  function init(container) {
    if (container.getAttribute("data-beffroi-pret")) { return; }
    container.setAttribute("data-beffroi-pret", "1");
    counter += 1;
    var prefix = "beffroi-c" + counter;
    var level = Math.min(4, Math.max(2, parseInt(container.getAttribute("data-niveau") || "2", 10) || 2));
    var maxLength = 2000;
    var page = pageAddress(container);

    var title = el("h" + level, { "class": "beffroi-c__title", id: prefix + "-titre", text: container.getAttribute("data-titre") || TEXTS.title });
    var listStatus = el("p", { "class": "beffroi-c__status", role: "status", "aria-live": "polite", text: TEXTS.loading });
    var list = el("ol", { "class": "beffroi-c__list", "aria-labelledby": prefix + "-titre" });
    var charterLink = el("a", { "class": "beffroi-c__charter", href: BASE + "/charte/" + COMMUNE + "/", text: TEXTS.charter, hidden: true });

    var name = field(prefix + "-nom", TEXTS.name, el("input", { type: "text", name: "name", autocomplete: "name", maxlength: 80 }), true);
    var email = field(prefix + "-email", TEXTS.email, el("input", { type: "email", name: "email", autocomplete: "email", maxlength: 254, inputmode: "email" }), false, TEXTS.emailHelp);
    var text = field(prefix + "-texte", TEXTS.text, el("textarea", { name: "text", rows: 5, maxlength: maxLength }), true);
    var count = el("p", { "class": "beffroi-c__counter", id: prefix + "-compteur", text: t("counter", { n: 0, max: maxLength }) });
    text.input.setAttribute("aria-describedby", text.input.getAttribute("aria-describedby") + " " + prefix + "-compteur");
    text.wrap.appendChild(count);
    var honeypot = el("input", { type: "text", name: "homepage", id: prefix + "-hp", tabindex: "-1", autocomplete: "off" });
    var trap = el("div", { "class": "beffroi-c__hp", "aria-hidden": "true" }, [el("label", { "for": prefix + "-hp", text: TEXTS.hp }), honeypot]);
    var button = el("button", { type: "submit", "class": "beffroi-c__button", text: TEXTS.send });
    var result = el("p", { "class": "beffroi-c__result", role: "status", "aria-live": "polite", tabindex: "-1" });
    var form = el("form", { "class": "beffroi-c__form", novalidate: true, "aria-labelledby": prefix + "-form-titre" }, [
      el("h" + Math.min(6, level + 1), { id: prefix + "-form-titre", "class": "beffroi-c__form-title", text: TEXTS.formTitle }),
      el("p", { "class": "beffroi-c__intro" }, [document.createTextNode(TEXTS.intro + " "), charterLink]),
      el("p", { "class": "beffroi-c__help", text: TEXTS.required }),
      name.wrap, email.wrap, text.wrap, trap, button, result
    ]);
    var section = el("section", { "class": "beffroi-c", "aria-labelledby": prefix + "-titre", lang: LANG }, [title, listStatus, list, form]);
    container.appendChild(section);

    function updateCounter() {
      count.textContent = t("counter", { n: text.input.value.length, max: maxLength });
    }
    text.input.addEventListener("input", updateCounter);
    [name, email, text].forEach(function (f) {
      f.input.addEventListener("input", function () {
        if (f.input.getAttribute("aria-invalid")) { f.error.hidden = true; f.error.textContent = ""; f.input.removeAttribute("aria-invalid"); }
      });
    });

    function showCount(n) {
      listStatus.textContent = n === 0 ? TEXTS.none : (n === 1 ? TEXTS.count1 : t("countN", { n: n }));
    }

    function clearErrors() {
      [name, email, text].forEach(function (f) {
        f.error.hidden = true;
        f.error.textContent = "";
        f.input.removeAttribute("aria-invalid");
      });
    }

    function showErrors(errors) {
      var first = null;
      var fields = { name: name, email: email, text: text };
      Object.keys(errors).forEach(function (key) {
        var f = fields[key];
        if (!f) { return; }
        f.error.textContent = errors[key];
        f.error.hidden = false;
        f.input.setAttribute("aria-invalid", "true");
        if (!first) { first = f.input; }
      });
      if (first) { first.focus(); }
      return first !== null;
    }

    function load() {
      fetch(API + "?page=" + encodeURIComponent(page), { credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json().then(function (data) { return { ok: response.ok, data: data }; }); })
        .then(function (answer) {
          if (!answer.ok) { listStatus.textContent = (answer.data.error && answer.data.error.message) || TEXTS.loadError; return; }
          var data = answer.data;
          maxLength = data.max_length || maxLength;
          text.input.setAttribute("maxlength", String(maxLength));
          updateCounter();
          if (data.charter_url) { charterLink.setAttribute("href", data.charter_url); charterLink.hidden = false; }
          list.textContent = "";
          data.comments.forEach(function (comment) { list.appendChild(renderComment(comment)); });
          showCount(data.comments.length);
        })
        .catch(function () { listStatus.textContent = TEXTS.loadError; });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors();
      result.textContent = "";
      var values = { name: name.input.value.trim(), email: email.input.value.trim(), text: text.input.value.trim() };
      var errors = {};
      if (!values.name) { errors.name = TEXTS.needName; }
      if (values.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) { errors.email = TEXTS.badEmail; }
      if (!values.text) { errors.text = TEXTS.needText; } else if (values.text.length > maxLength) { errors.text = t("tooLong", { n: values.text.length, max: maxLength }); }
      if (showErrors(errors)) { return; }
      button.disabled = true;
      button.textContent = TEXTS.sending;
      fetch(API, {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ page_url: page, page_title: document.title, name: values.name, email: values.email, text: values.text, homepage: honeypot.value })
      })
        .then(function (response) { return response.json().then(function (data) { return { ok: response.ok, data: data }; }); })
        .then(function (answer) {
          var data = answer.data || {};
          if (answer.ok) {
            result.textContent = data.message || "";
            text.input.value = "";
            updateCounter();
            if (data.comment) { list.appendChild(renderComment(data.comment)); showCount(list.children.length); }
            result.focus();
            return;
          }
          var error = data.error || {};
          if (!(error.fields && showErrors(error.fields))) { result.textContent = error.message || TEXTS.failed; result.focus(); }
        })
        .catch(function () { result.textContent = TEXTS.network; result.focus(); })
        .then(function () { button.disabled = false; button.textContent = TEXTS.send; });
    });

    load();
  }

  function start() {
    ensureCss();
    Array.prototype.forEach.call(document.querySelectorAll("#beffroi-commentaires, [data-beffroi-commentaires]"), init);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
