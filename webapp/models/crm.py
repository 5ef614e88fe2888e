"""Contacts and accounts that a lead converts into (filled in by the lead-page work)."""
