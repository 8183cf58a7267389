"""One place that creates boto3 clients: one per (account, region, service), shared by threads.

Credentials come from boto3's standard chain (environment, shared files, SSO, instance role),
optionally a named profile, and optionally a role assumed on top of them. The endpoint comes
from boto3 as well, so ``AWS_ENDPOINT_URL`` points every client at a local moto server.

Every session of a factory (the base one and each assumed role's) reads botocore's data files
through one :class:`LeanLoader`, so each service model and endpoint ruleset is parsed once per
run however many accounts and regions its clients serve, and the clients of one service share
its ServiceModel and client class (see :func:`share_models_between_clients`).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.client import BaseClient, ClientCreator
from botocore.config import Config
from botocore.credentials import (
    CredentialProvider,
    CredentialResolver,
    Credentials,
    RefreshableCredentials,
)
from botocore.exceptions import BotoCoreError, ClientError
from botocore.loaders import JSONFileLoader, Loader
from botocore.model import OperationModel, ServiceModel
from botocore.parsers import ResponseParserError

logger = logging.getLogger(__name__)

HOME_REGION = "us-east-1"
JSON_PROTOCOLS = frozenset({"json", "rest-json"})
NON_BODY_LOCATIONS = frozenset({"header", "headers", "statusCode"})
"""Where an output member travels when not in the body (botocore's ``location``)."""

DATA_FILE_OPENERS: tuple[tuple[str, Callable[..., Any]], ...] = (
    (".json", open),
    (".json.gz", gzip.open),
)
"""How botocore's data files may be stored, in the order botocore itself looks for them."""

ClientObserver = Callable[[BaseClient], None]

_observers: list[ClientObserver] = []


@dataclass(frozen=True)
class ClientSettings:
    """How clients reach AWS; the defaults suit a nightly run over one account."""

    max_attempts: int = 10
    """Attempts per call, first one included; adaptive retry spaces them out when throttled."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_pool_connections: int = 32
    """HTTP connections each client keeps; at least the number of collection threads."""

    profile: str | None = None
    """A profile from the shared AWS config files; None uses the standard credential chain."""

    role_arn: str | None = None
    """A role to assume on top of the base credentials. ``{account}`` is replaced by the
    account id and ``{partition}`` by the home region's partition (``aws``, ``aws-cn``...), so
    one template reaches the same role in every account."""

    own_account_direct: bool = False
    """Reach the account the base credentials belong to with those credentials, assuming
    ``role_arn`` only in the others. For an Organization: the collector role already holds the
    read-only policy in its own account, and a role cannot assume itself unless it trusts
    itself."""

    endpoint_url: str | None = None
    """An endpoint for every service; None leaves it to boto3, which reads AWS_ENDPOINT_URL."""

    home_region: str = HOME_REGION
    """Where global services (IAM, Organizations...) and STS are called."""

    unavailable: Mapping[str, str] = field(default_factory=dict)
    """Services the endpoint does not provide, with why (a local moto server lacks some);
    checks that call them are not applicable rather than in error."""


class RoleNotAssumed(Exception):
    """STS refused (or could not be asked) to let the base credentials into an account."""

    def __init__(self, account: str, role_arn: str, code: str, message: str) -> None:
        self.account = account
        self.role_arn = role_arn
        self.code = code
        self.message = message
        super().__init__(f"Could not assume {role_arn} in account {account}: {code}: {message}")


class ClientFactory:
    """Create, cache and hand out boto3 clients; safe to share between threads."""

    def __init__(self, settings: ClientSettings | None = None) -> None:
        self.settings = settings or ClientSettings()
        share_models_between_clients()
        core = botocore.session.Session(profile=self.settings.profile)
        # Read as botocore reads it (AWS_DATA_PATH or the profile's data_path); reading the
        # profile also raises ProfileNotFound here, for an unknown profile, as boto3 would.
        self._loader = LeanLoader.for_path(core.get_config_variable("data_path"))
        core.register_component("data_loader", self._loader)
        self._base = boto3.Session(botocore_session=core)
        self._sessions: dict[str | None, boto3.Session] = {}
        self._assuming: dict[str | None, threading.Lock] = {}
        self._clients: dict[tuple[str | None, str, str], BaseClient] = {}
        self._caller_account: str | None = None
        self._sts: Any = None
        # boto3 sessions are not thread-safe while they create clients; the clients are.
        self._lock = threading.RLock()
        self._identifying = threading.Lock()

    def client(self, service: str, region: str, account: str | None = None) -> BaseClient:
        """Return the shared client for ``service`` in ``region`` of ``account``.

        ``account`` None means the account the credentials (or the assumed role) belong to.
        Raises botocore's UnknownServiceError for a service name boto3 does not know, and
        botocore's errors from STS when the account's role cannot be assumed.
        """
        key = (account, region, service)
        # A stored client is never replaced, so reading the cache needs no lock: threads whose
        # clients exist do not wait while another thread creates one.
        found = self._clients.get(key)
        if found is not None:
            return found

        # Assuming a role is a network call: made outside the lock, so one slow account does
        # not hold up the clients of the others.
        session = self._session(account)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._create(session, service, region, account)
            return self._clients[key]

    def reach(self, account: str) -> None:
        """Assume ``account``'s role now if it needs one; raise :class:`RoleNotAssumed`."""
        try:
            self._session(account)
        except ClientError as error:
            details = error.response.get("Error", {})
            code = details.get("Code") or "ClientError"
            message = (details.get("Message") or str(error)).strip().splitlines()[0]
            raise RoleNotAssumed(account, self.role_arn(account), code, message) from error
        except BotoCoreError as error:
            # Unreachable STS, missing base credentials: the account is just as out of reach.
            raise RoleNotAssumed(
                account, self.role_arn(account), type(error).__name__, str(error)
            ) from error

    def role_arn(self, account: str | None) -> str:
        """The ARN of the role assumed in ``account``, placeholders filled in."""
        partition = self._base.get_partition_for_region(self.settings.home_region)
        return (self.settings.role_arn or "").format(account=account, partition=partition)

    def account_id(self) -> str:
        """The id of the account the credentials reach, from STS GetCallerIdentity."""
        with self._identifying:
            if self._caller_account is None:
                sts: Any = self.client("sts", self.settings.home_region)
                self._caller_account = str(sts.get_caller_identity()["Account"])
            return self._caller_account

    def offers(self, service: str, region: str) -> bool:
        """Whether ``service`` may be offered in ``region``, as far as botocore's data tells.

        Only a region that botocore's partition data lists, in a service whose endpoint data
        leaves it out, is not offered. A region the installed botocore does not know (one
        newer than its data) and a service without regional endpoint data count as offered:
        the call itself then decides, so a stale botocore never hides a region.
        """
        if not self.knows_region(region):
            return True
        partition = self._base.get_partition_for_region(region)
        available = self._base.get_available_regions(service, partition)
        return not available or region in available

    def knows_region(self, region: str) -> bool:
        """Whether botocore's partition data lists ``region`` in any partition."""
        endpoints = self._loader.load_data("endpoints")
        return any(region in partition.get("regions", {}) for partition in endpoints["partitions"])

    def _create(
        self, session: boto3.Session, service: str, region: str, account: str | None
    ) -> BaseClient:
        client: BaseClient = session.client(
            service,  # type: ignore[call-overload]
            region_name=region,
            endpoint_url=self.settings.endpoint_url,
            config=self._config(),
        )

        client.meta.events.register("before-parse", refuse_unparseable_json)
        endpoint = self.settings.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            client.meta.events.register("before-sign.s3-control.*", strip_host_prefix(endpoint))
        for observer in list(_observers):
            observer(client)

        logger.debug("created client service=%s region=%s account=%s", service, region, account)
        return client

    def _config(self) -> Config:
        # botocore reads retries.max_attempts as retries after the first attempt;
        # total_max_attempts counts the first one too, as the setting does.
        return Config(
            retries={"mode": "adaptive", "total_max_attempts": self.settings.max_attempts},
            connect_timeout=self.settings.connect_timeout,
            read_timeout=self.settings.read_timeout,
            max_pool_connections=self.settings.max_pool_connections,
        )

    def _session(self, account: str | None) -> boto3.Session:
        role_arn = self.settings.role_arn
        if role_arn is None or (account is None and "{account}" in role_arn):
            return self._base
        if self.settings.own_account_direct and account == self.account_id():
            return self._base

        with self._lock:
            assuming = self._assuming.setdefault(account, threading.Lock())
        with assuming:
            if account not in self._sessions:
                self._sessions[account] = self._assume(account)
            return self._sessions[account]

    def _assume(self, account: str | None) -> boto3.Session:
        role_arn = self.role_arn(account)

        def fetch() -> dict[str, str]:
            response = self._sts_client().assume_role(
                RoleArn=role_arn, RoleSessionName="trustcenter"
            )
            credentials = response["Credentials"]
            return {
                "access_key": credentials["AccessKeyId"],
                "secret_key": credentials["SecretAccessKey"],
                "token": credentials["SessionToken"],
                "expiry_time": credentials["Expiration"].isoformat(),
            }

        # Assumed once now, so an account out of reach is known before its checks run; then
        # again before the credentials expire, as a collection may outlast the hour they last.
        credentials = RefreshableCredentials.create_from_metadata(
            fetch(), refresh_using=fetch, method="sts-assume-role"
        )
        logger.info("assumed role %s", role_arn)
        core = botocore.session.Session()
        core.register_component("data_loader", self._loader)
        core.register_component("credential_provider", CredentialResolver([Given(credentials)]))
        return boto3.Session(botocore_session=core)

    def _sts_client(self) -> Any:
        # Not one of the shared clients: observers see the calls checks and the engine make
        # with the read-only policy, and AssumeRole is granted to the collector separately.
        with self._lock:
            if self._sts is None:
                self._sts = self._base.client(
                    "sts",
                    region_name=self.settings.home_region,
                    endpoint_url=self.settings.endpoint_url,
                    config=self._config(),
                )
            return self._sts


class Given(CredentialProvider):
    """A credential provider that gives credentials already at hand (refreshable ones)."""

    METHOD = "given"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self.credentials = credentials

    def load(self) -> Credentials:
        """Return the credentials given."""
        return self.credentials


class LeanLoader(Loader):
    """botocore's data loader, with paths that are not added twice; see :class:`LeanFileLoader`.

    boto3 adds its own data path to the loader of each session it wraps; sessions sharing one
    loader would otherwise lengthen its search path by one entry per assumed account.
    """

    def __init__(self, extra_search_paths: list[str] | None = None) -> None:
        super().__init__(extra_search_paths=extra_search_paths, file_loader=LeanFileLoader())
        self._search_paths: list[str] = _PathList(self.search_paths)
        self.service_models: dict[tuple[str, str | None], ServiceModel] = {}
        """The ServiceModel every client of a (service, API version) is built around."""

        self.client_classes: dict[int, tuple[ServiceModel, type[BaseClient]]] = {}
        """Each shared ServiceModel's client class, by the model's id (the model is kept with
        its class, so that id is never reused while the entry exists)."""

        self.lock = threading.Lock()

    @classmethod
    def for_path(cls, search_path: str | None) -> LeanLoader:
        """Return a loader that also searches ``search_path`` (AWS_DATA_PATH), as botocore does."""
        if not search_path:
            return cls()
        paths = search_path.split(os.pathsep)
        return cls([str(Path(os.path.expandvars(path)).expanduser()) for path in paths])


class LeanFileLoader(JSONFileLoader):
    """Read botocore's JSON data files as plain dicts, service models without documentation.

    botocore keeps every model it loads for the whole run. Its own loader builds OrderedDicts,
    a third larger than dicts that keep their order just the same, and service models carry
    their API reference text, a fifth of their size, which only docstrings read.
    """

    def load_file(self, file_path: str) -> Any:
        """Return the data of ``file_path`` (without its extension), or None if there is none."""
        for extension, opener in DATA_FILE_OPENERS:
            path = Path(file_path + extension)
            if path.is_file():
                with opener(path, "rb") as stream:
                    data = json.loads(stream.read().decode("utf-8"))
                if path.name.startswith("service-2."):
                    without_documentation(data)
                return data
        return None


def share_models_between_clients() -> bool:
    """Make botocore build one ServiceModel and client class per service of a LeanLoader.

    botocore builds both afresh for each client: a model whose operation models it fills in
    for every operation, and a class with a method and a docstring object per operation. For
    ec2's 750 operations that is most of a client's creation time and memory, and the same
    for its clients in every region and account. Both are read-only once built; sharing them
    is what keeps one client per (account, region, service) affordable.

    Only ClientCreators whose loader is a LeanLoader are affected, so clients that other code
    creates with botocore's own loader are built exactly as before. Returns False, changing
    nothing, if botocore no longer has the two methods this wraps.
    """
    creator: Any = ClientCreator
    load_model = getattr(creator, "_load_service_model", None)
    create_class = getattr(creator, "_create_client_class", None)
    if load_model is None or create_class is None:
        logger.warning("botocore's ClientCreator changed; clients do not share models")
        return False
    if getattr(load_model, "shared", False):
        return True

    # Both wrappers pass any call of a shape they do not know straight through, so a botocore
    # that adds a parameter gets its own behaviour rather than an error mid-collection.
    def shared_model(
        self: Any, service_name: str, api_version: str | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        loader = self._loader
        if args or kwargs or not isinstance(loader, LeanLoader):
            return load_model(self, service_name, api_version, *args, **kwargs)
        with loader.lock:
            key = (service_name, api_version)
            if key not in loader.service_models:
                loader.service_models[key] = load_model(self, service_name, api_version)
            return loader.service_models[key]

    def shared_class(
        self: Any, service_name: str, service_model: ServiceModel, *args: Any, **kwargs: Any
    ) -> Any:
        loader = self._loader
        if args or kwargs or not isinstance(loader, LeanLoader):
            return create_class(self, service_name, service_model, *args, **kwargs)
        with loader.lock:
            cached = loader.client_classes.get(id(service_model))
            if cached is None or cached[0] is not service_model:
                cached = (service_model, create_class(self, service_name, service_model))
                loader.client_classes[id(service_model)] = cached
            return cached[1]

    shared_model.shared = True  # type: ignore[attr-defined]
    creator._load_service_model = shared_model
    creator._create_client_class = shared_class
    return True


class _PathList(list[str]):
    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


def without_documentation(model: dict[str, Any]) -> dict[str, Any]:
    """Drop the reference text of a service model's operations, shapes and members, in place.

    Only the ``documentation`` entries of those three levels go: the member maps are keyed by
    member name, so a member that is itself called ``documentation`` stays.
    """
    model.pop("documentation", None)
    for operation in model.get("operations", {}).values():
        operation.pop("documentation", None)
        operation.pop("documentationUrl", None)
    for shape in model.get("shapes", {}).values():
        shape.pop("documentation", None)
        for member in shape.get("members", {}).values():
            member.pop("documentation", None)
    return model


def observe_clients(observer: ClientObserver) -> Callable[[], None]:
    """Pass every client any factory creates from now on to ``observer``; return its remover.

    For instrumentation: the test suite registers a handler on each client to record which
    API operations the project really calls, and checks them against the IAM policy.
    """
    _observers.append(observer)
    return lambda: _observers.remove(observer)


def refuse_unparseable_json(
    operation_model: OperationModel, response_dict: dict[str, Any], **_: Any
) -> None:
    """Raise ResponseParserError for a successful answer whose body cannot be what was asked.

    botocore's JSON parser turns a body that is not JSON into ``{"message": body}`` and then
    into an empty response, and its JSON and REST parsers read an empty body as ``{}``; a
    check would read either as "no resources". An empty body is refused only where the output
    has members that travel in the body: an answer made of headers alone (HeadBucket) is
    whole without one. The query and EC2 parsers already raise on both.
    """
    if operation_model.has_streaming_output:
        return
    if not 200 <= response_dict.get("status_code", 0) < 300:
        return

    body = response_dict.get("body") or b""
    if not body:
        if has_body_output(operation_model):
            raise ResponseParserError(f"empty body received for {operation_model.name}")
        return
    if operation_model.service_model.resolved_protocol not in JSON_PROTOCOLS:
        return

    try:
        json.loads(body)
    except ValueError as error:
        raise ResponseParserError(f"invalid JSON received: {error}") from error


def has_body_output(operation_model: OperationModel) -> bool:
    """Whether any member of the operation's output travels in the response body.

    Members bound to a header, the headers or the status code do not; every other one does,
    a payload member included.
    """
    shape = operation_model.output_shape
    if shape is None:
        return False
    members = getattr(shape, "members", {})
    return any(
        member.serialization.get("location") not in NON_BODY_LOCATIONS
        for member in members.values()
    )


def strip_host_prefix(endpoint: str) -> Callable[..., None]:
    """Return a handler that sends account-prefixed hosts back to the custom endpoint's host.

    S3 Control's endpoint rules put the account id in front of the host, which turns
    ``127.0.0.1:5000`` into ``123456789012.127.0.0.1:5000``: a name that needs a DNS lookup
    and resolves nowhere. Only used when a custom endpoint is set; AWS itself needs the prefix.
    """
    host = urlsplit(endpoint).netloc

    def handler(request: AWSRequest, **_: Any) -> None:
        parts = urlsplit(str(request.url))
        if parts.netloc != host and parts.netloc.endswith(f".{host}"):
            request.url = urlunsplit(parts._replace(netloc=host))

    return handler
