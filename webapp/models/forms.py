"""Capture forms, their spam quarantine and idempotency keys."""
