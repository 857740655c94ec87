"""Organization screens: the searchable list, an organization with its people, and the
create and edit forms."""

from rapport.console.organizations.pages import (
    create_organization,
    edit_organization,
    new_organization,
    organization_list,
    organization_page,
    update_organization,
)

PAGES = [organization_list, organization_page, new_organization, create_organization,
         edit_organization, update_organization]
