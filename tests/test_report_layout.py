"""The Word report as a word processor lays it out: LibreOffice (Debian's `libreoffice-writer-nogui`, installed
by .ci/run) turns the reports into PDF and `pdftotext` (poppler-utils) reads their lines back. No case number
breaks across two lines — neither one alone in its cell nor one inside a sentence (a finding's detail, a
meeting item) — because a line ends early before a case number that would not fit.

LibreOffice draws Times New Roman's digits with a wider font here (DejaVu Serif) than Word does, so a number
that fits here fits in Word too."""

from __future__ import annotations

import re
import shutil
import subprocess

from browserkit import ARTIFACTS, require_tool

from pipelines.present.monthly_report import case_number_lines, new_report, write_monthly_docx

CASE = re.compile(r"[（(]\d{4}[）)][^\s（()）,，。；;、]{1,16}?号")
DETAIL = ("局务会议JW2023-028的议题JW2023-028-01（（2023）豫1302执恢261号终结本次执行程序审查）决议方式为分管副院长决定，"
          "但分管副院长未参加（赞成2、反对2、弃权0）")
DETAIL_EN = "Item JW2023-009-04 (（2023）豫1302执112号拘留、罚款措施) was Escalated to the judicial committee"


def _case_numbers(document) -> list[str]:
    return [m.group(0) for table in document.tables for row in table.rows for cell in row.cells
            for m in CASE.finditer(cell.text)]


def _laid_out(docx_paths, folder) -> dict:
    """Each .docx's text lines as LibreOffice lays them out (spaces dropped: pdftotext shows the gap it draws
    between Chinese and digits as a space)."""
    soffice, pdftotext = require_tool("soffice", "libreoffice-writer-nogui"), require_tool("pdftotext", "poppler-utils")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/lo-profile", "--convert-to", "pdf",
                    "--outdir", str(folder), *map(str, docx_paths)], check=True, capture_output=True, timeout=240)
    out = {}
    for path in docx_paths:
        pdf = folder / (path.stem + ".pdf")
        text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        out[path] = [line.replace(" ", "") for line in text.splitlines()]
        shutil.copyfile(pdf, ARTIFACTS / f"layout-{path.stem}.pdf")
    return out


def _broken(numbers: list[str], lines: list[str]) -> list[str]:
    """The case numbers that appear whole on fewer lines than the document holds them."""
    return sorted({n for n in numbers if sum(line.count(n) for line in lines) < numbers.count(n)})


def test_no_case_number_breaks_across_two_lines(demo_db, tmp_path):
    import docx

    ARTIFACTS.mkdir(exist_ok=True)
    # the demo's report of August 2023: findings whose details name a case (A7-PLAN, M5-*) and the longest
    # overdue cases, a case number alone in each cell (the English report's tables are the same widths)
    reports = [write_monthly_docx(demo_db, "2023-08", tmp_path / "report-2023-08-zh.docx")]
    # and a case number at every place of a line: the detail pushed on by 0..40 characters, in narrow and
    # wide columns
    doc = new_report("zh")
    for widths in ((3.2, 3.2, 9.6), (3.4, 6.4, 6.2), (2.0, 10.0, 4.0)):
        doc.table("layout", ["记录", "说明", "备注"],
                  [["JW", "议" * n + (DETAIL if n % 2 else DETAIL_EN), "—"] for n in range(41)], widths_cm=widths)
    synthetic = tmp_path / "case-numbers-everywhere.docx"
    doc.doc.save(str(synthetic))

    lines = _laid_out([*reports, synthetic], tmp_path)
    for path in (*reports, synthetic):
        numbers = _case_numbers(docx.Document(str(path)))
        assert numbers, path.name
        assert not _broken(numbers, lines[path]), (path.name, _broken(numbers, lines[path]))
    assert len(_case_numbers(docx.Document(str(synthetic)))) == 3 * 41


def test_a_line_ends_before_a_case_number_only_where_it_would_not_fit():
    """The cut itself: none where the number fits; before the number where it would reach the line's end;
    the text is the same once the cuts are joined."""
    assert case_number_lines("（2023）豫1302执恢261号", 4.0) == ["（2023）豫1302执恢261号"]
    assert case_number_lines("议题（2023）豫1302执恢261号审查", 9.6) == ["议题（2023）豫1302执恢261号审查"]
    cut = case_number_lines("议" * 20 + DETAIL, 9.6)
    assert len(cut) == 2 and cut[1].startswith("（2023）豫1302执恢261号"), cut
    assert "".join(cut) == "议" * 20 + DETAIL
    assert case_number_lines("no case number here at all", 2.0) == ["no case number here at all"]
