"""Opens a scan report in headless Chromium and prints JSON: how long until the page was ready
(navigation to the table drawn), and how long a filter by verdict and one by folder took, each
as the page measured it and as the browser's caller waited for it (ms).

usage: report_timing.py REPORT.html FOLDER-PREFIX
"""
import json, sys, time
from playwright.sync_api import sync_playwright

path, prefix = sys.argv[1], sys.argv[2]
with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    began = time.monotonic()
    page.goto("file://" + path, timeout=120000)
    page.wait_for_selector("body[data-ready-ms]", timeout=120000)
    opened = (time.monotonic() - began) * 1000
    result = {"open_ms": round(opened), "script_ms": int(page.get_attribute("body", "data-ready-ms")),
              "rows": int(page.get_attribute("body", "data-rows"))}
    for name, action in (("verdict", lambda: page.select_option("#filter-verdict", "unlabelled")),
                         ("folder", lambda: page.fill("#filter-folder", prefix))):
        before = page.get_attribute("#match-count", "data-count")
        began = time.monotonic()
        action()
        page.wait_for_function("document.getElementById('match-count').getAttribute('data-count') !== %s" % json.dumps(before))
        result[name + "_filter_ms"] = round((time.monotonic() - began) * 1000)
        result[name + "_filter_script_ms"] = int(page.get_attribute("body", "data-filter-ms"))
        result[name + "_matches"] = int(page.get_attribute("#match-count", "data-count"))
    result["errors"] = errors
    browser.close()
print(json.dumps(result))
