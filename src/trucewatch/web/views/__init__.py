"""One module per kind of page; each is a router of thin handlers over the services."""
