// Shared by app.js (the search page) and widget.js (the embeddable box): the server serves each
// of them as this file followed by that one, inside one function scope. Two things live here:
// rendering our API's marked-up text without innerHTML, and a search box's suggestion list as an
// ARIA 1.2 combobox (role=combobox on the input, a listbox of options, aria-activedescendant).

var ENTITIES = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0" };

// Decodes the character references an escaped text can hold; unknown ones stay as written.
function decodeEntities(s) {
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});/g, function (all, ref) {
    if (ref.charAt(0) === "#") {
      var hex = ref.charAt(1) === "x" || ref.charAt(1) === "X";
      var code = hex ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      var ok = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
      return ok ? String.fromCodePoint(code) : "\ufffd";
    }
    var name = ref.toLowerCase();
    return Object.prototype.hasOwnProperty.call(ENTITIES, name) ? ENTITIES[name] : all;
  });
}

// Appends `html` (our API's `html` / `snippet_html`: escaped text with <mark> around matches) to
// `parent` as text nodes and <mark> elements. Nothing is parsed as markup: any tag other than
// <mark> and </mark> ends up as visible text. `onMark` may style each <mark> created.
function appendMarked(parent, html, onMark) {
  var doc = parent.ownerDocument;
  var parts = String(html).split(/(<mark>|<\/mark>)/);
  var mark = null;
  for (var i = 0; i < parts.length; i++) {
    var part = parts[i];
    if (part === "<mark>") {
      if (!mark) {
        mark = doc.createElement("mark");
        if (onMark) onMark(mark);
        parent.appendChild(mark);
      }
    } else if (part === "</mark>") {
      mark = null;
    } else if (part) {
      (mark || parent).appendChild(doc.createTextNode(decodeEntities(part)));
    }
  }
}

// Whether a URL from the API may be followed: http(s) only.
function isWebUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url);
}

var SUGGEST_DELAY_MS = 100;
var SUGGEST_LIMIT = 8;

// Makes `opts.input` a combobox with suggestions from `opts.endpoint` (the /api/suggest URL).
// Options:
//   input     the <input>; the listbox is inserted right after it (its parent should be
//             positioned for the list to drop down under the box)
//   id        prefix for the ids of the listbox and its options
//   status    an element (role=status) where the number of suggestions is announced
//   onQuery   called with the text of a chosen suggestion of kind "query"
//   classes   {list, option, kind}: class names
//   paint     optional function (element, part, on) styling from JS: part "list" (on: shown),
//             "option" (on: active) or "kind" (the "Article" tag)
//   onMark    optional function styling each <mark> in an option
function attachSuggestions(opts) {
  var input = opts.input;
  var doc = input.ownerDocument;
  var classes = opts.classes || {};
  var paint = opts.paint || function () {};
  var list = doc.createElement("ul");
  list.id = opts.id + "-listbox";
  list.className = classes.list || "";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  paint(list, "list", false);
  // Keep the focus in the box when the list is pressed, so a click can choose an option.
  list.addEventListener("mousedown", function (e) { e.preventDefault(); });
  input.parentNode.insertBefore(list, input.nextSibling);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("autocomplete", "off");

  var items = [];
  var active = -1;
  var timer = 0;
  var pending = null;

  function setActive(i) {
    var old = list.children[active];
    if (old) {
      old.setAttribute("aria-selected", "false");
      paint(old, "option", false);
    }
    active = i;
    var el = list.children[i];
    if (el) {
      el.setAttribute("aria-selected", "true");
      paint(el, "option", true);
      input.setAttribute("aria-activedescendant", el.id);
      if (el.scrollIntoView) el.scrollIntoView({ block: "nearest" });
    } else {
      active = -1;
      input.removeAttribute("aria-activedescendant");
    }
  }

  function open() {
    if (!items.length) return;
    list.hidden = false;
    paint(list, "list", true);
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    setActive(-1);
    list.hidden = true;
    paint(list, "list", false);
    input.setAttribute("aria-expanded", "false");
  }

  function cancel() {
    clearTimeout(timer);
    if (pending) pending.abort();
    pending = null;
  }

  function choose(i) {
    var s = items[i];
    if (!s) return;
    cancel();
    close();
    if (s.kind === "article" && isWebUrl(s.url)) {
      window.location.assign(s.url);
      return;
    }
    input.value = s.text;
    opts.onQuery(s.text);
  }

  function render(suggestions) {
    setActive(-1);
    while (list.firstChild) list.removeChild(list.firstChild);
    items = suggestions;
    suggestions.forEach(function (s, i) {
      var li = doc.createElement("li");
      li.id = opts.id + "-option-" + i;
      li.className = classes.option || "";
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      if (typeof s.html === "string") appendMarked(li, s.html, opts.onMark);
      else li.textContent = s.text;
      if (s.kind === "article") {
        var kind = doc.createElement("span");
        kind.className = classes.kind || "";
        kind.textContent = "Article";
        paint(kind, "kind", false);
        li.appendChild(doc.createTextNode(" "));
        li.appendChild(kind);
      }
      paint(li, "option", false);
      li.addEventListener("click", function () { choose(i); });
      li.addEventListener("mousemove", function () { if (active !== i) setActive(i); });
      list.appendChild(li);
    });
    if (items.length) open(); else close();
    if (opts.status) {
      opts.status.textContent = items.length ? items.length + (items.length === 1 ? " suggestion" : " suggestions") : "";
    }
  }

  function valid(s) {
    return s && typeof s.text === "string" && (s.kind === "query" || s.kind === "article");
  }

  function request() {
    var q = input.value;
    if (!q.trim()) {
      cancel();
      render([]);
      return;
    }
    if (pending) pending.abort();
    var mine = new AbortController();
    pending = mine;
    var url = opts.endpoint + "?q=" + encodeURIComponent(q) + "&limit=" + SUGGEST_LIMIT;
    fetch(url, { signal: mine.signal, credentials: "omit" })
      .then(function (res) { return res.ok ? res.json() : { suggestions: [] }; })
      .then(function (data) {
        if (pending !== mine) return; // a newer request is on its way
        pending = null;
        if (input.value !== q || doc.activeElement !== input) return;
        var got = data && Array.isArray(data.suggestions) ? data.suggestions : [];
        render(got.filter(valid).slice(0, SUGGEST_LIMIT));
      })
      .catch(function () {
        if (pending === mine) {
          pending = null;
          render([]);
        }
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(request, SUGGEST_DELAY_MS);
  });

  input.addEventListener("keydown", function (e) {
    if (e.isComposing || e.altKey || e.ctrlKey || e.metaKey) return;
    var n = items.length;
    if (e.key === "ArrowDown" && n) {
      e.preventDefault();
      if (list.hidden) {
        open();
        setActive(0);
      } else {
        setActive(active + 1 < n ? active + 1 : -1);
      }
    } else if (e.key === "ArrowUp" && n && !list.hidden) {
      e.preventDefault();
      setActive(active < 0 ? n - 1 : active - 1);
    } else if (e.key === "Enter" && !list.hidden && active >= 0) {
      e.preventDefault();
      choose(active);
    } else if (e.key === "Escape" && !list.hidden) {
      e.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", close);
  if (input.form) input.form.addEventListener("submit", function () { cancel(); close(); });

  return { close: close, cancel: cancel };
}
