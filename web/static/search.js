/* Search page enhancement: results update while typing, facets and paging without reloads, the URL
 * kept in sync so results can be shared and the back button works. Without JavaScript the page
 * works the same through ordinary links and form submits. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var layout = document.getElementById("layout");
  var status = document.getElementById("status");
  if (!form || !input || !layout || !status || !window.fetch || !window.history.pushState) return;

  var DEBOUNCE_MS = 180;
  var timer = 0;
  var seq = 0;
  var controller = null;
  // Whether the current history entry is a query still being typed: typing replaces that entry rather
  // than adding one per keystroke, and its first keystroke after a settled query adds one, so Back
  // returns to the query before.
  var typingEntry = false;

  function formUrl() {
    var url = new URL(form.action, location.href);
    new FormData(form).forEach(function (value, key) { if (value !== "") url.searchParams.append(key, value); });
    return url.href;
  }

  // The form must hold the filter of the URL shown, or typing more would search another one. It carries
  // no page: a new query starts at the first.
  function syncForm(url) {
    input.value = url.searchParams.get("q") || "";
    form.querySelectorAll("input[name=subject]").forEach(function (hidden) { hidden.remove(); });
    url.searchParams.getAll("subject").forEach(function (subject) {
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "subject"; hidden.value = subject;
      form.appendChild(hidden);
    });
  }

  // Screen readers announce changes of a live region that stays in the document, not a new one.
  function announce() {
    var summary = document.getElementById("summary");
    status.textContent = summary ? summary.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function show(page, url, how, typing) {
    var fresh = page.getElementById("layout");
    layout.replaceChildren.apply(layout, Array.prototype.slice.call(fresh.childNodes));
    document.title = page.title;
    announce();
    if (how) history[how]({ kbsearch: true }, "", url);
    typingEntry = Boolean(typing);
  }

  // An error page (or a proxy's) has no results to show: the browser loads the URL itself and shows
  // what the server says, rather than the old results staying under the new query.
  function navigate(url, how) {
    if (how === "pushState") location.assign(url); else location.replace(url);
  }

  // ``how``: the history method that records ``url`` ("pushState", "replaceState"), or none when the
  // URL is already shown. ``typing``: fetched while the visitor types; analytics count it only if
  // nothing longer follows.
  function load(url, how, typing) {
    var mine = ++seq;
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    layout.setAttribute("aria-busy", "true");
    var fetched = new URL(url);
    if (typing) fetched.searchParams.set("typing", "1");
    return fetch(fetched.href, { signal: controller && controller.signal, headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (mine !== seq) return;
        var page = new DOMParser().parseFromString(html, "text/html");
        if (page.getElementById("layout")) show(page, url, how, typing); else navigate(url, how);
      })
      .catch(function () { /* aborted or offline: the current results stay */ })
      .then(function () { if (mine === seq) layout.removeAttribute("aria-busy"); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { load(formUrl(), typingEntry ? "replaceState" : "pushState", true); }, DEBOUNCE_MS);
  });

  // Search analytics: which result of which search was opened (the server hands out the search id).
  layout.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-rank]");
    var list = link && link.closest("[data-search-id]");
    if (!list || !navigator.sendBeacon) return;
    var click = { search_id: list.getAttribute("data-search-id"), rank: Number(link.getAttribute("data-rank")), url: link.href };
    navigator.sendBeacon(new URL("/api/click", location.href).href, JSON.stringify(click));
  });

  // Enter settles the query typed: it takes the entry typing made, or the one already showing it.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    var url = formUrl();
    load(url, typingEntry || url === location.href ? "replaceState" : "pushState");
  });

  layout.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-nav]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    clearTimeout(timer);
    syncForm(new URL(link.href));
    load(link.href, "pushState").then(function () {
      var summary = document.getElementById("summary");
      if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus({ preventScroll: false }); }
    });
  });

  window.addEventListener("popstate", function () {
    clearTimeout(timer);
    typingEntry = false;  // Back or Forward reached a settled query: typing from it adds an entry, even before it shows
    syncForm(new URL(location.href));
    load(location.href, null);
  });
})();
