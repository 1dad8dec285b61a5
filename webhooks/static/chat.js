// The chat widget: talks to /chat/sessions, shows the bot's messages and its quick replies.
// Plain JavaScript, no build step. The session token lives only in this page's memory.
(function () {
  "use strict";

  // The API sits next to this script (…/chat/static/chat.js -> …/chat/), so a path prefix just works.
  var base = new URL("../", document.currentScript.src);
  var log = document.getElementById("chat-log");
  var options = document.getElementById("chat-options");
  var statusLine = document.getElementById("chat-status");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var send = document.getElementById("chat-send");
  var restart = document.getElementById("chat-restart");
  var session = null;
  var busy = false;

  function addMessage(kind, text) {
    var item = document.createElement("li");
    item.className = "msg msg--" + kind;
    // Screen readers hear who is speaking; sighted users see it from the bubble's side.
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = kind === "customer" ? "You said: " : (kind === "bot" ? "Assistant: " : "");
    item.appendChild(who);
    item.appendChild(document.createTextNode(text));
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function showOptions(list) {
    options.textContent = "";
    options.hidden = !list || list.length === 0;
    (list || []).forEach(function (option) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = option.label;
      button.dataset.key = option.key;
      button.addEventListener("click", function () { say(option.key, option.label); });
      options.appendChild(button);
    });
  }

  function setBusy(value, message) {
    busy = value;
    input.disabled = value || !session;
    send.disabled = value || !session;
    Array.prototype.forEach.call(options.querySelectorAll("button"), function (b) { b.disabled = value; });
    statusLine.textContent = message || "";
  }

  function show(messages) {
    var last = null;
    (messages || []).forEach(function (m) { addMessage("bot", m.text); last = m; });
    showOptions(last && last.options);
  }

  function end(message) {
    session = null;
    showOptions([]);
    input.disabled = true;
    send.disabled = true;
    if (message) { addMessage("notice", message); }
    restart.hidden = false;
    restart.focus();
  }

  async function post(url, body, token) {
    var headers = { "Content-Type": "application/json" };
    if (token) { headers.Authorization = "Bearer " + token; }
    var response = await fetch(url, { method: "POST", headers: headers, body: JSON.stringify(body || {}) });
    var data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return { status: response.status, data: data, retryAfter: response.headers.get("Retry-After") };
  }

  async function start() {
    log.textContent = "";
    restart.hidden = true;
    setBusy(true, "Connecting…");
    try {
      var result = await post(new URL("sessions", base), {});
      if (result.status === 429) { throw new Error("Too many chats from here just now. Please try again in a minute."); }
      if (result.status !== 201) { throw new Error("Sorry, the chat isn't available right now. Please try again later."); }
      session = { id: result.data.session_id, token: result.data.token };
      setBusy(false, "");
      show(result.data.messages);
      input.focus();
    } catch (error) {
      setBusy(false, "");
      end(error.message);
    }
  }

  async function say(text, shown) {
    if (busy || !session || !text.trim()) { return; }
    addMessage("customer", shown || text);
    showOptions([]);
    setBusy(true, "Sending…");
    try {
      var url = new URL("sessions/" + encodeURIComponent(session.id) + "/messages", base);
      var result = await post(url, { text: text }, session.token);
      if (result.status === 200) {
        setBusy(false, "");
        show(result.data.messages);
        if (result.data.ended) {
          end(result.data.handoff ? "You're being connected to a colleague." : "This chat has ended.");
        } else {
          input.focus();
        }
        return;
      }
      setBusy(false, "");
      if (result.status === 410) { end("This chat timed out after a quiet spell. You can start a new one."); return; }
      if (result.status === 401 || result.status === 404) { end("This chat is no longer available. You can start a new one."); return; }
      if (result.status === 429) {
        statusLine.textContent = "You're sending messages quickly. Please wait " + (result.retryAfter || "a few") + " seconds and try again.";
      } else if (result.status === 413 || result.status === 422 || result.status === 503) {
        statusLine.textContent = (result.data && typeof result.data.detail === "string") ? "Sorry: " + result.data.detail + "." : "Sorry, that message couldn't be sent.";
      } else {
        statusLine.textContent = "Sorry, something went wrong. Please try again.";
      }
      input.value = input.value || text;
      input.focus();
    } catch (error) {
      setBusy(false, "Sorry, we couldn't reach the chat. Check your connection and try again.");
      input.focus();
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { statusLine.textContent = "Please type a message first."; return; }
    input.value = "";
    say(text);
  });
  restart.addEventListener("click", start);

  start();
})();
