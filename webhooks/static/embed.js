// Put the chat on any page: a "Chat with us" button that opens the widget in a panel.
//   <script src="https://YOUR-HOST/chat/static/embed.js" defer></script>
// Optional: data-label="Talk to us" on the script tag changes the button's text.
(function () {
  "use strict";

  var script = document.currentScript;
  var page = new URL("../../chat", script.src).href;
  var label = script.getAttribute("data-label") || "Chat with us";

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "frontdoor-chat-panel");
  button.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:2147483000;font:600 16px system-ui,sans-serif;" +
    "padding:.75rem 1.2rem;border:0;border-radius:999px;background:#0b5cad;color:#fff;cursor:pointer;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.25)";

  var panel = document.createElement("div");
  panel.id = "frontdoor-chat-panel";
  panel.hidden = true;
  panel.style.cssText = "position:fixed;right:1rem;bottom:4.5rem;z-index:2147483000;width:min(24rem,calc(100vw - 2rem));" +
    "height:min(36rem,calc(100vh - 6rem));border:1px solid #c9d2de;border-radius:.75rem;overflow:hidden;" +
    "box-shadow:0 4px 18px rgba(0,0,0,.25);background:#fff";

  var frame = null;

  function open() {
    if (!frame) {
      // Loaded on first open only: no session is started for visitors who never chat.
      frame = document.createElement("iframe");
      frame.src = page;
      frame.title = label;
      frame.style.cssText = "width:100%;height:100%;border:0";
      panel.appendChild(frame);
    }
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    frame.focus();
  }

  function close() {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  button.addEventListener("click", function () { panel.hidden ? open() : close(); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { close(); }
  });

  document.body.appendChild(panel);
  document.body.appendChild(button);
})();
