"""Contact screens: the list (filters, columns, saved views, bulk actions, inline edit)
and the customer page."""

from rapport.console.contacts.actions import bulk, cell, delete_view, save_cell, save_view
from rapport.console.contacts.customer import customer, merge, more_timeline
from rapport.console.contacts.listing import contact_list
from rapport.console.contacts.log_call import log_form, log_interaction

PAGES = [contact_list, save_view, delete_view, bulk, cell, save_cell, customer, merge,
         more_timeline, log_form, log_interaction]
