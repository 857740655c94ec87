"""The trash screen: deleted contacts, deals and organizations, restored by writers and
purged for good by owners and admins."""

from rapport.console.trash.pages import purge_record, restore_record, trash_list

PAGES = [trash_list, restore_record, purge_record]
