// SynthLabel's pages: the scan report (scan --html) and the service's verification page.
// Every value from a file is set as text (textContent, attributes), never parsed as markup.
(function () {
  "use strict";
  var phrases = JSON.parse(document.getElementById("sl-text").textContent);
  var fieldNames = ["Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator", "PropagateID", "ReservedCode2"];
  var producerFields = fieldNames.slice(0, 4), platformFields = fieldNames.slice(4);
  var verdictOrder = ["noncompliant", "inconclusive", "unlabelled", "compliant"];

  function t(key, values) {
    var phrase = phrases.hasOwnProperty(key) ? phrases[key] : key;
    if (values) Object.keys(values).forEach(function (name) { phrase = phrase.split("{" + name + "}").join(String(values[name])); });
    return phrase;
  }

  // An element with attributes and children (strings become text nodes).
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "class") node.className = attributes[name]; else node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    });
    return node;
  }

  function verdictBadge(verdict) { return el("span", { "class": "verdict " + verdict }, [t("verdict." + verdict)]); }
  function checkTitle(id) { return phrases.hasOwnProperty("check:" + id) ? phrases["check:" + id] : id; }
  function bytes(size) { return size >= 1048576 ? (size / 1048576).toFixed(1) + " MB" : size >= 1024 ? (size / 1024).toFixed(1) + " KB" : size + " B"; }

  // ---- One file in detail: what the report's rows and the service's answers both show. ----
  function renderDetail(container, file, onClose) {
    container.textContent = "";
    var heading = el("h2", { id: "detail-heading" }, [t("detail") + ": ", el("span", { "class": "path" }, [file.path || "—"])]);
    container.appendChild(heading);
    if (onClose) {
      var close = el("button", { type: "button", id: "detail-close" }, [t("close")]);
      close.addEventListener("click", onClose);
      container.appendChild(close);
    }
    container.appendChild(el("dl", { "class": "fields" }, [
      el("dt", {}, [t("verdict")]), el("dd", {}, [verdictBadge(file.verdict)]),
      el("dt", {}, [t("format")]), el("dd", {}, [file.format || "—"]),
      el("dt", {}, [t("size")]), el("dd", {}, [file.size !== undefined && file.size !== null ? bytes(file.size) : "—"]),
      file.digitalSourceType ? el("dt", {}, [t("digital.source.type")]) : null,
      file.digitalSourceType ? el("dd", {}, [file.digitalSourceType]) : null
    ]));
    if (file.error) container.appendChild(el("p", { "class": "outcome-error" }, [t("error") + ": " + file.error]));

    container.appendChild(el("h3", {}, [t("label")]));
    if (file.label) {
      [["producer.fields", producerFields], ["platform.fields", platformFields]].forEach(function (group) {
        var list = el("dl", { "class": "fields" }, []);
        group[1].forEach(function (name) {
          list.appendChild(el("dt", {}, [name]));
          list.appendChild(el("dd", {}, [file.label[name] || "—"]));
        });
        container.appendChild(el("h4", {}, [t(group[0])]));
        container.appendChild(list);
      });
    } else {
      container.appendChild(el("p", {}, [t("no.label")]));
    }

    container.appendChild(el("h3", {}, [t("caption")]));
    if (file.caption) {
      container.appendChild(el("p", {}, [t("caption.record", { t: file.caption.text, x: file.caption.x, y: file.caption.y, w: file.caption.width, h: file.caption.height })]));
    } else {
      container.appendChild(el("p", {}, [t("no.caption")]));
    }
    if (file.thumbnail) container.appendChild(picture(file.thumbnail, file.caption));

    var signatures = (file.checks || []).filter(function (check) { return check.check.indexOf("signature.") === 0; });
    container.appendChild(el("h3", {}, [t("signature")]));
    container.appendChild(checkTable(signatures));

    container.appendChild(el("h3", {}, [t("watermark")]));
    if (file.watermark) {
      var mark = file.watermark, line = mark.present
        ? t("watermark.found", { p: mark.payload || "", c: mark.confidence.toFixed(2) })
        : t("watermark.absent", { c: mark.confidence.toFixed(2) });
      if (mark.binding) line += "; " + t("watermark.binding", { v: mark.binding.verdict });
      container.appendChild(el("p", {}, [line]));
    }
    container.appendChild(checkTable((file.checks || []).filter(function (check) { return check.check.indexOf("watermark.") === 0; })));

    container.appendChild(el("h3", {}, [t("sites")]));
    var sites = el("table", { "class": "sites" }, [el("thead", {}, [el("tr", {}, [
      el("th", { scope: "col" }, [t("location")]), el("th", { scope: "col" }, [t("offset")]),
      el("th", { scope: "col" }, [t("canonical")]), el("th", { scope: "col" }, [t("label")])])])]);
    var siteRows = el("tbody", {}, []);
    (file.sites || []).forEach(function (site) {
      siteRows.appendChild(el("tr", {}, [el("td", {}, [site.location]), el("td", { "class": "number" }, [site.offset]),
        el("td", {}, [site.canonical ? t("yes") : t("no")]),
        el("td", {}, [el("pre", {}, [site.text]), site.error ? el("p", { "class": "outcome-fail" }, [site.error]) : null])]));
    });
    sites.appendChild(siteRows);
    container.appendChild(sites);

    container.appendChild(el("h3", {}, [t("checks")]));
    container.appendChild(checkTable(file.checks || []));
  }

  function checkTable(checks) {
    var body = el("tbody", {}, []);
    checks.forEach(function (check) {
      body.appendChild(el("tr", {}, [
        el("td", {}, [el("code", {}, [check.check]), " " + checkTitle(check.check)]),
        el("td", { "class": "outcome-" + check.outcome }, [t("outcome." + check.outcome)]),
        el("td", {}, [check.message])]));
    });
    return el("table", { "class": "checks" }, [el("thead", {}, [el("tr", {}, [
      el("th", { scope: "col" }, [t("check")]), el("th", { scope: "col" }, [t("outcome")]), el("th", { scope: "col" }, [t("message")])])]), body]);
  }

  // The picture with the recorded caption's box outlined, scaled from the image's own pixels.
  function picture(thumbnail, caption) {
    var frame = el("figure", { "class": "picture" }, []);
    var image = el("img", { src: thumbnail.src, width: thumbnail.width, height: thumbnail.height, alt: t("thumbnail") }, []);
    frame.appendChild(image);
    if (caption && thumbnail.viewWidth > 0) {
      var scale = thumbnail.width / thumbnail.viewWidth, ns = "http://www.w3.org/2000/svg";
      var svg = document.createElementNS(ns, "svg");
      svg.setAttribute("width", thumbnail.width);
      svg.setAttribute("height", thumbnail.height);
      svg.setAttribute("aria-hidden", "true");
      var box = document.createElementNS(ns, "rect");
      box.setAttribute("x", caption.x * scale);
      box.setAttribute("y", caption.y * scale);
      box.setAttribute("width", Math.max(1, caption.width * scale));
      box.setAttribute("height", Math.max(1, caption.height * scale));
      box.setAttribute("class", "caption-box");
      svg.appendChild(box);
      frame.appendChild(svg);
    }
    frame.appendChild(el("figcaption", {}, [t("thumbnail")]));
    return frame;
  }

  // ---- The scan report: rows read from the page's data chunks, filtered, sorted and paged. ----
  function report() {
    var started = performance.now();
    var strings = [], checkSets = [], rows = [];
    Array.prototype.forEach.call(document.querySelectorAll("script.sl-data"), function (node) {
      var chunk = JSON.parse(node.textContent), i;
      for (i = 0; i < chunk.s.length; i++) strings.push(chunk.s[i]);
      for (i = 0; i < chunk.c.length; i++) checkSets.push(chunk.c[i]);
      for (i = 0; i < chunk.f.length; i++) rows.push(chunk.f[i]);
    });
    // Per set of checks: the checks not passed (for the check filter) and the first problem.
    var setFacts = checkSets.map(function (flat) {
      var failing = {}, problem = "", warning = "";
      for (var i = 0; i < flat.length; i += 3) {
        var id = strings[flat[i]], outcome = strings[flat[i + 1]];
        if (outcome === "fail" || outcome === "error") { failing[id] = true; if (!problem) problem = strings[flat[i + 2]]; }
        else if (outcome === "warn") { failing[id] = true; if (!warning) warning = strings[flat[i + 2]]; }
      }
      return { failing: failing, problem: problem || warning };
    });
    function folder(row) { return strings[row[0]]; }
    function path(row) { return folder(row) + row[1]; }
    function format(row) { return strings[row[2]]; }
    function verdict(row) { return strings[row[3]]; }
    function problem(row) { return row[9] ? row[9] : setFacts[row[4]].problem; }

    function expand(index) {
      var row = rows[index], flat = checkSets[row[4]], checks = [];
      for (var i = 0; i < flat.length; i += 3) checks.push({ check: strings[flat[i]], outcome: strings[flat[i + 1]], message: strings[flat[i + 2]] });
      var label = null;
      if (row[6]) { label = {}; fieldNames.forEach(function (name, at) { label[name] = row[6][at]; }); }
      return {
        path: path(row), format: format(row), verdict: verdict(row), size: row[5], label: label, checks: checks,
        sites: (row[7] || []).map(function (site) { return { location: strings[site[0]], offset: site[1], canonical: site[2] === 1, text: site[3], error: site[4] || null }; }),
        watermark: row[8] ? { present: row[8][0] === 1, confidence: row[8][1], payload: row[8][2], binding: row[8][3] ? { verdict: row[8][3], score: row[8][4], expected: row[8][5] } : null } : null,
        error: row[9] || null,
        thumbnail: row[10] ? { src: row[10][0], width: row[10][1], height: row[10][2], viewWidth: row[10][3], viewHeight: row[10][4] } : null,
        caption: row[11] ? { text: row[11][0], x: row[11][1], y: row[11][2], width: row[11][3], height: row[11][4] } : null,
        digitalSourceType: row[12] || null
      };
    }

    var controls = {
      verdict: document.getElementById("filter-verdict"), format: document.getElementById("filter-format"),
      check: document.getElementById("filter-check"), folder: document.getElementById("filter-folder")
    };
    function fillOptions(select, values, name) {
      values.forEach(function (value) { select.appendChild(el("option", { value: value }, [name(value)])); });
    }
    var seen = { verdict: {}, format: {}, check: {} };
    rows.forEach(function (row) { seen.verdict[verdict(row)] = true; seen.format[format(row)] = true; });
    setFacts.forEach(function (facts) { Object.keys(facts.failing).forEach(function (id) { seen.check[id] = true; }); });
    fillOptions(controls.verdict, verdictOrder.filter(function (v) { return seen.verdict[v]; }), function (v) { return t("verdict." + v); });
    fillOptions(controls.format, Object.keys(seen.format).sort(), function (f) { return f; });
    fillOptions(controls.check, Object.keys(seen.check).sort(), function (id) { return id + " — " + checkTitle(id); });

    var state = { verdict: "", format: "", check: "", folder: "", sort: "verdict", dir: "asc", page: 1, file: null };
    var pageSize = 100, matching = [];
    var body = document.querySelector("#file-table tbody"), detail = document.getElementById("detail");

    function readHash() {
      var values = {};
      location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
        if (!pair) return;
        var at = pair.indexOf("="), name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
        values[name] = at < 0 ? "" : decodeURIComponent(pair.slice(at + 1));
      });
      ["verdict", "format", "check", "folder", "sort", "dir"].forEach(function (name) { if (values[name] !== undefined) state[name] = values[name]; });
      state.page = Math.max(1, parseInt(values.page || "1", 10) || 1);
      state.file = values.file !== undefined && values.file !== "" ? parseInt(values.file, 10) : null;
      controls.verdict.value = state.verdict; controls.format.value = state.format;
      controls.check.value = state.check; controls.folder.value = state.folder;
    }
    function writeHash() {
      var parts = [];
      ["verdict", "format", "check", "folder"].forEach(function (name) { if (state[name]) parts.push(name + "=" + encodeURIComponent(state[name])); });
      if (state.sort !== "verdict" || state.dir !== "asc") parts.push("sort=" + state.sort, "dir=" + state.dir);
      if (state.page > 1) parts.push("page=" + state.page);
      if (state.file !== null) parts.push("file=" + state.file);
      history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
    }

    var sorters = {
      path: function (a, b) { return path(rows[a]) < path(rows[b]) ? -1 : path(rows[a]) > path(rows[b]) ? 1 : 0; },
      format: function (a, b) { return format(rows[a]).localeCompare(format(rows[b])); },
      verdict: function (a, b) { return verdictOrder.indexOf(verdict(rows[a])) - verdictOrder.indexOf(verdict(rows[b])); },
      problem: function (a, b) { return problem(rows[a]).localeCompare(problem(rows[b])); },
      size: function (a, b) { return rows[a][5] - rows[b][5]; }
    };

    function apply() {
      var began = performance.now();
      matching = [];
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i];
        if (state.verdict && verdict(row) !== state.verdict) continue;
        if (state.format && format(row) !== state.format) continue;
        if (state.check && !setFacts[row[4]].failing[state.check]) continue;
        if (state.folder && folder(row).indexOf(state.folder) !== 0) continue;
        matching.push(i);
      }
      var compare = sorters[state.sort] || sorters.verdict, sign = state.dir === "desc" ? -1 : 1;
      matching.sort(function (a, b) { return sign * compare(a, b) || a - b; });
      var pages = Math.max(1, Math.ceil(matching.length / pageSize));
      state.page = Math.min(state.page, pages);
      renderPage(pages);
      Array.prototype.forEach.call(document.querySelectorAll("th button[data-sort]"), function (button) {
        if (button.getAttribute("data-sort") === state.sort) button.setAttribute("aria-sort", state.dir === "desc" ? "descending" : "ascending");
        else button.removeAttribute("aria-sort");
      });
      document.body.setAttribute("data-filter-ms", String(Math.round(performance.now() - began)));
    }

    function renderPage(pages) {
      body.textContent = "";
      var first = (state.page - 1) * pageSize, fragment = document.createDocumentFragment();
      matching.slice(first, first + pageSize).forEach(function (index) {
        var row = rows[index];
        var line = el("tr", { tabindex: "0", "data-index": String(index) }, [
          el("td", { "class": "path" }, [path(row)]), el("td", {}, [format(row)]), el("td", {}, [verdictBadge(verdict(row))]),
          el("td", {}, [problem(row)]), el("td", { "class": "number" }, [bytes(row[5])])]);
        fragment.appendChild(line);
      });
      body.appendChild(fragment);
      var count = document.getElementById("match-count");
      count.textContent = t("matching", { n: matching.length });
      count.setAttribute("data-count", String(matching.length));
      document.getElementById("page-label").textContent = t("page", { p: state.page, q: pages });
      document.getElementById("page-previous").disabled = state.page <= 1;
      document.getElementById("page-next").disabled = state.page >= pages;
    }

    function openFile(index, focus) {
      if (!(index >= 0 && index < rows.length)) return;
      state.file = index;
      writeHash();
      renderDetail(detail, expand(index), closeFile);
      detail.hidden = false;
      if (focus) detail.focus();
    }
    function closeFile() {
      var index = state.file;
      state.file = null;
      detail.hidden = true;
      writeHash();
      var row = body.querySelector('tr[data-index="' + index + '"]');
      if (row) row.focus();
    }

    function changed() { state.page = 1; writeHash(); apply(); }
    controls.verdict.addEventListener("change", function () { state.verdict = controls.verdict.value; changed(); });
    controls.format.addEventListener("change", function () { state.format = controls.format.value; changed(); });
    controls.check.addEventListener("change", function () { state.check = controls.check.value; changed(); });
    controls.folder.addEventListener("input", function () { state.folder = controls.folder.value; changed(); });
    document.getElementById("filters").addEventListener("submit", function (event) { event.preventDefault(); });
    Array.prototype.forEach.call(document.querySelectorAll("th button[data-sort]"), function (button) {
      button.setAttribute("title", t("sort.by", { c: button.textContent }));
      button.addEventListener("click", function () {
        var key = button.getAttribute("data-sort");
        state.dir = state.sort === key && state.dir === "asc" ? "desc" : "asc";
        state.sort = key;
        changed();
      });
    });
    document.getElementById("page-previous").addEventListener("click", function () { state.page -= 1; writeHash(); apply(); });
    document.getElementById("page-next").addEventListener("click", function () { state.page += 1; writeHash(); apply(); });
    body.addEventListener("click", function (event) {
      var line = event.target.closest("tr[data-index]");
      if (line) openFile(parseInt(line.getAttribute("data-index"), 10), true);
    });
    body.addEventListener("keydown", function (event) {
      var line = event.target.closest("tr[data-index]");
      if (!line) return;
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); openFile(parseInt(line.getAttribute("data-index"), 10), true); }
      else if (event.key === "ArrowDown" && line.nextElementSibling) { event.preventDefault(); line.nextElementSibling.focus(); }
      else if (event.key === "ArrowUp" && line.previousElementSibling) { event.preventDefault(); line.previousElementSibling.focus(); }
    });
    detail.addEventListener("keydown", function (event) { if (event.key === "Escape") closeFile(); });
    window.addEventListener("hashchange", function () { readHash(); apply(); if (state.file !== null) openFile(state.file, false); else detail.hidden = true; });

    readHash();
    apply();
    if (state.file !== null) openFile(state.file, false);
    document.body.setAttribute("data-ready-ms", String(Math.round(performance.now() - started)));
    document.body.setAttribute("data-rows", String(rows.length));
  }

  // ---- The service's page: a dropped file is posted to /v1/verify and its answer shown. ----
  function service() {
    var form = document.getElementById("verify-form"), input = document.getElementById("file"), drop = document.getElementById("drop");
    var status = document.getElementById("status"), result = document.getElementById("result");
    function say(message) { status.textContent = message; }
    function verify(file) {
      var token = document.getElementById("token").value.trim();
      if (!token) { say(t("token.needed")); return; }
      say(t("verifying"));
      result.hidden = true;
      var explicit = document.getElementById("explicit").checked ? "true" : "false";
      // The name goes along because Markdown and plain text are known by their extension alone.
      var query = "explicit=" + explicit + "&name=" + encodeURIComponent(file.name || "");
      fetch("/v1/verify?" + query, { method: "POST", headers: { Authorization: "Bearer " + token }, body: file })
        .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
        .then(function (answer) {
          var entry = answer.ok ? answer.body : answer.body.report;
          if (!answer.ok) say(t("request.failed", { m: answer.body.message || answer.body.code || "?" }));
          if (!entry) return;
          if (answer.ok) say("");
          entry.path = file.name;
          show(entry, file);
        })
        .catch(function (error) { say(t("request.failed", { m: String(error) })); });
    }
    function show(entry, file) {
      var finish = function () { renderDetail(result, entry, null); result.hidden = false; document.body.setAttribute("data-verdict", entry.verdict); };
      if (!/^image\/(png|jpeg)$/.test(file.type)) { finish(); return; }
      var url = URL.createObjectURL(file), image = new Image();
      image.addEventListener("load", function () {
        var scale = Math.min(1, 240 / Math.max(image.naturalWidth, image.naturalHeight));
        entry.thumbnail = { src: url, width: Math.round(image.naturalWidth * scale), height: Math.round(image.naturalHeight * scale), viewWidth: image.naturalWidth, viewHeight: image.naturalHeight };
        finish();
      });
      image.addEventListener("error", finish);
      image.src = url;
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); if (input.files[0]) verify(input.files[0]); });
    input.addEventListener("change", function () { if (input.files[0]) verify(input.files[0]); });
    ["dragenter", "dragover"].forEach(function (name) { drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (name) { drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.remove("over"); }); });
    drop.addEventListener("drop", function (event) { if (event.dataTransfer.files[0]) verify(event.dataTransfer.files[0]); });
  }

  if (document.getElementById("file-table")) report();
  if (document.getElementById("verify-form")) service();
})();
