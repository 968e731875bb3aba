"""Routers: pages (HTML) and the JSON API."""
