"""accounts, incidents and vulnerabilities, commitments, sealed log entries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 05:00:31

The tables of store.models_accounts (organisations, accounts, tokens, sessions, login
attempts, audit events), store.models_cases (incidents, reports, vulnerabilities,
attributes, tags, comments, triage events, evaluation results), store.models_commitments
(evidence, assessments) and tlog.models (sealed commitments, record index). No seed rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
        sa.UniqueConstraint("key", "window_start", name=op.f("uq_login_attempt_key")),
    )
    op.create_table(
        "incident_report",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_incident_report_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_report")),
    )
    op.create_table(
        "tlog_record",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("schema", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("sealed", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["log_id"], ["tlog_coordinator.id"], name=op.f("fk_tlog_record_log_id_tlog_coordinator")
        ),
        sa.PrimaryKeyConstraint("log_id", "leaf_index", name=op.f("pk_tlog_record")),
    )
    with op.batch_alter_table("tlog_record", schema=None) as batch_op:
        batch_op.create_index("ix_tlog_record_lookup", ["schema", "record_id"], unique=False)

    op.create_table(
        "tlog_sealed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("schema", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("salt", sa.LargeBinary(length=32), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_index", sa.BigInteger(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["log_id"], ["tlog_coordinator.id"], name=op.f("fk_tlog_sealed_log_id_tlog_coordinator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tlog_sealed")),
    )
    with op.batch_alter_table("tlog_sealed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tlog_sealed_record_id"), ["record_id"], unique=False)

    op.create_table(
        "assessment",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("instrument_id", sa.String(length=200), nullable=False),
        sa.Column("provision_id", sa.String(length=200), nullable=False),
        sa.Column("actor_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessor", sa.Text(), nullable=False),
        sa.Column("rationale_en", sa.Text(), nullable=True),
        sa.Column("rationale_zh", sa.Text(), nullable=True),
        sa.Column("evidence_ids", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_assessment_actor_id_actor")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instrument.id"],
            name=op.f("fk_assessment_instrument_id_instrument"),
        ),
        sa.ForeignKeyConstraint(
            ["provision_id"], ["provision.id"], name=op.f("fk_assessment_provision_id_provision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index("ix_assessment_cell", ["provision_id", "actor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_assessment_instrument_id"), ["instrument_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_provision_id"), ["provision_id"], unique=False
        )

    op.create_table(
        "case_attribute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.String(length=200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_case_attribute_actor_id_actor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attribute")),
    )
    with op.batch_alter_table("case_attribute", schema=None) as batch_op:
        batch_op.create_index("ix_case_attribute_kind_value", ["kind", "value"], unique=False)
        batch_op.create_index(
            "ix_case_attribute_subject", ["subject_type", "subject_id"], unique=False
        )

    op.create_table(
        "evidence",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("instrument_id", sa.String(length=200), nullable=False),
        sa.Column("provision_id", sa.String(length=200), nullable=False),
        sa.Column("actor_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("published_text", sa.String(length=40), nullable=True),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("basis", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.Column("added_by", sa.String(length=120), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_evidence_actor_id_actor")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instrument.id"], name=op.f("fk_evidence_instrument_id_instrument")
        ),
        sa.ForeignKeyConstraint(
            ["provision_id"], ["provision.id"], name=op.f("fk_evidence_provision_id_provision")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_evidence_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index("ix_evidence_cell", ["provision_id", "actor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_evidence_instrument_id"), ["instrument_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_provision_id"), ["provision_id"], unique=False
        )

    op.create_table(
        "organisation",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_organisation_actor_id_actor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("organisation_id", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_account_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("username", name=op.f("uq_account_username")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "case_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=200), nullable=False),
        sa.Column("term_id", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("review_status", sa.String(length=20), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["term_id"], ["term.id"], name=op.f("fk_case_tag_term_id_term")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_tag")),
        sa.UniqueConstraint(
            "subject_type", "subject_id", "term_id", name=op.f("uq_case_tag_subject_type")
        ),
    )
    with op.batch_alter_table("case_tag", schema=None) as batch_op:
        batch_op.create_index("ix_case_tag_subject", ["subject_type", "subject_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_tag_term_id"), ["term_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_api_token_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_token_prefix")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_account_id"), ["account_id"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_audit_event_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)

    op.create_table(
        "case_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=200), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_case_comment_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_comment")),
    )
    with op.batch_alter_table("case_comment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_comment_subject", ["subject_type", "subject_id"], unique=False
        )

    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_case_event_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index("ix_case_event_subject", ["subject_type", "subject_id"], unique=False)

    op.create_table(
        "evaluation_result",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("model_id", sa.String(length=200), nullable=True),
        sa.Column("model_name", sa.Text(), nullable=False),
        sa.Column("suite", sa.Text(), nullable=False),
        sa.Column("suite_version", sa.String(length=60), nullable=True),
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("evaluator", sa.Text(), nullable=False),
        sa.Column("evaluator_actor_id", sa.String(length=200), nullable=True),
        sa.Column("threshold", sa.Text(), nullable=True),
        sa.Column("threshold_crossed", sa.Boolean(), nullable=True),
        sa.Column("commitment_id", sa.String(length=200), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["provision.id"],
            name=op.f("fk_evaluation_result_commitment_id_provision"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["account.id"], name=op.f("fk_evaluation_result_created_by_account")
        ),
        sa.ForeignKeyConstraint(
            ["evaluator_actor_id"],
            ["actor.id"],
            name=op.f("fk_evaluation_result_evaluator_actor_id_actor"),
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["ai_model.id"], name=op.f("fk_evaluation_result_model_id_ai_model")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_evaluation_result_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_result")),
    )
    with op.batch_alter_table("evaluation_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_result_model_id"), ["model_id"], unique=False
        )

    op.create_table(
        "incident",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("namespace", sa.String(length=20), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.Column("title_zh", sa.Text(), nullable=True),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("description_zh", sa.Text(), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=10), nullable=True),
        sa.Column("severity", sa.String(length=20), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("duplicate_of_id", sa.String(length=200), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.String(length=200), nullable=True),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["account.id"], name=op.f("fk_incident_assignee_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"], ["incident.id"], name=op.f("fk_incident_duplicate_of_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_incident_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["account.id"], name=op.f("fk_incident_reporter_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_incident_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_date"), ["date"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_namespace"), ["namespace"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_status"), ["status"], unique=False)

    op.create_table(
        "vulnerability",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("data_version", sa.String(length=20), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("description_zh", sa.Text(), nullable=True),
        sa.Column("problem_class", sa.String(length=80), nullable=True),
        sa.Column("problem_type", sa.String(length=80), nullable=True),
        sa.Column("risk_domains", sa.JSON(), nullable=True),
        sa.Column("sep_view", sa.JSON(), nullable=True),
        sa.Column("lifecycle_view", sa.JSON(), nullable=True),
        sa.Column("taxonomy_version", sa.String(length=20), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=True),
        sa.Column("references", sa.JSON(), nullable=True),
        sa.Column("credit", sa.JSON(), nullable=True),
        sa.Column("severity", sa.String(length=20), nullable=True),
        sa.Column("reported_date", sa.Date(), nullable=True),
        sa.Column("embargo_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("duplicate_of_id", sa.String(length=200), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reporter_org_id", sa.String(length=200), nullable=True),
        sa.Column("developer_org_id", sa.String(length=200), nullable=True),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["account.id"], name=op.f("fk_vulnerability_assignee_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["developer_org_id"],
            ["organisation.id"],
            name=op.f("fk_vulnerability_developer_org_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["vulnerability.id"],
            name=op.f("fk_vulnerability_duplicate_of_id_vulnerability"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["account.id"], name=op.f("fk_vulnerability_reporter_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_org_id"],
            ["organisation.id"],
            name=op.f("fk_vulnerability_reporter_org_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_vulnerability_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vulnerability")),
    )
    with op.batch_alter_table("vulnerability", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vulnerability_problem_class"), ["problem_class"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_vulnerability_published_at"), ["published_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_vulnerability_reported_date"), ["reported_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_vulnerability_status"), ["status"], unique=False)

    op.create_table(
        "web_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_web_session_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_web_session")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_account_id"), ["account_id"], unique=False)

    op.create_table(
        "incident_report_link",
        sa.Column("incident_id", sa.String(length=200), nullable=False),
        sa.Column("report_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_report_link_incident_id_incident"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["incident_report.id"],
            name=op.f("fk_incident_report_link_report_id_incident_report"),
        ),
        sa.PrimaryKeyConstraint("incident_id", "report_id", name=op.f("pk_incident_report_link")),
    )
    op.create_table(
        "vulnerability_link",
        sa.Column("vulnerability_id", sa.String(length=200), nullable=False),
        sa.Column("report_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["vulnerability_id"],
            ["vulnerability.id"],
            name=op.f("fk_vulnerability_link_vulnerability_id_vulnerability"),
        ),
        sa.PrimaryKeyConstraint(
            "vulnerability_id", "report_id", name=op.f("pk_vulnerability_link")
        ),
    )


def downgrade() -> None:
    op.drop_table("vulnerability_link")
    op.drop_table("incident_report_link")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_account_id"))

    op.drop_table("web_session")
    with op.batch_alter_table("vulnerability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vulnerability_status"))
        batch_op.drop_index(batch_op.f("ix_vulnerability_reported_date"))
        batch_op.drop_index(batch_op.f("ix_vulnerability_published_at"))
        batch_op.drop_index(batch_op.f("ix_vulnerability_problem_class"))

    op.drop_table("vulnerability")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_status"))
        batch_op.drop_index(batch_op.f("ix_incident_namespace"))
        batch_op.drop_index(batch_op.f("ix_incident_date"))

    op.drop_table("incident")
    with op.batch_alter_table("evaluation_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_result_model_id"))

    op.drop_table("evaluation_result")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index("ix_case_event_subject")

    op.drop_table("case_event")
    with op.batch_alter_table("case_comment", schema=None) as batch_op:
        batch_op.drop_index("ix_case_comment_subject")

    op.drop_table("case_comment")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_account_id"))

    op.drop_table("audit_event")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_account_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("case_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_tag_term_id"))
        batch_op.drop_index("ix_case_tag_subject")

    op.drop_table("case_tag")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_organisation_id"))

    op.drop_table("account")
    op.drop_table("organisation")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_provision_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_instrument_id"))
        batch_op.drop_index("ix_evidence_cell")
        batch_op.drop_index(batch_op.f("ix_evidence_actor_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("case_attribute", schema=None) as batch_op:
        batch_op.drop_index("ix_case_attribute_subject")
        batch_op.drop_index("ix_case_attribute_kind_value")

    op.drop_table("case_attribute")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_provision_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_instrument_id"))
        batch_op.drop_index("ix_assessment_cell")
        batch_op.drop_index(batch_op.f("ix_assessment_actor_id"))

    op.drop_table("assessment")
    with op.batch_alter_table("tlog_sealed", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tlog_sealed_record_id"))

    op.drop_table("tlog_sealed")
    with op.batch_alter_table("tlog_record", schema=None) as batch_op:
        batch_op.drop_index("ix_tlog_record_lookup")

    op.drop_table("tlog_record")
    op.drop_table("incident_report")
    op.drop_table("login_attempt")
