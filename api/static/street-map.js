// The street map (Leaflet, static/vendor/leaflet) over a page's SVG route picture, where the settings name
// a tile server (api/street_maps.py puts the routes in the container's data-routes). The SVG stays the
// map until the first tile arrives; a tile that fails before any has arrived, no tile in time (offline,
// a server that does not answer), or no Leaflet at all leave the SVG as it was.
(function () {
  "use strict";
  var WAIT_MS = 8000;

  function escapeHtml(value) {
    var box = document.createElement("div");
    box.textContent = value || "";
    return box.innerHTML;
  }

  // Popups are built as elements from text: nothing the data holds is ever read as markup. The first
  // line opens the job's page where the data gives one on this site.
  function popup(lines, url) {
    var box = document.createElement("div");
    box.className = "street-map-popup";
    lines.filter(Boolean).forEach(function (line, index) {
      var row = document.createElement(index === 0 ? "strong" : "div");
      if (index === 0 && typeof url === "string" && /^\/[^\/\\]/.test(url)) {
        var link = document.createElement("a");
        link.href = url;
        link.textContent = line;
        row.appendChild(link);
      } else {
        row.textContent = line;
      }
      box.appendChild(row);
    });
    return box;
  }

  // Which colour is whose, as the SVG's legend says, where more than one route shares the map.
  function legend(data, texts) {
    var control = L.control({position: "topright"});
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "street-map-legend");
      data.routes.forEach(function (route) {
        var row = L.DomUtil.create("div", "", box);
        var swatch = L.DomUtil.create("span", "swatch", row);
        swatch.style.background = route.colour;
        row.appendChild(document.createTextNode(route.name + " — " + (route.stops.length === 1 ? texts.stop : texts.stops.replace("{n}", route.stops.length))));
      });
      if (data.unassigned.length) {
        L.DomUtil.create("div", "left-out", box).textContent =
          "\u2715 " + texts.not_assigned.replace("{n}", data.unassigned.length);
      }
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return control;
  }

  function draw(box) {
    var fallback = document.getElementById(box.dataset.fallback);
    var data, texts;
    try {
      data = JSON.parse(box.dataset.routes);
      texts = JSON.parse(box.dataset.texts);
    } catch (e) { return; }
    if (!window.L) return;
    var settled = false, map = null;

    function giveUp() {
      if (settled) return;
      settled = true;
      if (map) map.remove();
      box.hidden = true;
      box.dataset.state = "failed";
      if (fallback) fallback.hidden = false;
    }
    function shown() {
      if (settled) return;
      settled = true;
      box.dataset.state = "ready";
      if (fallback) fallback.hidden = true;
    }

    box.hidden = false;  // Leaflet measures its container when it starts
    try {
      map = L.map(box, {zoomControl: false});
      L.control.zoom({zoomInTitle: texts.zoom_in, zoomOutTitle: texts.zoom_out}).addTo(map);
      if (data.routes.length > 1 || data.unassigned.length) legend(data, texts).addTo(map);
      var tiles = L.tileLayer(box.dataset.tiles, {maxZoom: Number(box.dataset.maxZoom) || 19,
                                                  attribution: escapeHtml(box.dataset.attribution)});
      tiles.on("tileload", shown);
      tiles.on("tileerror", giveUp);  // after the first tile, a missing one is only a grey square
      setTimeout(giveUp, WAIT_MS);

      var bounds = data.unassigned.map(function (stop) { return [stop.lat, stop.lon]; });
      data.routes.forEach(function (route) {
        bounds.push(route.start);
        route.stops.forEach(function (stop) { bounds.push([stop.lat, stop.lon]); });
      });
      // A view first: markers are placed (and get their element) only on a map that has one.
      map.fitBounds(bounds, {padding: [28, 28], maxZoom: 15});

      data.routes.forEach(function (route) {
        var path = [route.start].concat(route.stops.map(function (stop) { return [stop.lat, stop.lon]; }));
        if (path.length > 1) L.polyline(path, {color: route.colour, weight: 4, opacity: 0.85}).addTo(map);
        L.circleMarker(route.start, {radius: 6, color: "#222", weight: 1, fillColor: route.colour, fillOpacity: 1})
          .bindPopup(popup([route.name, texts.start])).addTo(map);
        route.stops.forEach(function (stop) {
          var marker = L.marker([stop.lat, stop.lon], {
            title: stop.job,
            icon: L.divIcon({className: "stop-marker", html: String(Number(stop.n)), iconSize: [26, 26]})
          }).addTo(map);
          marker.getElement().style.borderColor = route.colour;
          marker.bindPopup(popup([stop.n + " · " + stop.job, stop.eta ? texts.eta.replace("{time}", stop.eta) : "",
                                  stop.customer, data.routes.length > 1 ? route.name : ""], stop.url));
        });
      });
      data.unassigned.forEach(function (stop) {
        L.marker([stop.lat, stop.lon], {
          title: stop.job,
          icon: L.divIcon({className: "unassigned-marker", html: "\u2715", iconSize: [22, 22]})
        }).bindPopup(popup([stop.job, texts.unassigned], stop.url)).addTo(map);
      });
      tiles.addTo(map);
    } catch (e) {
      giveUp();
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".street-map[data-routes]"), draw);
})();
