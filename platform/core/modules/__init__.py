"""Per-tenant modules: enable, disable, configure. Plugins read their settings with
``load_settings(session, tenant_id, "<plugin>", MySettings)``; the CLI and imports act for a
member through ``acting_member``."""

from rapport.core.modules.acting import acting_member, kernel_role_of
from rapport.core.modules.service import load_settings

__all__ = ["acting_member", "kernel_role_of", "load_settings"]
