"""The client factory against a moto server: caching, settings and credentials."""

from __future__ import annotations

import platform
import threading
from datetime import UTC, datetime, timedelta

import boto3
import botocore.session
import pytest
from botocore.exceptions import ProfileNotFound
from botocore.parsers import ResponseParserError
from botocore.stub import Stubber

from generator.aws.clients import (
    ClientFactory,
    ClientSettings,
    LeanLoader,
    refuse_unparseable_json,
    without_documentation,
)
from generator.aws.heap import share_one_heap

TRUST = '{"Version": "2012-10-17", "Statement": []}'


def test_clients_are_shared_per_account_region_and_service(factory, account):
    created = []

    def create():
        created.append(factory.client("ec2", "eu-west-1", account))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({id(client) for client in created}) == 1
    assert factory.client("ec2", "eu-west-2", account) is not created[0]
    assert factory.client("iam", "eu-west-1", account) is not created[0]


def test_clients_use_adaptive_retries_and_the_timeouts_set(aws):
    settings = ClientSettings(max_attempts=3, connect_timeout=1.5, read_timeout=7)

    config = ClientFactory(settings).client("ec2", "eu-west-1").meta.config

    assert config.retries == {"mode": "adaptive", "total_max_attempts": 3}
    assert (config.connect_timeout, config.read_timeout) == (1.5, 7)


def test_environment_endpoint_is_honoured(aws, factory):
    assert factory.client("ec2", "eu-west-1").meta.endpoint_url == aws


def test_account_comes_from_the_callers_identity(factory, account):
    assert factory.account_id() == account


def test_a_named_profile_supplies_the_credentials(aws, tmp_path, monkeypatch, account):
    config = tmp_path / "config"
    config.write_text(
        "[profile audit]\naws_access_key_id = profiled\naws_secret_access_key = profiled\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)

    client = ClientFactory(ClientSettings(profile="audit")).client("sts", "us-east-1")
    signed = []
    client.meta.events.register(
        "before-send.sts.*", lambda request, **_: signed.append(request.headers["Authorization"])
    )

    assert client.get_caller_identity()["Account"] == account
    assert b"Credential=profiled/" in signed[0]


def test_a_role_is_assumed_on_top_of_the_base_credentials(seed, account):
    seed("iam").create_role(RoleName="audit", AssumeRolePolicyDocument=TRUST)
    settings = ClientSettings(role_arn="arn:aws:iam::{account}:role/audit")
    factory = ClientFactory(settings)

    identity = factory.client("sts", "us-east-1", account).get_caller_identity()

    assert identity["Arn"] == f"arn:aws:sts::{account}:assumed-role/audit/trustcenter"
    assert factory.account_id() == account


def test_service_models_are_read_once_as_plain_dicts_without_their_reference_text():
    loader = LeanLoader()

    model = loader.load_service_model("sts", "service-2")

    assert loader.load_service_model("sts", "service-2") is model
    assert type(model) is dict and type(model["operations"]) is dict
    assert "documentation" not in model["operations"]["GetCallerIdentity"]
    assert all("documentation" not in shape for shape in model["shapes"].values())
    assert model["metadata"]["serviceId"] == "STS"


def test_a_member_called_documentation_keeps_its_shape():
    model = {
        "documentation": "About the service.",
        "operations": {"Get": {"documentation": "Gets.", "input": {"shape": "In"}}},
        "shapes": {
            "In": {
                "type": "structure",
                "documentation": "The input.",
                "members": {"documentation": {"shape": "Text", "documentation": "Its text."}},
            },
            "Text": {"type": "string"},
        },
    }

    without_documentation(model)

    assert model == {
        "operations": {"Get": {"input": {"shape": "In"}}},
        "shapes": {
            "In": {"type": "structure", "members": {"documentation": {"shape": "Text"}}},
            "Text": {"type": "string"},
        },
    }


def test_sessions_sharing_the_loader_do_not_lengthen_its_search_path():
    loader = LeanLoader()
    paths = list(loader.search_paths)

    loader.search_paths.append(paths[-1])
    loader.search_paths.append(paths[-1])

    assert loader.search_paths == paths


def test_clients_of_every_account_read_one_loaders_models(seed, account):
    seed("iam").create_role(RoleName="audit", AssumeRolePolicyDocument=TRUST)
    factory = ClientFactory(ClientSettings(role_arn="arn:aws:iam::{account}:role/audit"))

    assumed = factory.client("sts", "us-east-1", account).meta.service_model
    base = ClientFactory().client("sts", "eu-west-1").meta.service_model
    direct = factory.client("sts", "eu-west-1", None).meta.service_model

    assert assumed.operation_model("GetCallerIdentity").documentation == ""
    assert base.operation_names == assumed.operation_names
    # botocore builds a ServiceModel per client around the loader's cached description.
    assert assumed._service_description is direct._service_description


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_threads_can_be_kept_on_one_heap():
    assert share_one_heap()


def test_clients_of_one_service_share_its_model_and_class(factory, account):
    here = factory.client("ec2", "eu-west-1", account)
    there = factory.client("ec2", "ap-south-1", account)
    other = factory.client("kms", "eu-west-1", account)

    assert there is not here
    assert there.meta.service_model is here.meta.service_model
    assert type(there) is type(here)
    assert type(other) is not type(here)
    assert there.meta.region_name == "ap-south-1"


def test_clients_made_without_a_factory_keep_their_own_model(factory):
    ours = factory.client("ec2", "eu-west-1")

    theirs = boto3.Session().client("ec2", region_name="eu-west-1")

    assert theirs.meta.service_model is not ours.meta.service_model
    assert type(theirs) is not type(ours)
    assert theirs.meta.service_model.operation_model("DescribeVpcs").documentation


def test_an_unknown_profile_is_refused_when_the_factory_is_made(aws, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))

    with pytest.raises(ProfileNotFound):
        ClientFactory(ClientSettings(profile="nobody"))


def test_extra_data_paths_are_searched_as_botocore_searches_them(aws, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))

    factory = ClientFactory()

    assert str(tmp_path) in factory._loader.search_paths


@pytest.mark.parametrize(
    ("service", "operation"),
    [("s3", "ListBuckets"), ("cloudfront", "ListDistributions"), ("secretsmanager", "ListSecrets")],
)
def test_an_empty_body_is_refused_where_the_output_travels_in_it(service, operation):
    model = botocore.session.get_session().get_service_model(service).operation_model(operation)

    with pytest.raises(ResponseParserError, match=f"empty body received for {operation}"):
        refuse_unparseable_json(model, {"status_code": 200, "headers": {}, "body": b""})


@pytest.mark.parametrize(("service", "operation"), [("s3", "HeadBucket"), ("s3", "HeadObject")])
def test_an_empty_body_is_whole_where_the_output_is_headers_only(service, operation):
    model = botocore.session.get_session().get_service_model(service).operation_model(operation)

    refuse_unparseable_json(model, {"status_code": 200, "headers": {}, "body": b""})


def test_a_region_known_to_botocore_but_not_in_the_services_endpoints_is_not_offered():
    factory = ClientFactory()

    assert factory.knows_region("ap-east-1")
    assert not factory.offers("bedrock", "ap-east-1")
    assert factory.offers("bedrock", "us-east-1")


def test_a_region_botocore_does_not_know_counts_as_offered():
    """As with a botocore older than the region: its data cannot say the service is absent."""
    factory = ClientFactory()

    assert not factory.knows_region("ap-future-1")
    assert factory.offers("bedrock", "ap-future-1")
    assert factory.offers("kms", "ap-future-1")


def assumed(key: str, lasting: timedelta) -> dict[str, object]:
    expiration = datetime.now(UTC) + lasting
    return {
        "Credentials": {
            "AccessKeyId": key,
            "SecretAccessKey": "secret-of-" + key,
            "SessionToken": "token-of-" + key,
            "Expiration": expiration,
        }
    }


def test_assumed_role_credentials_are_refreshed_before_they_expire(aws, account):
    """Stubbed with botocore's Stubber: moto's AssumeRole always lasts an hour or more."""
    factory = ClientFactory(ClientSettings(role_arn="arn:aws:iam::{account}:role/audit"))
    role = {"RoleArn": f"arn:aws:iam::{account}:role/audit", "RoleSessionName": "trustcenter"}

    with Stubber(factory._sts_client()) as sts:
        sts.add_response("assume_role", assumed("ASIAFIRSTKEY0000", timedelta(minutes=5)), role)
        sts.add_response("assume_role", assumed("ASIASECONDKEY000", timedelta(hours=1)), role)
        factory.reach(account)
        client = factory.client("ec2", "eu-west-1", account)
        credentials = client._request_signer._credentials

        assert credentials.get_frozen_credentials().access_key == "ASIASECONDKEY000"
        assert credentials.get_frozen_credentials().access_key == "ASIASECONDKEY000"
        sts.assert_no_pending_responses()
