"""The security audit log (等保 安全审计): kept apart from the business tables, append-only, chained with HMAC-SM3
and checkpointed; read and exported only by the audit administrator (see services.py)."""
