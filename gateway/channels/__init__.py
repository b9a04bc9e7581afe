"""Channels: how a submission reaches its recipient, behind one small interface."""
