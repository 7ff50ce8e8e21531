"""The web application: server-rendered pages over the services (thin)."""
