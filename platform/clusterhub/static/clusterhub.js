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
