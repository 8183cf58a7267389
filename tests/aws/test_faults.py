"""Collection under faults: each fault spoils only the results that depend on it.

A small HTTP proxy on 127.0.0.1 sits between the clients and the moto server. It forwards
every request, except those a rule matches (by operation, and by the region of the request's
credential scope), which it answers itself: denied, throttled, failing, or garbled. Each test
asserts the affected results and that every other result is exactly as without the fault.
"""

from __future__ import annotations

import http.client
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from generator.aws.clients import ClientFactory, ClientSettings
from generator.aws.engine import ResultStatus, collect, run_check
from generator.aws.view import LiveView, ResponseStore
from generator.checks import registry
from generator.checks.base import GLOBAL, Check, Finding, FindingStatus

ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1"]
DROP = b"<hang up>"
"""A rule body that makes the proxy hang up without answering, as a failing endpoint does.
Not the empty body: that is an answer, which a rule may give too."""
CREDENTIAL_REGION = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")


def kms_keys_listed(view):
    """Lists the region's KMS keys: a JSON-protocol call beside the example checks' XML ones.

    ```yaml
    checks: [kms_keys_listed]
    ```
    """
    keys = view.call("kms", "ListKeys").get("Keys", [])
    return [Finding(key["KeyId"], FindingStatus.PASS, "The key is listed.") for key in keys]


KMS_CHECK = Check(
    id="kms_keys_listed",
    title="KMS keys can be listed",
    rule="The region's KMS keys can be listed.",
    service="kms",
    scope="regional",
    permissions=("kms:ListKeys",),
    evaluate=kms_keys_listed,
    empty="The region has no KMS keys.",
)
CHECKS = [
    registry()["iam_password_policy_strong"],
    registry()["ec2_ebs_default_encryption_enabled"],
    KMS_CHECK,
]
WEAK = f"1 of 1 resource fails: {ACCOUNT}."
BASELINE = {
    ("ec2_ebs_default_encryption_enabled", "eu-west-1"): (
        ResultStatus.PASS,
        f"Account {ACCOUNT} encrypts new EBS volumes by default in eu-west-1.",
    ),
    ("ec2_ebs_default_encryption_enabled", "us-east-1"): (ResultStatus.FAIL, WEAK),
    ("iam_password_policy_strong", GLOBAL): (ResultStatus.FAIL, WEAK),
    ("kms_keys_listed", "eu-west-1"): (ResultStatus.PASS, "The region has no KMS keys."),
    ("kms_keys_listed", "us-east-1"): (ResultStatus.PASS, "The region has no KMS keys."),
}


@dataclass
class Rule:
    """Answer requests for ``operation`` (in ``region``, if given) with a canned reply."""

    operation: str
    status: int
    body: bytes
    region: str | None = None
    times: int | None = None
    """How many requests to answer; None for all of them."""

    answered: int = 0

    def takes(self, operation: str, region: str) -> bool:
        if self.operation not in (operation, "*") or self.region not in (None, region):
            return False
        return self.times is None or self.answered < self.times


class FaultProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.upstream = urlsplit(upstream)
        self.rules: list[Rule] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def rule(self, operation: str, reply: tuple[int, bytes], **fields) -> Rule:
        rule = Rule(operation, *reply, **fields)
        self.rules.append(rule)
        return rule

    def match(self, operation: str, region: str) -> Rule | None:
        with self.lock:
            for rule in self.rules:
                if rule.takes(operation, region):
                    rule.answered += 1
                    return rule
        return None


class ProxyHandler(BaseHTTPRequestHandler):
    server: FaultProxy

    def do_POST(self):
        self.handle_any()

    def do_GET(self):
        self.handle_any()

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        scope = CREDENTIAL_REGION.search(self.headers.get("Authorization", ""))
        rule = self.server.match(operation_of(self.headers, body), scope.group(1) if scope else "")
        if rule is not None and rule.body == DROP:
            self.close_connection = True
            return
        if rule is not None:
            self.reply(rule.status, {"Content-Type": "text/xml"}, rule.body)
            return

        upstream = http.client.HTTPConnection(
            self.server.upstream.hostname, self.server.upstream.port, timeout=30
        )
        try:
            upstream.request(self.command, self.path, body, dict(self.headers.items()))
            answer = upstream.getresponse()
            headers = {k: v for k, v in answer.getheaders() if k.lower() in KEPT_HEADERS}
            self.reply(answer.status, headers, answer.read())
        finally:
            upstream.close()

    def reply(self, status, headers, body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


KEPT_HEADERS = {"content-type", "x-amzn-requestid", "x-amz-request-id", "x-amzn-errortype"}


def operation_of(headers, body: bytes) -> str:
    """The operation a request asks for: from X-Amz-Target (JSON) or the Action field (query)."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    return parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]


def query_error(code: str, message: str) -> bytes:
    return (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
        f"<Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
    ).encode()


def ec2_error(code: str, message: str) -> bytes:
    return (
        f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error>"
        f"</Errors><RequestID>fault</RequestID></Response>"
    ).encode()


@pytest.fixture(name="seeded", scope="module")
def fixture_seeded(moto_server, moto_tools, tmp_path_factory):
    """moto seeded as BASELINE says, once for the module: the faults below only read it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        moto_tools.reset(moto_server)
        moto_tools.point_boto3_at(monkeypatch, moto_server, tmp_path_factory.mktemp("faults"))
        ec2 = boto3.client("ec2", region_name="eu-west-1", endpoint_url=moto_server)
        ec2.enable_ebs_encryption_by_default()
        yield moto_server


@pytest.fixture(name="proxy")
def fixture_proxy(seeded, monkeypatch):
    """A fault proxy in front of the seeded moto server, with boto3 pointed at it."""
    proxy = FaultProxy(seeded)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    yield proxy
    proxy.shutdown()
    proxy.server_close()
    thread.join()


def run(max_attempts=2):
    settings = ClientSettings(max_attempts=max_attempts, connect_timeout=1, read_timeout=5)
    collection = collect(CHECKS, {}, ClientFactory(settings), regions=REGIONS, workers=4)
    return {(r.check, r.region): (r.status, r.reason) for r in collection.results}


def test_without_faults_the_proxy_changes_nothing(proxy):
    assert run() == BASELINE


def test_access_denied_on_one_api_is_an_error_for_its_check_only(proxy):
    denied = query_error("AccessDenied", "User is not authorized to get the password policy")
    proxy.rule("GetAccountPasswordPolicy", (403, denied))

    outcomes = run()

    assert outcomes == BASELINE | {
        ("iam_password_policy_strong", GLOBAL): (
            ResultStatus.ERROR,
            "iam:GetAccountPasswordPolicy failed in us-east-1: AccessDenied: "
            "User is not authorized to get the password policy",
        )
    }


def test_throttling_that_recovers_changes_no_result(proxy):
    throttled = proxy.rule(
        "GetAccountPasswordPolicy", (400, query_error("Throttling", "Rate exceeded")), times=2
    )

    outcomes = run(max_attempts=4)

    assert outcomes == BASELINE
    assert throttled.answered == 2


def test_throttling_past_the_retries_is_an_error_naming_the_api_and_region(proxy):
    limit = ec2_error("RequestLimitExceeded", "Request limit exceeded.")
    throttled = proxy.rule("GetEbsEncryptionByDefault", (503, limit), region="eu-west-1")

    outcomes = run(max_attempts=3)

    assert outcomes == BASELINE | {
        ("ec2_ebs_default_encryption_enabled", "eu-west-1"): (
            ResultStatus.ERROR,
            "ec2:GetEbsEncryptionByDefault failed in eu-west-1: RequestLimitExceeded: "
            "Request limit exceeded.",
        )
    }
    assert throttled.answered == 3


def test_a_failing_region_spoils_only_that_regions_results(proxy):
    proxy.rule("*", (0, DROP), region="eu-west-1")

    outcomes = run()

    failed = {key: outcomes.pop(key) for key in list(outcomes) if key[1] == "eu-west-1"}
    assert outcomes == {k: v for k, v in BASELINE.items() if k[1] != "eu-west-1"}
    assert sorted(failed) == [
        ("ec2_ebs_default_encryption_enabled", "eu-west-1"),
        ("kms_keys_listed", "eu-west-1"),
    ]
    for (check, _), (status, reason) in failed.items():
        call = "ec2:GetEbsEncryptionByDefault" if check.startswith("ec2") else "kms:ListKeys"
        assert status is ResultStatus.ERROR
        assert reason.startswith(f"{call} failed in eu-west-1: ConnectionClosedError: ")


@pytest.mark.parametrize(
    ("operation", "body", "key"),
    [
        (
            "GetAccountPasswordPolicy",
            b"<GetAccountPasswordPolicyResponse><GetAccountPasswordPolicyResult>",
            ("iam_password_policy_strong", GLOBAL),
        ),
        ("ListKeys", b'{"Keys": [{"KeyId": "trunc', ("kms_keys_listed", "us-east-1")),
    ],
    ids=["truncated-xml", "truncated-json"],
)
def test_a_malformed_response_is_an_error_saying_it_could_not_be_parsed(
    proxy, operation, body, key
):
    proxy.rule(operation, (200, body), region="us-east-1")

    outcomes = run()

    status, reason = outcomes.pop(key)
    assert status is ResultStatus.ERROR
    assert "ResponseParserError: could not parse the response" in reason
    assert outcomes == {k: v for k, v in BASELINE.items() if k != key}


def test_an_empty_successful_answer_is_an_error_not_an_empty_list(proxy):
    proxy.rule("ListKeys", (200, b""), region="us-east-1")

    outcomes = run()

    assert outcomes == BASELINE | {
        ("kms_keys_listed", "us-east-1"): (
            ResultStatus.ERROR,
            "kms:ListKeys failed in us-east-1: ResponseParserError: could not parse the "
            "response: empty body received for ListKeys",
        )
    }


def bedrock_check(scope):
    def evaluate(view):
        """Lists foundation models, which botocore's endpoint data leaves out of ap-east-1.

        ```yaml
        checks: [bedrock_models_listed]
        ```
        """
        place = view if scope == "regional" else view.in_region("ap-east-1")
        place.call("bedrock", "ListFoundationModels")
        return []

    return Check(
        id="bedrock_models_listed",
        title="Bedrock models can be listed",
        rule="Foundation models can be listed.",
        service="bedrock",
        scope=scope,
        permissions=("bedrock:ListFoundationModels",),
        evaluate=evaluate,
    )


def test_a_service_the_region_does_not_offer_is_not_applicable_there():
    view = LiveView(ResponseStore(ClientFactory()), ACCOUNT, "ap-east-1", ["ap-east-1"])

    result = run_check(bedrock_check("regional"), view, {})

    assert (result.status, result.reason) == (
        ResultStatus.NOT_APPLICABLE,
        "bedrock:ListFoundationModels is not offered in ap-east-1.",
    )


def test_a_region_botocore_does_not_know_is_called_not_assumed_unoffered(proxy):
    """ap-future-1 stands for a region newer than the installed botocore's data."""
    proxy.rule("ListKeys", (403, b'{"__type": "AccessDeniedException"}'), region="ap-future-1")
    view = LiveView(ResponseStore(ClientFactory()), ACCOUNT, "ap-future-1", ["ap-future-1"])

    result = run_check(KMS_CHECK, view, {})

    assert result.status is ResultStatus.ERROR
    assert result.reason.startswith("kms:ListKeys failed in ap-future-1: AccessDeniedException")


def test_a_global_check_reaching_a_region_without_the_service_is_an_error():
    view = LiveView(ResponseStore(ClientFactory()), ACCOUNT, GLOBAL, ["ap-east-1"])

    result = run_check(bedrock_check("global"), view, {})

    assert (result.status, result.reason) == (
        ResultStatus.ERROR,
        "bedrock:ListFoundationModels failed in ap-east-1: ServiceNotInRegion: "
        "bedrock is not offered in ap-east-1",
    )


def test_an_error_page_instead_of_an_aws_error_is_named_by_its_http_status(proxy):
    page = b"<!doctype html>\n<title>500 Internal Server Error</title>\n<h1>Oops</h1>\n"
    proxy.rule("ListKeys", (500, page), region="us-east-1")

    outcomes = run()

    assert outcomes == BASELINE | {
        ("kms_keys_listed", "us-east-1"): (
            ResultStatus.ERROR,
            "kms:ListKeys failed in us-east-1: 500: Internal Server Error",
        )
    }


def test_a_service_the_endpoint_lacks_is_not_applicable_anywhere():
    settings = ClientSettings(unavailable={"bedrock": "the test endpoint has no bedrock"})
    view = LiveView(ResponseStore(ClientFactory(settings)), ACCOUNT, GLOBAL, ["us-east-1"])

    result = run_check(bedrock_check("global"), view, {})

    assert (result.status, result.reason) == (
        ResultStatus.NOT_APPLICABLE,
        "bedrock:ListFoundationModels is not available here: the test endpoint has no bedrock.",
    )
