"""Registrations (filled below)."""
