"""The limits of moto that the checks' tests work around, pinned so a moto upgrade shows.

Each test asserts a limit as found by trying it against the moto server in server mode. When
one starts failing, moto has gained the state or the API: the Stubber-based tests of that
check can then move to the server, and README.md's limitations list can lose the line.
"""

from __future__ import annotations

import csv
import io
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


def test_root_mfa_and_root_access_keys_are_always_off(seed):
    summary = seed("iam").get_account_summary()["SummaryMap"]

    assert (summary["AccountMFAEnabled"], summary["AccountAccessKeysPresent"]) == (0, 0)


def test_the_credential_report_has_no_root_row(seed):
    iam = seed("iam")
    iam.create_user(UserName="someone")

    while iam.generate_credential_report()["State"] != "COMPLETE":
        time.sleep(0.1)
    report = iam.get_credential_report()

    rows = list(csv.DictReader(io.StringIO(report["Content"].decode())))
    assert [row["user"] for row in rows] == ["someone"]


@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("securityhub", lambda client: client.get_enabled_standards()),
        ("auditmanager", lambda client: client.get_account_status()),
        ("artifact", lambda client: client.list_reports()),
        ("config", lambda client: client.describe_compliance_by_config_rule()),
    ],
    ids=["Security Hub standards", "Audit Manager", "Artifact", "Config compliance"],
)
def test_apis_the_checks_stub_are_missing_from_moto(aws, service, call):
    once = Config(retries={"total_max_attempts": 1})
    client = boto3.client(service, region_name="us-east-1", endpoint_url=aws, config=once)

    with pytest.raises(ClientError) as caught:
        call(client)

    # moto answers a route it does not know with 404, an operation it lacks with 500 or 501.
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] in {404, 500, 501}
