"""The audit log in words: a label for each action, and each row as a sentence.

A sentence is a list of parts, each plain text or a named object (``Ref``) that the
page links (a lead, a person, a list, a form…). Names are resolved beforehand, for a
whole page at once (services/audit_log.resolve_names); a deleted object reads from
what the audit row kept of it, else as "a deleted lead".
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.templating import field_label, humanize, isolated

# action: (label for the filter, sentence after the actor's name)
# In a sentence, {object} is the row's object, {<key>} a value of its details, and
# {other}/{kept} the two leads of a merge.
ACTIONS = {
    "lead.viewed": ("Viewed a lead", "viewed {object}"),
    "lead.deleted": ("Deleted a lead", "deleted {object}"),
    "leads.deleted": ("Deleted leads", "deleted {count}"),
    "leads.exported": ("Exported leads", "exported {count} to CSV"),
    "leads.merged": ("Merged leads", "merged {other} into {kept}"),
    "leads.merge_undone": ("Undid a merge", "undid the merge of {other} into {kept}"),
    "list.members_added": ("Added leads to a list", "added {count} to the list {object}"),
    "list.members_removed": (
        "Removed leads from a list",
        "removed {count} from the list {object}",
    ),
    "list.members_copied": (
        "Copied leads between lists",
        "copied {count} from the list {object} to {target}",
    ),
    "list.members_moved": (
        "Moved leads between lists",
        "moved {count} from the list {object} to {target}",
    ),
    "list.created": ("Created a list", "created the list {object}"),
    "api.list.members_read": (
        "Read a list's members (API)",
        "read {count} of the list {object} through the API",
    ),
    "list.updated": ("Changed a list", "changed the list {object}"),
    "list.archived": ("Archived a list", "archived the list {object}"),
    "list.unarchived": ("Unarchived a list", "brought the list {object} back from the archive"),
    "list.deleted": ("Deleted a list", "deleted the list {object}"),
    "contact.viewed": ("Viewed a contact", "viewed the contact {object}"),
    "api.lead.viewed": ("Viewed a lead (API)", "viewed {object} through the API"),
    "api.leads.listed": ("Listed leads (API)", "listed {count} through the API"),
    "member.added": ("Added a member", "added {object} to the workspace as {role}"),
    "member.role_changed": (
        "Changed a member's role",
        "changed the role of {object} from {old_role} to {role}",
    ),
    "member.deactivated": ("Deactivated a member", "deactivated {object}"),
    "member.reactivated": ("Reactivated a member", "reactivated {object}"),
    "api_token.created": ("Created an API token", "created the API token {object}"),
    "api_token.revoked": ("Revoked an API token", "revoked the API token {object}"),
    "form.created": ("Created a capture form", "created the capture form {object}"),
    "form.updated": ("Changed a capture form", "changed the capture form {object}"),
    "form.switched_on": ("Switched a capture form on", "switched on the capture form {object}"),
    "form.switched_off": (
        "Switched a capture form off",
        "switched off the capture form {object}",
    ),
    "form.key_regenerated": (
        "Made a new form key",
        "made a new public key for the capture form {object}",
    ),
    "form.deleted": ("Deleted a capture form", "deleted the capture form {object}"),
    "webhook.created": ("Added a webhook endpoint", "added the webhook endpoint {object}"),
    "webhook.updated": ("Changed a webhook endpoint", "changed the webhook endpoint {object}"),
    "webhook.enabled": ("Enabled a webhook endpoint", "enabled the webhook endpoint {object}"),
    "webhook.disabled": (
        "Disabled a webhook endpoint",
        "disabled the webhook endpoint {object}",
    ),
    "webhook.deleted": ("Deleted a webhook endpoint", "deleted the webhook endpoint {object}"),
    "provider.updated": ("Changed a provider", "changed the settings of a provider"),
    "provider.removed": ("Removed a provider", "removed the settings of a provider"),
    "delivery.updated": ("Changed the delivery settings", "changed the delivery settings"),
    "platform_route.created": ("Added a platform route", "added a platform route"),
    "platform_route.updated": ("Changed a platform route", "changed a platform route"),
    "platform_route.deleted": ("Deleted a platform route", "deleted a platform route"),
}
NOUNS = {
    "lead": "lead",
    "user": "member",
    "list": "list",
    "form": "capture form",
    "webhook": "webhook endpoint",
    "api_token": "API token",
    "contact": "contact",
}
# Details the sentence already says, or ids that mean nothing to a reader.
HIDDEN_DETAILS = frozenset(
    {
        "count",
        "role",
        "old_role",
        "ids",
        "lead_ids",
        "merge_id",
        "other_lead_id",
        "kept_lead_id",
        "api_token_id",
        "name",
        "url",
        "via",
        "to_list",
        "frozen_from",
    }
)
DETAIL_LABELS = {
    "scope": "Scope",
    "columns": "Columns",
    "filter": "Filter",
    "email": "Email",
    "prefix": "Token prefix",
    "api_token": "API token",
    "changed": "Changed",
    "page": "Page",
    "limit": "Per page",
    "total": "Total",
    "list": "List",
    "provider": "Provider",
    "industry": "Industry",
    "platform": "Platform",
}
DETAIL_VALUES = {
    ("scope", "page"): "the page shown",
    ("scope", "all"): "every matching lead",
    ("columns", "visible"): "the table's columns",
    ("columns", "all"): "every field",
}


def action_label(action: str) -> str:
    return ACTIONS[action][0] if action in ACTIONS else humanize(action.replace(".", " "))


@dataclass(frozen=True)
class Ref:
    """A named object in a sentence: ``kind`` and ``id`` say where it links (if it exists)."""

    kind: str
    id: str | None
    label: str
    exists: bool = True


def _count(details: dict, noun: str = "lead") -> str:
    count = details.get("count")
    if not isinstance(count, int):
        return f"{noun}s"
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def sentence(row, names: dict) -> list:
    """The row as parts after the actor: text, or Ref for a named object.

    ``names`` maps (kind, id) to a Ref for each object the page's rows name.
    """
    details = row.details or {}
    template = ACTIONS.get(row.action, (None, "{action} {object}"))[1]
    values = {
        "action": action_label(row.action).lower(),
        "count": _count(details, "contact" if row.action.startswith("contact") else "lead"),
        "role": _role(details.get("role")),
        "old_role": _role(details.get("old_role")),
        "object": _object(row, names),
        "other": _lead(names, details.get("other_lead_id") or row.object_id),
        "kept": _lead(names, details.get("kept_lead_id") or row.object_id),
        "target": isolated(details.get("to_list") or "another list"),
    }
    if row.action == "leads.merge_undone":  # the row's object is the lead brought back
        values["other"] = _lead(names, row.object_id)
        values["kept"] = _lead(names, details.get("kept_lead_id"))
    return _fill(" " + template, values)  # a space after the actor's name


def _fill(template: str, values: dict) -> list:
    parts, rest = [], template
    while "{" in rest:
        before, _, rest = rest.partition("{")
        key, _, rest = rest.partition("}")
        if before:
            parts.append(before)
        value = values.get(key, "")
        if value:
            parts.append(value)
    if rest:
        parts.append(rest)
    return parts


def _role(role) -> str:
    return {"admin": "an admin", "rep": "a rep"}.get(role, str(role or "a member"))


def _object(row, names: dict):
    if not row.object_type:
        return ""
    if not row.object_id:
        return f"{NOUNS.get(row.object_type, humanize(row.object_type)).lower()}s"
    found = names.get((row.object_type, row.object_id))
    if found is not None:
        return found
    return _fallback(row.object_type, row.object_id, row.details or {})


def _fallback(kind: str, object_id: str | None, details: dict) -> Ref:
    """A deleted (or unknown) object: named by what the row kept of it, or by its kind."""
    noun = NOUNS.get(kind, humanize(kind).lower())
    kept = details.get("name") or details.get("url") or details.get("email")
    label = f"{isolated(kept)} (deleted)" if kept else f"a deleted {noun}"
    return Ref(kind, object_id, label, exists=False)


def _lead(names: dict, lead_id) -> Ref:
    if not lead_id:
        return Ref("lead", None, "a lead", exists=False)
    found = names.get(("lead", str(lead_id)))
    if found is not None:
        return found
    merged = names.get(("merge_snapshot", str(lead_id)))
    if merged is not None:
        return merged
    return Ref("lead", str(lead_id), "a deleted lead", exists=False)


def detail_fields(row) -> list[tuple[str, str]]:
    """The row's details as (label, text) pairs, leaving out what the sentence says."""
    shown = []
    for key, value in (row.details or {}).items():
        if key in HIDDEN_DETAILS or value in (None, "", [], {}):
            continue
        label = DETAIL_LABELS.get(key) or field_label(key)
        shown.append((label, _detail_text(key, value)))
    return shown


def _detail_text(key: str, value) -> str:
    if isinstance(value, dict):
        parts = [f"{field_label(k)}: {_detail_text(k, v)}" for k, v in value.items()]
        return "; ".join(parts)
    if isinstance(value, list) and key == "changed":
        return ", ".join(field_label(str(v)) for v in value)
    if isinstance(value, list):
        return ", ".join(humanize(str(v)) if key in ("status", "source") else str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if (key, value) in DETAIL_VALUES:
        return DETAIL_VALUES[(key, value)]
    if key in ("status", "intent", "source", "type", "owner"):
        return humanize(str(value))
    return str(value)
