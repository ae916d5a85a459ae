"""Screenshots of the main pages for the README. Run with `make run` serving on 127.0.0.1:8000."""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = os.environ.get("JINQIU_URL", "http://127.0.0.1:8000")
OUT = Path(__file__).parent / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

# A messy roster as they arrive: a title row, full-width digits, a 15-digit ID, a bad check digit.
ROSTER = """新浦街道离退休干部花名册,,,,,,
序号,姓名,性别,身份证号码,出生年月,离/退休,联系电话
1,張桂蘭,女,320706195003120026,1950.03,退休,138 1234 5678
2,李建国,男,３２０７０６１９４８０５０１００１５,1948年5月,退休,0518-85551234
3,王德明,男,320706460101001,1946-1-1,離休,
4,赵志强,男,320706195201010011,1952/1,退休,13900001111
合计,4人,,,,,
"""


def login(page, username):
    page.goto(f"{BASE}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Jinqiu@2026")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def main() -> int:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        login(page, "bureau")
        page.screenshot(path=OUT / "home.png", full_page=True)
        page.goto(f"{BASE}/persons/?q=zh")
        page.screenshot(path=OUT / "persons.png")
        page.locator("#rows a[href^='/persons/']").first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "person.png")
        page.goto(f"{BASE}/orgs/?kind=zhibu&establishment=formal")
        page.locator("a[href^='/orgs/']:not([href*='?'])", has_text="社区").first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "org.png")
        page.goto(f"{BASE}/orgs/units/?kind=agency")
        page.screenshot(path=OUT / "units.png")
        page.goto(f"{BASE}/orglife/")
        page.screenshot(path=OUT / "orglife.png")
        page.locator("a[href^='/orglife/orgs/']").first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "calendar.png")
        page.goto(f"{BASE}/rosters/")
        page.set_input_files("input[type=file]", files=[{
            "name": "新浦街道花名册.csv", "mimeType": "text/csv", "buffer": ROSTER.encode("utf-8-sig")}])
        page.locator("form.card button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "import.png", full_page=True)
        page.goto(f"{BASE}/care/campaigns/")
        page.locator("main a[href^='/care/campaigns/']:not([href$='/new/'])").first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "care-campaign.png")
        phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=1)
        login(phone, "street")
        phone.goto(f"{BASE}/persons/?situation=alone")
        phone.screenshot(path=OUT / "phone-persons.png")
        secretary = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        login(secretary, "secretary")
        secretary.goto(f"{BASE}/orgs/")
        secretary.locator("main a[href^='/orgs/']:not([href*='?'])", has_text="支部").first.click()
        secretary.locator("a[href^='/orglife/orgs/']").first.click()
        secretary.locator("a[href^='/orglife/meetings/']").first.click()
        secretary.wait_for_load_state("networkidle")
        secretary.screenshot(path=OUT / "phone-meeting.png")
        pair = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        login(pair, "pair")
        pair.goto(f"{BASE}/care/?state=open&mine=on")
        pair.screenshot(path=OUT / "phone-care-tasks.png")
        pair.locator("a[href$='/visit/']").first.click()
        pair.wait_for_load_state("networkidle")
        pair.screenshot(path=OUT / "phone-visit.png")
        browser.close()
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
