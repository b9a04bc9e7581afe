"""Simulated authorities on loopback, built from their real contracts."""
