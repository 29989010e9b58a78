"""The small Markdown of step texts: what is printed bold, italic, as a list — and what stays text."""

from __future__ import annotations

from app.render.markdown import LINE_SEPARATOR, Run, parse, parse_inline


def test_raw_html_is_printed_as_typed() -> None:
    (paragraph,) = parse("Hallo <b>fett</b> <script>x()</script>")
    assert paragraph.runs == [Run("Hallo <b>fett</b> <script>x()</script>")]


def test_bold_italic_and_nesting() -> None:
    runs = parse_inline("Tippen Sie auf **Einstellungen** und *dann* auf ***Töne***.")
    assert runs == [
        Run("Tippen Sie auf "), Run("Einstellungen", bold=True), Run(" und "), Run("dann", italic=True),
        Run(" auf "), Run("Töne", bold=True, italic=True), Run("."),
    ]


def test_unmatched_markers_and_snake_case_stay_visible() -> None:
    assert parse_inline("3 * 4 = 12 und datei_name_neu und **offen") == [
        Run("3 * 4 = 12 und datei_name_neu und **offen")
    ]


def test_links_show_their_address_because_paper_cannot_be_clicked() -> None:
    assert parse_inline("Siehe [Hilfe](https://example.org/hilfe) oder <https://example.org>.") == [
        Run("Siehe Hilfe (https://example.org/hilfe) oder https://example.org.")
    ]


def test_escapes_and_code() -> None:
    assert parse_inline(r"\*kein Stern\* und `**code**`") == [Run("*kein Stern* und **code**")]


def test_lists_paragraphs_and_line_breaks() -> None:
    paragraphs = parse("Erst lesen.\nDann tippen.\n\n- eins\n- zwei\n  - tiefer\n\n1. erstens\n2) zweitens\n\nZeile  \nUmbruch")
    assert [(p.marker, p.level, p.text) for p in paragraphs] == [
        ("", 0, "Erst lesen. Dann tippen."),
        ("•", 0, "eins"),
        ("•", 0, "zwei"),
        ("•", 1, "tiefer"),
        ("1.", 0, "erstens"),
        ("2.", 0, "zweitens"),
        ("", 0, f"Zeile{LINE_SEPARATOR}Umbruch"),
    ]


def test_headings_inside_text_become_bold_paragraphs() -> None:
    (paragraph,) = parse("#### Wichtig")
    assert paragraph.bold and paragraph.text == "Wichtig"
