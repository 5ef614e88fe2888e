"""The events outbox: writing events in the caller's transaction, and kicking the relay."""
