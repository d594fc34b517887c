// Behaviour shared by every page; kept out of the HTML so the CSP needs no 'unsafe-inline'.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
