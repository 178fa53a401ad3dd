# ruff: noqa: E501  (OFD markup keeps its long lines)
"""Attached files read as text: PDF, DOCX, XLSX, OFD and plain text, told apart by their bytes."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pytest

from crawler.extract import documents
from crawler.extract.documents import UnreadableDocument, is_document_response, read_document, signature_date
from portalwatch.fixture_sites.files import pdf_bytes
from portalwatch.fixture_sites.markup import DOC_BYTES

TITLE = "崂山区关于支持数字经济高质量发展的若干政策"
LINES = (TITLE, "一、对新引进的数字经济企业，最高给予1000万元落户奖励。", "崂山区人民政府 2026年11月10日")


def test_a_pdf_gives_its_lines_and_the_signature_date() -> None:
    found = read_document(pdf_bytes(LINES))
    assert (found.format, found.text) == ("pdf", "\n".join(LINES))
    assert str(signature_date(found.text)) == "2026-11-10"


def test_a_docx_even_named_wps_gives_paragraphs_and_table_rows() -> None:
    document = docx.Document()
    for line in LINES[:2]:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "项目名称", "总投资32亿元"
    out = io.BytesIO()
    document.save(out)
    found = read_document(out.getvalue())
    assert (found.format, found.text) == ("docx", f"{LINES[0]}\n{LINES[1]}\n项目名称 总投资32亿元")


def test_an_xlsx_gives_one_line_per_row() -> None:
    book = openpyxl.Workbook()
    book.active.append(["项目", "区市", "总投资（亿元）"])
    book.active.append(["海创新能源项目", "崂山区", 32])
    out = io.BytesIO()
    book.save(out)
    assert read_document(out.getvalue()).text == "项目 区市 总投资（亿元）\n海创新能源项目 崂山区 32"


def test_an_ofd_gives_its_text_lines() -> None:
    page = (
        '<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer>'
        '<ofd:TextObject Boundary="10 20 100 5"><ofd:TextCode X="0" Y="4">关于印发</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject Boundary="60 20 100 5"><ofd:TextCode X="0" Y="4">若干措施的通知</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject Boundary="10 40 100 5"><ofd:TextCode X="0" Y="4">各街道办事处：</ofd:TextCode></ofd:TextObject>'
        "</ofd:Layer></ofd:Content></ofd:Page>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
        archive.writestr("Doc_0/Pages/Page_0/Content.xml", page)
    assert read_document(out.getvalue()).text == "关于印发若干措施的通知\n各街道办事处："


def test_old_binary_files_archives_and_oversized_files_are_unreadable_not_empty(monkeypatch) -> None:
    with pytest.raises(UnreadableDocument, match="old binary"):
        read_document(DOC_BYTES)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "x")
    with pytest.raises(UnreadableDocument, match="zip"):
        read_document(out.getvalue())
    monkeypatch.setattr(documents, "MAX_BYTES", 100)
    with pytest.raises(UnreadableDocument, match="larger"):
        read_document(pdf_bytes(LINES))


def test_a_file_is_told_from_a_page_by_its_bytes() -> None:
    assert is_document_response("application/octet-stream", pdf_bytes(LINES))
    assert is_document_response("text/html", pdf_bytes(LINES))  # a PDF sent as HTML is still a PDF
    assert not is_document_response("application/pdf", b"<!DOCTYPE html><html><body>404</body></html>")
    assert not is_document_response("text/html; charset=utf-8", "<html><body>青岛</body></html>".encode())
