"""Users, workspaces, memberships and API tokens."""
