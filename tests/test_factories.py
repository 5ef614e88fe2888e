"""Every model has a factory, and each factory stores a row a test can use."""

from webapp.extensions import db as _db


def _build_everything(factory):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    lead, other = factory.lead(workspace), factory.lead(workspace)
    factory.member(factory.user(), workspace)
    factory.activity(lead, performed_by_id=admin.id)
    factory.tag(workspace, "vip")
    factory.merge(lead, factory.lead(workspace), merged_by=admin)
    factory.api_token(workspace, created_by=admin)
    factory.audit_entry(workspace, user_id=admin.id, object_type="lead", object_id=str(lead.id))
    lead_list = factory.lead_list(workspace, leads=[lead])
    factory.list_member(lead_list, other)
    campaign = factory.campaign(workspace)
    factory.campaign_list(campaign, lead_list)
    factory.campaign_attempt(factory.campaign_lead(campaign, lead, lead_list_id=lead_list.id))
    form = factory.capture_form(workspace)
    factory.spam_submission(form)
    factory.idempotency_key(form)
    factory.contact(workspace, factory.account(workspace))
    factory.core_person(factory.core_company())
    factory.target_client_lead(
        workspace,
        person_id=factory.target_client_person(workspace).id,
        company_id=factory.target_client_company(workspace).id,
    )
    factory.uploaded_file(workspace)
    endpoint = factory.webhook_endpoint(workspace)
    delivery = factory.webhook_delivery(endpoint, factory.event(workspace, lead_id=lead.id))
    factory.webhook_attempt(delivery)
    factory.job_run(workspace, started_by=admin.id)
    lead_import = factory.lead_import(workspace, created_by_id=admin.id, lead_list_id=lead_list.id)
    factory.import_change(lead_import, lead)
    factory.import_rejected_row(lead_import)
    factory.scheduled_period(workspace)
    factory.topic_trend(workspace)
    factory.discovery_query(workspace, created_by_id=admin.id)
    factory.signal_type(workspace)
    factory.lead_contact(lead)
    factory.lead_delivery(lead)
    factory.billing_event(lead, upload_id=factory.platform_upload(workspace, [lead]).id)
    factory.provider_setting(workspace)
    factory.delivery_settings(workspace)
    factory.platform_route(workspace)
    return workspace


def test_every_model_has_a_factory_that_stores_a_row(db, factory):
    _build_everything(factory)
    db.session.expire_all()
    empty = [
        mapper.class_.__name__
        for mapper in _db.Model.registry.mappers
        if db.session.execute(db.select(db.func.count()).select_from(mapper.class_)).scalar_one()
        == 0
    ]
    assert empty == [], f"no factory makes {empty}: add a method to tests/factories.py"


def test_factory_rows_belong_to_their_workspace(db, factory):
    workspace = _build_everything(factory)
    factory.workspace()  # another workspace, empty
    db.session.expire_all()
    for mapper in _db.Model.registry.mappers:
        model = mapper.class_
        if "workspace_id" in mapper.columns:
            owners = set(db.session.execute(db.select(model.workspace_id)).scalars())
            assert owners <= {workspace.id}, model.__name__
