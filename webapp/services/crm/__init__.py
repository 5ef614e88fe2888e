"""Contacts and accounts: what converting a lead makes, and their pages."""
