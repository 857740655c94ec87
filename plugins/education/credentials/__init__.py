"""Portable credentials: 1EdTech CLR 2.0 / Open Badges 3.0 as W3C VC 2.0, secured as
VC-JWT (JOSE, Ed25519), revocable through a signed BitstringStatusList (docs/education.md)."""
