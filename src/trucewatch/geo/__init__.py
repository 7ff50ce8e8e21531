"""Places: coordinates, their precision, and GeoJSON zones."""
