/* kbsearch widget: <script src="https://SEARCH-HOST/widget.js" data-kbsearch-target="#search" async></script>
 * Renders a search combobox (WAI-ARIA 1.2 pattern) into the target inside a Shadow DOM, talks to the
 * JSON API of the host this script came from, and defines no global name but KBSearch. */
(function () {
  "use strict";

  var CSS = [
    ":host{all:initial;display:block;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;",
    "--bg:#fff;--fg:#1d2330;--muted:#5b6473;--line:#cfd5de;--accent:#1f5fd1;--hover:#eef3fc;--mark:#fff1a8;--focus:#f59e0b}",
    ":host([data-theme=dark]){--bg:#1c2027;--fg:#e6e9ef;--muted:#a2abb8;--line:#3a414d;--accent:#8ab4ff;--hover:#27303d;--mark:#5c4b00}",
    "@media (prefers-color-scheme:dark){:host(:not([data-theme=light])){--bg:#1c2027;--fg:#e6e9ef;--muted:#a2abb8;",
    "--line:#3a414d;--accent:#8ab4ff;--hover:#27303d;--mark:#5c4b00}}",
    ".kb{position:relative;color:var(--fg)}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "input{box-sizing:border-box;width:100%;font:inherit;color:var(--fg);background:var(--bg);",
    "border:1px solid var(--line);border-radius:.5rem;padding:.6rem .8rem;min-height:2.75rem}",
    "input:focus-visible,a:focus-visible,button:focus-visible{outline:3px solid var(--focus);outline-offset:2px}",
    ".pop{position:absolute;z-index:2147483000;left:0;right:0;margin-top:.25rem;background:var(--bg);",
    "border:1px solid var(--line);border-radius:.5rem;box-shadow:0 8px 24px rgba(0,0,0,.18);max-height:70vh;overflow:auto}",
    ".pop[hidden]{display:none}",
    "ul{list-style:none;margin:0;padding:.25rem}",
    "[role=option]{display:block;border-radius:.4rem;padding:.5rem .6rem;color:inherit;text-decoration:none}",
    "[role=option]:hover{background:var(--hover)}",
    "[aria-selected=true]{background:var(--hover);outline:2px solid var(--accent);outline-offset:-2px}",
    ".q{font-weight:600;color:var(--accent)}",
    ".s{font-size:.8em;color:var(--muted)}",
    ".n{font-size:.9em;margin-top:.15rem;overflow-wrap:anywhere}",
    "mark{background:var(--mark);color:inherit;border-radius:.15rem}",
    ".foot,.msg,.note{padding:.5rem .85rem;font-size:.9em;color:var(--muted)}",
    "button.dym{font:inherit;color:var(--accent);background:none;border:0;padding:0;cursor:pointer;text-decoration:underline}",
    ".foot a{color:var(--accent)}",
    "button.open{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:.5rem;",
    "padding:.55rem .9rem;cursor:pointer;min-height:2.75rem}",
    "dialog{border:0;padding:1rem;border-radius:.75rem;width:min(40rem,calc(100vw - 1rem));background:var(--bg);",
    "color:var(--fg);box-sizing:border-box;top:10vh;margin:0 auto}",
    "dialog::backdrop{background:rgba(0,0,0,.45)}",
    // In the dialog the results take its room below the box: hung over it, the dialog's own overflow clipped them.
    "dialog .pop{position:static;box-shadow:none;max-height:calc(80vh - 6rem)}",
    "@media (max-width:480px){dialog{top:0;width:100vw;max-width:100vw;height:100vh;border-radius:0}",
    "dialog .pop{max-height:calc(100vh - 6rem)}}"
  ].join("");

  var DEBOUNCE_MS = 120;
  var TIMEOUT_MS = 3000;
  var count = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs) node.setAttribute(key, attrs[key]);
    if (text) node.textContent = text;
    return node;
  }

  var ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#x27;": "'", "&#39;": "'" };

  /* The API escapes all text and uses <mark> as its only tag: build text nodes, never parse HTML. */
  function marked(html) {
    var span = el("span");
    var parts = String(html).split(/(<\/?mark>)/);
    var into = span;
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] === "<mark>") into = span.appendChild(el("mark"));
      else if (parts[i] === "</mark>") into = span;
      else if (parts[i]) into.appendChild(document.createTextNode(parts[i].replace(/&(amp|lt|gt|quot|#x27|#39);/g, function (m) { return ENTITIES[m]; })));
    }
    return span;
  }

  function Widget(target, options) {
    this.options = options;
    this.id = "kbsearch-" + (++count);
    this.active = -1;
    this.items = [];
    this.seq = 0;
    this.timer = 0;
    this.request = null;
    // A custom element name, so the host page's rules for div and the like cannot hide it.
    this.host = el("kbsearch-widget", { "data-kbsearch": "" });
    if (options.theme) this.host.setAttribute("data-theme", options.theme);
    target.appendChild(this.host);
    var root = this.host.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el("style", {}, CSS));
    }
    this.root = root;
    this.box = this.build();
    if (options.mode === "button") this.buildDialog(); else root.appendChild(this.box);
  }

  Widget.prototype.build = function () {
    var self = this, id = this.id;
    var box = el("div", { class: "kb", role: "search" });
    box.appendChild(el("label", { class: "sr", for: id + "-input" }, "Search the knowledge base"));
    this.input = el("input", {
      id: id + "-input", type: "search", role: "combobox", autocomplete: "off", spellcheck: "false",
      "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": id + "-list",
      placeholder: this.options.placeholder || "Search…", maxlength: "256", enterkeyhint: "search"
    });
    this.pop = el("div", { class: "pop", hidden: "" });
    this.list = el("ul", { id: id + "-list", role: "listbox", "aria-label": "Search results" });
    this.note = el("div", { class: "note", hidden: "" });
    this.message = el("div", { class: "msg", hidden: "" });
    this.foot = el("div", { class: "foot", hidden: "" });
    this.status = el("div", { class: "sr", role: "status", "aria-live": "polite" });
    this.pop.appendChild(this.note);
    this.pop.appendChild(this.list);
    this.pop.appendChild(this.message);
    this.pop.appendChild(this.foot);
    box.appendChild(this.input);
    box.appendChild(this.pop);
    box.appendChild(this.status);
    this.input.addEventListener("input", function () { self.typed(); });
    this.input.addEventListener("keydown", function (event) { self.key(event); });
    box.addEventListener("focusout", function () { setTimeout(function () { if (!self.hasFocus()) self.close(); }, 150); });
    // Pressing anywhere in the popup (a result, "Did you mean", "See all") must not take focus from the
    // box: however long the press, the popup stays until the click.
    this.pop.addEventListener("mousedown", function (event) { event.preventDefault(); });
    return box;
  };

  Widget.prototype.buildDialog = function () {
    var self = this;
    var button = el("button", { type: "button", class: "open", "aria-haspopup": "dialog" }, this.options.placeholder || "Search…");
    this.dialog = el("dialog", { "aria-label": "Search" });
    this.dialog.appendChild(this.box);
    button.addEventListener("click", function () { self.open(); });
    this.dialog.addEventListener("close", function () { self.close(); button.focus(); });
    this.dialog.addEventListener("click", function (event) { if (event.target === self.dialog) self.dialog.close(); });
    this.button = button;
    this.root.appendChild(button);
    this.root.appendChild(this.dialog);
  };

  Widget.prototype.open = function () {
    if (this.dialog && !this.dialog.open) this.dialog.showModal();
    this.input.focus();
  };

  // The box or a control in its popup ("Did you mean", "See all"), which keyboard users reach with Tab.
  Widget.prototype.hasFocus = function () { return this.box.contains(this.root.activeElement); };

  Widget.prototype.api = function (path, params) {
    var url = new URL(path, this.options.base);
    for (var key in params) if (params[key] !== undefined && params[key] !== "") url.searchParams.set(key, params[key]);
    return url;
  };

  Widget.prototype.fetch = function (path, params, render) {
    var self = this, seq = ++this.seq;
    if (this.request) this.request.abort();
    var controller = window.AbortController ? new AbortController() : null;
    this.request = controller;
    var timeout = setTimeout(function () { if (controller) controller.abort(); self.fail(seq, "Search is taking too long. Please try again."); }, TIMEOUT_MS);
    fetch(this.api(path, params), { signal: controller && controller.signal, credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (data) { clearTimeout(timeout); if (seq === self.seq) render.call(self, data); })
      .catch(function () { clearTimeout(timeout); self.fail(seq, "Search is unavailable right now."); });
  };

  Widget.prototype.fail = function (seq, text) {
    if (seq !== this.seq) return;
    this.seq++;
    this.show([], text, null);
  };

  Widget.prototype.typed = function () {
    var self = this, q = this.input.value.trim();
    clearTimeout(this.timer);
    if (!q) { this.close(); return; }
    this.timer = setTimeout(function () {
      self.fetch("/api/suggest", { q: self.input.value, subject: self.options.subject, limit: self.options.perPage }, function (data) {
        this.show(data.suggestions, data.suggestions.length ? null : "No matching questions. Press Enter to search.", null);
      });
    }, DEBOUNCE_MS);
  };

  Widget.prototype.search = function () {
    var q = this.input.value.trim();
    if (!q) return;
    clearTimeout(this.timer);
    this.fetch("/api/search", { q: q, subject: this.options.subject, per_page: this.options.perPage }, function (data) {
      this.show(data.hits, data.total ? null : "No results for “" + q + "”.", data);
    });
  };

  Widget.prototype.show = function (items, message, result) {
    var self = this;
    this.items = items;
    this.searchId = result && result.search_id;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.list.textContent = "";
    items.forEach(function (item, index) {
      // Each option is the article's link itself (a[href] may take role=option), so
      // middle-click and "open in new tab" work, and no control nests in another.
      var li = el("li", { role: "none" });
      var option = li.appendChild(el("a", { id: self.id + "-opt-" + index, role: "option", "aria-selected": "false", href: self.url(index), tabindex: "-1" }));
      option.addEventListener("click", function () { self.clicked(index); });
      option.appendChild(el("div", { class: "q" })).appendChild(marked(item.question_html));
      option.appendChild(el("div", { class: "s" }, item.subject));
      if (item.snippet) option.appendChild(el("div", { class: "n" })).appendChild(marked(item.snippet));
      self.list.appendChild(li);
    });
    this.correction(result);
    this.message.hidden = !message;
    this.message.textContent = message || "";
    this.foot.hidden = true;
    this.foot.textContent = "";
    if (result && result.total) {
      var all = new URL("/", this.options.base);
      all.searchParams.set("q", result.query);
      if (this.options.subject) all.searchParams.set("subject", this.options.subject);
      this.foot.appendChild(el("a", { href: all.href }, "See all " + result.total.toLocaleString() + " results"));
      this.foot.hidden = false;
    }
    this.pop.hidden = false;
    this.input.setAttribute("aria-expanded", items.length ? "true" : "false");
    var count = result ? result.total + (result.total === 1 ? " result" : " results")
      : items.length + (items.length === 1 ? " suggestion" : " suggestions");
    this.status.textContent = (this.note.hidden ? "" : this.note.textContent + " ") + (message || count);
  };

  function fill(node, parts) {
    node.textContent = "";
    parts.forEach(function (part) { node.appendChild(typeof part === "string" ? document.createTextNode(part) : part); });
  }

  // As on the search page: a query that found nothing shows its correction's results, and says so;
  // a correction that was not applied is offered.
  Widget.prototype.correction = function (result) {
    var self = this, suggestion = result && result.suggestion;
    this.note.hidden = !suggestion;
    if (!suggestion) { this.note.textContent = ""; return; }
    if (result.corrected) {
      fill(this.note, ["No results for ", el("strong", {}, result.query), ". Showing results for ", marked(suggestion.html), "."]);
      return;
    }
    var button = el("button", { type: "button", class: "dym" });
    button.appendChild(marked(suggestion.html));
    button.addEventListener("click", function () { self.input.value = suggestion.query; self.input.focus(); self.search(); });
    fill(this.note, ["Did you mean ", button, "?"]);
  };

  // Also drops what is on its way (a keystroke waiting out the debounce, an unanswered request), so
  // nothing reopens the popup after Escape or once focus has left it.
  Widget.prototype.close = function () {
    clearTimeout(this.timer);
    this.seq++;
    if (this.request) this.request.abort();
    this.pop.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Widget.prototype.move = function (index) {
    var options = this.list.querySelectorAll("[role=option]");
    if (!options.length) return;
    if (this.active >= 0) options[this.active].setAttribute("aria-selected", "false");
    this.active = (index + options.length) % options.length;
    var option = options[this.active];
    option.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", option.id);
    if (option.scrollIntoView) option.scrollIntoView({ block: "nearest" });
  };

  Widget.prototype.go = function (index) {
    if (!this.items[index]) return;
    this.clicked(index);
    window.location.assign(this.url(index));
  };

  // Without KBSEARCH_SITE_URL, article URLs are paths of the search site: a host page on another
  // origin would resolve them against itself.
  Widget.prototype.url = function (index) { return new URL(this.items[index].url, this.options.base).href; };

  // Tells search analytics which result of a full search was opened; suggestions are not searches.
  Widget.prototype.clicked = function (index) {
    if (!this.searchId || !navigator.sendBeacon) return;
    var click = { search_id: this.searchId, rank: index + 1, url: this.url(index) };
    navigator.sendBeacon(this.api("/api/click", {}).href, JSON.stringify(click));
  };

  Widget.prototype.key = function (event) {
    var open = !this.pop.hidden && this.items.length > 0;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!open && this.input.value.trim()) { this.typed(); return; }
        this.move(this.active + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        // From no selection, up wraps to the last.
        if (open) this.move((this.active < 0 ? this.items.length : this.active) - 1);
        break;
      case "Home":
      case "End":
        if (open && this.active >= 0) { event.preventDefault(); this.move(event.key === "Home" ? 0 : this.items.length - 1); }
        break;
      case "Enter":
        event.preventDefault();
        if (open && this.active >= 0) this.go(this.active); else this.search();
        break;
      case "Escape":
        // The dialog closes, results and all, as a search dialog does (a search box would only clear its text).
        if (this.dialog) { event.preventDefault(); this.dialog.close(); break; }
        if (!this.pop.hidden) { event.preventDefault(); event.stopPropagation(); }
        else if (this.input.value) { event.preventDefault(); this.input.value = ""; }
        this.close();
        break;
    }
  };

  function editing(node) {
    while (node && node.shadowRoot && node.shadowRoot.activeElement) node = node.shadowRoot.activeElement;
    return node && (node.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(node.tagName));
  }

  // One listener for every widget of the page, whichever script ran first: the keys open a dialog
  // if there is one, else the first box on the page.
  function hotkeyTarget(widgets) {
    var dialogs = widgets.filter(function (widget) { return widget.dialog; });
    return (dialogs.length ? dialogs : widgets).sort(function (a, b) {
      return a.host.compareDocumentPosition(b.host) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    })[0];
  }

  function hotkeys(widget) {
    var shared = window.KBSearch;
    if (shared.hotkeyWidgets) { shared.hotkeyWidgets.push(widget); return; }
    var widgets = shared.hotkeyWidgets = [widget];
    document.addEventListener("keydown", function (event) {
      var slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey;
      var ctrlK = (event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K");
      if ((slash || ctrlK) && !event.defaultPrevented && !editing(document.activeElement)) {
        event.preventDefault();
        hotkeyTarget(widgets).open();
      }
    });
  }

  function init(options) {
    var target = typeof options.target === "string" ? document.querySelector(options.target) : options.target;
    if (!target) return null;
    var widget = new Widget(target, options);
    if (options.hotkeys !== false) hotkeys(widget);
    return widget;
  }

  function fromScript(script) {
    var data = script.dataset;
    var ready = function () {
      init({
        target: data.kbsearchTarget || "#search",
        base: new URL(script.src, location.href).origin,
        placeholder: data.kbsearchPlaceholder,
        subject: data.kbsearchSubject,
        perPage: Math.min(Math.max(parseInt(data.kbsearchPerPage, 10) || 8, 1), 20),
        theme: data.kbsearchTheme,
        mode: data.kbsearchMode,
        hotkeys: data.kbsearchHotkeys !== "false"
      });
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready); else ready();
  }

  // Every script tag on a page makes its own widget from its own attributes; the first defines KBSearch.
  if (!window.KBSearch) window.KBSearch = { init: init, version: "1" };
  var script = document.currentScript;
  if (script && script.dataset.kbsearchTarget !== undefined) fromScript(script);
})();
