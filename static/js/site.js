// Keeps keyboard focus where the shopper was after an htmx swap; optional, like htmx itself.
//
// htmx 2 already keeps focus on an element whose id is in the new content. This covers the rest:
// a button that htmx disabled during the request (hx-disabled-elt), a control that the swap
// replaced by another (Apply becomes Remove coupon), and boosted full-body swaps. Focus goes back
// to the control with the same id, else to the swapped region, else to the page's heading; never
// to <body>. Fragments without a status message can name what changed with data-announce.
(() => {
  "use strict";
  let lastId = null;
  let lastTargetId = null;
  let answerHasStatus = false;

  const usable = (el) => el && el !== document.body && el.isConnected && !el.disabled
    && el.checkVisibility();

  function focusWithoutScroll(el) {
    if (!el.matches("a[href], button, input, select, textarea, summary, [tabindex]")) {
      el.setAttribute("tabindex", "-1");
    }
    el.focus({ preventScroll: true });
  }

  function restoreFocus() {
    if (usable(document.activeElement)) return;
    const candidates = [
      lastId && document.getElementById(lastId),
      lastTargetId && document.getElementById(lastTargetId),
      document.querySelector("main h1"),
      document.getElementById("main"),
    ];
    const target = candidates.find(usable);
    if (target) focusWithoutScroll(target);
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    const active = document.activeElement;
    lastId = active && active !== document.body && active.id ? active.id : null;
    const target = event.detail.target;
    lastTargetId = target && target !== document.body && target.id ? target.id : null;
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    answerHasStatus = (event.detail.serverResponse || "").includes('id="status-messages"');
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    restoreFocus();
    // An answer with a message fills the status region itself; others may name what changed.
    const region = document.getElementById("status-messages");
    const swapped = event.detail.elt;
    const note = swapped && swapped.querySelector && swapped.querySelector("[data-announce]");
    if (region && note && !answerHasStatus) {
      const message = document.createElement("p");
      message.className = "visually-hidden";
      message.textContent = note.textContent.trim();
      region.replaceChildren(message);
    }
  });

  // hx-swap="none" (Add to cart) settles nothing; htmx re-enables the button after the request.
  document.addEventListener("htmx:afterRequest", () => window.setTimeout(restoreFocus, 0));

  // The search box's suggestions: the ARIA 1.2 combobox with a listbox popup. Focus stays in the
  // box; the arrow keys move through the options (aria-activedescendant), Enter follows the
  // chosen one (each is a link, so a click or tap needs no script), Escape closes the list and
  // a second Escape empties the box. htmx fetches the listbox as the shopper types; an answer
  // for other text than the box now holds is dropped. Without this script the box stays a
  // plain search field that submits to the catalog.
  const searchBox = () => document.querySelector("input[data-suggestions]");
  const listboxOf = (input) => document.getElementById(input.dataset.suggestions);
  const optionsOf = (input) =>
    Array.from(listboxOf(input)?.querySelectorAll("[role=option]") || []);

  function choose(input, option) {
    for (const each of optionsOf(input)) {
      each.setAttribute("aria-selected", String(each === option));
    }
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function showSuggestions(input, open) {
    const list = listboxOf(input);
    const wanted = Boolean(open && list && optionsOf(input).length);
    if (list) list.hidden = !wanted;
    input.setAttribute("aria-expanded", String(wanted));
    if (!wanted) choose(input, null);
  }

  function onSearchKey(event) {
    const input = event.currentTarget;
    const list = optionsOf(input);
    const current = list.findIndex((o) => o.getAttribute("aria-selected") === "true");
    const open = input.getAttribute("aria-expanded") === "true";
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!list.length) return;
      event.preventDefault();
      showSuggestions(input, true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = current < 0 ? (step > 0 ? 0 : list.length - 1) : current + step;
      choose(input, list[(next + list.length) % list.length]);
    } else if (event.key === "Enter" && open && current >= 0) {
      event.preventDefault();
      list[current].click();
    } else if (event.key === "Escape" && (open || input.value)) {
      event.preventDefault();
      if (open) showSuggestions(input, false);
      else input.value = "";
    }
  }

  function setUpSuggestions() {
    const input = searchBox();
    if (!input || input.dataset.combobox) return;  // none, or done (a boosted swap makes anew)
    input.dataset.combobox = "on";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", input.dataset.suggestions);
    input.setAttribute("aria-expanded", "false");
    input.addEventListener("keydown", onSearchKey);
    input.addEventListener("focus", () => showSuggestions(input, true));
    input.addEventListener("blur", () => showSuggestions(input, false));
  }

  // Pressing an option must not blur the box first (that would close the list under it).
  document.addEventListener("mousedown", (event) => {
    const input = searchBox();
    if (input && listboxOf(input)?.contains(event.target)) event.preventDefault();
  });
  document.addEventListener("htmx:beforeSwap", (event) => {
    const input = searchBox();
    if (!input || event.detail.target !== listboxOf(input)) return;
    const asked = new URL(event.detail.xhr.responseURL, location.href).searchParams.get("q");
    if ((asked || "").trim() !== input.value.trim()) event.detail.shouldSwap = false;
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    const input = searchBox();
    if (input && event.detail.elt && event.detail.elt.id === input.dataset.suggestions) {
      showSuggestions(input, document.activeElement === input);
    }
  });
  document.addEventListener("htmx:load", setUpSuggestions);
  setUpSuggestions();

  // A GET that htmx sends (the catalog's filters, the search box) leaves out blank values, so
  // the address it pushes names only what the shopper chose: /catalog/?q=wool, not
  // ?q=wool&min_price=&max_price=. The others keep their order. Without this script the
  // server redirects a full-page GET with blank parameters to the same URL without them.
  const blank = (value) => typeof value === "string" && value.trim() === "";
  document.addEventListener("htmx:configRequest", (event) => {
    const parameters = event.detail.parameters;
    if (event.detail.verb !== "get") return;
    const entries = Array.from(parameters.entries());
    if (!entries.some(([, value]) => blank(value))) return;
    for (const [name] of entries) parameters.delete(name);
    for (const [name, value] of entries) {
      if (!blank(value)) parameters.append(name, value);
    }
  });
})();

// The catalog's filter sheet on a phone: a <details> that site.css shows as a full-height sheet
// (it opens, closes and submits without this script). Here "Show N products", the form's submit,
// closes the sheet and moves focus to the results' heading instead of submitting: htmx already
// fetched the results of every change (a second request would push the same URL again, and Back
// would seem to do nothing). Escape closes the sheet and puts focus back on the Filters toggle.
// On wide screens, where the filters are a sidebar (the toggle is not shown), neither does anything.
(() => {
  "use strict";
  const sheet = () => document.getElementById("filters-disclosure");
  const isOpenSheet = (details) => Boolean(details && details.open
    && getComputedStyle(details.querySelector("summary")).display !== "none");

  document.addEventListener("click", (event) => {
    const details = sheet();
    if (!event.target.closest("#filters-show") || !isOpenSheet(details) || !window.htmx) return;
    event.preventDefault();
    details.open = false;
    // tabindex="-1" in the page: a swap still on its way keeps focus on the new heading (htmx).
    // focus() scrolls the heading into view if it is not; the products follow it.
    document.getElementById("results-heading")?.focus();
  });

  document.addEventListener("keydown", (event) => {
    const details = sheet();
    if (event.key !== "Escape" || !isOpenSheet(details)) return;
    if (!details.contains(document.activeElement)) return;
    if (event.target.matches("input[type=search]") && event.target.value) return;  // it empties
    details.open = false;
    details.querySelector("summary").focus();
  });
})();
