// PartyHub's own behaviour for every page. No inline scripts anywhere: the Content-Security-Policy
// allows scripts from this site's static files only (partyhub/settings.py, docs/security.md).
(function () {
  "use strict";

  // On a phone the tab row of an organisation scrolls sideways; keep the current section in view.
  function showActiveTab() {
    const active = document.querySelector(".nav-tabs .nav-link.active");
    if (active) active.scrollIntoView({block: "nearest", inline: "center"});
  }

  // The tree: a toggle's click is seen here first (capture phase), before htmx's own handler on the
  // button. Collapsing hides the loaded children instead of reloading them; expanding fetches them
  // again (fresh counts).
  function toggleTreeNode(event) {
    const button = event.target.closest(".tree-toggle[data-children]");
    if (!button) return;
    const box = document.getElementById(button.dataset.children);
    if (button.dataset.expanded === "true") {
      button.dataset.expanded = "false";
      button.setAttribute("aria-expanded", "false");
      button.innerHTML = '<i class="bi bi-plus-lg"></i>';
      if (box) box.innerHTML = "";
      return;
    }
    button.dataset.expanded = "true";
    button.setAttribute("aria-expanded", "true");
    button.innerHTML = '<i class="bi bi-dash-lg"></i>';
  }

  // A click that collapses must not fetch the children again.
  function keepCollapsed(event) {
    const element = event.detail.elt;
    if (element.classList.contains("tree-toggle") && element.dataset.expanded === "false") {
      event.preventDefault();
    }
  }

  // A button marked data-print prints the page (the recovery codes).
  function printPage(event) {
    if (event.target.closest("[data-print]")) window.print();
  }

  document.addEventListener("click", toggleTreeNode, true);
  document.addEventListener("click", printPage);
  document.addEventListener("htmx:confirm", keepCollapsed);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showActiveTab);
  } else {
    showActiveTab();
  }
})();
