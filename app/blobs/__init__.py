"""Stored files (attachments, kept uploads, generated reports) by their sha256, in the store the configuration
names: a local folder (the embedded default) or the database (every app server of a cluster reads the same
files). See store.py."""
