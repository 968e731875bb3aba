"""Importers: one module per source, each all-or-nothing in one transaction."""
