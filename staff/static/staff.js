/* Progress that updates without reloading: poll a JSON endpoint and fill in the numbers.
   Plain ES5 and XMLHttpRequest, so it runs on the committee's old browser too.
   Markup: <div data-poll="/url.json" data-every="1500"> with [data-field=name] inside;
   polling stops when the answer says done or finished. */
(function () {
  function fill(box, data) {
    var fields = box.querySelectorAll("[data-field]");
    for (var i = 0; i < fields.length; i++) {
      var name = fields[i].getAttribute("data-field");
      if (data.hasOwnProperty(name) && data[name] !== null) {
        fields[i].textContent = data[name];
      }
    }
    var bars = box.querySelectorAll("[data-bar]");
    for (var j = 0; j < bars.length; j++) {
      var value = data[bars[j].getAttribute("data-bar")];
      if (typeof value === "number") { bars[j].style.width = Math.min(100, value) + "%"; }
    }
    var errors = box.querySelector("[data-errors]");
    if (errors && data.errors && data.errors.length) {
      var html = "";
      for (var k = 0; k < data.errors.length; k++) {
        html += "<li>" + escapeHtml(data.errors[k].line_text) + "</li>";
      }
      errors.innerHTML = html;
    }
    var fileError = box.querySelector("[data-file-error]");
    if (fileError && data.file_error) {
      fileError.textContent = data.file_error;
      fileError.removeAttribute("hidden");
    }
  }
  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function poll(box) {
    var url = box.getAttribute("data-poll");
    var every = parseInt(box.getAttribute("data-every") || "1500", 10);
    var request = new XMLHttpRequest();
    request.open("GET", url, true);
    request.setRequestHeader("Accept", "application/json");
    request.onreadystatechange = function () {
      if (request.readyState !== 4) { return; }
      var finished = false;
      if (request.status === 200) {
        var data = JSON.parse(request.responseText);
        fill(box, data);
        finished = data.done === true || data.finished === true;
        if (finished) { box.className += " finished"; box.setAttribute("data-finished", "yes"); }
      }
      if (!finished) { setTimeout(function () { poll(box); }, every); }
    };
    request.send(null);
  }
  var boxes = document.querySelectorAll("[data-poll]");
  for (var i = 0; i < boxes.length; i++) { poll(boxes[i]); }
})();

/* What inline attributes used to do, which the Content-Security-Policy forbids:
   bar widths (data-percent), "are you sure?" before a button's form is sent
   (data-confirm), and print buttons (data-print). */
(function () {
  var bars = document.querySelectorAll("[data-percent]");
  for (var i = 0; i < bars.length; i++) {
    var value = parseFloat(bars[i].getAttribute("data-percent")) || 0;
    bars[i].style.width = Math.max(0, Math.min(100, value)) + "%";
  }
  var forms = document.querySelectorAll("form[data-confirm]");
  for (var j = 0; j < forms.length; j++) {
    forms[j].onsubmit = function () { return window.confirm(this.getAttribute("data-confirm")); };
  }
  var printers = document.querySelectorAll("[data-print]");
  for (var k = 0; k < printers.length; k++) {
    printers[k].onclick = function () { window.print(); };
  }
})();

/* Under a message form of a mainland community: how many characters staff wrote, and
   how many texts the template's one free variable will carry them in
   (data-count-for names the field; the words come from the catalogs). */
(function () {
  var notes = document.querySelectorAll("[data-count-for]");
  for (var i = 0; i < notes.length; i++) {
    (function (note) {
      var field = document.getElementById(note.getAttribute("data-count-for"));
      var out = note.querySelector(".count-out");
      var limit = parseInt(note.getAttribute("data-count-limit"), 10) || 1;
      var words = note.getAttribute("data-count-words") || "";
      if (!field || !out) { return; }
      var show = function () {
        var n = Array.from(field.value.trim()).length;
        var parts = n ? Math.ceil(n / limit) : 0;
        out.textContent = words.replace("{n}", n).replace("{parts}", parts);
      };
      field.addEventListener("input", show);
      show();
    })(notes[i]);
  }
})();
