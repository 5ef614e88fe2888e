"""Lead lists and their members."""
