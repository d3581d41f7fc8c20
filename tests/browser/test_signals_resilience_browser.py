"""In Chromium: integrity signals made on bad Wi-Fi arrive once, none lost (offline, a reload
while offline, an answer lost on the way back), and a second tab sends no signals and no
time-up submit."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from assessments.models import Interview
from tests.browser.resilience import interview_started, link, open_active, posts, wait_for
from tests.browser.test_integrity_browser import HIDE, PASTED, SHOW
from tests.fixtures.recording_browser import poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOTES = "Your review and notes for the reviewer"
SIGNALS = ("signal_paste", "signal_away")
QUEUE = (
    "(JSON.parse(localStorage.getItem(document.getElementById('answers-form').dataset.draftKey"
    " + '-signals') || '[]'))"
)


def stored(interview) -> dict:
    rows = interview.events.filter(kind__startswith="signal_").values_list("kind", "data__id")
    counts = {}
    for kind, signal_id in rows:
        counts.setdefault(kind, []).append(signal_id)
    return counts


def paste_and_step_away(page) -> None:
    page.evaluate("text => navigator.clipboard.writeText(text)", PASTED)
    page.get_by_label(NOTES).click()
    page.keyboard.press("Control+V")
    page.evaluate(HIDE)
    page.wait_for_timeout(400)  # over the away floor the test set
    page.evaluate(SHOW)


@pytest.fixture
def candidate_page(page, live_server):
    page.add_init_script("window.mariohrAwayMinMs = 300;")  # 2 s in production
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    return page


def test_signals_queued_offline_survive_a_reload_and_a_lost_answer_and_arrive_once(
    candidate_page, live_server, org, catalog
):
    page = candidate_page
    interview = interview_started(org, catalog)
    url = link(live_server, interview)
    open_active(page, url)

    page.context.set_offline(True)
    paste_and_step_away(page)
    queued = poll(page, f"{QUEUE}.length === 2 && {QUEUE}")
    assert sorted(item["kind"] for item in queued) == ["away", "paste"]
    assert stored(interview) == {}

    # The candidate reloads while offline: the browser's error page; the queue stays (and
    # Chromium reloads the error page by itself once online).
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.reload()
    page.context.set_offline(False)
    open_active(page, url)
    poll(page, f"{QUEUE}.length === 0")
    found = wait_for(lambda: len(stored(interview)) == 2 and stored(interview), what="signals")
    assert found == {
        "signal_away": [i["id"] for i in queued if i["kind"] == "away"],
        "signal_paste": [i["id"] for i in queued if i["kind"] == "paste"],
    }

    # Online again, a batch reaches the server but its answer is lost on the way back: the
    # page sends it again (after its backoff) and the server keeps it once.
    lost, answered = [], []

    def lose_first_answer(route):
        response = route.fetch()
        if not lost:
            lost.append(response.status)
            route.abort("connectionreset")
            return
        answered.extend(item["id"] for item in route.request.post_data_json["signals"])
        route.fulfill(response=response)

    page.route("**/signals", lose_first_answer)
    page.evaluate("text => navigator.clipboard.writeText(text)", PASTED + "# again\n")
    page.get_by_label(NOTES).press("Control+End")
    page.keyboard.press("Control+V")
    poll(page, f"{QUEUE}.length === 0")
    assert lost == [200]
    [second] = [i for i in stored(interview)["signal_paste"] if i not in found["signal_paste"]]
    assert answered == [second]  # sent again once, then never
    page.wait_for_timeout(300)
    assert interview.events.filter(kind__in=SIGNALS).count() == 3


def test_a_second_tab_sends_no_signals_and_no_time_up_submit(
    candidate_page, live_server, org, catalog
):
    page = candidate_page
    interview = interview_started(org, catalog)
    url = link(live_server, interview)
    page.context.add_init_script("window.mariohrClockPollMs = 300;")
    first_submits = posts(page, "/submit")
    open_active(page, url)
    # The answering tab's own connection to /signals fails: its paste waits in localStorage.
    page.route("**/signals", lambda route: route.abort("internetdisconnected"))
    page.evaluate("text => navigator.clipboard.writeText(text)", PASTED)
    page.get_by_label(NOTES).click()
    page.keyboard.press("Control+V")
    poll(page, f"{QUEUE}.length === 1")

    second = page.context.new_page()
    second_signals, second_submits = posts(second, "/signals"), posts(second, "/submit")
    second.goto(url)
    expect(second.locator("#tab-banner")).to_be_visible()
    second.evaluate(HIDE)
    second.wait_for_timeout(400)
    second.evaluate(SHOW)
    second.evaluate("window.dispatchEvent(new Event('online'))")

    page.unroute("**/signals")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for(lambda: stored(interview).get("signal_paste"), what="the paste stored")

    # The deadline comes closer: both tabs count down, only the answering one submits.
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() + timedelta(seconds=3)
    )
    expect(page.get_by_role("heading", name="Test submitted")).to_be_visible()
    # The other tab learns it from its clock and shows the page as it is now.
    expect(second.get_by_role("heading", name="Test submitted")).to_be_visible()

    interview.refresh_from_db()
    assert interview.status == Interview.Status.SUBMITTED
    assert interview.events.get(kind="submitted").data == {"automatic": True}
    assert len(first_submits) == 1 and second_submits == []
    assert second_signals == []
    assert {kind: len(ids) for kind, ids in stored(interview).items()} == {"signal_paste": 1}
