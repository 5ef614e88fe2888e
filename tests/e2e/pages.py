"""Every page of the app, in one list: the page sweep (test_every_page.py) visits each.

A new page joins by adding a Page here. `path` may name objects the sweep seeds
(`{lead}`, `{form}`, `{form_key}`, `{endpoint}`, `{list}`, `{dynamic_list}`, `{import}`, `{import_to_map}`); `endpoint` skips a page whose
blueprint is not in this build yet (e.g. Contacts before it is merged).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    roles: tuple[str, ...] = ("admin", "rep")
    status: int = 200
    status_for_rep: int | None = None  # a page reps may not open: its 403 page is swept
    endpoint: str | None = None
    signed_in: bool = True


PAGES: tuple[Page, ...] = (
    Page("my-leads", "/leads"),
    Page("leads-all-hot", "/leads?owner=any&intent=hot&status=new&status=contacted"),
    Page("leads-board", "/leads/board?owner=any"),
    Page("lead", "/leads/{lead}"),
    Page("new-lead", "/leads/new"),
    Page("lists", "/lists"),
    Page("lists-archived", "/lists?archived=1"),
    Page("list", "/lists/{list}"),
    Page("list-dynamic", "/lists/{dynamic_list}"),
    Page("duplicates", "/duplicates"),
    Page("campaigns", "/campaigns", endpoint="campaigns.index"),
    Page("campaign-new", "/campaigns/new", status_for_rep=403, endpoint="campaigns.new"),
    Page("campaign", "/campaigns/{campaign}", endpoint="campaigns.show"),
    Page(
        "campaign-edit", "/campaigns/{campaign}/edit", roles=("admin",), endpoint="campaigns.edit"
    ),
    Page("campaign-lead", "/campaigns/{campaign}/leads/{campaign_lead}", endpoint="campaigns.work"),
    Page("campaign-reports", "/campaigns/reports", endpoint="campaigns.reports"),
    Page("contacts", "/contacts", endpoint="contacts.index"),
    Page("accounts", "/accounts", endpoint="accounts.index"),
    Page("jobs", "/jobs", endpoint="jobs.index"),
    Page("imports", "/imports", endpoint="imports.index"),
    Page("import-new", "/imports/new", endpoint="imports.index"),
    Page("import", "/imports/{import}", roles=("admin",), endpoint="imports.index"),
    Page(
        "import-mapping",
        "/imports/{import_to_map}/mapping",
        roles=("admin",),
        endpoint="imports.index",
    ),  # fmt: skip
    Page("core-companies", "/core/companies", endpoint="core_pages.companies"),
    Page("core-people", "/core/people", endpoint="core_pages.people"),
    Page("core-company", "/core/companies/{core_company}", endpoint="core_pages.company"),
    Page("core-load", "/core/load", status_for_rep=403, endpoint="core_pages.load"),
    Page("target-clients", "/target-clients", status_for_rep=403, endpoint="target_clients.index"),
    Page(
        "target-client",
        "/target-clients/{target_client}",
        roles=("admin",),
        endpoint="target_clients.show",
    ),
    Page("settings", "/settings"),
    Page("capture-forms", "/settings/forms", status_for_rep=403),
    Page("capture-form", "/settings/forms/{form}", roles=("admin",)),
    Page("capture-form-edit", "/settings/forms/{form}/edit", roles=("admin",)),
    Page("capture-form-new", "/settings/forms/new", roles=("admin",)),
    Page("api-tokens", "/settings/tokens", status_for_rep=403),
    Page("webhooks", "/settings/webhooks", status_for_rep=403),
    Page("webhook-endpoint", "/settings/webhooks/{endpoint}", roles=("admin",)),
    Page("providers", "/settings/providers", status_for_rep=403),
    Page("delivery", "/settings/delivery", status_for_rep=403),
    Page("platforms", "/settings/platforms", status_for_rep=403),
    Page("audit", "/audit", status_for_rep=403),
    Page("pipeline-dashboard", "/pipeline", endpoint="pipeline_dashboard.index"),
    Page("pipeline-trends", "/pipeline/trends", endpoint="pipeline_dashboard.trends"),
    Page(
        "pipeline-schedules",
        "/pipeline/schedules",
        status_for_rep=403,
        endpoint="pipeline_dashboard.schedules",
    ),
    Page("pipeline-queries", "/pipeline/queries", endpoint="pipeline.queries"),
    Page("pipeline-query", "/pipeline/queries/{query}", endpoint="pipeline.show_query"),
    Page(
        "pipeline-query-new",
        "/pipeline/queries/new",
        roles=("admin",),
        endpoint="pipeline.new_query",
    ),
    Page(
        "pipeline-query-edit",
        "/pipeline/queries/{query}/edit",
        roles=("admin",),
        endpoint="pipeline.edit_query",
    ),
    Page("pipeline-signals", "/pipeline/signals", endpoint="pipeline.signals"),
    Page("pipeline-discover", "/pipeline/discover", endpoint="pipeline.discover_page"),
    Page("lead-discovered", "/leads/{discovered_lead}", endpoint="pipeline.override_intent"),
    Page("not-found", "/no-such-page", status=404),
    Page("sign-in", "/login", roles=("anonymous",), signed_in=False),
    Page("hosted-form", "/f/{form_key}", roles=("anonymous",), signed_in=False),
)
