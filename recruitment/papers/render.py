"""A `content.Paper` as a printable A4 PDF (WeasyPrint, from a Django template) and as an editable
DOCX (python-docx) with the same text, for a secretary who must adjust the wording before signing."""

import io

from django.template.loader import render_to_string

from .content import Paper

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"


def html(paper: Paper) -> str:
    return render_to_string("recruitment/papers/exports/paper.html", {"paper": paper, "party": PARTY})


def pdf_document(paper: Paper):
    """WeasyPrint's laid-out document (its pages hold the text boxes that `write_pdf` draws)."""
    from weasyprint import HTML  # imported here: loading Pango is slow and only the papers need it

    return HTML(string=html(paper)).render()


def pdf(paper: Paper) -> bytes:
    return pdf_document(paper).write_pdf()


def docx(paper: Paper) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    normal.paragraph_format.space_after = Pt(3)
    document.core_properties.title = f"{paper.title} {paper.subtitle}".strip()
    document.core_properties.author = "PartyHub"

    def write(container, text, *, bold=False, italic=False, underline=False, size=None, align=None):
        paragraph = container.add_paragraph()
        run = paragraph.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
        if align is not None:
            paragraph.alignment = align
        return paragraph

    center, right, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY
    if paper.form_label:
        write(document, paper.form_label, italic=True, size=11, align=right)

    head = document.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right_cell = head.rows[0].cells
    left.paragraphs[0].text = ""
    if paper.superior:
        write(left, paper.superior, size=13, align=center)
    write(left, paper.issuer, bold=True, size=13, align=center)
    write(left, "*", align=center)
    write(left, paper.number, size=13, align=center)
    write(right_cell, PARTY, bold=True, underline=True, size=14, align=center)
    write(right_cell, paper.date_line, italic=True, size=13, align=center)
    for cell in (left, right_cell):
        first = cell.paragraphs[0]
        first._element.getparent().remove(first._element)  # the cell's empty first paragraph

    write(document, "")
    write(document, paper.title, bold=True, size=15, align=center)
    write(document, paper.subtitle, bold=True, align=center)
    write(document, "-----", align=center)
    for line in paper.preamble:
        write(document, line, italic=True, align=justify)
    if paper.decides:
        write(document, paper.decides, bold=True, align=center)
    for line in paper.body:
        write(document, line, align=justify)
    if paper.table:
        table = document.add_table(rows=1, cols=len(paper.table.headers))
        table.style = "Table Grid"
        for cell, header in zip(table.rows[0].cells, paper.table.headers, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(header)
            run.bold, run.font.size = True, Pt(11)
        for row in paper.table.rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(value).font.size = Pt(11)
    for line in paper.after:
        write(document, line, align=justify)

    closing = document.add_table(rows=1, cols=2)
    recipients, signature = closing.rows[0].cells
    write(recipients, "Nơi nhận:", bold=True, italic=True, size=12)
    for line in paper.recipients:
        write(recipients, line, size=11)
    write(signature, paper.on_behalf, bold=True, align=center)
    write(signature, paper.signer, bold=True, align=center)
    for cell in (recipients, signature):
        first = cell.paragraphs[0]
        first._element.getparent().remove(first._element)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
