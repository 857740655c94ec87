"""Contact screens: the searchable list and the customer page."""

from rapport.console.contacts.customer import customer, more_timeline
from rapport.console.contacts.listing import contact_list

PAGES = [contact_list, customer, more_timeline]
