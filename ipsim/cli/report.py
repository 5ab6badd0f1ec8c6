"""``ipsim report RESULTS_DIR``: one HTML report (and workbook, and PDF) of a study's
results, in English or in Chinese."""

from __future__ import annotations

from collections.abc import Callable

from ipsim.errors import UsageError

__all__ = ["add_parser", "main"]


def add_parser(sub) -> None:
    from ipsim.report.i18n import LANGUAGES

    p = sub.add_parser("report", help="write one self-contained HTML report (and an .xlsx "
                       "workbook, and a PDF with --pdf) of the results under a folder")
    p.add_argument("results", help="results folder (e.g. results/key-city-2020): a run's "
                   "folder with compare/, sweep/, ... inside, or one command's folder")
    p.add_argument("--lang", choices=LANGUAGES, default="en",
                   help="language of the report: en (default) or zh (Chinese)")
    p.add_argument("--out", default=None, help="the HTML file to write (default "
                   "RESULTS/report.html, or RESULTS/report.zh.html for --lang zh); the "
                   "workbook and PDF are written beside it")
    p.add_argument("--pdf", action="store_true",
                   help="also print the report to PDF with headless Chromium")
    p.add_argument("--no-workbook", action="store_true", help="no .xlsx workbook")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")


def main(args, arm: Callable[[], None]) -> int:
    from ipsim.report.browser import BrowserError
    from ipsim.report.build import write_report
    from ipsim.report.folder import ResultError
    from ipsim.report.i18n import tr

    arm()
    try:
        written = write_report(args.results, args.lang, args.out, pdf=args.pdf,
                               workbook=not args.no_workbook)
    except (ResultError, ValueError, BrowserError) as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{exc.filename or args.out}: cannot write ({exc.strerror})") from None
    if not args.quiet:
        files = [written.html, written.workbook, written.pdf]
        print(tr(args.lang, "cli.report_written", files=", ".join(str(f) for f in files if f),
                 size=f"{written.size / 2**20:.1f}"))
    return 0
