#!/usr/bin/env python
"""Screenshots of the main pages for the README.

Starts the demo (``manage.py demo``) on free ports with its own throw-away var/ folder, signs in as the demo
users with Playwright in Debian's chromium, walks the pages a newcomer clicks and saves one PNG per page
under docs/screenshots/. Nothing of the developer's own demo (database, sandbox estate) is touched.

    .venv/bin/python scripts/screenshots.py            # all pages into docs/screenshots/
    .venv/bin/python scripts/screenshots.py --out /tmp/shots

The Chinese pages need a font with CJK glyphs (Debian: ``apt-get install fonts-wqy-microhei``); without one,
chromium draws boxes and the script stops before taking them.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

logger = logging.getLogger("screenshots")

VIEWPORT = {"width": 1280, "height": 800}
MAX_BYTES = 300 * 1024
START_DEADLINE_SECONDS = 90
# Long enough to read the page, short enough that the wizard's pool is Running before the script ends.
CREATION_SECONDS = 20
WAIT_MS = 20_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Demo:
    """``manage.py demo`` in a child process with its own var/ folder and a known password."""

    def __init__(self, var_dir: Path):
        self.port, self.sandbox_port = free_port(), free_port()
        self.password = secrets.token_urlsafe(12)
        env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CACHE_URL"}}
        env.update(VAR_DIR=str(var_dir), DEMO_PASSWORD=self.password, PYTHONUNBUFFERED="1")
        command = [sys.executable, "manage.py", "demo", "--port", str(self.port)]
        command += ["--sandbox-port", str(self.sandbox_port), "--creation-seconds", str(CREATION_SECONDS)]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.output: list[str] = []
        threading.Thread(target=lambda: self.output.extend(self.process.stdout), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("the demo exited early:\n" + "".join(self.output))
            try:
                if requests.get(f"{self.url}/accounts/login/", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)  # polling interval, bounded by the deadline
        raise SystemExit("the demo did not start in time:\n" + "".join(self.output))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def has_cjk_font() -> bool:
    """Whether fontconfig knows a font that covers Chinese (what chromium draws 简体中文 with)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True, check=False).stdout  # noqa: S603 - fixed arguments
    return bool(found.strip())


class Shooter:
    def __init__(self, browser, demo: Demo, out: Path):
        self.browser, self.demo, self.out = browser, demo, out
        self.saved: list[Path] = []

    def sign_in(self, username: str, locale: str = "en-GB") -> Page:
        """A new browser of ``locale`` (its Accept-Language chooses the pages' language) signed in."""
        context = self.browser.new_context(viewport=VIEWPORT, timezone_id="Europe/Berlin", locale=locale)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(f"{self.demo.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", self.demo.password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    def shot(self, page: Page, name: str, *, hover: bool = False) -> None:
        if not hover:
            page.mouse.move(0, 0)  # no hover effects unless a shot asks for one
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path))
        self.saved.append(path)
        logger.info("saved %s (%d KB)", path, path.stat().st_size // 1024)

    def run(self) -> None:
        admin = self.sign_in("admin")
        self.overview(admin)
        self.pools(admin)
        self.events(admin)
        operator = self.sign_in("operator")
        request_url = self.wizard(operator)
        self.scale(operator)
        self.node_action(operator)
        approver = self.sign_in("approver")
        self.approvals(approver, request_url)
        self.audit(admin)
        self.connections(admin)
        self.in_chinese(self.sign_in("approver", locale="zh-CN"), request_url)

    def in_chinese(self, page: Page, request_url: str) -> None:
        """The overview, the pool list and a change request as a reader of Simplified Chinese sees them."""
        if not has_cjk_font():
            raise SystemExit(
                "no font with Chinese glyphs: apt-get install fonts-wqy-microhei, then run again"
            )
        page.goto(f"{self.demo.url}/")
        expect(page.locator("table.usage").first).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        self.shot(page, "overview-zh")
        page.goto(f"{self.demo.url}/pools/")
        expect(page.locator("table.pools")).to_be_visible()
        self.shot(page, "pool-list-zh")
        page.goto(request_url)  # the full address the wizard ended on
        expect(page.locator("h1")).to_be_visible()
        self.shot(page, "change-request-zh")

    def overview(self, page: Page) -> None:
        page.goto(f"{self.demo.url}/")
        expect(page.locator("table.usage").first).to_be_visible()
        self.shot(page, "overview")

    def pools(self, page: Page) -> None:
        page.goto(f"{self.demo.url}/pools/")
        expect(page.locator("table.pools")).to_be_visible()
        self.shot(page, "pool-list")
        self.upstream_error(page)
        page.click("table.pools >> text=llm-pretrain")
        expect(page.locator("h1")).to_contain_text("llm-pretrain")
        expect(page.locator(".details-panel .card").first).to_be_visible()
        self.shot(page, "pool-detail")
        page.click("nav.tabs >> text=Nodes")
        expect(page.locator("#node-rows tr[data-phase]").first).to_be_visible()
        page.locator("#node-rows input[name=nodes]").nth(1).check()
        page.locator("#node-rows input[name=nodes]").nth(2).check()
        self.shot(page, "pool-nodes")
        page.click("nav.tabs >> text=Monitoring")
        chart = page.locator("figure.chart").first
        expect(chart.locator("canvas")).to_be_visible()
        box = chart.locator(".u-over").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] / 2)
        expect(chart.locator(".u-legend")).to_contain_text(re.compile(r"\d"))
        self.shot(page, "pool-monitoring", hover=True)

    def events(self, page: Page) -> None:
        page.goto(f"{self.demo.url}/events/")
        expect(page.locator("table.inbox-events")).to_be_visible()
        self.shot(page, "events-inbox")

    def upstream_error(self, page: Page) -> None:
        """The banner a failing ModelArts read leaves, by a fault injected through the sandbox's control API."""
        faults = f"http://127.0.0.1:{self.demo.sandbox_port}/_sandbox/faults"
        requests.post(faults, json={"kind": "error", "status": 503, "operation": "ListPools"}, timeout=10)
        try:
            page.click("#pool-table >> text=Refresh")
            expect(page.locator("#pool-table .banner.upstream-error")).to_be_visible()
            self.shot(page, "upstream-error")
        finally:
            requests.delete(faults, timeout=10)
        page.click("#pool-table >> text=Refresh")
        expect(page.locator("#pool-table .banner.upstream-error")).to_have_count(0)

    def wizard(self, page: Page) -> str:
        page.goto(f"{self.demo.url}/pool-wizard/")
        expect(page.locator("h2")).to_contain_text("Basics")
        page.fill("#id_display_name", "vision-finetune")
        page.fill("#id_labels", "team=vision")
        self.next_step(page, "Type and scope")
        page.check("input[name=type][value=Dedicate]")
        page.check("input[name=scope][value=Train]")
        self.next_step(page, "Resources")
        page.select_option("#id_rows-0-flavor", "modelarts.vm.gpu.t4u8")
        page.fill("#id_rows-0-count", "2")
        self.next_step(page, "Network and drivers")
        network = page.locator("#id_network_name")
        if not network.input_value():
            network.fill("network-demo")
        self.next_step(page, "Billing")
        page.check("input[name=mode][value='1']")
        page.select_option("#id_period_type", "3")
        page.fill("#id_period_num", "1")
        self.next_step(page, "Review")
        page.fill("#id_reason", "The vision team trains for a year.")
        page.evaluate("window.scrollTo(0, 0)")
        self.shot(page, "wizard-review")
        page.get_by_role("button", name="Submit request").click()
        page.wait_for_url(re.compile(r"/requests/\d+/$"))
        return page.url

    def scale(self, page: Page) -> None:
        page.goto(f"{self.demo.url}/pools/")
        page.click("table.pools >> text=infer-t4")
        page.click(".page-head >> text=Scale…")
        expect(page.locator("h1")).to_contain_text("Request to scale infer-t4")
        page.fill("#id_count_0", "16")
        page.select_option("#id_new_flavor", "modelarts.vm.gpu.v100")
        page.fill("#id_new_count", "4")
        page.get_by_role("button", name="Preview").click()
        preview = page.locator("[data-role=scale-preview]")
        expect(preview).to_be_visible()
        page.fill("#id_reason", "Holiday traffic for the recommendation service.")
        page.locator("table.scale-rows").scroll_into_view_if_needed()
        self.shot(page, "pool-scale")

    def node_action(self, page: Page) -> None:
        """A reboot of two nodes on the way to approval, with what runs on them; and the Workloads tab."""
        page.goto(f"{self.demo.url}/pools/")
        page.click("table.pools >> text=llm-pretrain")
        page.click("nav.tabs >> text=Workloads")
        expect(page.locator("table.workloads tbody tr").first).to_be_visible()
        self.shot(page, "pool-workloads")
        page.click("nav.tabs >> text=Nodes")
        rows = page.locator("#node-rows tr[data-phase=Available] input[name=nodes]")
        rows.nth(0).check()
        rows.nth(1).check()
        page.click("button:has-text('Reboot…')")
        expect(page.locator("#blast-radius")).to_contain_text("now run")
        page.fill("textarea[name=reason]", "NCCL timeouts on these two nodes since last night.")
        self.shot(page, "node-reboot-request")

    @staticmethod
    def next_step(page: Page, title: str) -> None:
        page.get_by_role("button", name="Next →").click()
        expect(page.locator("h2")).to_contain_text(title)

    def approvals(self, page: Page, request_url: str) -> None:
        page.goto(f"{self.demo.url}/approvals/")
        pk = request_url.rstrip("/").rsplit("/", 1)[1]
        card = page.locator(f"#cr-{pk}")
        expect(card.locator(".revalidation-result")).to_be_visible()
        card.locator("textarea[name=comment]").first.fill("Budget confirmed.")
        self.shot(page, "approvals")

    def audit(self, page: Page) -> None:
        page.goto(f"{self.demo.url}/audit/")
        expect(page.locator("table").first).to_be_visible()
        self.shot(page, "audit")

    def connections(self, page: Page) -> None:
        page.goto(f"{self.demo.url}/connections/")
        expect(page.locator("#connection-table")).to_be_visible()
        self.shot(page, "connections")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNGs")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not Path(CHROMIUM).exists():
        logger.error(
            "no chromium at %s: install Debian's `chromium` package (or set CHROMIUM_PATH)", CHROMIUM
        )
        return 2
    arguments.out.mkdir(parents=True, exist_ok=True)
    # A failing read is retried (with back-off) before its banner shows: wait longer than expect's 5 s.
    expect.set_options(timeout=WAIT_MS)
    with tempfile.TemporaryDirectory(prefix="modelarts-admin-shots-") as var_dir:
        demo = Demo(Path(var_dir))
        try:
            demo.wait_until_serving()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                shooter = Shooter(browser, demo, arguments.out)
                try:
                    shooter.run()
                finally:
                    browser.close()
        finally:
            demo.stop()
    too_big = [path for path in shooter.saved if path.stat().st_size > MAX_BYTES]
    for path in too_big:
        logger.error("%s is %d KB, over %d KB", path.name, path.stat().st_size // 1024, MAX_BYTES // 1024)
    return 1 if too_big else 0


if __name__ == "__main__":
    sys.exit(main())
