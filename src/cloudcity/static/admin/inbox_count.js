// The navigation's count of conversations waiting for a person, refreshed every 15 s.
"use strict";

(() => {
  const badge = document.getElementById("inbox-count");
  if (!badge) return;
  const url = badge.dataset.url;
  const every = 15000;

  function show(count) {
    badge.textContent = String(count);
    badge.hidden = count === 0;
  }

  async function refresh() {
    if (document.hidden) return; // a tab in the background need not ask
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.status === 401) {
        clearInterval(timer); // logged out: stop asking until the next page
        return;
      }
      if (response.ok) show((await response.json()).waiting);
    } catch (error) {
      // Offline for a moment: keep the last count and try again at the next tick.
    }
  }

  const timer = setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
})();
