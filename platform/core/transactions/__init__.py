"""Transactions: purchases and orders with priced lines, an exact amount and currency, the
time, channel and point of sale — recorded once per sender id (``external_id``) and
announced to plugins as ``transaction.recorded``.

``money`` and ``lines`` hold the exact-decimal rules deals share. ``TransactionController``
serves ``/api/v1/transactions``; ``service`` records, ``listing`` pages.
"""

from rapport.core.transactions.listing import TransactionFilters, list_transactions
from rapport.core.transactions.models import Transaction, TransactionLine
from rapport.core.transactions.service import Recorded, get_transaction, record_transaction

__all__ = [
    "Recorded",
    "Transaction",
    "TransactionFilters",
    "TransactionLine",
    "get_transaction",
    "list_transactions",
    "record_transaction",
]
