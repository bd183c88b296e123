// The chat simulator: posts each message to /dev/chat/send and shows the engine's replies.
"use strict";

(() => {
  const sendUrl = document.currentScript.dataset.sendUrl;
  const photoUrl = document.currentScript.dataset.photoUrl;
  const staffUrl = document.currentScript.dataset.staffUrl;
  const byId = (id) => document.getElementById(id);
  const messages = byId("messages");
  const text = byId("text");
  const orderBanner = byId("order");
  let queue = Promise.resolve(); // one message at a time, so replies stay in order

  function sender() {
    const phone = byId("phone").value.trim();
    return byId("channel").value === "whatsapp" ? `whatsapp:${phone}` : phone;
  }

  function bubble(kind, body) {
    const item = document.createElement("li");
    item.className = `bubble ${kind}`;
    item.textContent = body;
    messages.append(item);
    messages.scrollTop = messages.scrollHeight;
    return item;
  }

  function showOrder(orderId) {
    orderBanner.textContent = `Order #${orderId} placed`;
    orderBanner.dataset.orderId = String(orderId);
    orderBanner.hidden = false;
  }

  // A message as JSON, or a picture as itself (its own type), answered the same way.
  function post(body) {
    return fetch(sendUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ from: sender(), body }),
    });
  }

  function postPicture(file) {
    const url = `${photoUrl}?${new URLSearchParams({ from: sender() })}`;
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": file.type || "application/octet-stream", Accept: "application/json" },
      credentials: "same-origin",
      body: file,
    });
  }

  async function deliver(request) {
    const typing = bubble("typing", "typing…");
    try {
      const response = await request();
      const data = await response.json();
      if (!response.ok) {
        const details = (data.details || []).map((d) => d.message).join("; ");
        bubble("error", `${data.error}${details ? `: ${details}` : ""}`);
        return;
      }
      if (data.replies.length === 0) bubble("note", "(no reply)");
      data.replies.forEach((reply) => bubble("in", reply));
      if (data.order_id) showOrder(data.order_id);
    } catch (error) {
      bubble("error", `Could not reach the app: ${error.message}`);
    } finally {
      typing.remove();
    }
  }

  function send(body) {
    bubble("out", body);
    queue = queue.then(() => deliver(() => post(body)));
    return queue;
  }

  function sendPicture(file) {
    bubble("out", `📷 ${file.name}`);
    queue = queue.then(() => deliver(() => postPicture(file)));
    return queue;
  }

  function clear() {
    messages.replaceChildren();
    orderBanner.hidden = true;
  }

  byId("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = text.value.trim();
    if (!body) return;
    text.value = "";
    send(body);
    text.focus();
  });
  byId("restart").addEventListener("click", () => {
    clear();
    send("restart");
    text.focus();
  });
  byId("picture").addEventListener("change", (event) => {
    const [file] = event.target.files;
    event.target.value = "";
    if (file) sendPicture(file);
  });
  // Messages a baker writes from the admin's inbox arrive by themselves: poll for them.
  let lastStaffId = null;
  let polling = Promise.resolve();

  async function pollStaff() {
    const params = new URLSearchParams({ from: sender() });
    if (lastStaffId !== null) params.set("after", String(lastStaffId));
    try {
      const response = await fetch(`${staffUrl}?${params}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const data = await response.json();
      data.messages.forEach((message) => {
        bubble("in staff", message.body).dataset.author = message.author;
      });
      lastStaffId = data.last_id;
    } catch (error) {
      // The app is restarting: ask again at the next tick.
    }
  }

  function restartPolling() {
    lastStaffId = null; // a new number: only what its bakers write from now on
    polling = polling.then(pollStaff);
  }

  function changeNumber() {
    clear();
    restartPolling();
  }

  byId("channel").addEventListener("change", changeNumber);
  byId("phone").addEventListener("change", changeNumber);
  restartPolling();
  setInterval(() => {
    polling = polling.then(pollStaff);
  }, 2000);
})();
