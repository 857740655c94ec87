"""Surveys: automatic invitations after a touchpoint, one reminder, the worker's due tenants.

Revision ID: 0039_survey_automation
Revises: 0038_teams

- ``surveys``: ``auto_delay_minutes`` (wait after the touchpoint, default 0),
  ``auto_cap_days`` (a contact is invited automatically at most once in so many days,
  default 30, 0 = no cap), ``auto_since`` (interactions logged before it are never surveyed;
  existing surveys get the moment of this migration, so nothing old is surveyed) and
  ``remind_after_days`` (one reminder after so many days; null = none, the default);
- ``survey_invitations``: ``automatic`` (sent by the worker), the reminder's
  ``reminder_status`` / ``reminded_at`` / ``reminder_detail``, and the state ``sending``
  (written and committed before the message leaves, so a killed worker never sends twice);
  a partial index for the reminders still to send;
- ``rapport_survey_due_tenants(n)``: which tenants have an automatic invitation or a
  reminder to send, or a send left in doubt (ids only), with the owner's read policies it
  needs (the app's role is not widened).

This revision is history: it imports no application code.
"""

import sqlalchemy as sa
from alembic import op

revision = "0039_survey_automation"
down_revision = "0038_teams"
branch_labels = None
depends_on = None

# Interactions the worker may still have to survey: the survey's kinds, logged since
# automatic invitations were switched on, within the last 7 days, past the delay, not a
# message a campaign or survey sent, and not invited yet.
DUE_TENANTS = """
CREATE FUNCTION rapport_survey_due_tenants(max_tenants integer)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT s.tenant_id FROM surveys s
    WHERE s.active AND cardinality(s.auto_kinds) > 0 AND s.auto_channel IS NOT NULL
      AND EXISTS (
        SELECT 1 FROM interactions i
        WHERE i.tenant_id = s.tenant_id AND i.kind = ANY (s.auto_kinds)
          AND i.created_at >= s.auto_since
          AND i.occurred_at > now() - interval '7 days'
          AND i.occurred_at <= now() - make_interval(mins => s.auto_delay_minutes)
          AND NOT (i.direction IS NOT DISTINCT FROM 'outbound' AND i.campaign IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM survey_invitations v
                          WHERE v.tenant_id = s.tenant_id AND v.survey_id = s.id
                            AND v.interaction_id = i.id))
    UNION
    SELECT s.tenant_id FROM surveys s
    WHERE s.active AND s.remind_after_days IS NOT NULL
      AND EXISTS (
        SELECT 1 FROM survey_invitations v
        WHERE v.tenant_id = s.tenant_id AND v.survey_id = s.id AND v.status = 'sent'
          AND v.reminder_status IS NULL
          AND v.created_at <= now() - make_interval(days => s.remind_after_days)
          AND v.expires_at > now())
    UNION
    SELECT v.tenant_id FROM survey_invitations v
    WHERE v.status = 'sending' OR v.reminder_status = 'sending'
    LIMIT max_tenants
$$
"""
SIGNATURE = "rapport_survey_due_tenants(integer)"
SCANNED = ("surveys", "survey_invitations", "interactions")


def upgrade() -> None:
    op.add_column("surveys", sa.Column("auto_delay_minutes", sa.Integer, nullable=False,
                                       server_default="0"))
    op.add_column("surveys", sa.Column("auto_cap_days", sa.Integer, nullable=False,
                                       server_default="30"))
    op.add_column("surveys", sa.Column("auto_since", sa.DateTime(timezone=True),
                                       nullable=False, server_default=sa.func.now()))
    op.add_column("surveys", sa.Column("remind_after_days", sa.Integer))
    op.create_check_constraint("auto_limits", "surveys",
                               "auto_delay_minutes BETWEEN 0 AND 43200 "
                               "AND auto_cap_days BETWEEN 0 AND 365 "
                               "AND (remind_after_days IS NULL "
                               "OR remind_after_days BETWEEN 1 AND 60)")
    op.add_column("survey_invitations", sa.Column("automatic", sa.Boolean, nullable=False,
                                                  server_default=sa.false()))
    op.add_column("survey_invitations", sa.Column("reminder_status", sa.String(20)))
    op.add_column("survey_invitations", sa.Column("reminded_at", sa.DateTime(timezone=True)))
    op.add_column("survey_invitations", sa.Column("reminder_detail", sa.Text))
    op.drop_constraint("status", "survey_invitations", type_="check")
    op.create_check_constraint(
        "status", "survey_invitations",
        "status IN ('sending', 'sent', 'failed', 'skipped', 'answered')")
    op.create_check_constraint(
        "reminder_status", "survey_invitations",
        "reminder_status IN ('sending', 'sent', 'failed', 'skipped')")
    op.create_index("ix_survey_invitations_to_remind", "survey_invitations",
                    ["tenant_id", "survey_id", "created_at"],
                    postgresql_where=sa.text("status = 'sent' AND reminder_status IS NULL"))
    op.create_index("ix_survey_invitations_in_doubt", "survey_invitations", ["tenant_id"],
                    postgresql_where=sa.text(
                        "status = 'sending' OR reminder_status = 'sending'"))
    for table in SCANNED:
        op.execute(f"CREATE POLICY survey_due_scan ON {table} FOR SELECT "
                   "TO rapport_owner USING (true)")
    op.execute(DUE_TENANTS)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO rapport_app")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {SIGNATURE}")
    for table in SCANNED:
        op.execute(f"DROP POLICY survey_due_scan ON {table}")
    op.drop_index("ix_survey_invitations_in_doubt", table_name="survey_invitations")
    op.drop_index("ix_survey_invitations_to_remind", table_name="survey_invitations")
    op.drop_constraint("reminder_status", "survey_invitations", type_="check")
    op.drop_constraint("status", "survey_invitations", type_="check")
    op.execute("DELETE FROM survey_invitations WHERE status = 'sending'")
    op.create_check_constraint("status", "survey_invitations",
                               "status IN ('sent', 'failed', 'skipped', 'answered')")
    for column in ("reminder_detail", "reminded_at", "reminder_status", "automatic"):
        op.drop_column("survey_invitations", column)
    op.drop_constraint("auto_limits", "surveys", type_="check")
    for column in ("remind_after_days", "auto_since", "auto_cap_days", "auto_delay_minutes"):
        op.drop_column("surveys", column)
