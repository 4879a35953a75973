// The visitor widget: start a chat, set the contact, chat live; after a drop it reconnects and resumes.

(() => {
  const { LiveSocket, createI18n, api, renderMessage } = window.LiveChat;
  const i18n = createI18n(window.LIVECHAT_LABELS);
  const $ = (id) => document.getElementById(id);
  const store = window.localStorage;
  if (!store.getItem("livechat.browserUuid")) store.setItem("livechat.browserUuid", crypto.randomUUID());
  const browserUuid = store.getItem("livechat.browserUuid");
  const headers = { "X-Browser-UUID": browserUuid };
  let sessionId = store.getItem("livechat.sessionId");
  let status = "waiting";
  let assignedAgent = null;
  let typingTimer = null;
  let lastTypingSent = 0;

  function showError(err) {
    $("error").textContent = err ? err.message : "";
  }

  function showStatus(next, agent) {
    status = next;
    assignedAgent = agent;
    $("status").textContent = i18n.t(`status_${next}`);
    $("status").dataset.status = next;
    $("agent").textContent = agent ? `— ${agent.name}` : "";
  }

  const socket = LiveSocket(
    "/api/oss-chat/ws",
    { type: "auth", browser_uuid: browserUuid },
    {
      onState(state) {
        $("conn").className = state;
        $("conn").dataset.i18n = state;
        $("conn").textContent = i18n.t(state);
      },
      onFrame(frame) {
        if (frame.session_id !== sessionId) return;
        if (frame.type === "message") renderMessage($("transcript"), frame.message, i18n.t);
        else if (frame.type === "subscribed" || frame.type === "status")
          showStatus(frame.status, frame.assigned_agent);
        else if (frame.type === "typing") {
          $("typing").textContent = i18n.t("typing_agent");
          clearTimeout(typingTimer);
          typingTimer = setTimeout(() => {
            $("typing").textContent = "";
          }, 3000);
        } else if (frame.type === "error" && frame.code === 404) {
          // The stored session is gone or not ours any more: start over.
          store.removeItem("livechat.sessionId");
          sessionId = null;
          showChat();
        }
      },
    },
  );

  function showChat() {
    $("start-section").hidden = sessionId !== null;
    $("contact-section").hidden = sessionId === null;
    $("chat-section").hidden = sessionId === null;
    if (sessionId !== null) socket.subscribe(sessionId);
  }

  $("start-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const started = await api("POST", "/api/oss-chat/start", {
        browser_uuid: browserUuid,
        topic: $("topic").value,
        priority: $("priority").value,
      });
      sessionId = started.session_id;
      store.setItem("livechat.sessionId", sessionId);
      $("transcript").replaceChildren();
      showStatus("waiting", null);
      showChat();
    } catch (err) {
      showError(err);
    }
  });

  $("contact-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const contact = {
        session_id: sessionId,
        contact_name: $("contact-name").value,
        contact_email: $("contact-email").value,
      };
      if ($("contact-phone").value) contact.contact_phone = $("contact-phone").value;
      await api("POST", "/api/oss-chat/contact", contact, headers);
      $("save-contact").textContent = i18n.t("contact_saved");
    } catch (err) {
      showError(err);
    }
  });

  $("send-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = $("body").value;
    if (!body) return;
    // One id per message the user typed: a retried post cannot make a second message.
    const message = { session_id: sessionId, client_message_id: crypto.randomUUID(), body };
    $("body").value = "";
    try {
      await api("POST", "/api/oss-chat/message", message, headers);
      showError(null);
    } catch (err) {
      $("body").value = body;
      showError(err);
    }
  });

  $("body").addEventListener("input", () => {
    if (Date.now() - lastTypingSent < 1500) return;
    lastTypingSent = Date.now();
    socket.typing(sessionId);
  });
  $("drop").addEventListener("click", () => socket.drop());
  $("new-chat").addEventListener("click", () => {
    store.removeItem("livechat.sessionId");
    sessionId = null;
    showChat();
  });
  $("lang").addEventListener("click", () => {
    i18n.toggle();
    showStatus(status, assignedAgent);
  });

  i18n.apply();
  showChat();
  window.livechatWidget = { socket, sessionId: () => sessionId, browserUuid };
})();
