// Small enhancements of the forms: pick a report's point on the map; one submit per form.
(function () {
  var map = window.trucewatchMap;
  var lat = document.getElementById("latitude");
  var lon = document.getElementById("longitude");
  if (map && lat && lon) {
    document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    var marker = null;
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 8, color: "#c0392b" }).addTo(map); }
    }
    if (lat.value && lon.value && !isNaN(+lat.value) && !isNaN(+lon.value)) { place([+lat.value, +lon.value]); }
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(5);
      lon.value = e.latlng.lng.toFixed(5);
      place(e.latlng);
    });
  }
  // A second click while the first submission is on its way sends nothing (the idempotency
  // key would make it harmless anyway).
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (form.dataset.sent) { e.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
})();
