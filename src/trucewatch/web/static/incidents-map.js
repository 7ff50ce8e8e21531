// Draw the truce zones and the incidents; no tiles are fetched: the map works offline.
(function () {
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var map = L.map("map", { attributionControl: false, maxZoom: 16 });
  var zones = L.geoJSON(data.zones, {
    style: { color: "#8a5a00", weight: 2, fillOpacity: 0.08 },
    onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name); }
  }).addTo(map);
  var cluster = L.markerClusterGroup();
  L.geoJSON(data.incidents, {
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, { radius: 7, weight: 1, color: "#222",
        fillColor: f.properties.status === "under_review" ? "#d9822b" : "#2b6cb0", fillOpacity: 0.9 });
    },
    onEachFeature: function (f, layer) {
      var el = document.createElement("span");
      el.textContent = "#" + f.properties.id + " " + f.properties.title + " (" + f.properties.status + ")";
      layer.bindPopup(el);
    }
  }).eachLayer(function (l) { cluster.addLayer(l); });
  map.addLayer(cluster);
  var bounds = zones.getBounds();
  if (cluster.getLayers().length) { bounds.extend(cluster.getBounds()); }
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.1)); } else { map.setView([35, 38], 6); }
})();
