/* aigc-resources site script: maths, the Explore page, learning-path progress.
 *
 * Plain JavaScript, no dependencies and no request to another host. Catalog text is only ever
 * written with textContent (never innerHTML), so markup in data shows as text.
 */
(function () {
  "use strict";

  /* The site root, from Material's configuration block (relative to the page). */
  function siteRoot() {
    var config = document.getElementById("__config");
    var base = ".";
    if (config) {
      try { base = JSON.parse(config.textContent).base || "."; } catch (error) { base = "."; }
    }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* ---------------------------------------------------------------- maths (KaTeX) ----------- */

  var katexLoading = null;

  function loadKatex() {
    if (window.katex) return Promise.resolve(window.katex);
    if (katexLoading) return katexLoading;
    var base = new URL("assets/aigc/vendor/katex/", siteRoot());
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("katex.min.css", base).href;
    document.head.appendChild(css);
    katexLoading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = new URL("katex.min.js", base).href;
      script.onload = function () { resolve(window.katex); };
      script.onerror = function () { reject(new Error("KaTeX could not be loaded")); };
      document.head.appendChild(script);
    });
    return katexLoading;
  }

  /* pymdownx.arithmatex (generic mode) writes \(...\) in spans and \[...\] in divs. */
  function renderMaths(root) {
    var nodes = root.querySelectorAll(".arithmatex");
    if (!nodes.length) return;
    loadKatex().then(function (katex) {
      nodes.forEach(function (node) {
        var tex = node.textContent.trim();
        var display = node.tagName === "DIV";
        tex = tex.replace(/^\\[\(\[]/, "").replace(/\\[\)\]]$/, "");
        katex.render(tex, node, { displayMode: display, throwOnError: false, output: "htmlAndMathml" });
      });
    });
  }

  /* ---------------------------------------------------------------- learning-path progress --- */

  function storageGet(key) {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (error) { return []; }
  }

  function storageSet(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (error) { /* private mode */ }
  }

  function setupProgress(root) {
    var panel = root.querySelector(".aigc-progress[data-path]");
    if (!panel) return;
    var key = "aigc-resources:path:" + panel.getAttribute("data-path");
    var steps = Array.prototype.slice.call(root.querySelectorAll(".aigc-step[data-key]"));
    var bar = panel.querySelector(".aigc-progress__bar");
    var text = panel.querySelector(".aigc-progress__text");
    var template = text.getAttribute("data-template");

    function update() {
      var done = steps.filter(function (step) { return step.querySelector(".aigc-step__done").checked; });
      bar.value = done.length;
      text.textContent = template.replace("{done}", done.length).replace("{total}", steps.length);
      steps.forEach(function (step) {
        step.classList.toggle("aigc-step--done", step.querySelector(".aigc-step__done").checked);
      });
      storageSet(key, done.map(function (step) { return step.getAttribute("data-key"); }));
    }

    var saved = storageGet(key);
    steps.forEach(function (step) {
      var box = step.querySelector(".aigc-step__done");
      box.disabled = false;
      box.checked = saved.indexOf(step.getAttribute("data-key")) >= 0;
      box.addEventListener("change", update);
    });
    panel.querySelector(".aigc-progress__reset").addEventListener("click", function () {
      steps.forEach(function (step) { step.querySelector(".aigc-step__done").checked = false; });
      update();
    });
    panel.hidden = false;
    update();
  }

  /* ---------------------------------------------------------------- Explore ------------------ */

  var PAGE_SIZE = 50;
  var HEALTH_ORDER = ["ok", "redirected", "broken", "blocked", "transient", "invalid", "excluded", "unchecked"];
  var ACCESS_ORDER = ["free", "freemium", "paid"];

  /* Facets: query-string key, entry field, taxonomy axis (or null), label key. AND across facets,
     OR within one. A value's count is the number of entries that would match if that value were
     added to (or already is in) its facet, with every other facet and the text query applied. */
  var FACETS = [
    { key: "type", field: "type", axis: "types", label: "Type" },
    { key: "modality", field: "modalities", axis: "modalities", label: "Modalities" },
    { key: "topic", field: "topics", axis: "topics", label: "Concepts" },
    { key: "level", field: "level", axis: "levels", label: "Level" },
    { key: "language", field: "languages", axis: null, label: "Language" },
    { key: "access", field: "access", axis: null, label: "Access" },
    { key: "health", field: "link_health", axis: null, label: "Link check" }
  ];

  function valuesOf(entry, facet) {
    var value = entry[facet.field];
    return Array.isArray(value) ? value : [value];
  }

  function setupExplore(root) {
    var host = root.querySelector("#aigc-explore");
    if (!host) return;
    var lang = host.getAttribute("data-lang") === "zh" ? "zh" : "en";
    var strings = {};
    try { strings = JSON.parse(host.getAttribute("data-strings") || "{}"); } catch (error) { strings = {}; }
    function t(key) { return strings[key] || key; }

    var fallback = document.querySelector(".aigc-explore-fallback");
    if (fallback) fallback.hidden = true;
    host.textContent = t("Loading the catalog…");
    fetch(new URL("catalog.json", siteRoot()).href)
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) { buildExplore(host, data, lang, t); })
      .catch(function () {
        host.textContent = t("The catalog could not be loaded.");
        if (fallback) fallback.hidden = false;
      });
  }

  function buildExplore(host, data, lang, t) {
    var root = siteRoot();
    var entries = data.entries;
    var names = {};
    var levelRank = {};
    ["types", "modalities", "levels", "topics"].forEach(function (axis) {
      names[axis] = {};
      data.taxonomy[axis].forEach(function (term, index) {
        names[axis][term.id] = lang === "zh" ? term.name_zh : term.name;
        if (axis === "levels") levelRank[term.id] = index;
      });
    });

    function label(facet, value) {
      if (facet.axis) return names[facet.axis][value] || value;
      if (facet.key === "language") {
        var known = data.languages && data.languages[value];
        return known ? (lang === "zh" ? known.name_zh : known.name) : value;
      }
      if (facet.key === "access") return t(value);
      return t("status:" + value);
    }

    /* Every value that occurs, in a fixed order: taxonomy order, or by frequency for languages. */
    FACETS.forEach(function (facet) {
      var seen = {};
      entries.forEach(function (entry) {
        valuesOf(entry, facet).forEach(function (value) { seen[value] = (seen[value] || 0) + 1; });
      });
      var order;
      if (facet.axis) order = data.taxonomy[facet.axis].map(function (term) { return term.id; });
      else if (facet.key === "access") order = ACCESS_ORDER;
      else if (facet.key === "health") order = HEALTH_ORDER;
      else order = Object.keys(seen).sort(function (a, b) { return seen[b] - seen[a] || (a < b ? -1 : 1); });
      facet.values = order.filter(function (value) { return seen[value]; });
    });

    entries.forEach(function (entry) {
      var text = [entry.title, entry.title_zh, entry.description, entry.description_zh]
        .concat(entry.authors || [])
        .concat(entry.topics.map(function (id) { return names.topics[id] + " " + id; }))
        .concat([names.types[entry.type]]);
      entry._text = text.filter(Boolean).join(" \u0000 ").toLowerCase();
    });
    entries.sort(function (a, b) {
      return (levelRank[a.level] - levelRank[b.level]) || ((b.year || 0) - (a.year || 0)) ||
        (a.title.toLowerCase() < b.title.toLowerCase() ? -1 : a.title.toLowerCase() > b.title.toLowerCase() ? 1 : 0);
    });

    /* State, read from and written to the query string. The text is "text", not "q": Material
       opens its own search dialog for ?q= (and highlights for ?h=). */
    var state = { q: "", selected: {} };
    function readState() {
      var params = new URLSearchParams(location.search);
      state.q = params.get("text") || "";
      FACETS.forEach(function (facet) {
        var wanted = (params.get(facet.key) || "").split(",").filter(Boolean);
        state.selected[facet.key] = new Set(wanted.filter(function (v) { return facet.values.indexOf(v) >= 0; }));
      });
    }
    function writeState() {
      var params = new URLSearchParams();
      if (state.q) params.set("text", state.q);
      FACETS.forEach(function (facet) {
        var values = facet.values.filter(function (v) { return state.selected[facet.key].has(v); });
        if (values.length) params.set(facet.key, values.join(","));
      });
      var query = params.toString().replace(/%2C/g, ",");
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }

    function textMatches(entry) {
      var tokens = state.q.toLowerCase().split(/\s+/).filter(Boolean);
      return tokens.every(function (token) { return entry._text.indexOf(token) >= 0; });
    }
    function facetMatches(entry, facet) {
      var selected = state.selected[facet.key];
      if (!selected.size) return true;
      return valuesOf(entry, facet).some(function (value) { return selected.has(value); });
    }

    /* The interface. */
    host.textContent = "";
    var bar = element("div", "aigc-explore__bar");
    var query = element("input", "md-input aigc-explore__q");
    query.type = "search";
    query.placeholder = t("Search titles and descriptions");
    query.setAttribute("aria-label", t("Search"));
    var count = element("span", "aigc-explore__count");
    count.setAttribute("aria-live", "polite");
    var clear = element("button", "md-button aigc-explore__clear", t("Clear all filters"));
    clear.type = "button";
    /* Seven facet groups (dozens of boxes) come before the results: keyboard users may jump. */
    var skip = element("a", "aigc-explore__skip", t("Skip to the results"));
    skip.href = "#aigc-explore-results";
    bar.append(query, count, clear, skip);
    var body = element("div", "aigc-explore__body");
    var panel = element("div", "aigc-explore__facets");
    panel.setAttribute("aria-label", t("Filters"));
    var results = element("ol", "aigc-explore__results");
    results.id = "aigc-explore-results";
    results.tabIndex = -1;
    skip.addEventListener("click", function (event) {
      event.preventDefault();
      results.focus();
    });
    var more = element("button", "md-button aigc-explore__more", t("Show more"));
    more.type = "button";
    var list = element("div", "aigc-explore__list");
    list.append(results, more);
    body.append(panel, list);
    host.append(bar, body);

    var boxes = {};
    var narrow = window.matchMedia && window.matchMedia("(max-width: 44.9375em)").matches;
    FACETS.forEach(function (facet) {
      var group = element("details", "aigc-facet");
      /* On a phone the facets come before the results: start with every group closed. */
      group.open = !narrow && facet.key !== "topic" && facet.key !== "health";
      group.setAttribute("data-facet", facet.key);
      group.append(element("summary", "aigc-facet__title", t(facet.label)));
      var options = element("div", "aigc-facet__values");
      boxes[facet.key] = {};
      facet.values.forEach(function (value) {
        var row = element("label", "aigc-facet__value");
        row.setAttribute("data-value", value);
        var box = element("input");
        box.type = "checkbox";
        box.value = value;
        box.addEventListener("change", function () {
          if (box.checked) state.selected[facet.key].add(value); else state.selected[facet.key].delete(value);
          update(true);
        });
        var name = element("span", "aigc-facet__label", label(facet, value));
        var number = element("span", "aigc-facet__count");
        row.append(box, name, number);
        options.append(row);
        boxes[facet.key][value] = { box: box, row: row, number: number };
      });
      group.append(options);
      panel.append(group);
    });

    var shown = PAGE_SIZE;
    var matching = [];

    function renderResults() {
      results.textContent = "";
      if (!matching.length) results.append(element("li", "aigc-result aigc-result--none", t("No entry matches these filters.")));
      matching.slice(0, shown).forEach(function (entry) {
        var item = element("li", "aigc-result");
        var link = element("a", "aigc-result__title", lang === "zh" && entry.title_zh ? entry.title_zh : entry.title);
        link.href = new URL(entry.page, root).href;
        item.append(link);
        var other = lang === "zh" ? (entry.title_zh ? entry.title : null) : entry.title_zh;
        if (other) item.append(element("span", "aigc-result__other", other));
        var facts = [names.types[entry.type], names.levels[entry.level]];
        if (entry.year) facts.push(entry.year);
        facts.push(entry.languages.map(function (code) { return label(FACETS[4], code); }).join(t("list separator")));
        facts.push(t(entry.access));
        if (entry.link_health === "broken") facts.push(t("status:broken"));
        item.append(element("div", "aigc-result__meta", facts.join(" · ")));
        var description = lang === "zh" && entry.description_zh ? entry.description_zh : entry.description;
        item.append(element("p", "aigc-result__description", firstSentence(description)));
        results.append(item);
      });
      more.hidden = matching.length <= shown;
    }

    function update(push) {
      matching = entries.filter(function (entry) {
        return textMatches(entry) && FACETS.every(function (facet) { return facetMatches(entry, facet); });
      });
      FACETS.forEach(function (facet) {
        var tally = {};
        entries.forEach(function (entry) {
          if (!textMatches(entry)) return;
          for (var i = 0; i < FACETS.length; i++) {
            if (FACETS[i] !== facet && !facetMatches(entry, FACETS[i])) return;
          }
          valuesOf(entry, facet).forEach(function (value) { tally[value] = (tally[value] || 0) + 1; });
        });
        facet.values.forEach(function (value) {
          var parts = boxes[facet.key][value];
          var n = tally[value] || 0;
          parts.box.checked = state.selected[facet.key].has(value);
          parts.number.textContent = String(n);
          parts.row.setAttribute("data-count", String(n));
          parts.row.classList.toggle("aigc-facet__value--empty", n === 0 && !parts.box.checked);
        });
      });
      count.textContent = t("{n} of {total} entries").replace("{n}", matching.length).replace("{total}", entries.length);
      count.setAttribute("data-count", String(matching.length));
      clear.hidden = !state.q && FACETS.every(function (facet) { return !state.selected[facet.key].size; });
      shown = PAGE_SIZE;
      renderResults();
      if (push) writeState();
    }

    var typing = null;
    query.addEventListener("input", function () {
      clearTimeout(typing);
      typing = setTimeout(function () { state.q = query.value.trim(); update(true); }, 120);
    });
    clear.addEventListener("click", function () {
      state.q = "";
      query.value = "";
      FACETS.forEach(function (facet) { state.selected[facet.key].clear(); });
      update(true);
    });
    more.addEventListener("click", function () { shown += PAGE_SIZE; renderResults(); });

    readState();
    query.value = state.q;
    FACETS.forEach(function (facet) {
      if (state.selected[facet.key].size) panel.querySelector('[data-facet="' + facet.key + '"]').open = true;
    });
    update(false);
    host.setAttribute("data-ready", "true");
  }

  function firstSentence(text) {
    var flat = String(text || "").replace(/\s+/g, " ").trim();
    var match = flat.match(/^.+?(?:[.!?](?=\s|$)|[。！？])/);
    var sentence = match ? match[0] : flat;
    return sentence.length > 200 ? sentence.slice(0, 199) + "…" : sentence;
  }

  /* ---------------------------------------------------------------- language switch ---------- */

  /* The switch links each page to the same page in the other language (partials/alternate.html);
     a filtered Explore view keeps its state in the query string, so the query goes along too
     (read when the link is followed: Explore rewrites the query as the filters change). */
  function carryQueryOnLanguageSwitch() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.md-select__link[hreflang]");
      if (link && location.search) link.search = location.search;
    }, true);
  }

  /* ---------------------------------------------------------------- start -------------------- */

  function start() {
    renderMaths(document);
    setupProgress(document);
    setupExplore(document);
  }

  carryQueryOnLanguageSwitch();
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { start(); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
