"""Writes of the learning app: a module per topic."""
