// The embeddable search box, served at /widget.js after suggest.js in the same function scope.
// Another site adds
//   <div id="healthsearch"></div>
//   <script src="https://HOST/widget.js" data-target="#healthsearch"></script>
// and gets a search box with suggestions and a short list of results, all fetched from HOST (the
// origin this script was loaded from). The host page needs nothing inline: elements are built with
// DOM calls and styled through element.style, which a strict Content-Security-Policy allows. Each
// element also has an hs- class name, so a host can restyle it. Optional: data-limit (1-20
// results, default 5).

var INK = "#1d2a33";
var MUTED = "#5b6b76";
var ACCENT = "#0b6e75";
var LINE = "#b8c4cc";
var FONT = "system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif";
var HIDDEN_TEXT = {
  position: "absolute", width: "1px", height: "1px", padding: "0", margin: "-1px",
  overflow: "hidden", clip: "rect(0, 0, 0, 0)", "white-space": "nowrap", border: "0",
};

function css(el, props) {
  for (var name in props) {
    if (Object.prototype.hasOwnProperty.call(props, name)) el.style.setProperty(name, props[name]);
  }
  return el;
}

function make(tag, className, props) {
  var el = document.createElement(tag);
  el.className = className;
  return css(el, props || {});
}

// A visible focus ring that does not depend on the host's stylesheet.
function focusRing(el) {
  el.addEventListener("focus", function () { css(el, { outline: "3px solid #f0a500", "outline-offset": "2px" }); });
  el.addEventListener("blur", function () { el.style.removeProperty("outline"); el.style.removeProperty("outline-offset"); });
  return el;
}

function paintMark(mark) {
  css(mark, { background: "#fff1a8", color: "inherit", padding: "0 1px" });
}

function paintSuggestion(el, part, on) {
  if (part === "list") {
    css(el, {
      display: on ? "block" : "none", position: "absolute", top: "100%", left: "0", right: "0",
      "z-index": "2147483000", margin: "2px 0 0", padding: "4px 0", "list-style": "none",
      background: "#fff", border: "1px solid " + LINE, "border-radius": "6px",
      "box-shadow": "0 4px 14px rgba(0, 0, 0, 0.12)", "max-height": "22rem", "overflow-y": "auto",
      "text-align": "left", "box-sizing": "border-box",
    });
  } else if (part === "option") {
    css(el, {
      padding: "0.4rem 0.7rem", margin: "0", cursor: "pointer", color: INK,
      background: on ? "#e3f1f2" : "#fff", "box-shadow": on ? "inset 3px 0 0 " + ACCENT : "none",
    });
  } else if (part === "kind") {
    css(el, {
      "font-size": "0.75rem", color: MUTED, border: "1px solid " + LINE, "border-radius": "4px",
      padding: "0 0.3rem", "white-space": "nowrap",
    });
  }
}

function hostOf(url) {
  try {
    return new URL(url).hostname;
  } catch (e) {
    return "";
  }
}

function buildWidget(target, origin, limit) {
  var id = "hs-" + Math.random().toString(36).slice(2, 10);
  var root = make("div", "hs-widget", {
    "font-family": FONT, "font-size": "16px", "line-height": "1.5", color: INK,
    "max-width": "40rem", "text-align": "left",
  });
  var form = make("form", "hs-form", { display: "flex", gap: "0.5rem", margin: "0" });
  form.setAttribute("role", "search");
  form.setAttribute("aria-label", "Health articles");
  var label = make("label", "hs-label", HIDDEN_TEXT);
  label.htmlFor = id + "-q";
  label.textContent = "Search health articles";
  var combo = make("div", "hs-combo", { position: "relative", flex: "1 1 auto", "min-width": "0" });
  var input = focusRing(make("input", "hs-input", {
    width: "100%", "box-sizing": "border-box", font: "inherit", "font-size": "1rem", color: INK,
    padding: "0.5rem 0.7rem", border: "1px solid " + LINE, "border-radius": "6px", background: "#fff",
  }));
  input.type = "search";
  input.id = id + "-q";
  input.name = "q";
  input.placeholder = "Search health articles";
  var button = focusRing(make("button", "hs-button", {
    font: "inherit", "font-size": "1rem", padding: "0 1.1rem", border: "0", "border-radius": "6px",
    background: ACCENT, color: "#fff", cursor: "pointer",
  }));
  button.type = "submit";
  button.textContent = "Search";
  var announce = make("div", "hs-announce", HIDDEN_TEXT);
  announce.setAttribute("role", "status");
  var message = make("p", "hs-message", { margin: "0.6rem 0 0.3rem", color: MUTED, "font-size": "0.9rem" });
  message.setAttribute("role", "status");
  var correction = make("p", "hs-did-you-mean", { margin: "0.3rem 0", "font-size": "0.95rem", display: "none" });
  correction.hidden = true;
  var results = make("ol", "hs-results", { "list-style": "none", padding: "0", margin: "0.3rem 0 0" });
  results.id = id + "-results";
  results.setAttribute("aria-label", "Search results");

  combo.appendChild(input);
  form.appendChild(label);
  form.appendChild(combo);
  form.appendChild(button);
  form.appendChild(announce);
  root.appendChild(form);
  root.appendChild(message);
  root.appendChild(correction);
  root.appendChild(results);
  target.appendChild(root);

  var pending = null;

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
  }

  function showCorrection(text) {
    clear(correction);
    correction.hidden = !text;
    correction.style.setProperty("display", text ? "block" : "none");
    if (!text) return;
    correction.appendChild(document.createTextNode("Did you mean "));
    var again = focusRing(make("button", "hs-correction", {
      font: "inherit", padding: "0", border: "0", background: "none", color: ACCENT,
      "text-decoration": "underline", cursor: "pointer",
    }));
    again.type = "button";
    again.textContent = text;
    again.addEventListener("click", function () {
      input.value = text;
      search();
    });
    correction.appendChild(again);
    correction.appendChild(document.createTextNode("?"));
  }

  function hitItem(hit) {
    var li = make("li", "hs-result", { margin: "0 0 0.8rem", padding: "0" });
    var title = focusRing(make("a", "hs-title", { color: ACCENT, "font-weight": "600", "font-size": "1.05rem" }));
    if (isWebUrl(hit.url)) title.href = hit.url;
    title.textContent = typeof hit.title === "string" ? hit.title : "";
    li.appendChild(title);
    if (typeof hit.snippet_html === "string") {
      var snippet = make("p", "hs-snippet", { margin: "0.2rem 0", "font-size": "0.95rem" });
      appendMarked(snippet, hit.snippet_html, paintMark);
      li.appendChild(snippet);
    }
    var site = make("div", "hs-site", { color: MUTED, "font-size": "0.8rem" });
    site.textContent = typeof hit.site_name === "string" && hit.site_name ? hit.site_name : hostOf(hit.url);
    li.appendChild(site);
    return li;
  }

  function showResults(q, data) {
    clear(results);
    var hits = Array.isArray(data.hits) ? data.hits : [];
    var total = typeof data.total === "number" ? data.total : hits.length;
    if (!total) message.textContent = "Nothing matched \u201c" + q + "\u201d. Try other words.";
    else message.textContent = total + (total === 1 ? " article matches" : " articles match") + " \u201c" + q + "\u201d" +
      (data.relaxed === true ? " (none has all these words, so close matches are shown)" : "");
    showCorrection(typeof data.did_you_mean === "string" ? data.did_you_mean : "");
    hits.forEach(function (hit) {
      if (hit && typeof hit === "object") results.appendChild(hitItem(hit));
    });
    if (total > hits.length) {
      var li = make("li", "hs-more-item", { margin: "0" });
      var more = focusRing(make("a", "hs-more", { color: ACCENT, "font-size": "0.9rem" }));
      more.href = origin + "/?q=" + encodeURIComponent(q);
      more.textContent = "See all " + total + " results";
      li.appendChild(more);
      results.appendChild(li);
    }
  }

  function fail(text) {
    clear(results);
    showCorrection("");
    message.textContent = text;
  }

  function search() {
    var q = input.value.trim();
    if (!q) {
      input.focus();
      return;
    }
    if (pending) pending.abort();
    var mine = new AbortController();
    pending = mine;
    root.setAttribute("aria-busy", "true");
    message.textContent = "Searching\u2026";
    var url = origin + "/api/search?q=" + encodeURIComponent(q) + "&limit=" + limit;
    fetch(url, { signal: mine.signal, credentials: "omit" })
      .then(function (res) {
        return res.json().then(function (data) { return { ok: res.ok, data: data || {} }; });
      })
      .then(function (r) {
        if (pending !== mine) return;
        pending = null;
        root.removeAttribute("aria-busy");
        if (r.ok) showResults(q, r.data);
        else fail(typeof r.data.message === "string" ? r.data.message : "The search failed.");
      })
      .catch(function () {
        if (pending !== mine) return;
        pending = null;
        root.removeAttribute("aria-busy");
        fail("Search is not available right now. Please try again later.");
      });
  }

  attachSuggestions({
    input: input,
    id: id + "-suggestions",
    endpoint: origin + "/api/suggest",
    status: announce,
    classes: { list: "hs-listbox", option: "hs-option", kind: "hs-kind" },
    paint: paintSuggestion,
    onMark: paintMark,
    onQuery: search,
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    search();
  });
}

function findScript() {
  var current = document.currentScript;
  if (current && current.src) return current;
  var all = document.querySelectorAll("script[src]");
  for (var i = all.length - 1; i >= 0; i--) {
    if (/\/widget\.js([?#]|$)/.test(all[i].src)) return all[i];
  }
  return null;
}

function findTarget(selector) {
  try {
    return document.querySelector(selector);
  } catch (e) {
    return null;
  }
}

var script = findScript();
if (script && window.fetch && window.AbortController && window.URL) {
  var origin = new URL(script.src, document.baseURI).origin;
  var selector = script.getAttribute("data-target") || "#healthsearch";
  var limit = Math.min(Math.max(parseInt(script.getAttribute("data-limit"), 10) || 5, 1), 20);
  var mount = function () {
    var target = findTarget(selector);
    if (!target) {
      target = document.createElement("div");
      var parent = script.parentNode;
      if (parent && parent !== document.head && parent !== document.documentElement) {
        parent.insertBefore(target, script.nextSibling);
      } else {
        document.body.appendChild(target);
      }
    }
    if (target.getAttribute("data-hs-ready")) return;
    target.setAttribute("data-hs-ready", "1");
    buildWidget(target, origin, limit);
  };
  if (document.readyState === "loading" && !findTarget(selector)) {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
}
