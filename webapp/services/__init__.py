"""Domain logic: plain functions over a session and a workspace (or ids).

A service never sees Flask's `request` or `current_user`; it takes what it needs
as arguments, so a view, an API handler, a job, a CLI command or a test can call
it alike.

Transactions: services never commit (nor roll back). The caller that owns the
unit of work does: the view or API handler once the request's changes are made,
the job after each step it wants kept, the CLI command at its end. A service may
flush (to get ids, or to let the database check a constraint) but leaves the
transaction open, so callers compose several calls into one transaction and a
rollback undoes them all. A change that others subscribe to writes its outbox
event in that same transaction (services/events/outbox.py).

Where a step must be visible to other processes before the work goes on, the
caller commits it as a step of its own, and the service's docstring says so:
an idempotency key's claim (services/capture/idempotency.py, committed by the
capture view before the capture), a webhook delivery's claim (committed by the
relay job before its HTTP call, webapp/jobs/events.py).

One opt-in exception: a caller with nothing else in its transaction may ask
`leads.insert.insert_new_lead(..., on_its_own=True)` to store a new lead as a
single self-committing statement (public capture's fast path; see that module).

Services refuse with the exceptions in services/errors.py (NotFound,
ValidationFailed with {field: reason}, Conflict); webapp/errors.py turns them
into 404, 422 and 409 for every view.
"""
