"""The session-wide recorder behind the IAM policy coverage test sees every factory call."""

from __future__ import annotations

from botocore.stub import Stubber

from generator.aws.clients import ClientFactory, ClientSettings

NOBODY = "http://127.0.0.1:9"
"""An endpoint nobody answers on: only the Stubber can answer."""


def test_a_call_the_stubber_answers_is_recorded(api_calls, moto_tools, monkeypatch, tmp_path):
    """Stubbed with botocore's Stubber, as the checks of APIs moto lacks are."""
    moto_tools.point_boto3_at(monkeypatch, NOBODY, tmp_path)
    factory = ClientFactory(ClientSettings(endpoint_url=NOBODY, max_attempts=1))
    client = factory.client("securityhub", "us-east-1")

    with Stubber(client) as stubber:
        stubber.add_response("get_enabled_standards", {"StandardsSubscriptions": []})
        client.get_enabled_standards()

    assert ("securityhub", "GetEnabledStandards", "test_api_call_recorder.py") in api_calls.calls


def test_a_call_moto_answers_is_recorded(api_calls, factory):
    factory.client("ec2", "eu-west-1").describe_vpcs()

    assert ("ec2", "DescribeVpcs", "test_api_call_recorder.py") in api_calls.calls
