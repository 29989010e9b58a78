"""Printed documents: one renderer for PDF files, printing and print preview.

A document is a flow of blocks. Layout cuts the flow into pages of whatever paper the device
has; painting draws the pages with QPainter onto any QPagedPaintDevice — QPdfWriter for files,
QPrinter for printing, the printer handed to QPrintPreviewDialog for the preview. There is no
second code path. All lengths are layout units of 1/720 inch: use ``units.mm()`` / ``units.pt()``.

Building a document (e.g. a signature sheet)::

    from app.render.blocks import Checklist, Lines, Rule, Table
    from app.render.document import Document, PageBreak, Section
    from app.render.furniture import StandardFurniture
    from app.render.qr import QrCode
    from app.render.text import BODY, Text, heading
    from app.render.units import mm

    furniture = StandardFurniture("Land L(i)eben", logo=None, footer_note="Handy-Treff · 24.11.2025")
    doc = Document(furniture.page_style(), title="Anwesenheitsliste")  # header, footer »Seite x von y«
    doc.add(Section("Anwesenheitsliste"),              # running header text from here on
            heading("Anwesenheitsliste", 1),           # headings never end a page alone
            Text("**Ort:** Dorfgemeinschaftshaus", BODY, is_markdown=True),
            Table(["Nr.", "Name", "Unterschrift"], rows, widths=[0.1, 0.45, 0.45], min_row_height=mm(13)),
            QrCode("https://example.org", "Mehr dazu"), # ≥ 25 mm, EC level M, 4-module quiet zone
            heading("Notizen", 2), Lines(4, fill=True)) # ruled lines to the bottom of the page

Writing or printing it (blocking; run it in a worker thread for long documents — no QPixmap
is used anywhere, so this is allowed; pass ``progress(done, total)`` and ``cancelled()``)::

    from app.render.output import write_pdf, paint, layout_for, prepare_printer
    layout = write_pdf(doc, Path("liste.pdf"))          # temp file + rename; OutputError in German
    prepare_printer(printer); paint(layout_for(doc, printer), printer)   # QPrinter / preview

Blocks: ``text.Text`` (plain or the lesson Markdown, cut between lines), ``blocks.Box``
(framed text), ``blocks.Checklist`` (tick boxes), ``blocks.Table`` (header repeated on each
page), ``blocks.Lines``, ``blocks.Rule``, ``blocks.Spacer``, ``blocks.TableOfContents`` (page
numbers of ``document.Anchor`` markers), ``pictures.PictureBlock`` (never split, shrinks to
fit; a bad file becomes a placeholder), ``qr.QrCode`` (modules ≥ 0.9 mm, address clickable),
``keep.Group`` (blocks that share a page: a step's heading, first text and picture) and
``keep.DevicePart`` (Android/iPhone part with symbol and side bar). Markers: ``PageBreak``, ``Section``,
``Anchor``, ``PlainPage`` (no header/footer, e.g. a cover); ``PageBreak(right_hand=True)``
starts an odd page (booklet »beidseitig«). New kinds subclass
``document.Block`` (``measure``, optionally ``split``/``min_head``/``shrink``, ``paint``).

Lesson documents: ``handout.build_handout(lesson, HandoutOptions)`` and
``booklet.build_booklet(lessons, HandoutOptions)``. Fonts: ``fonts.load_fonts()`` registers the
bundled Atkinson Hyperlegible (needs a QGuiApplication) and maps every other family onto it, SVG
picture text included: a PDF carries one typeface. ``output.finish_pdf`` adds language de-DE,
author and a bookmark per section with pypdf. Nothing here imports QtWidgets.
"""
