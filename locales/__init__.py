"""Gettext catalogs (kk, ru). Shipped as .po and compiled in memory at first use."""
