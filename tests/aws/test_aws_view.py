"""The live view against a moto server: sharing, paging, evidence and error mapping."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from botocore.stub import Stubber

from generator.aws.clients import ClientFactory, ClientSettings
from generator.aws.view import LiveView, ResponseStore, export_key
from generator.checks.base import GLOBAL, ApiError

POLICY = (
    '{"Version": "2012-10-17", "Statement": '
    '[{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}'
)


def count_requests(factory, service, region, account, operation, delay=0.0):
    """Count the HTTP requests a factory client sends for ``operation``; optionally slow them."""
    sent: list[str] = []

    def before_send(request, **_):
        sent.append(request.url)
        time.sleep(delay)

    client = factory.client(service, region, account)
    client.meta.events.register(f"before-send.{service}.{operation}", before_send)
    return sent


def test_concurrent_calls_for_the_same_response_make_one_request(seed, factory, account):
    seed("iam").update_account_password_policy(MinimumPasswordLength=14)
    sent = count_requests(factory, "iam", "us-east-1", account, "GetAccountPasswordPolicy", 0.3)
    store = ResponseStore(factory)
    start = threading.Barrier(2)
    answers = []

    def ask():
        view = LiveView(store, account, GLOBAL, ["us-east-1"])
        start.wait()
        answers.append(view.call("iam", "GetAccountPasswordPolicy"))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(sent) == 1
    assert answers[0] == answers[1]
    assert answers[0]["PasswordPolicy"]["MinimumPasswordLength"] == 14


def test_global_services_are_shared_between_regional_and_global_views(factory, account):
    sent = count_requests(factory, "iam", "us-east-1", account, "GetAccountSummary")
    store = ResponseStore(factory)
    regions = ["us-east-1", "eu-west-1"]

    for region in [GLOBAL, *regions]:
        LiveView(store, account, region, regions).call("iam", "GetAccountSummary")

    assert len(sent) == 1
    assert [e.key for e in store.exports()] == [f"{account}/global/iam/GetAccountSummary"]


def test_pages_are_merged_into_one_response(seed, factory, account):
    iam = seed("iam")
    for name in ("alpha", "beta", "gamma"):
        iam.create_policy(PolicyName=name, PolicyDocument=POLICY)
    sent = count_requests(factory, "iam", "us-east-1", account, "ListPolicies")

    response = LiveView(ResponseStore(factory), account, GLOBAL, []).call(
        "iam", "ListPolicies", Scope="Local", MaxItems=1
    )

    assert sorted(p["PolicyName"] for p in response["Policies"]) == ["alpha", "beta", "gamma"]
    # moto marks the last full page truncated too, so it answers one more (empty) page.
    assert len(sent) in (3, 4)
    assert "Marker" not in response


def test_exports_hold_json_values_and_record_which_view_used_them(factory, account):
    store = ResponseStore(factory)
    view = LiveView(store, account, "eu-west-1", ["eu-west-1"])

    view.call("ec2", "DescribeSecurityGroups")
    view.call("ec2", "DescribeSecurityGroups", GroupNames=["default"])
    view.call("ec2", "DescribeSecurityGroups")

    keys = [e.key for e in store.exports()]
    assert view.used == [
        f"{account}/eu-west-1/ec2/DescribeSecurityGroups",
        export_key(
            account, "eu-west-1", "ec2", "DescribeSecurityGroups", {"GroupNames": ["default"]}
        ),
    ]
    assert sorted(view.used) == keys
    export = store.exports()[0].to_json()
    assert export["region"] == "eu-west-1"
    assert export["error"] is None
    assert "ResponseMetadata" not in export["response"]
    assert isinstance(export["started"], str)


def test_view_in_another_region_records_into_the_same_check(factory, account):
    view = LiveView(ResponseStore(factory), account, GLOBAL, ["eu-west-1"])

    view.in_region("eu-west-1").call("ec2", "GetEbsEncryptionByDefault")

    assert view.used == [f"{account}/eu-west-1/ec2/GetEbsEncryptionByDefault"]


def test_access_denied_becomes_an_api_error_and_is_not_asked_again(factory, account):
    """Stubbed with botocore's Stubber: moto does not enforce IAM permissions by default."""
    client = factory.client("iam", "us-east-1", account)
    store = ResponseStore(factory)
    view = LiveView(store, account, GLOBAL, [])

    with Stubber(client) as stubber:
        stubber.add_client_error(
            "get_account_password_policy", "AccessDenied", "User is not authorized", 403
        )
        with pytest.raises(ApiError) as first:
            view.call("iam", "GetAccountPasswordPolicy")
        with pytest.raises(ApiError) as second:
            view.call("iam", "GetAccountPasswordPolicy")
        stubber.assert_no_pending_responses()

    error = first.value
    assert (error.service, error.operation, error.region) == (
        "iam",
        "GetAccountPasswordPolicy",
        "us-east-1",
    )
    assert (error.code, error.message) == ("AccessDenied", "User is not authorized")
    assert second.value.code == "AccessDenied"
    assert store.exports()[0].to_json()["error"] == {
        "code": "AccessDenied",
        "message": "User is not authorized",
    }


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_endpoint_becomes_an_api_error_after_one_attempt(aws, account):
    endpoint = f"http://127.0.0.1:{free_port()}"
    settings = ClientSettings(
        endpoint_url=endpoint, max_attempts=1, connect_timeout=0.5, read_timeout=0.5
    )
    factory = ClientFactory(settings)
    sent = count_requests(factory, "ec2", "eu-west-1", account, "DescribeVpcs")
    view = LiveView(ResponseStore(factory), account, "eu-west-1", [])

    for _ in range(2):
        with pytest.raises(ApiError) as raised:
            view.call("ec2", "DescribeVpcs")

    assert raised.value.code == "EndpointConnectionError"
    assert str(raised.value).startswith(
        "ec2:DescribeVpcs in eu-west-1 failed: EndpointConnectionError"
    )
    assert len(sent) == 1


def test_endpoint_that_never_answers_becomes_a_read_timeout(aws, account):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        settings = ClientSettings(
            endpoint_url=endpoint, max_attempts=1, connect_timeout=0.5, read_timeout=0.3
        )
        view = LiveView(ResponseStore(ClientFactory(settings)), account, "eu-west-1", [])

        with pytest.raises(ApiError) as raised:
            view.call("ec2", "DescribeVpcs")

    assert raised.value.code == "ReadTimeoutError"


def test_service_not_offered_in_a_region_is_an_api_error(factory, account):
    view = LiveView(ResponseStore(factory), account, "ap-east-1", [])

    with pytest.raises(ApiError) as raised:
        view.call("bedrock", "ListFoundationModels")

    assert raised.value.code == "ServiceNotInRegion"


def test_s3control_reaches_the_endpoint_without_a_name_lookup(aws, factory, account, no_dns):
    client = factory.client("s3control", "us-east-1", account)
    hosts = []
    client.meta.events.register(
        "before-send.s3-control.*", lambda request, **_: hosts.append(request.url)
    )
    client.put_public_access_block(
        AccountId=account,
        PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True},
    )

    view = LiveView(ResponseStore(factory), account, GLOBAL, [])
    response = view.call("s3control", "GetPublicAccessBlock", AccountId=account)

    assert response["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    assert {urlsplit(url).netloc for url in hosts} == {urlsplit(aws).netloc}
    assert no_dns == []


def test_s3control_without_the_rewrite_would_look_up_a_name(seed, account, no_dns):
    """Proves the guard above: a plain client asks DNS for the account-prefixed host."""
    with pytest.raises(Exception, match="Could not connect"):
        seed("s3control").get_public_access_block(AccountId=account)

    assert no_dns and no_dns[0].startswith(f"{account}.127.0.0.1")


@pytest.fixture(name="fake_endpoint")
def fixture_fake_endpoint():
    """Return a maker of a local HTTP server that answers every request with one reply."""
    servers = []

    def make(status, body):
        class Reply(BaseHTTPRequestHandler):
            def do_POST(self):
                self.server.requests += 1
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Reply)
        server.requests = 0
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


def view_on(server, account, max_attempts=1):
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    settings = ClientSettings(endpoint_url=endpoint, max_attempts=max_attempts, read_timeout=2)
    return LiveView(ResponseStore(ClientFactory(settings)), account, "eu-west-1", [])


def test_throttling_past_the_retries_becomes_an_api_error(aws, fake_endpoint, account):
    throttled = (
        b"<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
        b"<Message>Request limit exceeded.</Message></Error></Errors></Response>"
    )
    server = fake_endpoint(503, throttled)

    with pytest.raises(ApiError) as raised:
        view_on(server, account, max_attempts=2).call("ec2", "DescribeVpcs")

    assert (raised.value.code, raised.value.message) == (
        "RequestLimitExceeded",
        "Request limit exceeded.",
    )
    assert server.requests == 2


def test_an_unparseable_answer_becomes_an_api_error(aws, fake_endpoint, account):
    server = fake_endpoint(200, b"<DescribeVpcsResponse><vpcSet><item>")

    with pytest.raises(ApiError) as raised:
        view_on(server, account).call("ec2", "DescribeVpcs")

    assert raised.value.code == "ResponseParserError"


def names(count):
    return [f"user-{number:02d}" for number in range(count)]


def test_prefetch_makes_each_call_once_and_later_calls_are_answered_from_the_store(
    seed, factory, account
):
    iam = seed("iam")
    for name in names(3):
        iam.create_user(UserName=name)
    sent = count_requests(factory, "iam", "us-east-1", account, "ListAccessKeys")
    view = LiveView(ResponseStore(factory), account, GLOBAL, ["us-east-1"])

    view.prefetch("iam", "ListAccessKeys", [{"UserName": name} for name in names(3)])
    view.prefetch("iam", "ListAccessKeys", [{"UserName": name} for name in names(3)])
    answers = [view.call("iam", "ListAccessKeys", UserName=name) for name in names(3)]

    assert len(sent) == 3
    assert [answer["AccessKeyMetadata"] for answer in answers] == [[], [], []]


def test_prefetch_in_regions_calls_each_region_with_every_parameter_set(factory, account):
    view = LiveView(ResponseStore(factory), account, GLOBAL, [])
    groups = ({"GroupNames": [name]} for name in ["default"])

    view.prefetch("ec2", "DescribeSecurityGroups", groups, regions=["us-east-1", "eu-west-1"])

    params = {"GroupNames": ["default"]}
    assert [e.key for e in view.store.exports()] == [
        export_key(account, region, "ec2", "DescribeSecurityGroups", params)
        for region in ["eu-west-1", "us-east-1"]
    ]


DELAY = 0.2
"""Seconds the slow proxy adds to each request."""


class SlowProxy(ThreadingHTTPServer):
    """Forwards every request to moto after ``delay`` seconds, as a far-away endpoint would."""

    daemon_threads = True
    # The default backlog of 5 drops some of ten simultaneous connections, whose clients
    # then retry a second later.
    request_queue_size = 64

    def __init__(self, upstream, delay):
        super().__init__(("127.0.0.1", 0), SlowHandler)
        self.upstream = urlsplit(upstream)
        self.delay = delay
        self.requests = 0
        self.lock = threading.Lock()


class SlowHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.requests += 1
        time.sleep(self.server.delay)

        upstream = self.server.upstream
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        try:
            connection.request("POST", self.path, body, dict(self.headers.items()))
            answer = connection.getresponse()
            reply = answer.read()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.getheader("Content-Type", "text/xml"))
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
        finally:
            connection.close()

    def log_message(self, *args):
        pass


@pytest.fixture(name="slow_proxy")
def fixture_slow_proxy(aws):
    """A proxy on 127.0.0.1 that adds DELAY seconds to every request it forwards to moto."""
    proxy = SlowProxy(aws, DELAY)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield proxy
    proxy.shutdown()
    proxy.server_close()
    thread.join()


def test_prefetched_calls_travel_side_by_side(seed, slow_proxy, account):
    iam = seed("iam")
    for name in names(10):
        iam.create_user(UserName=name)
    endpoint = f"http://127.0.0.1:{slow_proxy.server_address[1]}"
    factory = ClientFactory(ClientSettings(endpoint_url=endpoint, max_attempts=1))
    factory.client("iam", "us-east-1", account)
    view = LiveView(ResponseStore(factory), account, GLOBAL, ["us-east-1"])

    started = time.monotonic()
    view.prefetch("iam", "ListAccessKeys", [{"UserName": name} for name in names(10)])
    took = time.monotonic() - started

    assert slow_proxy.requests == 10
    # One after another they would take 10 delays; side by side about one. 5 leaves room
    # for a loaded machine with two cores.
    assert DELAY <= took < 5 * DELAY


def test_a_prefetched_failure_is_raised_by_the_later_call_without_asking_again(
    seed, factory, account
):
    seed("iam").create_user(UserName="with-password")
    seed("iam").create_login_profile(UserName="with-password", Password="Correct-Horse-9")
    sent = count_requests(factory, "iam", "us-east-1", account, "GetLoginProfile")
    view = LiveView(ResponseStore(factory), account, GLOBAL, ["us-east-1"])

    view.prefetch("iam", "GetLoginProfile", [{"UserName": "with-password"}, {"UserName": "gone"}])

    with pytest.raises(ApiError) as raised:
        view.call("iam", "GetLoginProfile", UserName="gone")
    assert (raised.value.operation, raised.value.code) == ("GetLoginProfile", "NoSuchEntity")
    assert view.call("iam", "GetLoginProfile", UserName="with-password")["LoginProfile"]
    assert len(sent) == 2


def test_prefetch_marks_no_export_used_until_the_call(factory, account):
    view = LiveView(ResponseStore(factory), account, GLOBAL, ["us-east-1", "eu-west-1"])

    view.prefetch("ec2", "GetEbsEncryptionByDefault", regions=["us-east-1", "eu-west-1"])

    assert view.used == []
    assert len(view.store.exports()) == 2
    view.in_region("eu-west-1").call("ec2", "GetEbsEncryptionByDefault")
    assert view.used == [f"{account}/eu-west-1/ec2/GetEbsEncryptionByDefault"]


def test_prefetch_where_the_service_is_not_offered_leaves_the_error_to_the_call(factory, account):
    view = LiveView(ResponseStore(factory), account, GLOBAL, [])

    view.prefetch("bedrock", "ListFoundationModels", regions=["ap-east-1", "us-east-1"])

    with pytest.raises(ApiError) as raised:
        view.in_region("ap-east-1").call("bedrock", "ListFoundationModels")
    assert raised.value.code == "ServiceNotInRegion"


def test_poll_asks_again_until_ready_and_keeps_the_last_answer_as_evidence(factory, account):
    """moto answers the first GenerateCredentialReport with STARTED, the next with COMPLETE."""
    sent = count_requests(factory, "iam", "us-east-1", account, "GenerateCredentialReport")
    view = LiveView(ResponseStore(factory), account, GLOBAL, ["us-east-1"])

    def complete(answer):
        return answer["State"] == "COMPLETE"

    answer = view.poll("iam", "GenerateCredentialReport", complete, delay=0.01)
    again = view.poll("iam", "GenerateCredentialReport", complete, delay=0.01)

    assert answer == again == {"State": "COMPLETE"}
    assert len(sent) == 2
    [export] = view.store.exports()
    assert export.response == {"State": "COMPLETE"}
    assert view.used == [export.key]


def test_poll_treats_pending_error_codes_as_not_ready_and_gives_up_after_its_attempts(
    factory, account
):
    """Stubbed with botocore's Stubber: moto never answers ReportInProgress."""
    iam = factory.client("iam", "us-east-1", account)
    view = LiveView(ResponseStore(factory), account, GLOBAL, ["us-east-1"])
    pending = ("ReportInProgress",)

    with Stubber(iam) as stubber:
        stubber.add_client_error("get_credential_report", "ReportInProgress", "Not yet.", 410)
        stubber.add_response("get_credential_report", {"Content": b"user,arn\n"})
        answer = view.poll("iam", "GetCredentialReport", pending=pending, delay=0.01)
        for _ in range(3):
            stubber.add_response("generate_credential_report", {"State": "INPROGRESS"})
        started = time.monotonic()
        with pytest.raises(ApiError) as raised:
            view.poll("iam", "GenerateCredentialReport", lambda _: False, attempts=3, delay=0.05)
        took = time.monotonic() - started
        stubber.assert_no_pending_responses()

    assert answer["Content"] == "dXNlcixhcm4K"
    assert (raised.value.code, raised.value.message) == (
        "NotReady",
        "still not ready after 3 attempts over 0.1 s",
    )
    assert 0.1 <= took < 1
    assert len(view.used) == 2


def test_poll_errors_other_than_the_pending_ones_raise_at_once(factory, account):
    """Stubbed with botocore's Stubber: moto cannot deny a call."""
    iam = factory.client("iam", "us-east-1", account)
    view = LiveView(ResponseStore(factory), account, GLOBAL, ["us-east-1"])

    with Stubber(iam) as stubber:
        stubber.add_client_error("get_credential_report", "AccessDenied", "Denied.", 403)
        with pytest.raises(ApiError) as raised:
            view.poll("iam", "GetCredentialReport", pending=("ReportInProgress",), delay=0.01)
        stubber.assert_no_pending_responses()

    assert raised.value.code == "AccessDenied"
