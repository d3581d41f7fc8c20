import socket

import pytest

from assessments.models import Interview
from integrations.ssrf import UnsafeURL, check_url

SEND = "/api/greenhouse/send_test"

HOSTILE_URLS = [
    ("https://127.0.0.1/cb", "loopback"),
    ("https://[::1]/cb", "loopback"),
    ("https://10.0.0.5/cb", "private"),
    ("https://172.16.3.4/cb", "private"),
    ("https://192.168.1.1/cb", "private"),
    ("https://[fd12:3456::1]/cb", "private"),
    ("https://169.254.10.10/cb", "loopback"),
    ("https://[fe80::1]/cb", "loopback"),
    ("https://169.254.169.254/latest/meta-data/", "loopback"),
    ("https://[fd00:ec2::254]/latest/meta-data/", "loopback"),
    ("https://metadata.google.internal/computeMetadata/v1/", "metadata"),
    ("https://100.64.0.1/cb", "loopback"),
    ("https://100.100.100.200/cb", "loopback"),
    ("https://224.0.0.1/cb", "loopback"),
    ("https://[ff02::1]/cb", "loopback"),
    ("https://240.0.0.1/cb", "loopback"),
    ("https://255.255.255.255/cb", "loopback"),
    ("https://0.0.0.0/cb", "loopback"),
    ("https://[::]/cb", "loopback"),
    ("https://[::ffff:127.0.0.1]/cb", "loopback"),
    ("https://[::ffff:a9fe:a9fe]/cb", "loopback"),
    ("https://[64:ff9b::a00:1]/cb", "loopback"),
    ("https://[2002:7f00:1::]/cb", "loopback"),
    ("https://2130706433/cb", "loopback"),
    ("https://0x7f000001/cb", "loopback"),
    ("https://127.1/cb", "loopback"),
    ("https://0177.0.0.1/cb", "loopback"),
    ("https://0x7f.0.0.1/cb", "loopback"),
    ("https://127.0.0.1./cb", "loopback"),
    ("https://localhost/cb", "localhost"),
    ("https://LocalHost/cb", "localhost"),
    ("https://localhost./cb", "localhost"),
    ("https://api.localhost/cb", "localhost"),
    ("https://API.LOCALHOST./cb", "localhost"),
    ("http://ats.example.com/cb", "https"),
    ("ftp://ats.example.com/cb", "https"),
    ("//ats.example.com/cb", "https"),
    ("https://user:pass@ats.example.com/cb", "credentials"),
    ("https://user@ats.example.com/cb", "credentials"),
    ("https://ats.example.com:22/cb", "port"),
    ("https://ats.example.com:80/cb", "port"),
    ("https://ats.example.com:0/cb", "port"),
    ("https://ats.example.com:99999/cb", "valid URL"),
    ("https://[fe80::1%25eth0]/cb", "zone"),
    ("https://ats.example.com/c b", "whitespace"),
    ("https:///cb", "host"),
    ("https://" + "a" * 2000 + ".com/", "2000"),
]


@pytest.fixture
def public_dns(monkeypatch):
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14"])


@pytest.fixture
def no_dns(monkeypatch):
    def fail(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr("integrations.ssrf.resolve", fail)


def test_the_table_is_big_enough():
    assert len(HOSTILE_URLS) >= 15


@pytest.mark.parametrize(("url", "reason"), HOSTILE_URLS)
def test_send_test_rejects_hostile_callback_url(api, send_body, public_dns, url, reason):
    response = api.post(SEND, send_body(url=url), format="json")
    assert response.status_code == 400, response.content
    message = response.json()["fields"]["url"][0]
    assert message.startswith("Callback URL ")
    assert reason in message
    assert Interview.objects.count() == 0


@pytest.mark.parametrize(("url", "reason"), HOSTILE_URLS)
def test_check_url_rejects_hostile_url_at_delivery_too(public_dns, url, reason):
    with pytest.raises(UnsafeURL, match=reason):
        check_url(url, require_resolution=True)


@pytest.mark.parametrize("private", ["10.1.2.3", "127.0.0.1", "::1", "169.254.169.254"])
def test_send_test_rejects_a_name_that_resolves_to_a_private_address(
    api, send_body, monkeypatch, private
):
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14", private])
    response = api.post(SEND, send_body(url="https://rebind.example.com/cb"), format="json")
    assert response.status_code == 400
    assert f"resolves to {private}" in response.json()["fields"]["url"][0]


def test_send_test_rejects_hostile_url_nested_in_candidate(api, send_body, public_dns):
    body = send_body()
    body.pop("url")
    body["candidate"]["url"] = "https://10.0.0.1/cb"
    response = api.post(SEND, body, format="json")
    assert response.status_code == 400
    assert "candidate.url" in response.json()["fields"]


def test_send_test_reports_the_url_error_together_with_other_field_errors(
    api, send_body, public_dns
):
    body = send_body(url="https://127.0.0.1/cb")
    body["candidate"].pop("email")
    body.pop("partner_test_id")
    response = api.post(SEND, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"url", "candidate.email", "partner_test_id"}


def test_send_test_reports_a_missing_url_together_with_other_field_errors(api, send_body):
    body = send_body()
    body.pop("url")
    body["candidate"].pop("first_name")
    response = api.post(SEND, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"url", "candidate.first_name"}


def test_send_test_accepts_an_unresolvable_host_for_a_later_check(api, send_body, no_dns):
    url = "https://not-yet-in-dns.example.com/cb"
    response = api.post(SEND, send_body(url=url), format="json")
    assert response.status_code == 200, response.content
    assert Interview.objects.get().callback_url == url


def test_delivery_time_check_requires_resolution(no_dns):
    with pytest.raises(UnsafeURL, match="cannot be resolved"):
        check_url("https://not-yet-in-dns.example.com/cb", require_resolution=True)


def test_public_url_passes_and_pins_its_addresses(public_dns):
    checked = check_url("https://ATS.example.com:8443/cb?x=1", require_resolution=True)
    assert checked.hostname == "ats.example.com"
    assert checked.port == 8443
    assert checked.addresses == ["93.184.215.14"]
    assert checked.allowlisted is False


@pytest.mark.parametrize(
    "url", ["https://93.184.215.14/cb", "https://[2606:2800:220:1:248:1893:25c8:1946]/cb"]
)
def test_public_ip_literals_pass_without_dns(no_dns, url):
    assert check_url(url, require_resolution=True).addresses


def test_callback_ports_setting(settings, public_dns):
    settings.MARIOHR_CALLBACK_PORTS = [443, 9443]
    assert check_url("https://ats.example.com:9443/cb", require_resolution=True).port == 9443
    with pytest.raises(UnsafeURL, match="port"):
        check_url("https://ats.example.com:8443/cb", require_resolution=True)


@pytest.mark.parametrize(
    ("allowlist", "url"),
    [
        (["127.0.0.1"], "https://127.0.0.1:8443/cb"),
        (["127.0.0.0/8"], "https://127.0.0.1:51234/cb"),
        (["::1"], "https://[::1]:51234/cb"),
        (["localhost"], "https://localhost:51234/cb"),
        (["receiver.internal"], "https://RECEIVER.internal.:51234/cb"),
    ],
)
def test_allowlist_exempts_hosts_and_cidrs_from_address_and_port_rules(
    settings, monkeypatch, allowlist, url
):
    settings.MARIOHR_CALLBACK_ALLOWLIST = allowlist
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["127.0.0.1"])
    checked = check_url(url, require_resolution=True)
    assert checked.allowlisted is True
    assert checked.addresses


def test_allowlisted_cidr_covers_names_resolving_into_it(settings, monkeypatch):
    settings.MARIOHR_CALLBACK_ALLOWLIST = ["10.20.0.0/16"]
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["10.20.1.2"])
    assert check_url("https://staging-ats.corp/cb", require_resolution=True).allowlisted
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["10.20.1.2", "10.9.9.9"])
    with pytest.raises(UnsafeURL, match="10.9.9.9"):
        check_url("https://staging-ats.corp/cb", require_resolution=True)


def test_allowlist_still_requires_https_and_no_credentials(settings):
    settings.MARIOHR_CALLBACK_ALLOWLIST = ["127.0.0.1", "localhost"]
    with pytest.raises(UnsafeURL, match="https"):
        check_url("http://127.0.0.1:8443/cb", require_resolution=False)
    with pytest.raises(UnsafeURL, match="credentials"):
        check_url("https://u:p@localhost/cb", require_resolution=False)


def test_allowlist_does_not_leak_to_other_hosts(settings, public_dns):
    settings.MARIOHR_CALLBACK_ALLOWLIST = ["127.0.0.1"]
    with pytest.raises(UnsafeURL):
        check_url("https://127.0.0.2/cb", require_resolution=False)


def test_send_test_through_allowlist(api, send_body, settings):
    settings.MARIOHR_CALLBACK_ALLOWLIST = ["127.0.0.1"]
    response = api.post(SEND, send_body(url="https://127.0.0.1:51234/cb"), format="json")
    assert response.status_code == 200, response.content
