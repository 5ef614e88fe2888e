"""Domain logic: plain functions over a session and a workspace."""
