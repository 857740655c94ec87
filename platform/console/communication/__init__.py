"""Communication screens: templates with a live preview for a chosen contact, the campaign
wizard with the audience count and its exclusions explained, a campaign's progress and
messages, and the member's own subscriptions."""

from rapport.console.communication.campaigns import PAGES as CAMPAIGN_PAGES
from rapport.console.communication.templates import PAGES as TEMPLATE_PAGES

PAGES = [*TEMPLATE_PAGES, *CAMPAIGN_PAGES]
