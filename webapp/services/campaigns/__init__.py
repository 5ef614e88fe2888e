"""Campaigns worked from lead lists: assignment, the queue, attempts, stats and reports."""
