// The admin's few behaviours, bound here because the CSP runs no inline handler:
// a Print button (data-print) and a link field that selects itself when tapped.
document.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof Element)) return;
  if (target.closest("[data-print]")) window.print();
  const field = target.closest("[data-select-on-click]");
  if (field instanceof HTMLInputElement) field.select();
});
