"""``trustcenter collect --org`` over a three-account AWS Organization on the moto server.

The Organization: the management account (moto's default account, where the run starts),
a member whose read-only role exists, and a member whose role is missing. moto's AssumeRole
does not check that the role exists (its docs say any ARN works, to switch accounts), so a
small proxy on 127.0.0.1 sits in front of moto and answers AssumeRole for the missing role
with the AccessDenied error STS gives for a role that does not exist or does not trust the
caller; every other request passes through to moto unchanged. Some tests also have it answer
the Organizations calls with their errors (credentials that cannot list the Organization), or
DescribeRegions inside a member account (a role that cannot list its account's regions).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from click.testing import CliRunner
from conftest import control

from generator.aws.organization import Organization, choose, parse_shard
from generator.cli import main
from generator.runs import Shard, latest_run, read_run

from .test_runs import assert_valid_run

MANAGEMENT = "123456789012"
STARTING_KEY = "testing"
"""The access key the run starts with (see conftest's point_boto3_at): the management's."""
ROLE = "TrustcenterReader"
REGIONS = "us-east-1,eu-west-1"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
STRONG = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "MaxPasswordAge": 90,
}


@dataclass(frozen=True)
class Org:
    """The seeded Organization: its id and its three accounts."""

    id: str
    member: str
    """The member whose role exists: strong password policy, EBS encrypted in us-east-1 only."""

    unreachable: str
    """The member whose role is missing."""

    @property
    def accounts(self) -> list[str]:
        return sorted([MANAGEMENT, self.member, self.unreachable])

    def role(self, account: str) -> str:
        return f"arn:aws:iam::{account}:role/{ROLE}"


class Proxy(ThreadingHTTPServer):
    """Forwards to moto, except AssumeRole into ``denied`` roles and operations in ``answers``."""

    daemon_threads = True

    def __init__(self, upstream: str, denied: set[str]) -> None:
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.upstream = urlsplit(upstream)
        self.denied = denied
        self.answers: dict[str, tuple[int, bytes]] = {}
        """Error answers (status, body) by operation name."""

        self.members_only: set[str] = set()
        """Operations in ``answers`` answered only when called inside a member account, that
        is, signed with a role's credentials rather than the starting ones."""

        self.assumed: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class ProxyHandler(BaseHTTPRequestHandler):
    server: Proxy

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        form = parse_qs(body.decode("utf-8", "replace"))
        target = self.headers.get("X-Amz-Target", "")
        operation = target.rsplit(".", 1)[-1] if target else form.get("Action", [""])[0]
        if operation == "AssumeRole":
            role = form["RoleArn"][0]
            self.server.assumed.append(role)
            if role in self.server.denied:
                self.reply(403, "text/xml", access_denied(role))
                return
        starting = f"Credential={STARTING_KEY}/" in self.headers.get("Authorization", "")
        members_only = operation in self.server.members_only
        if operation in self.server.answers and not (members_only and starting):
            status, answer = self.server.answers[operation]
            json_protocol = bool(target)
            self.reply(
                status, "application/x-amz-json-1.1" if json_protocol else "text/xml", answer
            )
            return
        self.forward(body)

    def forward(self, body):
        upstream = self.server.upstream
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        try:
            connection.request(self.command, self.path, body, dict(self.headers.items()))
            answer = connection.getresponse()
            self.reply(answer.status, answer.getheader("Content-Type", "text/xml"), answer.read())
        finally:
            connection.close()

    def reply(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def access_denied(role: str) -> bytes:
    message = (
        f"User: arn:aws:sts::{MANAGEMENT}:assumed-role/TrustcenterCollector/ci is not "
        f"authorized to perform: sts:AssumeRole on resource: {role}"
    )
    return (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
        f"<Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message></Error>"
        "<RequestId>denied</RequestId></ErrorResponse>"
    ).encode()


@pytest.fixture(name="organization", scope="module")
def fixture_organization(moto_server, moto_tools, tmp_path_factory):
    """The three-account Organization, seeded once for the module: the tests only read it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        moto_tools.reset(moto_server)
        moto_tools.point_boto3_at(monkeypatch, moto_server, tmp_path_factory.mktemp("org"))
        organizations = boto3.client("organizations", endpoint_url=moto_server)
        org_id = organizations.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        member, unreachable = (
            organizations.create_account(Email=f"{name}@example.com", AccountName=name)[
                "CreateAccountStatus"
            ]["AccountId"]
            for name in ("member", "unreachable")
        )

        boto3.client("iam").update_account_password_policy(MinimumPasswordLength=8)
        inside = session_in(moto_server, member)
        inside.client("iam").create_role(RoleName=ROLE, AssumeRolePolicyDocument=TRUST)
        inside.client("iam").update_account_password_policy(**STRONG)
        inside.client("ec2", region_name="us-east-1").enable_ebs_encryption_by_default()
        yield Org(org_id, member, unreachable)


def session_in(endpoint: str, account: str) -> boto3.Session:
    """A session in ``account`` for seeding it, through the role AWS creates in new members."""
    sts = boto3.client("sts", endpoint_url=endpoint)
    role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="seeding")["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


@pytest.fixture(name="proxy")
def fixture_proxy(organization, moto_server, monkeypatch):
    """The proxy in front of moto, denying the unreachable member's role, with boto3 on it."""
    proxy = Proxy(moto_server, denied={organization.role(organization.unreachable)})
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    yield proxy
    proxy.shutdown()
    proxy.server_close()
    thread.join()


@pytest.fixture(name="catalog")
def fixture_catalog(project):
    project.write_control(control("6.1.1", checks=["iam_password_policy_strong"]))
    project.write_control(
        control("6.2.1", criteria=["CC6.2"], checks=["ec2_ebs_default_encryption_enabled"])
    )
    return project


@pytest.fixture(name="collect")
def fixture_collect(proxy, catalog):
    """Run ``collect --org`` with extra arguments into ``out``; return the CLI result."""
    runner = CliRunner()

    def run(*arguments, out="evidence/runs"):
        options = ["--org", "--role-name", ROLE, "--regions", REGIONS, "--out", out]
        return runner.invoke(main, ["collect", *options, "--workers", "2", *arguments])

    return run


def outcomes(data):
    """Each result as (check, account, region) -> (status, failing resources)."""
    return {
        (r["check"], r["account"], r["region"]): (
            r["status"],
            sorted(f["resource"] for f in r["findings"] if f["status"] == "fail"),
        )
        for r in data["results"]
    }


def expected(org):
    ebs, iam = "ec2_ebs_default_encryption_enabled", "iam_password_policy_strong"
    return {
        (ebs, MANAGEMENT, "eu-west-1"): ("fail", [MANAGEMENT]),
        (ebs, MANAGEMENT, "us-east-1"): ("fail", [MANAGEMENT]),
        (iam, MANAGEMENT, "global"): ("fail", [MANAGEMENT]),
        (ebs, org.member, "eu-west-1"): ("fail", [org.member]),
        (ebs, org.member, "us-east-1"): ("pass", []),
        (iam, org.member, "global"): ("pass", []),
        (ebs, org.unreachable, "eu-west-1"): ("error", []),
        (ebs, org.unreachable, "us-east-1"): ("error", []),
        (iam, org.unreachable, "global"): ("error", []),
    }


def test_an_org_run_covers_every_account_and_only_the_one_without_its_role_errs(
    organization, collect, proxy, catalog
):
    org = organization

    result = collect("--account-workers", "3")

    assert result.exit_code == 0, result.output
    path = latest_run(catalog.root / "evidence" / "runs")
    data = assert_valid_run(path)
    assert (data["organization"], data["shard"], data["shards"]) == (org.id, None, None)
    assert (data["accounts"], data["regions"]) == (org.accounts, ["us-east-1", "eu-west-1"])
    assert outcomes(data) == expected(org)
    denied = (
        f"Could not assume {org.role(org.unreachable)} in account {org.unreachable}: "
        f"AccessDenied: User: arn:aws:sts::{MANAGEMENT}:assumed-role/TrustcenterCollector/ci "
        f"is not authorized to perform: sts:AssumeRole on resource: {org.role(org.unreachable)}"
    )
    errors = [r for r in data["results"] if r["status"] == "error"]
    assert {(r["reason"], tuple(r["exports"])) for r in errors} == {(denied, ())}
    assert sorted(proxy.assumed) == sorted([org.role(org.member), org.role(org.unreachable)])
    exported = {p.relative_to(path / "exports").parts[0] for p in (path / "exports").rglob("*")}
    assert exported == {MANAGEMENT, org.member}
    listing = path / "exports" / MANAGEMENT / "organization" / "organizations"
    listed = json.loads((listing / "ListAccounts.json").read_text())
    assert sorted(a["Id"] for a in listed["response"]["Accounts"]) == org.accounts
    assert (listing / "DescribeOrganization.json").is_file()
    manifest = json.loads((path / "manifest.json").read_text())["files"]
    assert f"exports/{MANAGEMENT}/organization/organizations/ListAccounts.json" in manifest
    assert result.stderr.splitlines()[0].startswith("Collecting 3 results.")
    assert "[9/9] " in result.stderr
    assert f"Organization {org.id}." in result.stdout


def test_accounts_narrows_the_run_to_the_ids_given(organization, collect, catalog):
    result = collect("--accounts", f" {organization.member} ")

    assert result.exit_code == 0, result.output
    run = read_run(latest_run(catalog.root / "evidence" / "runs"))
    assert run.info.accounts == [organization.member]
    assert {r.account for r in run.results} == {organization.member}


def test_account_ids_outside_the_organization_exit_2_naming_them(organization, collect, catalog):
    result = collect("--accounts", f"{organization.member},999999999999,000000000001")

    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: 000000000001, 999999999999 are not active accounts of Organization "
        f"{organization.id}.\n"
    )
    assert not (catalog.root / "evidence").exists()


def test_shards_split_the_accounts_by_hash_and_merge_into_the_unsharded_run(
    organization, collect, catalog
):
    whole = collect(out="all")
    assert whole.exit_code == 0, whole.output
    sharded = [collect("--shard", f"{index}/3", out=f"shard-{index}") for index in (1, 2, 3)]
    assert [result.exit_code for result in sharded] == [0, 0, 0], [r.output for r in sharded]
    shards = [read_run(latest_run(catalog.root / f"shard-{index}")) for index in (1, 2, 3)]

    for index, shard in enumerate(shards, start=1):
        assert shard.info.shard == Shard(index, 3)
        listing = f"{MANAGEMENT}/organization-shard-{index}-of-3/organizations/ListAccounts.json"
        assert (shard.path / "exports" / listing).is_file()
        assert shard.info.accounts == [
            account
            for account in organization.accounts
            if int(hashlib.sha256(account.encode()).hexdigest(), 16) % 3 + 1 == index
        ]
    covered = [account for shard in shards for account in shard.info.accounts]
    assert sorted(covered) == organization.accounts

    merged = CliRunner().invoke(
        main, ["merge", *(str(shard.path) for shard in shards), "--out", "merged"]
    )

    assert merged.exit_code == 0, merged.output
    data = assert_valid_run(latest_run(catalog.root / "merged"))
    assert outcomes(data) == outcomes(assert_valid_run(latest_run(catalog.root / "all")))
    assert outcomes(data) == expected(organization)
    assert (data["organization"], data["shards"]["count"], data["shards"]["missing"]) == (
        organization.id,
        3,
        [],
    )


def test_an_account_whose_regions_cannot_be_listed_errs_alone_with_the_failed_call(
    organization, collect, proxy, catalog
):
    member = organization.member
    denied = "You are not authorized to perform this operation."
    proxy.answers["DescribeRegions"] = (
        403,
        f"<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>{denied}</Message>"
        "</Error></Errors><RequestID>denied</RequestID></Response>".encode(),
    )
    proxy.members_only.add("DescribeRegions")

    result = collect("--accounts", f"{MANAGEMENT},{member}")

    assert result.exit_code == 0, result.output
    data = assert_valid_run(latest_run(catalog.root / "evidence" / "runs"))
    errors = {(r["account"], r["reason"], tuple(r["exports"])) for r in data["results"]}
    reason = (
        f"Could not list the regions of account {member}: ec2:DescribeRegions in us-east-1 "
        f"failed: UnauthorizedOperation: {denied}"
    )
    export = f"exports/{member}/us-east-1/ec2/DescribeRegions-"
    [(account, said, (path,))] = [e for e in errors if e[0] == member]
    assert (account, said, path.startswith(export)) == (member, reason, True)
    assert outcomes(data) == {
        key: ("error", []) if key[1] == member else outcome
        for key, outcome in expected(organization).items()
        if key[1] != organization.unreachable
    }
    assert data["regions"] == ["us-east-1", "eu-west-1"]


@pytest.mark.parametrize(
    ("operation", "code", "message"),
    [
        (
            "DescribeOrganization",
            "AWSOrganizationsNotInUseException",
            f"Account {MANAGEMENT} is not in an AWS Organization; drop --org to collect it alone.",
        ),
        (
            "ListAccounts",
            "AccessDeniedException",
            f"Could not list the accounts of the Organization from account {MANAGEMENT}: "
            "organizations:ListAccounts in us-east-1 failed: AccessDeniedException: denied; "
            "--org needs the credentials of its management account or of a delegated "
            "administrator.",
        ),
    ],
)
def test_credentials_that_cannot_list_the_organization_exit_2(
    operation, code, message, collect, proxy, catalog
):
    proxy.answers[operation] = (400, json.dumps({"__type": code, "message": "denied"}).encode())

    result = collect()

    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"
    assert not (catalog.root / "evidence").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--shard", "1/3"], "--shard needs --org."),
        (["--accounts", "1", "--account-workers", "2"], "--accounts, --account-workers need --org"),
        (["--org"], "--org needs --role-name: the read-only role in each account."),
        (["--org", "--role-name", "a b"], "'a b' is not an IAM role name."),
        (["--org", "--role-name", ROLE, "--role-arn", "arn:aws:iam::1:role/x"], "drop --role-arn"),
        (["--org", "--role-name", ROLE, "--accounts", ","], "it names no account."),
        (["--org", "--demo"], "--demo brings its own account"),
        (["--org", "--role-name", ROLE, "--shard", "0/3"], "must be between 1 and N"),
        (["--org", "--role-name", ROLE, "--shard", "4/3"], "must be between 1 and N"),
        (["--org", "--role-name", ROLE, "--shard", "3"], "is not of the form I/N"),
    ],
)
def test_misused_org_options_exit_2_before_any_call(arguments, message):
    result = CliRunner().invoke(main, ["collect", *arguments])

    assert result.exit_code == 2
    assert message in result.stderr


def test_an_account_keeps_its_shard_when_others_join_or_leave():
    accounts = [f"{number:012d}" for number in range(100000000000, 100000000060)]
    before = Organization("o-abcdefghij", accounts[:40])
    after = Organization("o-abcdefghij", accounts[20:])

    for index in (1, 2, 3, 4):
        shard = parse_shard(f"{index}/4")
        kept = set(choose(before, None, shard)) & set(after.accounts)
        assert kept == set(choose(after, None, shard)) & set(before.accounts)
    split = [choose(before, None, Shard(index, 4)) for index in (1, 2, 3, 4)]
    assert sorted(account for part in split for account in part) == before.accounts
    assert all(split)
