"""Screenshots of pages as a given user sees them, in headless Chromium (for looking at what we built).

Usage: .venv/bin/python scripts/screenshots.py http://127.0.0.1:5000 admin@cadence.test /admin/centres /admin/promotions
       [--phone] [--out /tmp/shots]
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("email")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--password", default="cadence-demo")
    parser.add_argument("--phone", action="store_true")
    parser.add_argument("--out", default="/tmp/shots")
    parser.add_argument("--full", action="store_true", help="the whole page, not only the viewport")
    parser.add_argument("--width", type=int, help="the viewport's width (1366 by default, 390 with --phone)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    viewport = {"width": 390, "height": 844} if args.phone else {"width": 1366, "height": 900}
    if args.width:
        viewport["width"] = args.width
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport=viewport, locale="fr-FR", timezone_id="Europe/Paris")
        page.goto(f"{args.base}/connexion")
        page.fill("#email", args.email)
        page.fill("#password", args.password)
        page.click("button[type=submit]")
        for path in args.paths:
            page.goto(f"{args.base}{path}")
            name = re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_") or "home"
            target = out / f"{name}{'_phone' if args.phone else ''}{f'_{args.width}' if args.width else ''}.png"
            page.screenshot(path=str(target), full_page=args.full)
            # A page wider than the screen scrolls sideways on a phone: say so beside the image.
            wide = page.evaluate("document.documentElement.scrollWidth")
            print(target, "" if wide <= viewport["width"] else f"TROP LARGE : {wide} px")
        browser.close()


if __name__ == "__main__":
    main()
