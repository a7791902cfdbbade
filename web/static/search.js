/* Search page enhancement: results update while typing, facets and paging without reloads, the URL
 * kept in sync so results can be shared and the back button works. Without JavaScript the page
 * works the same through ordinary links and form submits. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var layout = document.getElementById("layout");
  if (!form || !input || !layout || !window.fetch || !window.history.pushState) return;

  var DEBOUNCE_MS = 180;
  var timer = 0;
  var seq = 0;
  var controller = null;

  function formUrl() {
    var url = new URL(form.action, location.href);
    new FormData(form).forEach(function (value, key) { if (value !== "") url.searchParams.append(key, value); });
    return url.href;
  }

  // ``typing``: fetched while the visitor types; analytics count it only if nothing longer follows.
  function load(url, how, typing) {
    var mine = ++seq;
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    layout.setAttribute("aria-busy", "true");
    var fetched = new URL(url);
    if (typing) fetched.searchParams.set("typing", "1");
    return fetch(fetched.href, { signal: controller && controller.signal, headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (mine !== seq) return;
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("layout");
        if (!fresh) return;
        layout.replaceChildren.apply(layout, Array.prototype.slice.call(fresh.childNodes));
        document.title = page.title;
        if (how === "push") history.pushState({ kbsearch: true }, "", url);
        else if (how === "replace") history.replaceState({ kbsearch: true }, "", url);
      })
      .catch(function () { /* aborted or offline: the current results stay */ })
      .then(function () { if (mine === seq) layout.removeAttribute("aria-busy"); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { load(formUrl(), "replace", true); }, DEBOUNCE_MS);
  });

  // Search analytics: which result of which search was opened (the server hands out the search id).
  layout.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-rank]");
    var list = link && link.closest("[data-search-id]");
    if (!list || !navigator.sendBeacon) return;
    var click = { search_id: list.getAttribute("data-search-id"), rank: Number(link.getAttribute("data-rank")), url: link.href };
    navigator.sendBeacon(new URL("/api/click", location.href).href, JSON.stringify(click));
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    load(formUrl(), "push");
  });

  layout.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-nav]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    var url = new URL(link.href);
    input.value = url.searchParams.get("q") || "";
    form.querySelectorAll("input[name=subject]").forEach(function (hidden) { hidden.remove(); });
    url.searchParams.getAll("subject").forEach(function (subject) {
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "subject"; hidden.value = subject;
      form.appendChild(hidden);
    });
    load(url.href, "push").then(function () {
      var summary = document.getElementById("summary");
      if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus({ preventScroll: false }); }
    });
  });

  window.addEventListener("popstate", function () {
    var url = new URL(location.href);
    input.value = url.searchParams.get("q") || "";
    load(location.href, null);
  });
})();
