"""Pictures of the paper the kit makes, each printed the way its user would print it.

Run: ``python docs/make_screenshots_paper.py`` (needs /usr/bin/chromium, LibreOffice's
``soffice`` and poppler's ``pdftoppm``). From the sample city it writes, in docs/screenshots/:

- ``paper_excel_grid.png``, ``paper_excel_issues.png``: the office workbook printed by
  LibreOffice (``soffice --headless --convert-to pdf``), the 地区×重点目標 grid page and a
  page of the 困りごと list (A4 landscape, fitted to the width);
- ``paper_record_p1.png``, ``paper_record_p2.png``: a 会議録 printed by Chromium on A4;
- ``paper_handout_p1.png``: the first page of a map handout (A4 landscape);
- ``paper_report_heatmap.png``: the HTML report's heatmap, opened offline in Chromium.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kit.office.compile import compile_folder  # noqa: E402
from kit.office.export import export_to  # noqa: E402
from kit.plan import load_plan  # noqa: E402
from kit.record.page import write_record  # noqa: E402
from kit.sample.write import build_demo_database  # noqa: E402
from kit.settings import load_settings  # noqa: E402
from kit.store import meetings as meeting_store  # noqa: E402
from kit.store import open_store  # noqa: E402
from kit.store.office import open_office_store  # noqa: E402
from kit.supportmap.handout import write_handout  # noqa: E402

OUT = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("TASUKEAI_CHROMIUM", "/usr/bin/chromium")
SAMPLE_RESULTS = REPO / "sample_data" / "results"


def page_png(pdf: Path, page: int, target: Path, dpi: int = 80) -> Path:
    stem = target.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
         str(pdf), str(stem)],
        check=True,
    )  # fmt: skip
    return target


def chromium_pdf(html: Path, pdf: Path, *, landscape: bool = False) -> Path:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
        )
        page.goto(html.as_uri())
        page.wait_for_timeout(1500)
        page.pdf(path=str(pdf), format="A4", landscape=landscape, print_background=True)
        browser.close()
    return pdf


def report_heatmap(report: Path, target: Path) -> Path:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
        )
        page.goto(report.as_uri())
        page.wait_for_selector(".js-plotly-plot .xtick text")
        page.locator("section").first.screenshot(path=str(target))
        browser.close()
    return target


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="tasukeai-paper-"))
    plan = load_plan()
    # the office: the sample city's 12 result files, its workbook printed by LibreOffice
    office = open_office_store(work / "office.sqlite")
    compile_folder(office, SAMPLE_RESULTS, plan)
    written = export_to(office, plan, excel=work / "city.xlsx", html_path=work / "report.html")
    office.close()
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{work}/lo", "--headless", "--convert-to", "pdf",
         "--outdir", str(work), str(written["excel"])],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    page_png(work / "city.pdf", 2, OUT / "paper_excel_grid.png")
    page_png(work / "city.pdf", 5, OUT / "paper_excel_issues.png")
    report_heatmap(written["html"], OUT / "paper_report_heatmap.png")
    # a district: the demo database's second meeting of かわせみ地区 and the map of さくら台地区
    settings = load_settings(db_path=work / "demo.sqlite", results_dir=work / "results")
    build_demo_database(settings)
    conn = open_store(settings.db_path)
    second = [m for m in meeting_store.list_meetings(conn, "d02") if m.phase == "closed"][-1]
    record = write_record(conn, plan, second.id, work / "records")
    chromium_pdf(record, work / "record.pdf")
    page_png(work / "record.pdf", 1, OUT / "paper_record_p1.png")
    page_png(work / "record.pdf", 2, OUT / "paper_record_p2.png")
    first_d01 = [m for m in meeting_store.list_meetings(conn, "d01") if m.phase == "closed"][-1]
    handout = write_handout(conn, "d01", work / "handouts", meeting_id=first_d01.id)
    chromium_pdf(handout, work / "handout.pdf", landscape=True)
    page_png(work / "handout.pdf", 1, OUT / "paper_handout_p1.png")
    conn.close()
    for name in sorted(p.name for p in OUT.glob("paper_*.png")):
        print(OUT / name)


if __name__ == "__main__":
    main()
