"""The closed loop in a real browser: an agent finds the caller by phone on
the workbench and registers a repair, dispatches it to engineering; the
handler returns the result from the department inbox; the agent informs the
customer, calls back (satisfied) and archives. Run in Chinese and English.

Set KEFU_SCREENSHOT_DIR to keep screenshots of every page on the way."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from kefu.processes.models import State, Transition
from kefu.workorders.models import Category, WorkOrder

# Playwright's sync API runs an event loop in this thread; Django refuses
# database access from a thread with a running loop unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "kefu-test-pass"  # kefu.factories.UserFactory


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (set KEFU_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Session:
    """One user's browser tab on the live server."""

    def __init__(self, browser, base_url, user, language):
        self.base_url = base_url
        self.language = language
        self.context = browser.new_context(
            viewport={"width": 1440, "height": 900},
            locale="zh-CN" if language.startswith("zh") else "en-US",
        )
        self.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.goto(base_url + reverse("login"))
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")

    def goto(self, path):
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")

    def shot(self, name):
        folder = os.environ.get("KEFU_SCREENSHOT_DIR")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            lang = "zh" if self.language.startswith("zh") else "en"
            modal_open = self.page.locator("#kefu-modal.show").count() > 0
            self.page.screenshot(path=f"{folder}/{name}-{lang}.png", full_page=not modal_open)

    def open_action(self, code, scope="#order-actions"):
        self.page.click(f"{scope} [data-action={code}]")
        self.page.wait_for_selector("#kefu-modal.show .modal-footer button[type=submit]")

    def submit_modal(self):
        with self.page.expect_navigation():
            self.page.click("#kefu-modal button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def close(self):
        self.context.close()


def label(model, **lookup):
    return model.objects.filter(**lookup).first().label


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_closed_loop_in_the_browser(
    transactional_db, live_server, browser, users, depts, customer, order_types, language
):
    from django.utils import translation

    users["agent"].agent_no = "1008"
    users["agent"].save()
    translation.activate(language)
    agent = Session(browser, live_server.url, users["agent"], language)
    page = agent.page

    # The workbench: find the caller by a differently written number.
    assert page.url.endswith(reverse("workorders:workbench"))
    assert "1008" in page.inner_text("#greeting")
    page.fill("#customer-search", "+86 138-1234-5678")
    page.wait_for_selector("#search-results a:has-text('张伟')")
    assert "138****5678" in page.inner_text("#search-results")
    with page.expect_navigation():
        page.click("#search-results a:has-text('张伟')")
    assert page.inner_text("#picked-customer") == "张伟"

    # One form: the contact and its repair order.
    page.fill("#id_content", "厨房水槽下方水管接头漏水，地面有积水")
    page.select_option("#id_order_type", str(order_types["repair"].pk))
    leak = Category.objects.get(name="水管漏水")
    page.wait_for_selector(f"#id_category option[value='{leak.pk}']", state="attached")
    page.select_option("#id_category", str(leak.pk))
    page.select_option("#id_priority", "high")
    page.fill("#id_title", "厨房水管漏水")
    agent.shot("workbench")
    with page.expect_navigation():
        page.click("#intake-submit")
    order = WorkOrder.objects.get()
    assert page.url.endswith(reverse("workorders:detail", args=[order.pk]))
    assert page.inner_text("#order-number") == order.number
    assert order.customer == customer and order.contacts.count() == 1

    # Dispatch through the modal: first without a department (refused, input kept).
    agent.open_action("dispatch")
    page.fill("#kefu-modal #id_note", "请带水管接头配件")
    page.click("#kefu-modal button[type=submit]")
    page.wait_for_selector("#kefu-modal .invalid-feedback")
    assert page.input_value("#kefu-modal #id_note") == "请带水管接头配件"
    page.select_option("#kefu-modal #id_department", str(depts["east_eng"].pk))
    agent.shot("detail-modal")
    agent.submit_modal()
    assert page.inner_text("#order-state") == label(State, code="dispatched")
    assert page.inner_text("#order-department") == "东区工程部"

    # The engineering handler returns the result from the inbox.
    handler = Session(browser, live_server.url, users["handler"], language)
    hpage = handler.page
    assert hpage.url.endswith(reverse("workorders:inbox"))
    row = f"tr[data-order='{order.number}']"
    hpage.wait_for_selector(row)
    handler.shot("inbox")
    handler.open_action("complete", scope=row)
    hpage.fill("#kefu-modal #id_result", "更换水管接头，试水无渗漏")
    handler.submit_modal()
    # Nothing else waits, so the inbox now opens on the recently returned orders.
    assert hpage.get_attribute("#inbox-tabs .nav-link.active", "data-tab") == "returned"
    assert hpage.locator(row).count() == 1
    handler.close()

    # Back at the center: inform the customer, call back, archive.
    agent.goto(reverse("workorders:detail", args=[order.pk]))
    assert page.inner_text("#order-state") == label(State, code="resolved")
    agent.open_action("inform")
    page.fill("#kefu-modal #id_reply_note", "已电话告知业主维修完成")
    agent.submit_modal()
    agent.open_action("callback")
    page.select_option("#kefu-modal #id_satisfaction", "satisfied")
    page.fill("#kefu-modal #id_callback_note", "业主表示满意")
    agent.submit_modal()
    agent.open_action("archive")
    agent.submit_modal()
    assert page.inner_text("#order-state") == label(State, code="archived")
    agent.shot("detail")

    timeline = page.inner_text("#order-timeline")
    for code in ("dispatch", "complete", "inform", "callback", "archive"):
        assert label(Transition, code=code) in timeline
    assert order.number in timeline
    assert page.locator("#order-actions [data-action]").count() == 0

    agent.goto(reverse("workorders:list"))
    assert order.number in page.inner_text("#order-table")
    agent.shot("list")
    agent.close()
    translation.deactivate()
