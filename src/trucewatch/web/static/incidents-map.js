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

  var cluster = L.markerClusterGroup({ maxClusterRadius: 40 });
  var markers = [];
  L.geoJSON(data.incidents, {
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, { radius: 7, weight: 1, color: "#222",
        fillColor: COLOURS[f.properties.status] || "#2b6cb0", fillOpacity: 0.9 });
    },
    onEachFeature: function (f, layer) {
      var box = document.createElement("div");
      var link = document.createElement("a");
      link.href = "/incidents/" + f.properties.id;
      link.textContent = "#" + f.properties.id + " " + f.properties.title;
      var meta = document.createElement("div");
      meta.textContent = f.properties.day + " · " + f.properties.status.replace("_", " ");
      box.appendChild(link); box.appendChild(meta);
      layer.bindPopup(box);
      markers.push({ layer: layer, day: f.properties.day });
    }
  });
  markers.forEach(function (m) { cluster.addLayer(m.layer); });
  map.addLayer(cluster);

  var bounds = zones.getBounds();
  if (markers.length) { bounds.extend(cluster.getBounds()); }
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.1), { maxZoom: 11 }); } else { map.setView([35, 38.5], 6.5); }

  if (data.slider && markers.length) { timeSlider(markers, cluster); }

  function timeSlider(markers, cluster) {
    var box = document.getElementById("slider-box");
    var input = document.getElementById("time-slider");
    var label = document.getElementById("slider-day");
    var count = document.getElementById("slider-count");
    if (!box || !input) { return; }
    var days = markers.map(function (m) { return m.day; }).sort();
    var unique = days.filter(function (d, i) { return i === 0 || d !== days[i - 1]; });
    input.max = String(unique.length - 1);
    input.value = input.max;
    box.hidden = false;
    function show() {
      var upto = unique[Number(input.value)];
      label.textContent = upto;
      cluster.clearLayers();
      var shown = markers.filter(function (m) { return m.day <= upto; });
      shown.forEach(function (m) { cluster.addLayer(m.layer); });
      count.textContent = shown.length + " of " + markers.length + " incidents";
    }
    input.addEventListener("input", show);
    show();
  }
})();
