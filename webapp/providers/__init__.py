"""Adapters for the outside world: small httpx/smtplib clients with timeouts."""
