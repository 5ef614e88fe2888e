"""CSV and .xlsx imports: reading files, mapping columns, writing leads in batches, revert."""
