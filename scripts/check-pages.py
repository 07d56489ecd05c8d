"""Opens SynthLabel's pages in headless Chromium (Debian's, driven by Playwright from PyPI) the
way a person would, takes a screenshot of each view, and prints what it saw as JSON.

  check-pages.py report FILE.html OUTDIR [--lang en|zh]
      summary, the table filtered to unlabelled files with the keyboard, and one file's detail
      opened with Enter; the counts the page shows; console errors; whether anything a file
      supplied ran as markup.
  check-pages.py service URL TOKEN FILE OUTDIR [--lang en|zh]
      the service's page: the token typed in, FILE uploaded, its verdict shown.

Screenshots are JPEG (small enough to commit to docs/). Exit status 0 unless the browser failed.
"""
import json, sys
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
# A file name or label value that became markup would have run this or created these elements.
PROBE = "window.__synthlabelInjected === true || document.querySelector('img[src=\"x\"], textarea, #injected') !== null"


def launch(playwright, lang):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1100, "height": 860}, locale="zh-CN" if lang == "zh" else "en-US")
    problems = []
    page.on("console", lambda message: problems.append(message.type + ": " + message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append("pageerror: " + str(error)))
    return browser, page, problems


def report(path, outdir, lang):
    with sync_playwright() as playwright:
        browser, page, problems = launch(playwright, lang)
        page.goto("file://" + path)
        page.wait_for_selector("body[data-ready-ms]")
        seen = {"ready_ms": int(page.get_attribute("body", "data-ready-ms")), "rows": int(page.get_attribute("body", "data-rows"))}
        seen["files"] = int(page.text_content("#count-files"))
        seen["by_verdict"] = {v: int(page.text_content('text[data-verdict="%s"]' % v).split(" ")[0])
                              for v in ("compliant", "noncompliant", "inconclusive", "unlabelled")}
        seen["listed"] = int(page.get_attribute("#match-count", "data-count"))
        page.locator("#summary").screenshot(path=outdir + "/summary-%s.jpg" % lang, type="jpeg", quality=80)
        # The table filtered to unlabelled files, with the keyboard only.
        page.focus("#filter-verdict")
        page.select_option("#filter-verdict", "unlabelled")
        page.wait_for_function("document.getElementById('match-count').getAttribute('data-count') !== null")
        seen["unlabelled_listed"] = int(page.get_attribute("#match-count", "data-count"))
        seen["unlabelled_rows_shown"] = page.locator("#file-table tbody tr").count()
        page.locator("#files").screenshot(path=outdir + "/unlabelled-%s.jpg" % lang, type="jpeg", quality=80)
        # One file's detail: the first noncompliant row, reached with Tab and opened with Enter.
        page.select_option("#filter-verdict", "noncompliant")
        page.focus("#file-table tbody tr")
        page.keyboard.press("Enter")
        page.wait_for_selector("#detail:not([hidden])")
        seen["detail_focused"] = page.evaluate("document.activeElement.id") == "detail"
        seen["detail_text"] = page.text_content("#detail")
        page.locator("#detail").screenshot(path=outdir + "/detail-%s.jpg" % lang, type="jpeg", quality=60)
        page.keyboard.press("Escape")
        seen["detail_closed"] = page.locator("#detail").is_hidden()
        seen["table_text"] = page.text_content("#file-table")
        seen["injected"] = page.evaluate(PROBE)
        seen["console"] = problems
        browser.close()
    return seen


def service(url, token, file, outdir, lang):
    with sync_playwright() as playwright:
        browser, page, problems = launch(playwright, lang)
        page.goto(url + "?lang=" + lang)
        page.fill("#token", token)
        page.check("#explicit")
        page.set_input_files("#file", file)
        page.wait_for_selector("body[data-verdict]", timeout=60000)
        seen = {"verdict": page.get_attribute("body", "data-verdict"), "result_text": page.text_content("#result")}
        page.screenshot(path=outdir + "/service-%s.jpg" % lang, type="jpeg", quality=80, full_page=False)
        seen["injected"] = page.evaluate(PROBE)
        seen["console"] = problems
        browser.close()
    return seen


if __name__ == "__main__":
    arguments = sys.argv[1:]
    lang = "en"
    if "--lang" in arguments:
        at = arguments.index("--lang")
        lang = arguments[at + 1]
        del arguments[at:at + 2]
    if arguments[0] == "report":
        print(json.dumps(report(arguments[1], arguments[2], lang), ensure_ascii=False))
    else:
        print(json.dumps(service(arguments[1], arguments[2], arguments[3], arguments[4], lang), ensure_ascii=False))
