"""Amounts and dates as French readers expect them: « 1 234,56 € », « le 3 mars 2026 »."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

from babel.dates import format_date
from babel.numbers import format_decimal

NBSP = "\u00a0"  # keeps "€" on the same line as its amount


def euros(amount: Optional[Decimal]) -> str:
    if amount is None:
        return "montant inconnu"
    return f"{format_decimal(amount, format='#,##0.00', locale='fr_FR')}{NBSP}€"


def day(value: date) -> str:
    """« 3 mars 2026 », « 1er mars 2026 »."""
    text = format_date(value, format="d MMMM y", locale="fr")
    return "1er" + text[1:] if value.day == 1 else text


def on_day(value: Optional[date]) -> str:
    """« le 3 mars 2026 »."""
    return f"le {day(value)}" if value else "à une date encore inconnue"
