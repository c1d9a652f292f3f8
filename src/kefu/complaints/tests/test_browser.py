"""The justified path in a real browser: an agent registers the complaint
on the form, the supervisor judges it justified, proposes and approves a
plan, the department reports the result, the agent informs the customer
and records the callback, and the complaint closes.

Set KEFU_SCREENSHOT_DIR to keep screenshots of the pages on the way."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from kefu.complaints.models import Complaint

# Playwright's sync API runs an event loop in this thread; Django refuses
# database access from a thread with a running loop unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium")
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
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        yield browser
        browser.close()


class Session:
    def __init__(self, browser, base_url, user):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1440, "height": 900})
        self.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base_url}])
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.goto(base_url + reverse("login"))
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")

    def goto(self, path):
        self.page.goto(self.base_url + path)

    def act(self, code, fields):
        """Open an action of the complaint page, fill its form and confirm."""
        self.page.click(f"[data-action={code}]")
        form = self.page.locator(f"form[data-form={code}]")
        form.wait_for(state="visible")
        for name, value in fields.items():
            field = form.locator(f"[name='{code}-{name}']")
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(str(value))
            else:
                field.fill(str(value))
        with self.page.expect_navigation():
            form.locator("button").click()

    def shot(self, name):
        folder = os.environ.get("KEFU_SCREENSHOT_DIR")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=f"{folder}/complaint-{name}.png", full_page=True)

    def close(self):
        self.context.close()


def test_justified_path_in_the_browser(
    transactional_db, live_server, browser, users, depts, customer, category
):
    agent = Session(browser, live_server.url, users["agent"])
    page = agent.page
    agent.goto(reverse("complaints:register") + f"?customer={customer.pk}")
    page.select_option("#id_channel", "call")
    page.select_option("#id_category", str(category.pk))
    page.select_option("#id_severity", "ordinary")
    page.fill("#id_content", "维修师傅上门迟到三小时，态度恶劣")
    page.fill("#id_expected_resolution", "书面道歉并重新上门")
    agent.shot("register")
    with page.expect_navigation():
        page.click("button[name=save]")
    complaint = Complaint.objects.get()
    assert complaint.customer == customer
    assert complaint.number in page.inner_text("h2")

    supervisor = Session(browser, live_server.url, users["supervisor"])
    supervisor.goto(complaint.get_absolute_url())
    supervisor.act(
        "justified",
        {
            "responsible_department": depts["east_eng"].pk,
            "responsible_person": "李师傅",
            "apology": "非常抱歉给您带来不便",
            "investigation_days": 2,
        },
    )
    supervisor.act("plan", {"department": depts["east_eng"].pk, "content": "免费重新上门维修"})
    plan_form = supervisor.page.locator("[data-testid=plan] form")
    plan_form.locator("input[name=comment]").fill("同意，今日安排")
    with supervisor.page.expect_navigation():
        plan_form.locator("button.btn-success").click()
    supervisor.shot("approved")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.EXECUTING

    handler = Session(browser, live_server.url, users["handler"])
    handler.goto(complaint.get_absolute_url())
    handler.act("result", {"result": "已重新上门修好并当面致歉"})

    agent.goto(complaint.get_absolute_url())
    agent.act("inform", {})
    agent.act("callback", {"satisfaction": "satisfied", "note": "客户满意"})
    agent.shot("closed")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
    assert page.inner_text("[data-testid=status]") == "已结案"
    assert "回访完成，投诉结案" in page.inner_text("body")
    for session in (agent, supervisor, handler):
        session.close()
