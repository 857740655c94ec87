"""Settings for owners and admins: members and roles, the module marketplace, custom fields,
the audit log. Every page refuses other roles (403) before it reads anything."""

from rapport.console.admin import audit, fields, members, modules

PAGES = [*members.PAGES, *modules.PAGES, *fields.PAGES, *audit.PAGES]
