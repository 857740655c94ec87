"""Contact profile: names, birthday, language, addresses, owner, source, external id;
emails, phones and tags as rows; the search index; facts and their provenance;
organizations and links; relationships; per-tenant contact settings.

Revision ID: 0006_contacts_profile
Revises: 0005_sharing_audit

Look-ups the app role makes under forced RLS compare plain text/date/uuid columns on
tenant-led btree indexes (LEAKPROOF operators), never citext, LIKE, @@ or array operators,
which PostgreSQL would not use as index conditions there — see docs/contacts.md.
"""

import re
import unicodedata
from collections import defaultdict

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from rapport.db.migration_helpers import enable_tenant_rls, tenant_key_columns

revision = "0006_contacts_profile"
down_revision = "0005_sharing_audit"
branch_labels = None
depends_on = None

TABLES = (
    "contact_emails",
    "contact_phones",
    "contact_tags",
    "contact_settings",
    "contact_search_terms",
    "contact_search_words",
    "contact_search_variants",
    "contact_facts",
    "organizations",
    "contact_organizations",
    "contact_relationships",
    "contact_relationship_members",
)

# The search terms of a contact as the index had them when this revision was written (a
# copy, not an import: the live rules in rapport.core.contacts.search.terms may change,
# and this backfill must not). Only names and an email exist on contacts at this point.
_MAX_TERM = 100
_MIN_VOCABULARY_WORD = 3
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc`\u00b4")
_WORD = re.compile(r"[^\W_]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_APOSTROPHES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _contact_terms(names: list[str | None], email: str | None) -> set[str]:
    found = {w[:_MAX_TERM] for name in names for w in _WORD.findall(_fold(name or ""))}
    if email:
        address = email.lower()[:_MAX_TERM]
        domain = address.rpartition("@")[2]
        found.update([address, domain] if domain else [address])
    return {t for t in found if t}


def _is_vocabulary_word(term: str) -> bool:
    return len(term) >= _MIN_VOCABULARY_WORD and bool(_WORD.fullmatch(term)) and not term.isdigit()


def _variants(word: str) -> frozenset[str]:
    return frozenset({word, *(word[:i] + word[i + 1 :] for i in range(len(word)))})


def _created_at() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def _updated_at() -> sa.Column:
    return sa.Column(
        "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def _to_contact(column: str = "contact_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"
    )


def _contact_columns() -> None:
    for column in (
        sa.Column("honorific", sa.String(40)),
        sa.Column("patronymic", sa.String(200)),
        sa.Column("preferred_name", sa.String(200)),
        sa.Column("display_name", sa.String(500), nullable=False, server_default=""),
        sa.Column("birthday", sa.Date),
        sa.Column("language", sa.String(35)),
        sa.Column("addresses", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("owner_id", UUID(as_uuid=True)),
        sa.Column("source", sa.String(200)),
        sa.Column("external_id", sa.String(200)),
    ):
        op.add_column("contacts", column)
    op.create_foreign_key(
        "fk_contacts_tenant_id_owner_id_memberships",
        "contacts",
        "memberships",
        ["tenant_id", "owner_id"],
        ["tenant_id", "user_id"],
        ondelete="SET NULL (owner_id)",
    )
    op.create_index(
        "uq_contacts_tenant_id_external_id",
        "contacts",
        ["tenant_id", "external_id"],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    for name in ("birthday", "owner_id", "language", "source"):
        op.create_index(f"ix_contacts_tenant_id_{name}", "contacts", ["tenant_id", name])


def _list_tables() -> None:
    op.create_table(
        "contact_emails",
        *tenant_key_columns(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("address_key", sa.Text, nullable=False),
        sa.Column("is_primary", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("label", sa.String(40)),
        _created_at(),
        _to_contact(),
        sa.UniqueConstraint("tenant_id", "address_key",
                            name="uq_contact_emails_tenant_id_address_key"),
    )
    op.create_index("ix_contact_emails_tenant_id_contact_id", "contact_emails",
                    ["tenant_id", "contact_id"])
    op.create_table(
        "contact_phones",
        *tenant_key_columns(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("is_primary", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("label", sa.String(40)),
        _created_at(),
        _to_contact(),
        sa.UniqueConstraint("tenant_id", "contact_id", "number",
                            name="uq_contact_phones_tenant_id_contact_id_number"),
    )
    op.create_index("ix_contact_phones_tenant_id_number", "contact_phones",
                    ["tenant_id", "number"])
    op.create_table(
        "contact_tags",
        *tenant_key_columns(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("tag", sa.String(60), nullable=False),
        _created_at(),
        _to_contact(),
        sa.UniqueConstraint("tenant_id", "contact_id", "tag",
                            name="uq_contact_tags_tenant_id_contact_id_tag"),
    )
    op.create_index("ix_contact_tags_tenant_id_tag_contact_id", "contact_tags",
                    ["tenant_id", "tag", "contact_id"])
    op.create_table(
        "contact_settings",
        *tenant_key_columns(),
        sa.Column("phone_region", sa.String(2)),
        sa.Column("default_locale", sa.String(35)),
        _created_at(),
        _updated_at(),
        sa.UniqueConstraint("tenant_id", name="uq_contact_settings_tenant_id"),
    )


def _search_tables() -> None:
    # The contact's id is this table's "id": one key (tenant, contact, term) and one index
    # for look-ups by term; it holds several rows per contact.
    op.create_table(
        "contact_search_terms",
        sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("term", sa.String(100, collation="C"), primary_key=True),
        _to_contact("id"),
    )
    op.create_index("ix_contact_search_terms_tenant_id_term_id", "contact_search_terms",
                    ["tenant_id", "term", "id"])
    op.create_table(
        "contact_search_words",
        sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("word", sa.String(100, collation="C"), nullable=False),
        sa.UniqueConstraint("tenant_id", "word", name="uq_contact_search_words_tenant_id_word"),
    )
    # A vocabulary word and its spellings with one letter left out: typo look-ups by equality.
    op.create_table(
        "contact_search_variants",
        sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("variant", sa.String(100, collation="C"), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "id"],
            ["contact_search_words.tenant_id", "contact_search_words.id"],
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_contact_search_variants_tenant_id_id", "contact_search_variants",
                    ["tenant_id", "id"])


def _facts_table() -> None:
    op.create_table(
        "contact_facts",
        *tenant_key_columns(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("field", sa.String(120), nullable=False),
        sa.Column("value", JSONB, nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("source", sa.String(200)),
        sa.Column("interaction_id", UUID(as_uuid=True)),
        sa.Column("recorded_by", UUID(as_uuid=True)),
        _created_at(),
        _to_contact(),
    )
    op.create_index("ix_contact_facts_tenant_id_contact_id_field_id", "contact_facts",
                    ["tenant_id", "contact_id", "field", "id"])
    op.create_index(
        "ix_contact_facts_tenant_id_interaction_id",
        "contact_facts",
        ["tenant_id", "interaction_id"],
        postgresql_where=sa.text("interaction_id IS NOT NULL"),
    )


def _organization_tables() -> None:
    op.create_table(
        "organizations",
        *tenant_key_columns(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200, collation="C"), nullable=False),
        sa.Column("website", sa.String(2048)),
        sa.Column("industry", sa.String(200)),
        sa.Column("notes", sa.Text),
        sa.Column("external_id", sa.String(200)),
        sa.Column("created_by", UUID(as_uuid=True)),
        _created_at(),
        _updated_at(),
    )
    op.create_index("ix_organizations_tenant_id_name_key_id", "organizations",
                    ["tenant_id", "name_key", "id"])
    op.create_index(
        "uq_organizations_tenant_id_external_id",
        "organizations",
        ["tenant_id", "external_id"],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.create_table(
        "contact_organizations",
        *tenant_key_columns(),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("organization_id", UUID(as_uuid=True), nullable=False),
        sa.Column("role", sa.String(100)),
        sa.Column("title", sa.String(200)),
        sa.Column("since", sa.Date),
        sa.Column("until", sa.Date),
        _created_at(),
        _to_contact(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "organization_id"],
            ["organizations.tenant_id", "organizations.id"],
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("tenant_id", "contact_id", "organization_id",
                            name="uq_contact_organizations_tenant_id_contact_id_organization_id"),
    )
    op.create_index(
        "ix_contact_organizations_tenant_id_organization_id",
        "contact_organizations",
        ["tenant_id", "organization_id", "contact_id"],
    )


def _relationship_tables() -> None:
    op.create_table(
        "contact_relationships",
        *tenant_key_columns(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("created_by", UUID(as_uuid=True)),
        _created_at(),
        _updated_at(),
    )
    op.create_index("ix_contact_relationships_tenant_id_kind", "contact_relationships",
                    ["tenant_id", "kind"])
    op.create_table(
        "contact_relationship_members",
        *tenant_key_columns(),
        sa.Column("relationship_id", UUID(as_uuid=True), nullable=False),
        sa.Column("contact_id", UUID(as_uuid=True), nullable=False),
        sa.Column("role", sa.String(100)),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "relationship_id"],
            ["contact_relationships.tenant_id", "contact_relationships.id"],
            ondelete="CASCADE",
        ),
        _to_contact(),
        sa.UniqueConstraint(
            "tenant_id", "relationship_id", "contact_id",
            name="uq_contact_relationship_members_relationship_id_contact_id",
        ),
    )
    op.create_index(
        "ix_contact_relationship_members_tenant_id_contact_id",
        "contact_relationship_members",
        ["tenant_id", "contact_id", "relationship_id"],
    )


def _backfill() -> None:
    """Existing contacts: their display name, their email as a row, their search terms.

    Runs before RLS is forced on the new tables and with contacts' RLS briefly not forced
    (the owner runs migrations, and forced RLS would show it no rows).
    """
    conn = op.get_bind()
    op.execute("ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "UPDATE contacts SET display_name = coalesce(nullif(concat_ws(' ', given_name, "
        "family_name), ''), email::text, '')"
    )
    op.execute(
        "INSERT INTO contact_emails (tenant_id, id, contact_id, address, address_key, "
        "is_primary) SELECT tenant_id, gen_random_uuid(), id, email::text, lower(email::text), "
        "true FROM contacts WHERE email IS NOT NULL"
    )
    words: dict[object, set[str]] = defaultdict(set)
    rows = conn.execute(
        sa.text("SELECT tenant_id, id, given_name, family_name, email::text FROM contacts")
    )
    for tenant_id, contact_id, given, family, email in rows:
        found = _contact_terms([given, family], email)
        for term in found:
            conn.execute(
                sa.text("INSERT INTO contact_search_terms (tenant_id, id, term) "
                        "VALUES (:t, :i, :term) ON CONFLICT DO NOTHING"),
                {"t": tenant_id, "i": contact_id, "term": term},
            )
        words[tenant_id] |= {w for w in found if _is_vocabulary_word(w)}
    for tenant_id, tenant_words in words.items():
        for word in tenant_words:
            word_id = conn.execute(
                sa.text("INSERT INTO contact_search_words (tenant_id, id, word) "
                        "VALUES (:t, gen_random_uuid(), :w) RETURNING id"),
                {"t": tenant_id, "w": word},
            ).scalar_one()
            for variant in _variants(word):
                conn.execute(
                    sa.text("INSERT INTO contact_search_variants (tenant_id, variant, id) "
                            "VALUES (:t, :v, :i) ON CONFLICT DO NOTHING"),
                    {"t": tenant_id, "v": variant, "i": word_id},
                )
    op.execute("ALTER TABLE contacts FORCE ROW LEVEL SECURITY")


def upgrade() -> None:
    _contact_columns()
    _list_tables()
    _search_tables()
    _facts_table()
    _organization_tables()
    _relationship_tables()
    _backfill()
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
    op.drop_constraint("fk_contacts_tenant_id_owner_id_memberships", "contacts",
                       type_="foreignkey")
    op.drop_index("uq_contacts_tenant_id_external_id", table_name="contacts")
    for column in ("birthday", "owner_id", "language", "source"):
        op.drop_index(f"ix_contacts_tenant_id_{column}", table_name="contacts")
    for column in ("honorific", "patronymic", "preferred_name", "display_name", "birthday",
                   "language", "addresses", "owner_id", "source", "external_id"):
        op.drop_column("contacts", column)
