// The agent console: a staff key, the queue live, claim, chat, transfer and close.

(() => {
  const { LiveSocket, createI18n, api, renderMessage } = window.LiveChat;
  const i18n = createI18n(window.LIVECHAT_LABELS);
  const $ = (id) => document.getElementById(id);
  const queue = new Map(); // session_id -> {topic, priority}
  const mine = new Map(); // session_id -> {topic}
  const transcripts = new Map(); // session_id -> [message]
  let key = null;
  let socket = null;
  let selected = null;
  let lastTypingSent = 0;
  let typingTimer = null;

  const auth = () => ({ Authorization: `Bearer ${key}` });
  const showError = (err) => {
    $("error").textContent = err ? err.message : "";
  };

  function renderLists() {
    for (const [listId, items] of [
      ["queue", queue],
      ["mine", mine],
    ]) {
      const list = $(listId);
      list.replaceChildren();
      for (const [id, info] of items) {
        const li = document.createElement("li");
        li.dataset.sessionId = id;
        li.textContent = `${info.topic}${info.priority ? ` (${i18n.t(`priority_${info.priority}`)})` : ""}`;
        if (id === selected) li.className = "selected";
        li.addEventListener("click", () => select(id, info));
        list.append(li);
      }
    }
  }

  function renderTranscript() {
    const list = $("transcript");
    list.replaceChildren();
    for (const m of transcripts.get(selected) ?? []) renderMessage(list, m, i18n.t);
  }

  function showStatus(status, agent) {
    $("status").textContent = i18n.t(`status_${status}`);
    $("status").dataset.status = status;
    $("agent").textContent = agent ? `— ${agent.name}` : "";
  }

  function select(id, info) {
    selected = id;
    $("none").hidden = true;
    $("topic").textContent = info.topic;
    if (!transcripts.has(id)) transcripts.set(id, []);
    socket.subscribe(id);
    renderTranscript();
    renderLists();
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "queue":
        queue.set(frame.session_id, { topic: frame.topic, priority: frame.priority });
        break;
      case "assigned":
        mine.set(frame.session_id, { topic: frame.topic ?? queue.get(frame.session_id)?.topic ?? "" });
        break;
      case "status":
        if (frame.status !== "waiting") queue.delete(frame.session_id);
        if (frame.status === "closed") mine.delete(frame.session_id);
        // A transfer away from this agent shows only in the list of its chats: read it again.
        if (mine.has(frame.session_id)) reloadSoon();
        if (frame.session_id === selected) showStatus(frame.status, frame.assigned_agent);
        break;
      case "subscribed":
        if (frame.session_id === selected) showStatus(frame.status, frame.assigned_agent);
        break;
      case "message":
        transcripts.get(frame.session_id)?.push(frame.message);
        if (frame.session_id === selected) renderMessage($("transcript"), frame.message, i18n.t);
        break;
      case "typing":
        if (frame.session_id !== selected) break;
        $("typing").textContent = i18n.t("typing_visitor");
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => {
          $("typing").textContent = "";
        }, 3000);
        break;
      case "error":
        showError(new Error(frame.error));
        break;
    }
    renderLists();
  }

  let reloadTimer = null;
  function reloadSoon() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => loadLists().catch(showError), 200);
  }

  async function loadLists() {
    const waiting = await api("GET", "/api/agent/queue", undefined, auth());
    queue.clear();
    for (const s of waiting.sessions) queue.set(s.session_id, { topic: s.topic, priority: s.priority });
    const active = await api("GET", "/api/agent/sessions?status=active", undefined, auth());
    mine.clear();
    for (const s of active.sessions) mine.set(s.session_id, { topic: s.topic });
    renderLists();
  }

  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    key = $("staff-key").value.trim();
    $("login-section").hidden = true;
    $("work").hidden = false;
    socket = LiveSocket(
      "/api/agent/ws",
      { type: "auth", staff_key: key },
      {
        onState(state, code) {
          $("conn").className = state;
          $("conn").textContent = i18n.t(state);
          // The lists may have changed while the socket was down: read them again once it is back.
          if (state === "online") loadLists().catch(showError);
          if (code === 4401) {
            $("login-section").hidden = false;
            $("work").hidden = true;
          }
        },
        onFrame,
      },
    );
  });

  async function act(path, body) {
    if (!selected) return;
    try {
      await api("POST", `/api/agent/sessions/${selected}/${path}`, body, auth());
      showError(null);
    } catch (err) {
      showError(err);
    }
  }

  $("send-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = $("body").value;
    $("body").value = "";
    await act("messages", { client_message_id: crypto.randomUUID(), body });
  });
  $("body").addEventListener("input", () => {
    if (!selected || Date.now() - lastTypingSent < 1500) return;
    lastTypingSent = Date.now();
    socket.typing(selected);
  });
  $("claim").addEventListener("click", () => act("claim", {}));
  $("transfer").addEventListener("click", () =>
    act("transfer", { to_agent_id: $("transfer-to").value.trim() }),
  );
  $("close").addEventListener("click", () => act("close", {}));
  $("lang").addEventListener("click", () => {
    i18n.toggle();
    renderLists();
  });
  i18n.apply();
  window.livechatConsole = { socket: () => socket };
})();
