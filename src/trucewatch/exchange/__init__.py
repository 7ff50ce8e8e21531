"""Exchange formats: ACLED and UCDP GED imports, ACLED, CSV, GeoJSON and JSON Lines exports."""
