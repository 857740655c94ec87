"""Kernel area: touchpoint attribution — credit for purchases per channel and campaign from
the interactions before them (docs/communication.md, Attribution)."""
