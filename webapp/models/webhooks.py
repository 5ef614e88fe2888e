"""Webhook endpoints and their delivery attempts."""
