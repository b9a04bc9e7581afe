"""Simulated authorities and counterparties, built from their real contracts (never a domain)."""
