"""Actions of the watch: every write goes through these functions (views and tasks call them), each
one audited with ``log_audit``."""
