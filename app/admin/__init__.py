"""Administration start page, process versions and the audit of changes."""
