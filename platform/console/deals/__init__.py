"""Deal screens: the board (a column per pipeline stage, moves by drag or by a "Move to
stage…" control), the list, a deal's page, and the forms that create and edit deals."""

from rapport.console.deals.board import deal_board, more_cards, move_deal
from rapport.console.deals.listing import deal_list
from rapport.console.deals.record import (
    change_pipeline,
    create_deal,
    deal_page,
    edit_deal,
    new_deal,
    update_deal,
)

PAGES = [deal_board, more_cards, move_deal, deal_list, deal_page, new_deal, create_deal,
         edit_deal, update_deal, change_pipeline]
