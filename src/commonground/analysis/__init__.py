"""Analyses over the store: coverage, representation, consensus."""
