"""Per-tenant modules: enable, disable, configure. Plugins read their settings with
``load_settings(session, tenant_id, "<plugin>", MySettings)``."""

from rapport.core.modules.service import load_settings

__all__ = ["load_settings"]
