"""HTML summary of a lesson for the library's preview pane (all lesson text escaped)."""

from __future__ import annotations

from html import escape

from app.domain.lesson import Lesson


def lesson_preview_html(lesson: Lesson) -> str:
    parts = [f"<h1>{escape(lesson.title)}</h1>"]
    if lesson.is_broken:
        from app.ui.look import colours  # the light or dark look's error colour (dark red vanishes on dark)

        parts.append(f'<p style="color:{colours().error}"><b>Diese Lektion hat Fehler und kann nicht gezeigt '
                     'werden:</b></p><ul>')
        for problem in lesson.errors[:12] or []:
            parts.append(f"<li>Zeile {problem.line}: {escape(problem.message)}</li>")
        if not lesson.errors:
            parts.append("<li>Die Lektion hat keine Schritte.</li>")
        parts.append(f"</ul><p>Datei: {escape(str(lesson.source))}</p>")
    meta = [
        ("Thema", lesson.topic),
        ("Stufe", lesson.level),
        ("Dauer", f"{lesson.duration_minutes} Minuten" if lesson.duration_minutes else ""),
        ("Geräte", ", ".join(d.label for d in lesson.devices)),
        ("Schritte", str(len(lesson.steps))),
    ]
    parts.append("<p>" + " · ".join(f"<b>{k}:</b> {escape(v)}" for k, v in meta if v) + "</p>")
    if lesson.description:
        parts.append(f"<p>{escape(lesson.description)}</p>")
    if lesson.goals:
        parts.append("<h3>Lernziele</h3><ul>" + "".join(f"<li>{escape(g)}</li>" for g in lesson.goals) + "</ul>")
    if lesson.steps:
        items = []
        for step in lesson.steps:
            marks = []
            if step.differs_by_device:
                marks.append("Android/iPhone")
            if step.exercise:
                marks.append("Übung")
            if step.key_sentence:
                marks.append("Merksatz")
            extra = f" <i>({', '.join(marks)})</i>" if marks else ""
            items.append(f"<li>{escape(step.title)}{extra}</li>")
        parts.append("<h3>Schritte</h3><ol>" + "".join(items) + "</ol>")
    if lesson.links:
        parts.append("<h3>Links (als QR-Code auf dem Handout)</h3><ul>"
                     + "".join(f"<li>{escape(link.title)}: {escape(link.url)}</li>" for link in lesson.links) + "</ul>")
    if lesson.warnings:
        parts.append("<h3>Hinweise der Prüfung</h3><ul>"
                     + "".join(f"<li>Zeile {p.line}: {escape(p.message)}</li>" for p in lesson.warnings[:12]) + "</ul>")
    return "\n".join(parts)
