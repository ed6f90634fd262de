// The preview page: search, night mode, phone width, study mode and (in watch mode) reload.
// It only reads the page; no card text is ever turned into markup here.
(function () {
  "use strict";
  var body = document.body;
  var cards = Array.prototype.slice.call(document.querySelectorAll(".pv-card"));
  var sections = Array.prototype.slice.call(document.querySelectorAll(".pv-section"));
  var search = document.getElementById("pv-search");
  var count = document.getElementById("pv-count");
  var studyBar = document.getElementById("pv-studybar");
  var position = document.getElementById("pv-position");
  var current = 0;

  function toggle(button, cls, on) {
    on = on === undefined ? !body.classList.contains(cls) : on;
    body.classList.toggle(cls, on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
    return on;
  }

  function shown() {
    return cards.filter(function (card) { return !card.classList.contains("pv-hidden"); });
  }

  function filter() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    cards.forEach(function (card) {
      var text = card.getAttribute("data-search");
      var match = words.every(function (w) { return text.indexOf(w) >= 0; });
      card.classList.toggle("pv-hidden", !match);
    });
    sections.forEach(function (section) {
      section.classList.toggle("pv-hidden", !section.querySelector(".pv-card:not(.pv-hidden)"));
    });
    var n = shown().length;
    count.textContent = n === cards.length ? n + " cards" : n + " of " + cards.length + " cards";
    if (body.classList.contains("pv-study")) { show(0); }
  }

  function show(index) {
    var list = shown();
    cards.forEach(function (card) { card.classList.remove("pv-current", "pv-flipped"); });
    if (!list.length) { position.textContent = "no cards"; return; }
    current = (index + list.length) % list.length;
    label(false);
    list[current].classList.add("pv-current");
    position.textContent = (current + 1) + " / " + list.length;
  }

  function flip() {
    var card = document.querySelector(".pv-card.pv-current");
    if (card) { label(card.classList.toggle("pv-flipped")); }
  }

  function label(flipped) {
    document.getElementById("pv-flip").textContent = flipped ? "Show question" : "Show answer";
  }

  function study(on) {
    on = toggle(document.getElementById("pv-study"), "pv-study", on);
    studyBar.hidden = !on;
    if (on) { show(0); } else {
      cards.forEach(function (card) { card.classList.remove("pv-current", "pv-flipped"); });
    }
  }

  search.addEventListener("input", filter);
  document.getElementById("pv-night").addEventListener("click", function () {
    // The same classes Anki puts on the page in night mode, so the note type CSS follows.
    var on = toggle(this, "nightMode");
    body.classList.toggle("night_mode", on);
  });
  document.getElementById("pv-phone").addEventListener("click", function () {
    toggle(this, "pv-phone");
  });
  document.getElementById("pv-study").addEventListener("click", function () { study(); });
  document.getElementById("pv-flip").addEventListener("click", flip);
  document.getElementById("pv-next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("pv-prev").addEventListener("click", function () { show(current - 1); });
  cards.forEach(function (card) {
    card.addEventListener("click", function (event) {
      if (body.classList.contains("pv-study") && !event.target.closest("a")) { flip(); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (!body.classList.contains("pv-study") || event.target === search) { return; }
    if (event.key === " " || event.key === "Enter") { flip(); }
    else if (event.key === "ArrowRight" || event.key === "n") { show(current + 1); }
    else if (event.key === "ArrowLeft" || event.key === "p") { show(current - 1); }
    else if (event.key === "Escape") { study(false); }
    else { return; }
    event.preventDefault();
  });
  if (window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches) {
    document.getElementById("pv-night").click();
  }

  // Watch mode: poll the status script the build writes beside the page. A new build id
  // reloads the page; errors of a failed build are shown at the top until fixed.
  var statusFile = body.getAttribute("data-status");
  if (!statusFile) { return; }
  var seen = null;
  var box = document.getElementById("pv-status");
  window.studycardsStatus = function (status) {
    if (seen !== null && status.build !== seen) { location.reload(); return; }
    seen = status.build;
    box.hidden = !status.errors.length;
    box.textContent = status.errors.length
      ? "The last build failed; this page shows the last good one.\n" + status.errors.join("\n")
      : "";
  };
  function poll() {
    var old = document.getElementById("pv-status-script");
    if (old) { old.remove(); }
    var script = document.createElement("script");
    script.id = "pv-status-script";
    script.src = statusFile + "?" + Date.now();
    document.head.appendChild(script);
  }
  poll();
  setInterval(poll, 150);
})();
