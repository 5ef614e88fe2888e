"""Lead merges, kept so a merge can be undone (filled in by the dedupe work)."""
