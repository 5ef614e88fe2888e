"""API tokens (stored hashed)."""
