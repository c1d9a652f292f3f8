"""The justified path in a real browser: an agent registers a complaint, the
supervisor judges it justified, the department's plan is approved, the result
is given to the customer and the callback closes the complaint.

Set KEFU_SCREENSHOT_DIR to keep a screenshot of each page."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from kefu.complaints.models import Complaint

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "kefu-test-pass"  # kefu.factories.UserFactory


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM} (set KEFU_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def login(browser, base_url, user):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base_url + reverse("login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


def shot(page, name):
    folder = os.environ.get("KEFU_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/complaint-{name}.png", full_page=True)


def submit(page, form):
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")


def test_justified_path(browser, live_server, users, depts, org):
    agent = login(browser, live_server.url, users["agent"])
    agent.goto(live_server.url + reverse("complaints:new"))
    agent.fill("#id_complainant_name", "陈静")
    agent.fill("#id_complainant_phone", "13700001234")
    agent.select_option("#id_channel", "phone")
    agent.select_option("#id_category", "repair")
    agent.select_option("#id_severity", "ordinary")
    agent.fill("#id_content", "空调维修后三天又坏，要求更换")
    agent.select_option("#id_accused_department", str(depts["east_eng"].pk))
    shot(agent, "new")
    with agent.expect_navigation():
        agent.click("form.card button[type=submit]")
    complaint = Complaint.objects.get()
    assert complaint.number in agent.inner_text("h2.page-title")

    boss = login(browser, live_server.url, users["supervisor"])
    boss.goto(live_server.url + complaint.get_absolute_url())
    boss.check("#judge-form input[name=justified][value='1']")
    boss.select_option("#id_responsible_department", str(depts["east_eng"].pk))
    boss.fill("#id_responsible_person", "刘师傅")
    boss.fill("#id_apology", "代表公司向您致歉，我们将在两天内调查处理。")
    boss.fill("#id_promised_days", "2")
    submit(boss, "#judge-form")
    assert "有责" in boss.inner_text("#judgement")

    boss.select_option("#plan-form select[name=department]", str(depts["east_eng"].pk))
    boss.fill("#plan-form textarea[name=proposal]", "免费更换新空调，班长上门致歉")
    boss.fill("#plan-form input[name=compensation_kind]", "延保一年")
    boss.fill("#plan-form input[name=compensation_amount]", "300")
    submit(boss, "#plan-form")
    boss.select_option("#plans select[name=approve]", "1")
    boss.fill("#plans textarea[name=comment]", "同意，尽快执行")
    submit(boss, "#plans")
    shot(boss, "approved")

    boss.fill("#result-form textarea[name=result]", "已更换新空调，客户确认运行正常")
    submit(boss, "#result-form")
    boss.select_option("#callback-form select[name=satisfaction]", "satisfied")
    submit(boss, "#callback-form")
    shot(boss, "closed")
    assert "已结案" in boss.inner_text("#complaint-status")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
    assert complaint.plans.get().status == "approved"
