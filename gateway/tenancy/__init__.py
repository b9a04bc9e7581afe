"""Organisations, people and API clients, their roles and keys."""
