"""Leads: creating, validating, changing, listing, merging, converting and exporting them."""
