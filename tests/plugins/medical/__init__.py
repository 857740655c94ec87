"""Tests of the medical plugin."""
