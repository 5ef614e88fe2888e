"""Webhook endpoints, their URLs, and delivering events to them."""
