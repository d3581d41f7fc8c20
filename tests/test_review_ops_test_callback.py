"""Review: "Send a test callback" against a hostile receiver and a careless URL."""

import pytest
from django.contrib.admin.models import LogEntry
from werkzeug import Response

from assessments.crypto import encrypt
from integrations.credentials import integration_settings_get
from integrations.delivery.models import Delivery
from tests import delivery_helpers as helpers
from tests.delivery_helpers import receiver_url

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org = helpers.outbound_org

SCRIPT = "<script>alert(document.cookie)</script>"


def page_url(organization) -> str:
    settings_row = integration_settings_get(organization=organization)
    return f"/admin/integrations/integrationsettings/{settings_row.pk}/test-callback/"


def send(client, organization, ats: str, url: str):
    return client.post(page_url(organization), {"ats": ats, "url": url})


def real_delivery_went_to(organization, ats: str, url: str) -> None:
    from django.utils import timezone

    from integrations import plugins
    from integrations.delivery.services import endpoint_of

    Delivery.objects.create(
        organization=organization,
        kind=plugins.get(ats).sample_kind,
        target_url=url,
        endpoint=endpoint_of(url),
        next_attempt_at=timezone.now(),
        status=Delivery.Status.SUCCEEDED,
    )


def test_a_hostile_answer_is_shown_escaped(admin_client, receiver, outbound_org):
    receiver.expect_request("/callback").respond_with_response(
        Response(SCRIPT, status=400, headers={"X-Evil": '"><img src=x onerror=alert(1)>'})
    )
    page = send(admin_client, outbound_org, "greenhouse", receiver_url(receiver))
    html = page.content.decode()
    assert page.context["result"].body_excerpt == SCRIPT
    assert SCRIPT not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in html


def test_a_hostile_reason_in_ashbys_answer_is_escaped_in_the_message(
    admin_client, receiver, outbound_org
):
    from integrations.ashby.models import AshbySettings
    from integrations.crypto import encrypt

    AshbySettings.objects.create(
        organization=outbound_org,
        api_key_encrypted=encrypt("ashby-key"),
        base_url=receiver_url(receiver, "/"),
    )
    receiver.expect_request("/assessment.update").respond_with_json(
        {"success": False, "errors": [SCRIPT]}
    )
    page = send(admin_client, outbound_org, "ashby", receiver_url(receiver, "/assessment.update"))
    assert SCRIPT in page.context["result"].meaning  # the reason is shown ...
    html = page.content.decode()
    assert SCRIPT not in html  # ... as text, in the message and the result table alike
    assert html.count("&lt;script&gt;alert(document.cookie)&lt;/script&gt;") >= 2


def test_a_get_sends_nothing(admin_client, receiver, outbound_org):
    url = page_url(outbound_org) + "?ats=greenhouse&url=" + receiver_url(receiver)
    assert admin_client.get(url).status_code == 200
    assert receiver.log == []
    assert not LogEntry.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(client, admin_user, receiver, outbound_org):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    answer = browser.post(
        page_url(outbound_org), {"ats": "greenhouse", "url": receiver_url(receiver)}
    )
    assert answer.status_code == 403
    assert receiver.log == []


def test_a_large_answer_is_read_only_up_to_the_cap(admin_client, receiver, outbound_org, settings):
    settings.MARIOHR_DELIVERY_MAX_RESPONSE_BYTES = 1024
    receiver.expect_request("/callback").respond_with_data("x" * 5_000_000)
    page = send(admin_client, outbound_org, "greenhouse", receiver_url(receiver))
    result = page.context["result"]
    assert result.status_code == 200
    assert len(result.body_excerpt) <= 1024


def test_a_compressed_answer_is_not_inflated_past_the_cap(
    admin_client, receiver, outbound_org, settings
):
    import gzip

    settings.MARIOHR_DELIVERY_MAX_RESPONSE_BYTES = 1024
    bomb = gzip.compress(b"\0" * 50_000_000)
    receiver.expect_request("/callback").respond_with_response(
        Response(bomb, status=200, headers={"Content-Encoding": "gzip"})
    )
    page = send(admin_client, outbound_org, "greenhouse", receiver_url(receiver))
    result = page.context["result"]
    assert result.status_code == 200
    assert len(result.body_excerpt) <= 1024


@pytest.mark.parametrize(
    "path",
    ["/caf\u00e9", "/a\x7fb", "/%0d%0aX-Injected:%201", "/ok#frag\u00e9"],
    ids=["non_ascii", "del", "encoded_crlf", "non_ascii_fragment"],
)
def test_an_odd_url_is_answered_on_the_page_never_a_500(admin_client, receiver, outbound_org, path):
    receiver.expect_request("/caf%C3%A9").respond_with_data("ok")
    url = receiver_url(receiver, path)
    page = send(admin_client, outbound_org, "greenhouse", url)
    assert page.status_code == 200
    result = page.context["result"]
    for request, _ in receiver.log:
        assert "X-Injected" not in request.headers
    assert result.meaning
    assert not Delivery.objects.exists()


def test_a_credential_with_a_line_break_injects_no_header_and_is_no_500(
    admin_client, receiver, outbound_org
):
    from integrations.teamtailor.models import TeamtailorSettings
    from integrations.teamtailor.services import teamtailor_settings_set

    # Stored before the settings refused line breaks (pasted from a document): the test
    # callback still answers with words, not an error page.
    teamtailor_settings_set(
        organization=outbound_org, region="custom", custom_base_url=receiver_url(receiver, "/")
    )
    TeamtailorSettings.objects.filter(organization=outbound_org).update(
        api_key_encrypted=encrypt("tt-key\r\nX-Injected: 1")
    )
    real_delivery_went_to(outbound_org, "teamtailor", receiver_url(receiver, "/earlier"))
    receiver.expect_request("/callback").respond_with_data("ok")
    page = send(admin_client, outbound_org, "teamtailor", receiver_url(receiver))
    assert page.status_code == 200
    assert receiver.log == []
    result = page.context["result"]
    assert not result.sent and "a header MarioHR would send is invalid" in result.meaning
    assert "tt-key" not in page.content.decode()  # the stored secret is not echoed


@pytest.mark.django_db
def test_teamtailor_refuses_an_api_key_with_a_line_break_inside(org):
    from integrations.teamtailor.services import teamtailor_settings_set

    with pytest.raises(ValueError):
        teamtailor_settings_set(organization=org, api_key="tt-key\r\nX-Injected: 1")
