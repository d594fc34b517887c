// Behaviour shared by every page; kept out of the HTML so the CSP needs no 'unsafe-inline'.

// Confirmation before a destructive action: data-confirm on the form, or on the button that submits it.
document.addEventListener("submit", (event) => {
  const source = event.submitter?.closest("[data-confirm]") || event.target.closest("form[data-confirm]");
  if (source && !window.confirm(source.dataset.confirm)) {
    event.preventDefault();
  }
});

// Print buttons (protocols, badges).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
