"""Dealership: vehicle orders with deposits, the promise ledger and incentives for
salespeople (docs/dealership.md)."""
