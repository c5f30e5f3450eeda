"""Retake the README's screenshots from a running demo shop.

    make run                                   # in one terminal (seeds 240 products)
    .venv/bin/python docs/screenshots/take.py  # in another; BASE_URL=http://host:port to change

Takes the catalog and a product page at a desktop (1280x800) and a phone (390x844) viewport with
Debian's chromium (or $PLAYWRIGHT_CHROMIUM), and on the phone also the homepage and the catalog's
filter sheet, open with a colour chosen and closed again by "Show N products"; it stores them as
small palette PNGs (<= 300 KB).
"""

import io
import os
import re
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
HERE = Path(__file__).resolve().parent
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
LIMIT = 300_000


def save_small(png: bytes, target: Path) -> None:
    """Save as a 256-colour PNG (the pages are flat colour), halving until under LIMIT."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    while True:
        buffer = io.BytesIO()
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
            buffer, "PNG", optimize=True
        )
        if buffer.tell() <= LIMIT or image.width < 400:
            break
        image = image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.LANCZOS)
    target.write_bytes(buffer.getvalue())
    print(f"{target.relative_to(HERE.parent.parent)}: {buffer.tell() // 1024} KB")


def take_phone_only(page) -> None:
    """The filter sheet, open with a colour chosen, then closed onto its results; the homepage."""
    page.get_by_text("Filters", exact=True).click()
    page.get_by_role("checkbox", name=re.compile(r"^Red \(")).check()
    page.wait_for_load_state("networkidle")
    save_small(page.screenshot(), HERE / "filter-sheet-phone.png")
    page.get_by_role("button", name=re.compile(r"^Show \d+ products?$")).click()
    page.wait_for_load_state("networkidle")
    save_small(page.screenshot(), HERE / "filter-sheet-phone-closed.png")
    page.goto(f"{BASE_URL}/", wait_until="networkidle")
    save_small(page.screenshot(), HERE / "home-phone.png")
    page.goto(f"{BASE_URL}/catalog/", wait_until="networkidle")


def main() -> int:
    executable = os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable if Path(executable).is_file() else None,
            args=["--no-sandbox", "--disable-gpu"],
        )
        for label, options in VIEWPORTS.items():
            page = browser.new_page(**options)
            page.goto(f"{BASE_URL}/catalog/", wait_until="networkidle")
            save_small(page.screenshot(), HERE / f"catalog-{label}.png")
            if label == "phone":
                take_phone_only(page)
            links = page.get_by_role("link", name="Choose options")
            hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
            # A product made in several colours shows the whole picker.
            for href in hrefs:
                page.goto(f"{BASE_URL}{href}", wait_until="networkidle")
                if page.get_by_role("group", name=re.compile("^Colour")).count():
                    break
            save_small(page.screenshot(), HERE / f"product-{label}.png")
            page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
