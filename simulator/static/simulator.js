/* The simulator's browser side: plain ES5 with XMLHttpRequest, like the console's. */
(function () {
  /* The page's texts come as JSON data, not script: the CSP allows no inline script. */
  var SIM = JSON.parse(document.getElementById("sim-texts").textContent);
  var state = null, busy = false, lastChat = "";
  var $ = function (id) { return document.getElementById(id); };
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");

  function phone() { return $("phone").value.replace(/^\s+|\s+$/g, "") || $("resident").value; }
  function community() { return $("community").value; }

  function request(method, url, body, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.setRequestHeader("Accept", "application/json");
    if (method === "POST") {
      xhr.setRequestHeader("Content-Type", "application/json");
      xhr.setRequestHeader("X-CSRFToken", token);
    }
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      var data = {};
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = {error: xhr.status + ""}; }
      done(xhr.status, data);
    };
    xhr.send(body ? JSON.stringify(body) : null);
  }

  function text(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    node.appendChild(document.createTextNode(content));
    return node;
  }

  /* --- chat ------------------------------------------------------------------------- */
  function renderChat(messages) {
    var key = JSON.stringify(messages);
    if (key === lastChat) { return; }
    lastChat = key;
    var chat = $("chat");
    chat.innerHTML = "";
    if (!messages.length) { chat.appendChild(text("p", "muted", SIM.chat_empty)); }
    for (var i = 0; i < messages.length; i++) {
      var m = messages[i];
      var bubble = text("div", "bubble " + (m.inbound ? "in" : "out"), m.body);
      bubble.setAttribute("data-status", m.status);
      bubble.setAttribute("data-id", m.id);
      var meta = m.at + " · " + m.kind + (m.voice ? " · " + SIM.voice : "") + " · " + m.status_text;
      if (m.provider_sid) { meta += " · " + m.provider_sid; }
      bubble.appendChild(text("span", "meta", meta));
      if (m.template_text) { bubble.appendChild(text("span", "meta template", SIM.as_sent + " " + m.template_text)); }
      chat.appendChild(bubble);
    }
    chat.scrollTop = chat.scrollHeight;
  }

  /* One poll loop; a switch of phone shows that phone's texts at once, and an answer
     for a phone no longer shown is dropped. */
  var pollTimer = null;
  function pollChat() {
    clearTimeout(pollTimer);
    var who = phone();
    $("chat-who").textContent = who;
    if (!who) { pollTimer = setTimeout(pollChat, 1000); return; }
    request("GET", "messages.json?phone=" + encodeURIComponent(who) + "&community=" + community(), null,
      function (status, data) {
        if (status === 200 && who === phone()) { renderChat(data.messages); }
        clearTimeout(pollTimer);
        pollTimer = setTimeout(pollChat, 1000);
      });
  }
  function switchPhone() {
    lastChat = "";
    $("chat").innerHTML = "";
    pollChat();
  }

  $("who").onsubmit = function () { return false; };  /* Enter in the number box: stay */
  $("sms-form").onsubmit = function () {
    var body = $("sms-body").value;
    if (!phone()) { alert(SIM.choose); return false; }
    if (!body.replace(/\s/g, "")) { return false; }
    $("sms-send").disabled = true;
    request("POST", "sms", {phone: phone(), community: community(), body: body, provider: $("provider").value}, function (status, data) {
      $("sms-send").disabled = false;
      if (status === 200) { $("sms-body").value = ""; pollChat(); } else { alert(data.error || status); }
    });
    return false;
  };

  /* --- phone ------------------------------------------------------------------------ */
  function show(lines) {
    var screen = $("screen");
    for (var i = 0; i < lines.length; i++) {
      screen.appendChild(text("p", lines[i].kind, lines[i].text));
    }
    screen.scrollTop = screen.scrollHeight;
  }

  function setPhone(data) {
    state = data.ended ? null : data.state;
    show(data.heard || []);
    $("typed").textContent = data.typed || "";
    var keys = document.querySelectorAll(".key");
    for (var i = 0; i < keys.length; i++) { keys[i].disabled = !data.listening; }
    $("silence").disabled = !data.listening;
    $("hangup").disabled = !state;
    $("call").disabled = !!state;
    $("screen").setAttribute("data-listening", data.listening ? "yes" : "no");
    $("screen").setAttribute("data-ended", data.ended ? "yes" : "no");
  }

  /* Key presses go one at a time, in order, however fast they are typed. */
  var queue = [];
  function act(url, body) {
    queue.push([url, body]);
    if (!busy) { next(); }
  }
  function next() {
    if (!queue.length) { busy = false; return; }
    busy = true;
    var item = queue.shift();
    if (item[0] !== "call") { item[1].state = state; if (!state) { busy = false; queue = []; return; } }
    request("POST", item[0], item[1], function (status, data) {
      if (status === 200) { setPhone(data); } else { show([{kind: "error", text: data.error || status + ""}]); }
      next();
    });
  }

  $("call").onclick = function () {
    if (!phone()) { alert(SIM.choose); return; }
    $("screen").innerHTML = "";
    act("call", {phone: phone(), community: community()});
  };
  $("silence").onclick = function () { act("call/wait", {}); };
  $("hangup").onclick = function () { act("call/hangup", {}); };
  var keys = document.querySelectorAll(".key");
  for (var i = 0; i < keys.length; i++) {
    keys[i].onclick = function () { act("call/press", {key: this.getAttribute("data-key")}); };
  }
  $("resident").onchange = function () { $("phone").value = ""; switchPhone(); };
  $("phone").oninput = switchPhone;

  pollChat();
})();
