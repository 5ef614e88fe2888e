"""Figures about the lead pipeline: the dashboard's aggregates and the weekly topic trends."""
