// The admin's few behaviours, bound here because the CSP runs no inline handler:
// a Print button (data-print) and a link field that selects itself when tapped.
document.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof Element)) return;
  if (target.closest("[data-print]")) window.print();
  const field = target.closest("[data-select-on-click]");
  if (field instanceof HTMLInputElement) field.select();
});

// The undo button after "ready" / "picked up": counts its seconds down, then goes (the server
// refuses an undo after the window anyway).
document.querySelectorAll("[data-undo-seconds]").forEach((form) => {
  let left = Number(form.getAttribute("data-undo-seconds"));
  const shown = form.querySelector("[data-undo-left]");
  const tick = setInterval(() => {
    left -= 1;
    if (left <= 0) {
      clearInterval(tick);
      form.remove();
    } else if (shown) {
      shown.textContent = String(left);
    }
  }, 1000);
});
