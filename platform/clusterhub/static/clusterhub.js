// Behaviour the templates declare with data attributes, so that no page needs an inline handler
// (the Content-Security-Policy forbids them): data-confirm asks before a form is sent or a button acts,
// data-print prints the page.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-print], button[data-confirm]");
    if (!trigger) return;
    if (trigger.hasAttribute("data-print")) {
      event.preventDefault();
      window.print();
    } else if (!window.confirm(trigger.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();

// A table wider than the screen scrolls inside its box: make that box reachable with the keyboard
// (WCAG 2.1.1), so the columns off to the right can be scrolled to without a mouse.
(function () {
  "use strict";
  function reachable() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }
  reachable();
  window.addEventListener("resize", reachable);
})();
