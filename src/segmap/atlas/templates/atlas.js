/* segmap atlas: the page's own script. It reads the figures from the JSON block #atlas-data, puts every text
   into the page with textContent (never as HTML), and drives the Bokeh map through BokehJS's document API:
   indicator switch, search, region view, table view, keyboard zoom and pan. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("atlas-data").textContent);
  var T = data.texts;
  var M = data.municipalities;
  var byId = function (id) { return document.getElementById(id); };
  var el = function (tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  };
  var normalise = function (text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLocaleLowerCase().trim();
  };
  var keys = M.name.map(normalise);
  var state = { indicator: data.indicators[0].key, selected: -1, source: null, plot: null, view: null };

  function fieldIndex(field) {
    for (var i = 0; i < data.fields.length; i++) if (data.fields[i].field === field) return i;
    return -1;
  }

  /* ---------------------------------------------------------------- figures (details, region view) */
  function fillFigures(dl, name, regionName, figures) {
    dl.textContent = "";
    dl.appendChild(el("dt", T.municipality));
    var nameNode = el("dd", name, "name");
    nameNode.setAttribute("data-field", "name");
    dl.appendChild(nameNode);
    if (regionName !== null) {
      dl.appendChild(el("dt", T.field_region));
      dl.appendChild(el("dd", regionName));
    }
    figures.forEach(function (text, i) {
      if (text === null) return;
      dl.appendChild(el("dt", data.fields[i].label));
      var dd = el("dd", text);
      dd.setAttribute("data-field", data.fields[i].field);
      dl.appendChild(dd);
    });
    dl.hidden = false;
  }

  function showMunicipality(i, zoom) {
    state.selected = i;
    fillFigures(byId("details-figures"), M.name[i], data.regions[M.region[i]] ? data.regions[M.region[i]].name : "",
                M.figures[i]);
    var indicator = currentIndicator();
    var entry = indicator.legend[indicator.entries[i]];
    var dl = byId("details-figures");
    dl.appendChild(el("dt", T.class_label));
    var dd = el("dd", entry.label);
    dd.setAttribute("data-field", "map_class");
    dl.appendChild(dd);
    byId("details-empty").hidden = true;
    if (state.source && zoom !== false) {
      if (state.source.selected.indices.length !== 1 || state.source.selected.indices[0] !== i) {
        state.source.selected.indices = [i];
      }
      if (zoom) fitBox(M.box[i], 3);  /* with its neighbours around it */
    }
  }

  /* ---------------------------------------------------------------- indicator, legend, alt text */
  function currentIndicator() {
    for (var i = 0; i < data.indicators.length; i++) if (data.indicators[i].key === state.indicator) return data.indicators[i];
    return data.indicators[0];
  }

  /* the same as content.hover_texts: the value; value and label where grey; the label where undefined */
  function hoverTexts(indicator) {
    return indicator.entries.map(function (e, i) {
      var value = indicator.values[i], label = indicator.legend[e].label;
      return value && e === indicator.muted_entry ? value + " · " + label : (value || label);
    });
  }

  function showIndicator(key) {
    state.indicator = key;
    var indicator = currentIndicator();
    byId("map-title").textContent = indicator.title;
    byId("legend-title").textContent = indicator.legend_title;
    byId("caption").textContent = indicator.caption;
    byId("map-alt").textContent = T.map_alt.replace("%(map)s", indicator.title);
    var list = byId("legend-items");
    list.textContent = "";
    indicator.legend.forEach(function (item) {
      var li = el("li");
      var swatch = el("span", null, "swatch" + (item.pattern === "/" ? " hatched" : item.pattern ? " dotted" : ""));
      swatch.style.backgroundColor = item.color;
      swatch.setAttribute("aria-hidden", "true");
      li.appendChild(swatch);
      li.appendChild(el("span", item.label + " (" + item.count + ")"));
      list.appendChild(li);
    });
    if (state.source) {  /* BokehJS's way to change columns in place: assign, then emit the change */
      var d = state.source.data;
      d.fill = indicator.entries.map(function (e) { return indicator.legend[e].color; });
      d.hover = hoverTexts(indicator);
      state.source.change.emit();
      state.hatching.forEach(function (layer) {  /* tags[0]: the column of each indicator (shared when equal) */
        var column = layer.tags[0][key];
        layer.data.xs = layer.data["xs_" + column];
        layer.data.ys = layer.data["ys_" + column];
        layer.change.emit();
      });
    }
    if (state.selected >= 0) showMunicipality(state.selected, false);
  }

  function buildIndicators() {
    var fieldset = byId("indicators");
    data.indicators.forEach(function (indicator, i) {
      var label = el("label");
      var input = el("input");
      input.type = "radio";
      input.name = "indicator";
      input.value = indicator.key;
      input.id = "indicator-" + indicator.key;
      input.checked = i === 0;
      input.addEventListener("change", function () { if (input.checked) showIndicator(indicator.key); });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + indicator.title));
      fieldset.appendChild(label);
    });
  }

  /* ---------------------------------------------------------------- search */
  function search(query) {
    var q = normalise(query);
    if (!q) return [];
    var starts = [], contains = [];
    for (var i = 0; i < keys.length; i++) {
      var position = keys[i].indexOf(q);
      if (position === 0) starts.push(i); else if (position > 0) contains.push(i);
    }
    var byName = function (a, b) { return M.name[a].localeCompare(M.name[b], data.lang); };
    return starts.sort(byName).concat(contains.sort(byName)).slice(0, 12);
  }

  function buildSearch() {
    var input = byId("search"), list = byId("matches"), none = byId("no-match");
    var results = [], active = -1;
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
    function choose(i) { close(); input.value = M.name[i]; showMunicipality(i, true); }
    function mark(n) {
      active = n;
      Array.prototype.forEach.call(list.children, function (li, k) { li.setAttribute("aria-selected", k === n ? "true" : "false"); });
      if (n >= 0) { input.setAttribute("aria-activedescendant", "match-" + n); list.children[n].scrollIntoView({ block: "nearest" }); }
    }
    input.addEventListener("input", function () {
      results = search(input.value);
      list.textContent = "";
      results.forEach(function (i, n) {
        var li = el("li");
        li.id = "match-" + n;
        li.setAttribute("role", "option");
        li.setAttribute("data-code", M.code[i]);
        li.appendChild(el("span", M.name[i], "name"));
        li.appendChild(el("span", data.regions[M.region[i]] ? data.regions[M.region[i]].name : "", "region"));
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
      none.hidden = results.length > 0 || !input.value.trim();
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      mark(results.length ? 0 : -1);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && results.length) { mark(Math.min(active + 1, results.length - 1)); event.preventDefault(); }
      else if (event.key === "ArrowUp" && results.length) { mark(Math.max(active - 1, 0)); event.preventDefault(); }
      else if (event.key === "Enter" && results.length) { choose(results[Math.max(active, 0)]); event.preventDefault(); }
      else if (event.key === "Escape") close();
    });
    input.addEventListener("blur", function () { setTimeout(function () { if (document.activeElement !== input) close(); }, 150); });
  }

  /* ---------------------------------------------------------------- tables */
  var TABLE_FIELDS = ["pupils_group", "group_share", "dissimilarity_adjusted", "isolation", "status"];
  function headerRow(table, first) {
    var thead = el("thead"), tr = el("tr");
    first.forEach(function (text) { tr.appendChild(el("th", text)); });
    TABLE_FIELDS.concat(data.has_change ? ["dissimilarity_adjusted_change"] : []).forEach(function (field) {
      var k = fieldIndex(field);
      if (k >= 0) tr.appendChild(el("th", data.fields[k].short, field === "status" ? "status" : "num"));
    });
    thead.appendChild(tr);
    table.appendChild(thead);
  }
  function municipalityRow(i, withRegion) {
    var tr = el("tr"), td = el("td"), button = el("button", M.name[i]);
    button.type = "button";
    button.addEventListener("click", function () { showMunicipality(i, true); byId("map").focus({ preventScroll: true }); });
    td.appendChild(button);
    tr.appendChild(el("td", M.code[i]));
    tr.appendChild(td);
    if (withRegion) tr.appendChild(el("td", data.regions[M.region[i]] ? data.regions[M.region[i]].name : ""));
    TABLE_FIELDS.concat(data.has_change ? ["dissimilarity_adjusted_change"] : []).forEach(function (field) {
      var k = fieldIndex(field);
      if (k < 0) return;
      var text = M.figures[i][k];
      var cell = el("td", text === null ? "" : text, field === "status" ? "status" : "num");
      cell.setAttribute("data-field", field);
      tr.appendChild(cell);
    });
    return tr;
  }
  function sortedMunicipalities(filter) {
    var rows = [];
    for (var i = 0; i < M.name.length; i++) if (filter(i)) rows.push(i);
    return rows.sort(function (a, b) { return M.name[a].localeCompare(M.name[b], data.lang); });
  }

  /* the chosen region's border drawn thick (row `line` of the region_lines source; -1: none) */
  function highlightRegion(line) {
    if (!state.highlight) return;
    var lines = state.regionLines.data;
    state.highlight.data = line >= 0 ? { xs: [lines.xs[line]], ys: [lines.ys[line]] } : { xs: [], ys: [] };
  }

  function showRegion(r) {
    var table = byId("region-table");
    table.textContent = "";
    if (r < 0) {
      highlightRegion(-1);
      byId("region-figures").hidden = true; table.hidden = true; byId("region-empty").hidden = false;
      fitBox(data.extent, 1.05);
      return;
    }
    var region = data.regions[r];
    highlightRegion(region.line);
    fillFigures(byId("region-figures"), region.name, null, region.figures);
    byId("region-figures").firstChild.textContent = T.region;
    byId("region-empty").hidden = true;
    headerRow(table, [data.code_label, T.municipality]);
    var body = el("tbody");
    sortedMunicipalities(function (i) { return M.region[i] === r; }).forEach(function (i) { body.appendChild(municipalityRow(i, false)); });
    table.appendChild(body);
    table.hidden = false;
    fitBox(region.box, 1.05);
  }

  function buildRegions() {
    var select = byId("region-select");
    var all = el("option", T.all_regions);
    all.value = "-1";
    select.appendChild(all);
    data.regions.map(function (region, r) { return r; })
      .sort(function (a, b) { return data.regions[a].name.localeCompare(data.regions[b].name, data.lang); })
      .forEach(function (r) { var option = el("option", data.regions[r].name); option.value = String(r); select.appendChild(option); });
    select.addEventListener("change", function () { showRegion(parseInt(select.value, 10)); });
    (data.insets || []).forEach(function (inset) {
      var button = el("button", T.zoom_to + " " + inset.label);
      button.type = "button";
      button.addEventListener("click", function () { fitBox(inset.box, 1.05); });
      byId("zoom-buttons").appendChild(button);
    });
  }

  function buildAllTable() {
    var table = byId("all-table");
    if (table.childNodes.length) return;
    headerRow(table, [data.code_label, T.municipality, T.field_region]);
    var body = el("tbody");
    sortedMunicipalities(function () { return true; }).forEach(function (i) { body.appendChild(municipalityRow(i, true)); });
    table.appendChild(body);
  }

  /* ---------------------------------------------------------------- map: zoom and pan */
  function frameSize() {
    var node = byId("map");
    return [Math.max(node.clientWidth - 40, 50), Math.max(node.clientHeight - 10, 50)];
  }
  function setRanges(cx, cy, halfWidth, halfHeight) {
    if (!state.plot) return;
    var size = frameSize(), aspect = size[0] / size[1];
    if (halfWidth / halfHeight < aspect) halfWidth = halfHeight * aspect; else halfHeight = halfWidth / aspect;
    state.plot.x_range.setv({ start: cx - halfWidth, end: cx + halfWidth });
    state.plot.y_range.setv({ start: cy - halfHeight, end: cy + halfHeight });
  }
  /* show `box` grown by `margin` (1.05: a region or the country filling the map) */
  function fitBox(box, margin) {
    var w = (box[2] - box[0]) / 2, h = (box[3] - box[1]) / 2;
    var minimum = Math.max(data.extent[2] - data.extent[0], data.extent[3] - data.extent[1]) / 30;
    setRanges((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, Math.max(w * margin, minimum), Math.max(h * margin, minimum));
  }
  function zoomBy(factor) {
    if (!state.plot) return;
    var x = state.plot.x_range, y = state.plot.y_range;
    setRanges((x.start + x.end) / 2, (y.start + y.end) / 2, (x.end - x.start) / 2 * factor, (y.end - y.start) / 2 * factor);
  }
  function panBy(dx, dy) {
    if (!state.plot) return;
    var x = state.plot.x_range, y = state.plot.y_range;
    var sx = (x.end - x.start) * dx, sy = (y.end - y.start) * dy;
    x.setv({ start: x.start + sx, end: x.end + sx });
    y.setv({ start: y.start + sy, end: y.end + sy });
  }
  function buildKeys() {
    byId("zoom-in").addEventListener("click", function () { zoomBy(0.6); });
    byId("zoom-out").addEventListener("click", function () { zoomBy(1 / 0.6); });
    byId("reset").addEventListener("click", function () { byId("region-select").value = "-1"; showRegion(-1); });
    byId("map").addEventListener("keydown", function (event) {
      var handled = true;
      switch (event.key) {
        case "ArrowLeft": panBy(-0.15, 0); break;
        case "ArrowRight": panBy(0.15, 0); break;
        case "ArrowUp": panBy(0, 0.15); break;
        case "ArrowDown": panBy(0, -0.15); break;
        case "+": case "=": zoomBy(0.6); break;
        case "-": case "_": zoomBy(1 / 0.6); break;
        case "0": fitBox(data.extent, 1.05); break;
        default: handled = false;
      }
      if (handled) event.preventDefault();
    });
    byId("table-view").addEventListener("toggle", function () { if (byId("table-view").open) buildAllTable(); });
  }

  /* ---------------------------------------------------------------- Bokeh document */
  function connect() {
    var doc = window.Bokeh && Bokeh.documents && Bokeh.documents[0];
    if (!doc) { window.requestAnimationFrame(connect); return; }
    state.source = doc.get_model_by_name("municipalities");
    state.plot = doc.get_model_by_name("map");
    state.highlight = doc.get_model_by_name("region_highlight");
    state.regionLines = doc.get_model_by_name("region_lines");
    state.hatching = [];
    for (var n = 0; doc.get_model_by_name("hatching_" + n); n++) state.hatching.push(doc.get_model_by_name("hatching_" + n));
    if (!state.source || !state.plot) { window.requestAnimationFrame(connect); return; }
    state.source.selected.properties.indices.change.connect(function () {
      var indices = state.source.selected.indices;
      if (!indices.length) return;
      var area = function (i) { var b = M.box[i]; return (b[2] - b[0]) * (b[3] - b[1]); };
      var best = indices.reduce(function (a, b) { return area(b) < area(a) ? b : a; });  /* an enclave, not its surround */
      if (best !== state.selected) showMunicipality(best, false);
    });
    showIndicator(state.indicator);
    fitBox(data.extent, 1.05);
    window.addEventListener("resize", function () { zoomBy(1); });
    var ready = function () {
      if (!doc.is_idle) { window.requestAnimationFrame(ready); return; }
      document.body.setAttribute("data-ready", String(Math.round(performance.now())));
    };
    ready();
  }

  byId("subtitle").textContent = data.subtitle;
  byId("source").textContent = data.source;
  buildIndicators();
  buildSearch();
  buildRegions();
  buildKeys();
  showIndicator(state.indicator);
  connect();
})();
