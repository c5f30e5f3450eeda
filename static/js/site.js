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
})();
