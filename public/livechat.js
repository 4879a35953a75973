// OSS LiveChat demo client, shared by the widget (/demo) and the agent console (/console). Plain JS, no build.

/**
 * A socket that authenticates with its first frame, keeps its sessions subscribed, and after any drop
 * reconnects (backing off) and subscribes again with the last seq it saw: the server sends what was missed.
 */
function LiveSocket(path, authFrame, handlers) {
  const lastSeq = new Map(); // session_id -> last seq seen
  let ws = null;
  let attempt = 0;
  let stopped = false;

  function url() {
    return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
  }

  function connect() {
    handlers.onState?.("connecting");
    ws = new WebSocket(url());
    const socket = ws;
    socket.onopen = () => socket.send(JSON.stringify(authFrame));
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "ready") {
        attempt = 0;
        handlers.onState?.("online");
        for (const [sessionId, seq] of lastSeq) subscribeNow(sessionId, seq);
      } else if (frame.type === "message") {
        const seen = lastSeq.get(frame.session_id) ?? 0;
        if (frame.message.seq > seen) lastSeq.set(frame.session_id, frame.message.seq);
      } else if (frame.type === "error" && frame.error_code === "after_seq_ahead") {
        // The server has fewer messages than this page thought: take its word and subscribe from there.
        lastSeq.set(frame.session_id, frame.last_seq);
        subscribeNow(frame.session_id, frame.last_seq);
        return;
      } else if (frame.type === "error" && frame.code === 429 && frame.frame_type === "subscribe") {
        // Refused by the rate limit: the frame names its session, so ask again a moment later.
        const sessionId = frame.session_id;
        setTimeout(() => subscribeNow(sessionId, lastSeq.get(sessionId) ?? 0), 1000);
        return;
      }
      handlers.onFrame(frame);
    };
    socket.onclose = (event) => {
      if (socket !== ws) return;
      handlers.onState?.("offline", event.code);
      // 4401: the credential is refused; reconnecting with it again cannot help.
      if (stopped || event.code === 4401) return;
      attempt += 1;
      setTimeout(connect, Math.min(5000, 250 * 2 ** Math.min(attempt, 5)));
    };
  }

  function subscribeNow(sessionId, afterSeq) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ type: "subscribe", session_id: sessionId, after_seq: afterSeq }));
    }
  }

  connect();
  return {
    subscribe(sessionId) {
      if (!lastSeq.has(sessionId)) lastSeq.set(sessionId, 0);
      subscribeNow(sessionId, lastSeq.get(sessionId));
    },
    typing(sessionId) {
      if (ws && ws.readyState === WebSocket.OPEN)
        ws.send(JSON.stringify({ type: "typing", session_id: sessionId }));
    },
    /** Cuts the connection as a network drop would (the demo's "drop" button); it reconnects by itself. */
    drop() {
      ws?.close(4000, "dropped by the page");
    },
    stop() {
      stopped = true;
      ws?.close(1000);
    },
  };
}

/** Labels in Indonesian (default) and English; elements carry data-i18n="key" (or data-i18n-placeholder). */
function createI18n(dictionaries) {
  let lang = localStorage.getItem("livechat.lang") || "id";
  function t(key) {
    return dictionaries[lang]?.[key] ?? dictionaries.id[key] ?? key;
  }
  function apply() {
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
      el.placeholder = t(el.dataset.i18nPlaceholder);
    }
  }
  return {
    t,
    apply,
    get lang() {
      return lang;
    },
    toggle() {
      lang = lang === "id" ? "en" : "id";
      localStorage.setItem("livechat.lang", lang);
      apply();
    },
  };
}

/** JSON over HTTP; an error answer becomes an Error with the server's message. */
async function api(method, path, body, headers) {
  const res = await fetch(path, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
  return data;
}

/** Appends one message to a transcript list; the body is text, never HTML. */
function renderMessage(list, message, t) {
  const li = document.createElement("li");
  li.className = `msg ${message.author_kind}`;
  li.dataset.seq = String(message.seq);
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = message.author_name || t(`author_${message.author_kind}`);
  const body = document.createElement("span");
  body.className = "body";
  body.textContent = message.body;
  li.append(who, body);
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

window.LiveChat = { LiveSocket, createI18n, api, renderMessage };
