"""Kurslotse – Unterrichtsbegleiter für Smartphone-Kurse (Projektion, Handouts, Anwesenheit)."""

__app_name__ = "Kurslotse"
__version__ = "0.1.0"
