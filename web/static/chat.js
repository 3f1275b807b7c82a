/* Assurbot's website chat, in plain JavaScript over Rasa's socket.io channel.
 *
 * Rules this file keeps:
 * - Nothing a member or the bot wrote is ever inserted as HTML: text goes through text nodes;
 *   only Markdown links [title](https://…) become <a> elements, built one by one.
 * - The conversation id and the messages live in sessionStorage: a reload in the same browser
 *   session finds the conversation again; a new browser session starts a new one.
 * - On the account page the member's demo token goes with EVERY message (metadata.auth_token);
 *   Rasa's socket.io channel reads the `metadata` key of the user_uttered payload.
 */
(function () {
  "use strict";

  var STORE_CONVERSATION = "assurbot.conversation";
  var STORE_AUTH = "assurbot.auth";
  var REPLY_TIMEOUT_MS = 25000;
  var MAX_ANNOUNCED = 6;
  var LINK = /\[([^\]\n]+)\]\(([^)\s]+)\)/g;

  var el = function (id) { return document.getElementById(id); };
  var accountMode = /^\/compte\/?$/.test(window.location.pathname);
  var params = new URLSearchParams(window.location.search);
  var journey = params.get("journey");
  if (journey && !/^[a-z_]{1,40}$/.test(journey)) journey = null;

  var state = loadConversation();
  var auth = loadAuth();
  var socket = null;
  var confirmed = false;
  var queue = [];
  var replyTimer = null;
  var currentBotTurn = null; // the <li> the next bot message joins

  // ---------- storage ----------

  function loadConversation() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE_CONVERSATION) || "null");
      if (saved && Array.isArray(saved.messages)) return saved;
    } catch (e) { /* a damaged entry starts a new conversation */ }
    return { id: null, opened: false, messages: [], ratings: {} };
  }

  function saveConversation() {
    try { sessionStorage.setItem(STORE_CONVERSATION, JSON.stringify(state)); } catch (e) { /* full or disabled: the chat still works */ }
  }

  function loadAuth() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE_AUTH) || "null");
      if (saved && typeof saved.token === "string") return saved;
    } catch (e) { /* ignore */ }
    return null;
  }

  function saveAuth() {
    if (auth) sessionStorage.setItem(STORE_AUTH, JSON.stringify(auth));
    else sessionStorage.removeItem(STORE_AUTH);
  }

  function authExpired() {
    return auth && typeof auth.expires_at === "number" && auth.expires_at * 1000 <= Date.now();
  }

  // ---------- rendering ----------

  function visuallyHidden(text) {
    var span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = text;
    return span;
  }

  function safeUrl(raw) {
    try {
      var url = new URL(raw);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  /* Appends `text` to `parent`: text nodes, and <a> for Markdown links with an http(s) URL. */
  function appendInline(parent, text) {
    var last = 0;
    var match;
    LINK.lastIndex = 0;
    while ((match = LINK.exec(text)) !== null) {
      var href = safeUrl(match[2]);
      if (!href) continue;
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var a = document.createElement("a");
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = match[1];
      a.appendChild(visuallyHidden(" (nouvelle fenêtre)"));
      parent.appendChild(a);
      last = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /* Bot text: lines starting with "- " become a list; other lines are paragraphs. */
  function renderBotText(bubble, text) {
    var list = null;
    var paragraph = null;
    String(text).split("\n").forEach(function (line) {
      var item = /^\s*[-•]\s+(.*)$/.exec(line);
      if (item) {
        paragraph = null;
        if (!list) { list = document.createElement("ul"); bubble.appendChild(list); }
        var li = document.createElement("li");
        appendInline(li, item[1]);
        list.appendChild(li);
      } else if (line.trim() === "") {
        list = null;
        paragraph = null;
      } else {
        list = null;
        if (paragraph) paragraph.appendChild(document.createElement("br"));
        else { paragraph = document.createElement("p"); bubble.appendChild(paragraph); }
        appendInline(paragraph, line);
      }
    });
  }

  function scrollToEnd() {
    var log = el("chat-log");
    log.scrollTop = log.scrollHeight;
  }

  function announce(text) {
    var announcer = el("announcer");
    var p = document.createElement("p");
    p.textContent = "Assurbot : " + text.replace(LINK, "$1");
    announcer.appendChild(p);
    while (announcer.childNodes.length > MAX_ANNOUNCED) announcer.removeChild(announcer.firstChild);
  }

  function renderUser(message) {
    currentBotTurn = null;
    var li = document.createElement("li");
    li.className = "turn turn-user";
    li.appendChild(visuallyHidden("Vous avez écrit : "));
    var bubble = document.createElement("div");
    bubble.className = "bubble bubble-user";
    bubble.textContent = message.text; // never HTML
    li.appendChild(bubble);
    el("messages").appendChild(li);
  }

  function renderBot(message, index, active) {
    var turn = currentBotTurn;
    if (!turn) {
      turn = document.createElement("li");
      turn.className = "turn turn-bot";
      turn.dataset.index = String(index);
      turn.appendChild(visuallyHidden("Assurbot a répondu : "));
      el("messages").appendChild(turn);
      currentBotTurn = turn;
    }
    var bubble = document.createElement("div");
    bubble.className = "bubble bubble-bot";
    renderBotText(bubble, message.text || "");
    var feedbackBar = turn.querySelector(".feedback");
    turn.insertBefore(bubble, feedbackBar);
    if (message.source) renderSource(turn, message.source, feedbackBar);
    if (message.buttons && message.buttons.length) {
      turn.insertBefore(renderButtons(message.buttons, active), feedbackBar);
    }
    if (!feedbackBar) turn.appendChild(renderFeedback(Number(turn.dataset.index)));
  }

  var MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre"];

  /* « 2026-12-02 » → « 2 décembre 2026 » (no locale-dependent formatting). */
  function frenchDate(iso) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso || ""));
    if (!match) return "";
    var day = Number(match[3]);
    return (day === 1 ? "1er" : String(day)) + " " + MONTHS[Number(match[2]) - 1] + " " + match[1];
  }

  /* The answer's source, from the message's `custom` field (README, « Réponses lisibles par
     l'application »): only articles of the knowledge base have a site to name. */
  function answerSource(custom) {
    var answer = custom && custom.answer;
    if (!answer || typeof answer.site !== "string" || !answer.site) return null;
    var checked = frenchDate(answer.checked);
    if (!checked) return null;
    return { id: String(answer.id || ""), site: answer.site, checked: checked };
  }

  /* « Source : ameli.fr, vérifiée le 2 décembre 2026 », once under each answer (an answer sent
     in several bubbles shows it under its last one). */
  function renderSource(turn, source, before) {
    Array.prototype.forEach.call(turn.querySelectorAll(".answer-source"), function (line) {
      if (line.dataset.answer === source.id) line.parentNode.removeChild(line);
    });
    var line = document.createElement("p");
    line.className = "answer-source";
    line.dataset.answer = source.id;
    line.textContent = "Source : " + source.site + ", vérifiée le " + source.checked;
    turn.insertBefore(line, before);
  }

  function renderButtons(buttons, active) {
    var group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Réponses proposées");
    buttons.forEach(function (button) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "quick-reply";
      b.textContent = button.title;
      b.disabled = !active;
      b.addEventListener("click", function () {
        send(button.payload, button.title);
        // The button is now disabled: keep the keyboard user's focus on the chat.
        el("chat-input").focus();
      });
      group.appendChild(b);
    });
    return group;
  }

  function thumb(down) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    // Material Design "thumb_up" icon (Apache-2.0).
    path.setAttribute("d", "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    svg.setAttribute("class", down ? "thumb thumb-down" : "thumb");
    return svg;
  }

  function renderFeedback(index) {
    var bar = document.createElement("div");
    bar.className = "feedback";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Cette réponse vous a-t-elle aidé ?");
    [["up", "Réponse utile"], ["down", "Réponse pas utile"]].forEach(function (choice) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "feedback-button";
      b.dataset.rating = choice[0];
      b.setAttribute("aria-label", choice[1]);
      b.title = choice[1];
      b.setAttribute("aria-pressed", String(state.ratings[index] === choice[0]));
      b.appendChild(thumb(choice[0] === "down"));
      b.addEventListener("click", function () { rate(index, choice[0], bar); });
      bar.appendChild(b);
    });
    return bar;
  }

  function renderAll() {
    el("messages").textContent = "";
    currentBotTurn = null;
    var lastUser = -1;
    state.messages.forEach(function (m, i) { if (m.from === "user") lastUser = i; });
    state.messages.forEach(function (m, i) {
      if (m.from === "user") renderUser(m);
      else renderBot(m, i, i > lastUser);
    });
    scrollToEnd();
  }

  function disableOldButtons() {
    var old = el("messages").querySelectorAll(".quick-reply");
    for (var i = 0; i < old.length; i++) old[i].disabled = true;
  }

  function setStatus(text) { el("chat-status").textContent = text; }

  function setTyping(on) {
    clearTimeout(replyTimer);
    var typing = el("typing");
    if (on) {
      typing.textContent = "";
      var dots = document.createElement("span");
      dots.className = "dots";
      dots.setAttribute("aria-hidden", "true");
      for (var i = 0; i < 3; i++) dots.appendChild(document.createElement("span"));
      typing.appendChild(dots);
      typing.appendChild(document.createTextNode("Assurbot écrit…"));
      typing.classList.add("active");
      replyTimer = setTimeout(function () {
        setTyping(false);
        setStatus("Assurbot ne répond pas pour le moment. Réessayez dans quelques instants.");
      }, REPLY_TIMEOUT_MS);
    } else {
      typing.textContent = "";
      typing.classList.remove("active");
    }
  }

  // ---------- conversation ----------

  function metadata(extra) {
    var data = extra || {};
    if (accountMode && auth) {
      if (authExpired()) {
        auth = null;
        saveAuth();
        showAccount();
        el("account-status").textContent =
          "Votre connexion de démonstration a expiré : reconnectez-vous pour une réponse sur votre dossier.";
      } else {
        data.auth_token = auth.token;
      }
    }
    return data;
  }

  /* Messages typed before Rasa confirmed the conversation wait here, then go in order. */
  function emit(text, extraMetadata) {
    var payload = { message: text, metadata: metadata(extraMetadata) };
    if (confirmed && socket && socket.connected) {
      payload.session_id = state.id;
      socket.emit("user_uttered", payload);
    } else {
      queue.push(payload);
    }
  }

  function flushQueue() {
    var pending = queue;
    queue = [];
    pending.forEach(function (payload) {
      payload.session_id = state.id;
      socket.emit("user_uttered", payload);
    });
  }

  /* Sends `payload` to Rasa and shows `shown` (a button's title, or the typed text). */
  function send(payload, shown) {
    var text = String(payload || "").trim();
    if (!text) return;
    setStatus("");
    disableOldButtons();
    var message = { from: "user", text: shown || text };
    state.messages.push(message);
    saveConversation();
    renderUser(message);
    scrollToEnd();
    setTyping(true);
    emit(text);
  }

  function receive(data) {
    if (!data) return;
    var buttons = (data.quick_replies || data.buttons || [])
      .filter(function (b) { return b && typeof b.title === "string" && typeof b.payload === "string"; })
      .map(function (b) { return { title: b.title, payload: b.payload }; });
    var text = typeof data.text === "string" ? data.text : "";
    if (!text && !buttons.length) return; // images and custom payloads are not shown here
    setTyping(false);
    setStatus("");
    var message = { from: "bot", text: text, buttons: buttons };
    var source = answerSource(data.custom);
    if (source) message.source = source;
    state.messages.push(message);
    saveConversation();
    renderBot(message, state.messages.length - 1, true);
    if (text) announce(text);
    scrollToEnd();
  }

  function rate(index, rating, bar) {
    if (!state.id) return;
    fetch("/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender_id: state.id, rating: rating, message_index: index }),
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      state.ratings[index] = rating;
      saveConversation();
      var buttons = bar.querySelectorAll("button");
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].setAttribute("aria-pressed", String(buttons[i].dataset.rating === rating));
      }
      setStatus("Merci pour votre avis.");
    }).catch(function () {
      setStatus("Votre avis n'a pas pu être enregistré. Réessayez plus tard.");
    });
  }

  function connect(config) {
    if (typeof window.io !== "function") {
      setStatus("Le chat est momentanément indisponible. Réessayez plus tard ou appelez le 3646.");
      return;
    }
    // WebSocket only: the page and Rasa are on different ports, and a WebSocket needs no CORS.
    socket = window.io(config.socket_url, {
      path: config.socket_path || "/socket.io",
      transports: ["websocket"],
      reconnectionDelayMax: 10000,
    });
    socket.on("connect", function () {
      confirmed = false;
      // Rasa puts this socket in the conversation's room (session_persistence: true).
      socket.emit("session_request", { session_id: state.id });
    });
    socket.on("session_confirm", function (sessionId) {
      var id = typeof sessionId === "string" ? sessionId : sessionId && sessionId.session_id;
      if (!id) return;
      state.id = id;
      confirmed = true;
      setStatus("");
      if (!state.opened) {
        state.opened = true;
        // Opens the conversation: Assurbot answers with its welcome or the journey's opening.
        queue.unshift({ message: "/session_start", metadata: metadata(journey ? { journey: journey } : {}) });
        setTyping(true);
      }
      saveConversation();
      flushQueue();
    });
    socket.on("bot_uttered", receive);
    socket.on("connect_error", function () {
      setStatus("Connexion au service en cours… Si cela dure, réessayez plus tard ou appelez le 3646.");
    });
    socket.on("disconnect", function (reason) {
      confirmed = false;
      if (reason !== "io client disconnect") setStatus("Connexion interrompue, reconnexion en cours…");
    });
  }

  function newConversation() {
    state = { id: null, opened: false, messages: [], ratings: {} };
    saveConversation();
    renderAll();
    if (socket) { socket.disconnect(); socket.connect(); }
  }

  // ---------- account page (demo login) ----------

  function showAccount() {
    el("account").hidden = false;
    var loggedIn = !!auth;
    el("login-form").hidden = loggedIn;
    el("logged-in").hidden = !loggedIn;
    if (loggedIn) {
      el("member-name").textContent = auth.name;
      el("member-situation").textContent = auth.situation || "";
      el("member-example").textContent = auth.example ? "Essayez par exemple : « " + auth.example + " »" : "";
    }
  }

  function setupAccount(config) {
    document.title = "Mon compte, " + document.title;
    el("page-title").textContent = "Mon compte : posez votre question à Assurbot";
    el("nav-account").setAttribute("aria-current", "page");
    if (!config.demo_login) {
      el("account").hidden = false;
      el("login-form").hidden = true;
      el("account-status").textContent = "La connexion de démonstration n'est pas disponible sur ce site.";
      return;
    }
    if (authExpired()) { auth = null; saveAuth(); }
    showAccount();
    var personas = {};
    fetch("/demo/personas").then(function (r) { return r.json(); }).then(function (list) {
      var select = el("persona");
      list.forEach(function (p) {
        personas[p.id] = p;
        var option = document.createElement("option");
        option.value = p.id;
        option.textContent = p.name;
        select.appendChild(option);
      });
      var describe = function () {
        var p = personas[select.value];
        el("persona-description").textContent = p ? p.description : "";
      };
      select.addEventListener("change", describe);
      describe();
    }).catch(function () {
      el("account-status").textContent = "La liste des assurés fictifs n'a pas pu être chargée.";
    });
    el("login-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var id = el("persona").value;
      fetch("/demo/login", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ member_id: id }),
      }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(function (login) {
        auth = {
          token: login.token, member_id: login.member_id, name: login.name,
          expires_at: login.expires_at,
          situation: (personas[login.member_id] || {}).description,
          example: (personas[login.member_id] || {}).example,
        };
        saveAuth();
        showAccount();
        el("account-status").textContent = "Connexion réussie : posez votre question à Assurbot.";
        el("chat-input").focus();
      }).catch(function () {
        el("account-status").textContent = "La connexion a échoué. Réessayez.";
      });
    });
    el("logout-button").addEventListener("click", function () {
      auth = null;
      saveAuth();
      showAccount();
      // What was said while logged in stays out of the next visitor's sight.
      newConversation();
      el("account-status").textContent = "Vous êtes déconnecté. Une nouvelle conversation commence.";
      el("persona").focus();
    });
  }

  // ---------- start ----------

  function start(config) {
    if (accountMode) setupAccount(config);
    else el("nav-public").setAttribute("aria-current", "page");
    renderAll();
    el("chat-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var input = el("chat-input");
      var text = input.value;
      if (!text.trim()) { input.focus(); return; }
      input.value = "";
      send(text);
      input.focus();
    });
    el("ask-human").addEventListener("click", function () { send("/ask_human", "Parler à un conseiller"); });
    connect(config);
  }

  fetch("/config.json")
    .then(function (r) { return r.json(); })
    .then(start)
    .catch(function () {
      setStatus("Le chat est momentanément indisponible. Réessayez plus tard ou appelez le 3646.");
    });
})();
