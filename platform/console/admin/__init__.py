"""Settings for owners and admins: members and roles, the module marketplace, custom fields,
pipelines and stages, the audit log, sign-in security, API clients. Every page refuses
other roles (403) before it reads anything."""

from rapport.console.admin import (
    api_clients,
    audit,
    field_edit,
    fields,
    members,
    modules,
    pipelines,
    sign_in_policy,
)

PAGES = [*members.PAGES, *modules.PAGES, *fields.PAGES, *field_edit.PAGES, *pipelines.PAGES,
         *audit.PAGES, *sign_in_policy.PAGES, *api_clients.PAGES]
