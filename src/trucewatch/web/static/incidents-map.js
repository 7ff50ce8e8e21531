// The map of every page: an offline basemap (countries, governorates), the truce zones, the
// incidents in clusters, and on the map page a time slider. No tiles: nothing leaves the server.
(function () {
  var holder = document.getElementById("map");
  var source = document.getElementById("map-data");
  if (!holder || !source || !window.L) { return; }
  var data = JSON.parse(source.textContent);
  var map = L.map(holder, { attributionControl: false, maxZoom: 16, zoomSnap: 0.25 });
  window.trucewatchMap = map;
  map.createPane("basemap").style.zIndex = 250;
  // The words the map says, in the page's language (_leaflet_scripts.html), English without them.
  var WORDS = { statuses: {}, incidents: "Incidents: {count}" };
  var given = document.getElementById("map-words");
  if (given) { WORDS = JSON.parse(given.textContent); }
  var COLOURS = { open: "#6b7280", under_review: "#d9822b", confirmed: "#c0392b",
                  not_confirmed: "#2b6cb0", disputed: "#8e44ad", closed: "#444" };

  (data.basemap || []).forEach(function (url, i) {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (geo) {
        L.geoJSON(geo, { pane: "basemap", interactive: false, style: function (f) {
          return i === 0
            ? { color: "#8a8f94", weight: 1, fillColor: f.properties.focus ? "#fffdf5" : "#eceae4", fillOpacity: 1 }
            : { color: "#b7b2a6", weight: 0.7, dashArray: "3 3", fill: false };
        } }).addTo(map);
      }).catch(function () { /* the map still works without its basemap */ });
  });

  var zones = L.geoJSON(data.zones, {
    style: { color: "#8a5a00", weight: 2, fillOpacity: 0.08 },
    onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name); }
  }).addTo(map);

  if (data.clusters) {  // the server counts the clusters: right at any number of incidents
    serverClusters(data.clusters, data.days);
    var area = zones.getBounds();
    if (area.isValid()) { map.fitBounds(area.pad(0.1), { maxZoom: 11 }); } else { map.setView([35, 38.5], 6.5); }
    return;
  }

  var cluster = L.markerClusterGroup({ maxClusterRadius: 40 });
  var markers = [];
  L.geoJSON(data.incidents, {
    pointToLayer: function (f, latlng) { return dot(latlng, f.properties.status); },
    onEachFeature: function (f, layer) { layer.bindPopup(popup(f.properties)); }
  }).eachLayer(function (layer) { markers.push(layer); });
  markers.forEach(function (m) { cluster.addLayer(m); });
  map.addLayer(cluster);

  var bounds = zones.getBounds();
  if (markers.length) { bounds.extend(cluster.getBounds()); }
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.1), { maxZoom: 11 }); } else { map.setView([35, 38.5], 6.5); }

  function dot(latlng, status) {
    return L.circleMarker(latlng, { radius: 7, weight: 1, color: "#222",
      fillColor: COLOURS[status] || "#2b6cb0", fillOpacity: 0.9 });
  }

  function popup(p) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = "/incidents/" + p.id;
    link.textContent = "#" + p.id + " " + p.title;
    var meta = document.createElement("div");
    meta.textContent = p.day + " · " + (WORDS.statuses[p.status] || p.status.replace("_", " "));
    box.appendChild(link); box.appendChild(meta);
    return box;
  }

  // Clusters from /map/clusters for the view (bbox, zoom, the page's filters); a cell of one
  // incident is drawn as its dot. The time slider asks again with date_to set to its day.
  function serverClusters(url, days) {
    var layer = L.layerGroup().addTo(map);
    var upto = null, asked = 0;
    var slider = days ? timeSlider(days, function (day) { upto = day; refresh(); }) : null;
    function refresh() {
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) {
        return v.toFixed(5); }).join(",");
      var query = "bbox=" + bbox + "&zoom=" + Math.round(map.getZoom());
      if (upto) { query += "&date_to=" + upto; }
      var ask = ++asked;
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + query, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (ask !== asked || !body.clusters) { return; }
          layer.clearLayers();
          body.clusters.forEach(function (c) {
            var at = L.latLng(c.lat, c.lon);
            if (c.count === 1 && c.id) { dot(at, c.status).bindPopup(popup(c)).addTo(layer); return; }
            var size = c.count < 10 ? 30 : c.count < 1000 ? 40 : 50;
            var kind = c.count < 10 ? "small" : c.count < 1000 ? "medium" : "large";
            var label = document.createElement("div");
            var text = document.createElement("span");
            text.textContent = String(c.count);
            label.appendChild(text);
            L.marker(at, { icon: L.divIcon({ html: label, className: "marker-cluster marker-cluster-" + kind,
                                             iconSize: L.point(size, size) }), title: WORDS.incidents.replace("{count}", c.count) })
              .on("click", function () { map.setView(at, Math.min(map.getZoom() + 2, 16)); })
              .addTo(layer);
          });
          if (slider) { slider(body.total); }
        }).catch(function () { /* the table below still lists the incidents */ });
    }
    map.on("moveend", refresh);
    map.whenReady(refresh);
  }

  function timeSlider(days, changed) {
    var box = document.getElementById("slider-box");
    var input = document.getElementById("time-slider");
    var label = document.getElementById("slider-day");
    var count = document.getElementById("slider-count");
    if (!box || !input) { return null; }
    var first = Date.parse(days[0] + "T00:00:00Z"), last = Date.parse(days[1] + "T00:00:00Z");
    var span = Math.round((last - first) / 86400000);
    input.max = String(span);
    input.value = input.max;
    box.hidden = false;
    function day() { return new Date(first + Number(input.value) * 86400000).toISOString().slice(0, 10); }
    label.textContent = day();
    var timer = null;
    input.addEventListener("input", function () {
      label.textContent = day();
      clearTimeout(timer);
      timer = setTimeout(function () { changed(day()); }, 150);
    });
    // The sentence in the page's language (map.html), English if it is missing.
    var text = count.dataset.text || "Incidents on the map up to {day}: {count}";
    return function (total) { count.textContent = text.replace("{count}", total).replace("{day}", day()); };
  }
})();
