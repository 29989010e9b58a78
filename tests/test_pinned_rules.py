"""Rules a trainer relies on, pinned with numbers written here from the requirement (never the code's constants).

Wall text is at least 4.5 % of the screen height (49 px on a 1080-line beamer); of two equal
screens the left one becomes the projector; contrast follows WCAG 2 (coloured pairs tell the
channel weights apart); LIX counts a word as long from seven letters on.
"""

from __future__ import annotations

import pytest

from app.domain import contrast, projection
from app.domain.readability import lix, projected_text
from app.domain.screens import ScreenInfo, choose_screens

# --------------------------------------------------------------------------- projected text size


@pytest.mark.parametrize(("height", "minimum_px"), [
    (1080, 48.6),   # Full HD beamer: 49 px letters (about 6 cm on a 2.5 m picture)
    (800, 36.0),    # the checker's 1280×800 reference beamer
    (768, 34.56),   # a 1366×768 laptop panel
    (720, 32.4),
    (2160, 97.2),   # 4K
])
def test_minimum_wall_text_is_four_and_a_half_percent_of_the_height(height, minimum_px):
    assert projection.min_text_px(height) == pytest.approx(minimum_px, abs=1e-9), \
        f"Mindestschrift auf {height} Zeilen muss {minimum_px} px sein"


def test_minimum_on_a_1080_line_beamer_rounds_to_49_px():
    assert round(projection.min_text_px(1080)) == 49


def test_presenter_never_shrinks_an_overlong_step_below_49_px(qapp):
    from PySide6.QtCore import QSize

    from app.domain.lesson import Device, Step
    from app.ui.presenter.step_renderer import StepRenderer

    long_text = " ".join(["Tippen Sie unten auf das Zahnrad und dann auf Anzeige."] * 40)
    step = Step(title="Viel zu lang", text=long_text)
    layout = StepRenderer().layout(step, Device.ANDROID, QSize(1920, 1080), 1.0, contrast.LIGHT)
    assert layout.overflow, "so viel Text passt nicht auf die Wand"
    assert layout.body_px == pytest.approx(48.6, abs=0.01), f"Schrift {layout.body_px:.1f} px statt 48,6 px"


def test_short_step_is_capped_below_eight_and_a_half_percent(qapp):
    from PySide6.QtCore import QSize

    from app.domain.lesson import Device, Step
    from app.ui.presenter.step_renderer import StepRenderer

    layout = StepRenderer().layout(Step(title="Kurz", text="Gut."), Device.ANDROID, QSize(1920, 1080), 1.0,
                                   contrast.LIGHT)
    assert not layout.overflow
    # at most 8.5 % = 91.8 px, drawn at whole even pixel sizes (glyph cache): 90 px
    assert layout.body_px == 90


def test_lines_available_on_the_reference_beamer():
    # 1280×800: text 36 px, margin 40 px each side, footer band 800·0.032·1.6 = 40.96 px;
    # 679.04 px of height at 36·1.3 = 46.8 px per line = 14.5 lines.
    estimate = projection.estimate_fit("Kurz", "Gut.", [], has_picture=False)
    assert estimate.lines_available == 14.5
    # title 36·1.35 = 48.6 px: one line 63.18 + spacing 17.01; gap 21.6; one body line 46.8 + 12.6
    # = 161.19 px · 1.15 safety = 185.37 px = 3.96 lines of 46.8 px
    assert estimate.lines_needed == 4.0
    assert estimate.fits


def _hand_estimate(title_lines: int, body: list[int] = (), boxes: list[list[int]] = ()) -> float:
    """Lines needed on the 1280×800 reference beamer, by hand: text 36 px, title 48.6 px, line 46.8 px,
    paragraph spacing 0.35 px per px, gap 0.6, box padding 0.45 on both sides, 15 % safety."""
    used = title_lines * 48.6 * 1.3 + 48.6 * 0.35 + 36 * 0.6
    if body:
        used += sum(body) * 36 * 1.3 + len(body) * 36 * 0.35
    for blocks in boxes:
        used += sum(blocks) * 36 * 1.3 + len(blocks) * 36 * 0.35 + 2 * 36 * 0.45 + 36 * 0.6
    return round(used * 1.15 / 46.8, 1)


def test_title_and_box_widths_on_the_reference_beamer():
    # content 1280 − 2·40 = 1200 px; title letters 48.6·0.53 px wide → 46 per line;
    # box inside 1200 − 2·36·0.45 = 1167.6 px, letters 18 px → 64 per line (label »Übung: « included)
    assert projection.estimate_fit("a" * 46, "", [], has_picture=False).lines_needed == _hand_estimate(1)
    assert projection.estimate_fit("a" * 47, "", [], has_picture=False).lines_needed == _hand_estimate(2)
    boxes = [("Übung", "b" * 57), ("Übung", "c" * 58)]  # 64 characters: one line; 65: two
    assert projection.estimate_fit("T", "", boxes, has_picture=False).lines_needed == _hand_estimate(1, [], [[1], [2]])
    body = "d" * 64 + " " + "e" * 40  # body 1200 px / 18 px = 66 per line: two lines
    assert projection.estimate_fit("T", body, [], has_picture=False).lines_needed == _hand_estimate(1, [2])
    # with a picture the text column is 1200·0.55 = 660 px = 36 characters
    assert projection.estimate_fit("T", "f" * 36, [], has_picture=True).lines_needed == _hand_estimate(1, [1])
    assert projection.estimate_fit("T", "f" * 37, [], has_picture=True).lines_needed == _hand_estimate(1, [2])


def test_a_very_narrow_column_still_holds_eight_characters():
    # 200 px wide: 120 px of content would hold 6 letters of 18 px; the estimate assumes at least 8
    narrow = projection.estimate_fit("T", "d" * 9, [], has_picture=False, screen=(200, 800))
    assert narrow.lines_needed == _hand_estimate(1, [2])


def test_a_wider_screen_has_more_room_at_the_same_height():
    text = " ".join(["Wischen Sie mit einem Finger von oben nach unten."] * 6)
    narrow = projection.estimate_fit("Titel", text, [], has_picture=False, screen=(1024, 768))
    wide = projection.estimate_fit("Titel", text, [], has_picture=False, screen=(1920, 768))
    assert wide.lines_needed < narrow.lines_needed
    assert wide.lines_available == narrow.lines_available


def test_picture_beside_the_text_narrows_the_column_to_55_percent():
    text = " ".join(["Wischen Sie mit einem Finger von oben nach unten."] * 4)
    without = projection.estimate_fit("Titel", text, [], has_picture=False)
    beside = projection.estimate_fit("Titel", text, [], has_picture=True)
    assert beside.lines_needed > without.lines_needed


def test_wrapped_line_count_known_values():
    assert projection.wrapped_line_count("eins zwei drei", 14) == 1      # exactly 14 characters
    assert projection.wrapped_line_count("eins zwei drei", 13) == 2
    assert projection.wrapped_line_count("", 20) == 1
    assert projection.wrapped_line_count("a" * 20, 8) == 3              # 8 + 8 + 4
    assert projection.wrapped_line_count("ab " + "c" * 17, 8) == 4      # »ab«, then 8 + 8 + 1
    assert projection.wrapped_line_count("abc", 3) == 1                  # below 8 counts as 8


def test_plain_lines_strip_markup_and_split_blocks():
    markdown = "# Titel\n\nTippen Sie auf **Start**\nund warten.\n\n- erstens\n2. zweitens\n* [Link](https://x.de)"
    assert projection.plain_lines(markdown) == [
        "Titel", "Tippen Sie auf Start und warten.", "   erstens", "   zweitens", "   Link",
    ]


def test_plain_lines_keep_a_leading_x_and_join_the_last_paragraph():
    assert projection.plain_lines("X-Achse und Y-Achse\nzusammen") == ["X-Achse und Y-Achse zusammen"]
    assert projection.plain_lines("## Überschrift") == ["Überschrift"]


def test_boxed_markdown_puts_the_label_before_a_sentence_or_above_a_list():
    assert projection.boxed_markdown("Merksatz", "Erst denken.") == "**Merksatz:** Erst denken."
    assert projection.boxed_markdown("Übung", "- eins\n- zwei") == "**Übung:**\n\n- eins\n- zwei"
    assert projection.boxed_markdown("Übung", "1. eins") == "**Übung:**\n\n1. eins"
    assert projection.boxed_markdown("Übung", "\n  - eins") == "**Übung:**\n\n\n  - eins"  # blank first line


# --------------------------------------------------------------------------- which screen is the projector

LAPTOP = ScreenInfo("eDP-1", 0, 0, 1366, 768, primary=True)


@pytest.mark.parametrize("order", [(0, 1, 2), (0, 2, 1), (1, 0, 2), (2, 1, 0), (1, 2, 0), (2, 0, 1)])
def test_of_two_equal_screens_the_left_one_is_the_projector(order):
    left = ScreenInfo("HDMI-1", 1366, 0, 1920, 1080)
    right = ScreenInfo("DP-1", 3286, 0, 1920, 1080)
    screens = [(LAPTOP, left, right)[i] for i in order]
    placement = choose_screens(screens)
    assert screens[placement.audience].name == "HDMI-1", f"Reihenfolge {order}: Beamer muss der linke sein"
    assert screens[placement.console].name == "eDP-1"


def test_of_two_equal_screens_at_the_same_x_the_upper_one_is_the_projector():
    lower = ScreenInfo("DP-2", 1366, 1080, 1920, 1080)
    upper = ScreenInfo("DP-1", 1366, 0, 1920, 1080)
    for screens in ([LAPTOP, lower, upper], [LAPTOP, upper, lower]):
        assert screens[choose_screens(screens).audience].name == "DP-1"


def test_larger_area_beats_position():
    small_left = ScreenInfo("HDMI-1", 1366, 0, 1024, 768)
    big_right = ScreenInfo("DP-1", 2390, 0, 1920, 1080)
    assert choose_screens([LAPTOP, small_left, big_right]).audience == 2
    assert choose_screens([LAPTOP, big_right, small_left]).audience == 1


def test_remembered_name_beats_size_and_swap_exchanges():
    beamer = ScreenInfo("HDMI-1", 1366, 0, 1024, 768)
    tv = ScreenInfo("DP-1", 2390, 0, 1920, 1080)
    placement = choose_screens([LAPTOP, beamer, tv], preferred_audience="HDMI-1", swapped=True)
    assert (placement.audience, placement.console) == (0, 1)
    placement = choose_screens([tv, LAPTOP], preferred_audience="nicht-da")
    assert (placement.audience, placement.console, placement.single_screen) == (0, 1, False)


def test_a_remembered_projector_that_is_not_connected_changes_nothing():
    small = ScreenInfo("HDMI-1", 1366, 0, 1024, 768)
    big = ScreenInfo("DP-1", 2390, 0, 1920, 1080)
    assert choose_screens([LAPTOP, small, big], preferred_audience="HDMI-2").audience == 2


def test_no_screens_is_a_german_error():
    with pytest.raises(ValueError, match="^keine Bildschirme$"):
        choose_screens([])


def test_screen_area():
    assert ScreenInfo("x", 0, 0, 1920, 1080).area == 2_073_600


# --------------------------------------------------------------------------- WCAG contrast


@pytest.mark.parametrize(("foreground", "background", "ratio"), [
    ("#0000ff", "#ffffff", 8.59),    # blue on white: only the blue weight 0.0722 gives this
    ("#ff0000", "#ffffff", 4.00),    # red on white: red weight 0.2126
    ("#008000", "#ffffff", 5.14),    # HTML green on white: green weight 0.7152 with the sRGB curve
    ("#ffff00", "#000000", 19.56),   # yellow on black
    ("#0000ff", "#000000", 2.44),    # blue on black
    ("#767676", "#ffffff", 4.54),    # the lightest grey that passes AA on white
    ("#000000", "#ffffff", 21.0),
    ("#ffffff", "#ffffff", 1.0),
])
def test_contrast_ratio_of_wcag_example_pairs(foreground, background, ratio):
    assert contrast.contrast_ratio(foreground, background) == pytest.approx(ratio, abs=0.005)
    assert contrast.contrast_ratio(background, foreground) == pytest.approx(ratio, abs=0.005)


def test_relative_luminance_below_and_above_the_linear_segment():
    # WCAG 2: channel/255 ≤ 0.03928 is divided by 12.92; above it ((c + 0.055) / 1.055) ** 2.4
    assert contrast.luminance("#0a0a0a") == pytest.approx(0.0030353, abs=1e-6)   # 10/255 = 0.0392
    assert contrast.luminance("#808080") == pytest.approx(0.2158605, abs=1e-6)
    assert contrast.luminance("808080") == pytest.approx(0.2158605, abs=1e-6)    # without »#«
    assert contrast.luminance("#00ff00") == pytest.approx(0.7152, abs=1e-9)


def test_every_theme_pair_reaches_aaa_seven_to_one():
    for theme in (contrast.LIGHT, contrast.DARK):
        assert set(theme.pairs()) == {"Text", "Titel", "Merksatz", "Übung", "Fußzeile"}
        for label, (text, background) in theme.pairs().items():
            assert contrast.contrast_ratio(text, background) >= 7.0, f"{theme.name}/{label}"
    assert contrast.AAA_RATIO == 7.0
    assert contrast.LIGHT.pairs()["Merksatz"] == ("#000000", "#fff1a8")
    assert contrast.DARK.pairs()["Fußzeile"] == ("#d0d0d0", "#000000")


def test_theme_lookup_falls_back_to_light():
    assert contrast.theme("dunkel") is contrast.DARK
    assert contrast.theme("hell") is contrast.LIGHT
    assert contrast.theme("grell") is contrast.LIGHT


# --------------------------------------------------------------------------- LIX


def test_six_letters_is_short_seven_is_long():
    # »Handys« has 6 letters (short), »Telefon« 7 (long): 2 words, 1 sentence → 2/1 + 100·1/2 = 52
    score = lix("Handys Telefon.")
    assert (score.words, score.sentences, score.long_words) == (2, 1, 1)
    assert score.value == 52.0


def test_umlauts_and_eszett_count_as_letters():
    # »Größe« 5, »schließt« 8, »Fußball« 7, »Äpfeln« 6
    score = lix("Größe schließt Fußball Äpfeln.")
    assert (score.words, score.sentences, score.long_words) == (4, 1, 2)
    assert score.value == 4 + 50


def test_hyphenated_word_counts_as_its_parts():
    # »E-Mail-Adresse« → E, Mail, Adresse (7, long): 4 words with »Die«, 1 long
    score = lix("Die E-Mail-Adresse.")
    assert (score.words, score.long_words) == (4, 1)


def test_sentence_ends_and_paragraphs():
    score = lix("Eins zwei! Drei vier? Fünf: sechs; sieben")
    assert (score.words, score.sentences) == (7, 5)  # four marks and the unfinished last sentence
    assert lix("Erster Absatz ohne Punkt\n\nZweiter Absatz").sentences == 2
    assert lix("Tippen Sie:\n- auf Start\n- auf Ende").sentences == 3
    assert lix("Version 2.5 ist da.").sentences == 1  # a point inside a number ends nothing
    assert lix("Er sagt »Ja.« Dann geht er.").sentences == 2


def test_markup_is_no_word():
    score = lix("Tippen Sie **hier** und `dort` auf [den Link](https://example.org/lange-adresse).")
    assert score.words == 8 and score.long_words == 0
    assert lix("![Bild](bilder/einstellungen.svg) Gut.").words == 1


def test_list_markers_are_no_words():
    assert lix("1. Tippen Sie\n2. Wischen Sie").words == 4  # »1.« and »2.« are markers, not words
    assert lix("1. Tippen Sie").long_words == 0  # the marker does not lengthen the first word
    assert lix("- eins\n- zwei").words == 2
    assert lix("**  **\n\nTippen Sie.").words == 2  # an empty first block does not end the count


def test_empty_text_scores_zero():
    assert lix("").value == 0.0
    assert lix("**  **").words == 0


def test_no_sentence_end_still_one_sentence():
    # three words, no punctuation: 3/1 + 100·1/3
    assert lix("Bitte Einstellungen öffnen").value == pytest.approx(3 + 100 / 3)


def test_projected_text_holds_what_the_audience_reads():
    from app.domain.lesson import Device, Step, Variant

    step = Step(title="Titel", text="Text.", exercise="Übung.", key_sentence="Merksatz.",
                variants={Device.IPHONE: Variant(text="iPhone-Text.")}, notes="Nur für die Trainerin.")
    assert projected_text(step) == "Titel.\n\nText.\n\niPhone-Text.\n\nÜbung.\n\nMerksatz."


# --------------------------------------------------------------------------- pacing (console hint)


def test_pace_words_the_trainer_reads():
    from app.domain.pacing import Pace

    assert [pace.value for pace in Pace] == ["im Plan", "etwas zügiger", "Zeit lassen"]


@pytest.mark.parametrize(("elapsed", "planned", "current", "steps", "pace", "expected_step", "remaining"), [
    (0, 30, 1, 10, "ON_TIME", 1.0, 30.0),
    (900, 30, 5, 11, "ON_TIME", 6.0, 15.0),    # half time: step 6 of 11 expected, ± 11·0.12 = 1.32
    (900, 30, 4, 11, "HURRY", 6.0, 15.0),      # 4 < 4.68
    (900, 30, 8, 11, "SLOW_DOWN", 6.0, 15.0),  # 8 > 7.32
    (900, 30, 7, 11, "ON_TIME", 6.0, 15.0),
    (300, 10, 2, 5, "ON_TIME", 3.0, 5.0),      # tolerance at least one step: 2 is not below 3 − 1
    (300, 10, 4, 5, "ON_TIME", 3.0, 5.0),      # 4 is not above 3 + 1
    (300, 10, 1, 5, "HURRY", 3.0, 5.0),
    (300, 10, 5, 5, "SLOW_DOWN", 3.0, 5.0),
    (1800, 30, 9, 10, "ON_TIME", 10.0, 0.0),   # exactly at the planned end: not yet over time
    (1900, 30, 9, 10, "HURRY", 10.0, 0.0),     # over time and not at the last step
    (1900, 30, 10, 10, "ON_TIME", 10.0, 0.0),
    (30, 0, 1, 3, "ON_TIME", 2.0, 0.5),        # no planned duration counts as one minute
    (-60, 30, 1, 10, "ON_TIME", 1.0, 31.0),    # a clock set back never expects a step before the first
    (100, 30, 1, 10, "ON_TIME", 1.5, 28.3),
    (600, 30, 1, 1, "ON_TIME", 1.0, 20.0),     # a one-step lesson
    (100, 30, 1, 4, "ON_TIME", 1.2, 28.3),     # 1 + 100/1800·3 = 1.17, shown to one decimal
])
def test_pacing_known_values(elapsed, planned, current, steps, pace, expected_step, remaining):
    from app.domain.pacing import Pace, pacing

    status = pacing(elapsed, planned, current, steps)
    assert (status.pace, status.expected_step, status.remaining_minutes) == (Pace[pace], expected_step, remaining)


# --------------------------------------------------------------------------- lesson data


def test_step_text_picture_and_exercise_items_per_device(tmp_path):
    from app.domain.lesson import Device, Picture, Step, Variant

    common, iphone_picture = Picture(tmp_path / "a.svg"), Picture(tmp_path / "b.svg")
    step = Step(title="T", text=" Gemeinsam. ", picture=common,
                variants={Device.IPHONE: Variant(text=" Nur iPhone. ", picture=iphone_picture),
                          Device.ANDROID: Variant(text="  ")},
                exercise="- Erstens\n* Zweitens\n  weiter\n+ Drittens\n4. Viertens\nfünftens")
    assert step.text_for(Device.IPHONE) == "Gemeinsam.\n\nNur iPhone."
    assert step.text_for(Device.ANDROID) == "Gemeinsam."
    assert Step(title="T", variants={Device.IPHONE: Variant(text="Nur so.")}).text_for(Device.IPHONE) == "Nur so."
    assert step.picture_for(Device.IPHONE) is iphone_picture and step.picture_for(Device.ANDROID) is common
    assert step.differs_by_device
    assert not Step(title="T", variants={Device.ANDROID: Variant(text=" ")}).differs_by_device
    assert Step(title="T", variants={Device.ANDROID: Variant(picture=common)}).differs_by_device
    assert step.exercise_items() == ["Erstens", "Zweitens weiter", "Drittens", "Viertens fünftens"]
    assert Step(title="T", exercise="Ein Satz\nüber zwei Zeilen.").exercise_items() == ["Ein Satz über zwei Zeilen."]
    assert Step(title="T", exercise="Tippen Sie. Dann wischen.").exercise_items() == ["Tippen Sie. Dann wischen."]
    assert Step(title="T", exercise="1. Tippen. Dann wischen.").exercise_items() == ["Tippen. Dann wischen."]
    assert Device.IPHONE.label == "iPhone" and Device.ANDROID.label == "Android"


def test_problem_lines_and_lesson_summary(tmp_path):
    from app.domain.lesson import Lesson, Link, Problem, Severity, Step

    error = Problem(tmp_path / "x" / "lektion.md", 7, "Kaputt.")
    warning = Problem(tmp_path / "x" / "lektion.md", 9, "Lang.", Severity.WARNING)
    assert error.format(tmp_path) == "x/lektion.md:7: Kaputt."
    assert warning.format(tmp_path) == "x/lektion.md:9: Warnung: Lang."
    assert error.format(tmp_path / "anderswo") == f"{tmp_path}/x/lektion.md:7: Kaputt."
    assert error.format() == f"{tmp_path}/x/lektion.md:7: Kaputt."
    lesson = Lesson(id="x", title="X", folder=tmp_path / "x", source=tmp_path / "x" / "lektion.md",
                    description="D", duration_minutes=30, level="Einsteiger", topic="Fotos", goals=["Ziel"],
                    links=[Link("Hilfe", "https://example.org/")], steps=[Step(title="S")],
                    problems=[warning], user_lesson=True)
    assert not lesson.is_broken and lesson.warnings == [warning] and lesson.errors == []
    assert lesson.summary() == {
        "id": "x", "titel": "X", "beschreibung": "D", "thema": "Fotos", "stufe": "Einsteiger",
        "dauer_minuten": 30, "schritte": 1, "geraete": ["android", "iphone"],
        "links": [{"titel": "Hilfe", "url": "https://example.org/"}], "lernziele": ["Ziel"],
        "ordner": str(tmp_path / "x"), "eigene_lektion": True, "fehler": [],
    }
    lesson.problems.append(error)
    assert lesson.is_broken and lesson.summary()["fehler"] == [error.format()]
    assert Lesson(id="leer", title="L", folder=tmp_path, source=tmp_path).is_broken  # no steps
