"""An agent works the callback list in a real browser: opens the list from
the navigation, follows the script's branch, records a satisfied callback
and an unanswered one. Set KEFU_SCREENSHOT_DIR to keep screenshots."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kefu.callbacks import services
from kefu.callbacks.models import CallbackTask, QuietPeriod
from kefu.callbacks.presets import install_callback_presets

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PASSWORD = "kefu-test-pass"  # kefu.factories.UserFactory


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (set KEFU_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def shot(page, name):
    folder = os.environ.get("KEFU_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/callbacks-{name}.png", full_page=True)


def test_agent_works_the_callback_list(transactional_db, live_server, browser, users, make_task):
    install_callback_presets()
    # The test may run at any hour: quiet hours are data, tested elsewhere.
    QuietPeriod.objects.all().delete()
    first, second = make_task(), make_task()
    for task in (first, second):
        services.reassign(task, user=users["supervisor"], agent=users["callback"])

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", users["callback"].username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")

    # count() does not wait, so the click must finish navigating first.
    with page.expect_navigation():
        page.click("text=我的回访")
    expect(page.locator("#callback-list tbody tr")).to_have_count(2)
    shot(page, "list")

    page.locator("tr", has_text=first.number).get_by_role("link", name="回访", exact=True).click()
    page.wait_for_selector("#script")
    assert "感谢您对我们公司的支持" in page.inner_text("#script")
    page.get_by_role("button", name="满意", exact=True).click()
    page.get_by_text("您对我们的服务有什么建议吗？").wait_for(state="visible")
    page.select_option("#id_satisfaction", "satisfied")
    page.fill("#id_content", "维修后使用正常，师傅很准时")
    page.fill("#id_suggestions", "希望上门前先电话预约")
    shot(page, "task")
    with page.expect_navigation():
        page.click("#result-form button[type=submit]")
    expect(page.locator("#callback-list tbody tr")).to_have_count(1)
    assert "回访结果已保存" in page.content()

    page.locator("tr", has_text=second.number).get_by_role("link", name="回访", exact=True).click()
    page.check("input[name=reached][value='0']")
    with page.expect_navigation():
        page.click("#result-form button[type=submit]")
    shot(page, "after")
    context.close()

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == CallbackTask.Status.DONE and first.executed_by == users["callback"]
    assert first.suggestions == "希望上门前先电话预约"
    assert second.status == CallbackTask.Status.ASSIGNED and second.attempts == 1
