// ziekenvervoer dispatcher page: show/hide fields, address suggestions, the route map, print.
// Plain JavaScript, no build step; every request goes to this origin only.
"use strict";

(function () {
  // --- fields shown only for some choices: <div data-when="mode" data-is="taxi"> -------------
  function currentValue(name) {
    var checked = document.querySelector('input[name="' + name + '"]:checked');
    if (checked) return checked.value;
    var el = document.querySelector('[name="' + name + '"]');
    return el ? el.value : "";
  }

  function updateConditional() {
    document.querySelectorAll("[data-when]").forEach(function (el) {
      var wanted = el.getAttribute("data-is").split(" ");
      var show = wanted.indexOf(currentValue(el.getAttribute("data-when"))) >= 0;
      el.classList.toggle("hidden", !show);
      el.querySelectorAll("input, select").forEach(function (input) {
        input.disabled = !show;
      });
    });
  }

  // --- suggestions (POST, so a typed address never lands in a URL or a log) ------------------
  var COORDS = /^\s*-?\d+(\.\d+)?\s*[,; ]\s*-?\d+(\.\d+)?\s*$/;

  function setupSuggestions() {
    if (document.body.getAttribute("data-suggest") !== "on") return;
    document.querySelectorAll("input[data-suggest-list]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("data-suggest-list"));
      var timer = null;
      var seq = 0;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        var q = input.value.trim();
        if (q.length < 2 || COORDS.test(q)) {
          list.replaceChildren();
          return;
        }
        timer = setTimeout(function () {
          var mine = ++seq;
          fetch("/api/suggest", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ q: q, limit: 8 }),
          })
            .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
            .then(function (data) {
              if (mine !== seq) return;
              list.replaceChildren();
              // places on the map come first; those off it last, marked: a route cannot be
              // computed to them on this map
              data.suggestions.forEach(function (s) {
                var option = document.createElement("option");
                option.value = s.label;
                option.setAttribute("data-on-map", s.on_map ? "true" : "false");
                if (!s.on_map) option.label = s.label + " (buiten de kaart)";
                list.appendChild(option);
              });
            })
            .catch(function () { /* suggestions are a convenience only */ });
        }, 200);
      });
    });
  }

  // --- map ---------------------------------------------------------------------------------
  function latLngs(geometry) {
    return geometry.coordinates.map(function (c) { return [c[1], c[0]]; });
  }

  function drawMap() {
    var el = document.getElementById("map");
    var dataEl = document.getElementById("route-data");
    if (!el || !dataEl || typeof L === "undefined") return;
    var data = JSON.parse(dataEl.textContent);
    var map = L.map(el, { zoomSnap: 0.25, scrollWheelZoom: false });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Kaartgegevens © OpenStreetMap-bijdragers");
    if (data.tile_url) {
      L.tileLayer(data.tile_url, { attribution: data.tile_attribution || "", maxZoom: 19 }).addTo(map);
    }
    var svg = L.svg({ padding: 0.2 });
    var outbound = L.polyline(latLngs(data.outbound), {
      renderer: svg, color: "#0b5cad", weight: 6, opacity: 0.9, className: "route-out",
    });
    var inbound = L.polyline(latLngs(data.inbound), {
      renderer: svg, color: "#c2410c", weight: 3, opacity: 0.95, dashArray: "6 6", className: "route-back",
    });
    outbound.addTo(map).bindTooltip("heenrit");
    inbound.addTo(map).bindTooltip("terugrit");
    L.circleMarker(data.home, { renderer: svg, radius: 7, color: "#0b5cad", fillColor: "#fff", fillOpacity: 1, weight: 3 })
      .addTo(map).bindTooltip("woonadres (op de weg)");
    L.circleMarker(data.treatment, { renderer: svg, radius: 7, color: "#1b2430", fillColor: "#ffbf47", fillOpacity: 1, weight: 3 })
      .addTo(map).bindTooltip("behandeladres (op de weg)");
    map.fitBounds(outbound.getBounds().extend(inbound.getBounds()), { padding: [24, 24] });
    el.setAttribute("data-route-drawn", "true");

    // the loaded map's own roads as a light background (no tile server needed)
    var styles = {
      major: { color: "#8d99a8", weight: 2.2 },
      minor: { color: "#b3bcc7", weight: 1.1 },
      service: { color: "#cdd3da", weight: 0.7 },
    };
    fetch("/api/network")
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (geo) {
        if (!geo) return;
        var layer = L.geoJSON(geo, {
          renderer: L.canvas({ padding: 0.3 }),
          interactive: false,
          style: function (f) { return styles[f.properties["class"]] || styles.minor; },
        });
        layer.addTo(map);
        layer.bringToBack();
        el.setAttribute("data-network-drawn", "true");
      })
      .catch(function () { /* the route shows without the background */ });

    // the page is narrower or wider on paper: fit the route again
    var bounds = outbound.getBounds().extend(inbound.getBounds());
    function refit() {
      map.invalidateSize();
      map.fitBounds(bounds, { padding: [24, 24], animate: false });
    }
    window.addEventListener("beforeprint", refit);
    window.addEventListener("afterprint", refit);
    if (window.matchMedia) window.matchMedia("print").addEventListener("change", refit);
  }

  // --- print: open the ride list so the handout is complete ------------------------------------
  function setupPrint() {
    var button = document.getElementById("print-button");
    if (button) button.addEventListener("click", function () { window.print(); });
    var closed = [];
    function openAll() {
      closed = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) { return !d.open; });
      closed.forEach(function (d) { d.open = true; });
    }
    function restore() {
      closed.forEach(function (d) { d.open = false; });
      closed = [];
    }
    window.addEventListener("beforeprint", openAll);
    window.addEventListener("afterprint", restore);
    if (window.matchMedia) {
      window.matchMedia("print").addEventListener("change", function (e) {
        if (e.matches) openAll(); else restore();
      });
    }
  }

  function setupProducts() {
    // show only the selected brand's products
    var insurer = document.getElementById("insurer");
    var product = document.getElementById("product");
    if (!insurer || !product) return;
    function filter() {
      Array.prototype.forEach.call(product.options, function (o) {
        var brand = o.getAttribute("data-brand");
        o.hidden = !!brand && brand !== insurer.value;
        if (o.hidden && o.selected) product.value = "";
      });
    }
    insurer.addEventListener("change", filter);
    filter();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.getElementById("quote-form").addEventListener("change", updateConditional);
    updateConditional();
    setupSuggestions();
    setupProducts();
    setupPrint();
    drawMap();
    var result = document.getElementById("result-title");
    if (result && document.getElementById("amounts")) result.scrollIntoView({ block: "nearest" });
  });
})();
