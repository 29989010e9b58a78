"""The statistics tab as simple HTML: held Termine, average attendance, devices, topics."""

from __future__ import annotations

from html import escape

from app.domain.attendance import CourseStats


def _percent(value: float) -> str:
    return f"{value * 100:.0f} %".replace(".", ",")


def stats_html(stats: CourseStats, drop_in: bool) -> str:
    """German summary of *stats*; a Sprechstunde shows visitors and topics instead of a rate."""
    rows = [
        ("Termine stattgefunden", str(stats.termine_held)),
        ("Termine geplant", str(stats.termine_planned)),
        ("Termine ausgefallen", str(stats.termine_cancelled)),
    ]
    if drop_in:
        per_termin = stats.visitors_total / stats.termine_held if stats.termine_held else 0.0
        rows += [
            ("Besuche insgesamt", str(stats.visitors_total)),
            ("Besuche je Termin (Durchschnitt)", f"{per_termin:.1f}".replace(".", ",")),
            ("Personen mit Namen", str(stats.participants)),
        ]
    else:
        rows += [
            ("Teilnehmende", str(stats.participants)),
            ("Anwesend je Termin (Durchschnitt)", f"{stats.average_present:.1f}".replace(".", ",")),
            ("Anwesenheitsquote", _percent(stats.attendance_rate)),
        ]
    if stats.devices:
        rows.append(("Geräte", ", ".join(f"{escape(k)}: {v}" for k, v in stats.devices.items())))
    if stats.top_topics:
        rows.append(("Häufigste Themen", ", ".join(f"{escape(k)} ({v})" for k, v in stats.top_topics)))
    body = "".join(f"<tr><td>{escape(label)}</td><td><b>{value}</b></td></tr>" for label, value in rows)
    return f"<table cellpadding='6'>{body}</table>"
