"""What a custom field is. The definition is part of the plugin contract and lives in
``rapport.hooks.fields``; the kernel's field code keeps importing it from here."""

from rapport.hooks.fields import (
    CHOICE_TYPES,
    FULL_KEY_RE,
    MAX_KEY_LENGTH,
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    MAX_OWNER_LENGTH,
    NAME_RE,
    TENANT_OWNER,
    Compute,
    ComputeContext,
    FieldDefinition,
    FieldType,
    RecordView,
    check_plugin_fields,
    definition_problems,
    formula,
    rollup,
    run_compute,
)

__all__ = [
    "CHOICE_TYPES",
    "FULL_KEY_RE",
    "MAX_KEY_LENGTH",
    "MAX_OPTIONS",
    "MAX_OPTION_LENGTH",
    "MAX_OWNER_LENGTH",
    "NAME_RE",
    "TENANT_OWNER",
    "Compute",
    "ComputeContext",
    "FieldDefinition",
    "FieldType",
    "RecordView",
    "check_plugin_fields",
    "definition_problems",
    "formula",
    "rollup",
    "run_compute",
]
