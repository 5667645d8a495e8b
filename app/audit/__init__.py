"""Audit of administrative changes (kernel: every feature that administers something records here)."""
