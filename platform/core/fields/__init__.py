"""Custom fields on core entities, from tenant admins (``custom.*``) and from plugins.

Doors: ``controllers.FieldController`` (``/api/v1/fields``); ``service`` (definitions,
``visible_fields``, ``validate_values``); ``filters``/``sorting`` (list query parameters);
``indexes`` (the field value index). Entity tables get the index triggers from
``rapport.db.migration_helpers.sync_field_values`` in their migration.
Plugins declare ``FieldDefinition``s, with ``formula``/``rollup`` for computed ones.
"""

from rapport.core.fields.definitions import (
    TENANT_OWNER,
    Compute,
    ComputeContext,
    FieldDefinition,
    FieldType,
    RecordView,
    check_plugin_fields,
    formula,
    rollup,
)

__all__ = [
    "TENANT_OWNER",
    "Compute",
    "ComputeContext",
    "FieldDefinition",
    "FieldType",
    "RecordView",
    "check_plugin_fields",
    "formula",
    "rollup",
]
