"""The live :class:`AwsView`: whole, shared, recorded API responses for checks.

Every distinct call (account, region, service, operation, parameters) is made once per run,
whichever check asks first; a second thread asking meanwhile waits for the first one's answer.
Each answer, failures included, is kept as an :class:`Export`: the raw evidence a verdict
was based on, which the run writer stores one file per export.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http import HTTPStatus
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from generator.aws.clients import ClientFactory
from generator.checks.base import GLOBAL, ApiError

logger = logging.getLogger(__name__)

GLOBAL_SERVICES = frozenset(
    {
        "account",
        "budgets",
        "ce",
        "cloudfront",
        "iam",
        "organizations",
        "route53",
        "route53domains",
        "s3control",
        "shield",
        "sts",
        "support",
        "waf",
    }
)
"""Services whose data is the account's, not a region's: called once, in the home region.
S3 Control is here because its settings (account public access block) are account-wide."""

PARSE_DETAIL_CHARS = 200
ERROR_MESSAGE_CHARS = 500
DEFAULT_PARALLEL = 16
"""How many prefetched requests a run keeps in flight at once, besides the checks' own."""
POLL_ATTEMPTS = 10
POLL_DELAY = 1.0
"""Seconds between two asks of a call that is not ready yet."""


class ServiceUnavailable(ApiError):
    """The endpoint in use does not provide the service at all (see ClientSettings)."""

    def __init__(self, service: str, operation: str, region: str, why: str) -> None:
        super().__init__(service, operation, region, "ServiceUnavailable", why)


class ServiceNotInRegion(ApiError):
    """botocore's endpoint data says the service is not offered in the region asked for."""

    def __init__(self, service: str, operation: str, region: str) -> None:
        message = f"{service} is not offered in {region}"
        super().__init__(service, operation, region, "ServiceNotInRegion", message)


@dataclass(frozen=True)
class Export:
    """One API response (or failure) exactly as a verdict saw it."""

    key: str
    """Unique in a run, usable as a relative path: account/region/service/Operation[-hash]."""

    account: str
    region: str
    """The region the data belongs to, or :data:`GLOBAL` for global services."""

    service: str
    operation: str
    params: dict[str, Any]
    started: datetime
    duration: float
    """Seconds the call took, all pages and retries included."""

    response: dict[str, Any] | None
    """The merged response as JSON values: datetimes as ISO strings, no ResponseMetadata."""

    error_code: str | None = None
    error_message: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the export as a JSON-serialisable mapping."""
        return {
            "key": self.key,
            "account": self.account,
            "region": self.region,
            "service": self.service,
            "operation": self.operation,
            "params": self.params,
            "started": self.started.isoformat(),
            "duration": round(self.duration, 3),
            "response": self.response,
            "error": None
            if self.error_code is None
            else {"code": self.error_code, "message": self.error_message},
        }


@dataclass(frozen=True)
class Call:
    """One read-only request, as the store shares and records it."""

    account: str
    region: str
    """The region the data belongs to, or :data:`GLOBAL` for global services."""

    endpoint_region: str
    """The region the request is sent to: the home region for global services."""

    service: str
    operation: str
    params: dict[str, Any]

    @property
    def key(self) -> str:
        return export_key(self.account, self.region, self.service, self.operation, self.params)


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    export: Export | None = None


class ResponseStore:
    """The run's shared cache of exports, with one in-flight request per key."""

    def __init__(self, factory: ClientFactory, parallel: int = DEFAULT_PARALLEL) -> None:
        self.factory = factory
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        # Prefetching threads of every check share these slots, so however many checks fan
        # out at once, the extra requests in flight stay within one bound.
        self._slots = threading.BoundedSemaphore(parallel)
        self.parallel = parallel

    def fetch(self, call: Call) -> Export:
        """Return the export for ``call``, making the request only if no thread has yet."""
        with self._lock:
            entry = self._entries.setdefault(call.key, _Entry())

        with entry.lock:
            if entry.export is None:
                entry.export = self._request(call)
            return entry.export

    def refetch(self, call: Call, seen: Export) -> Export:
        """Ask ``call`` again, replacing ``seen``; return the newer export.

        If another thread replaced ``seen`` meanwhile, its newer answer is returned instead of
        asking once more, so checks polling the same call at once share each request.
        """
        with self._lock:
            entry = self._entries.setdefault(call.key, _Entry())

        with entry.lock:
            if entry.export is None or entry.export is seen:
                entry.export = self._request(call)
            return entry.export

    def prefetch(self, calls: Sequence[Call]) -> None:
        """Fetch ``calls`` side by side into the store; failures wait in it for whoever asks.

        A check that needs one response per resource (per user, key, bucket or region) asks
        for them all here first, so they travel concurrently instead of one after another.
        """
        with self._lock:
            pending = [call for call in calls if call.key not in self._entries]
        if len(pending) < 2:
            return

        def fetch(call: Call) -> None:
            with self._slots:
                self.fetch(call)

        with ThreadPoolExecutor(min(len(pending), self.parallel), "prefetch") as pool:
            for future in [pool.submit(fetch, call) for call in pending]:
                future.result()

    def exports(self) -> list[Export]:
        """Every export fetched so far, in key order."""
        with self._lock:
            entries = list(self._entries.values())
        return sorted((e.export for e in entries if e.export is not None), key=lambda e: e.key)

    def _request(self, call: Call) -> Export:
        started = datetime.now(UTC)
        clock = time.monotonic()
        response: dict[str, Any] | None = None
        code: str | None = None
        message: str | None = None
        try:
            response = _jsonable(self._send(call))
        except ClientError as error:
            details = error.response.get("Error", {})
            code = details.get("Code") or "ClientError"
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            message = _readable(details.get("Message") or str(error), status)
        except ResponseParserError as error:
            # botocore's message quotes the whole body; its first line says what was wrong.
            detail = str(error).splitlines()[0][:PARSE_DETAIL_CHARS]
            code, message = type(error).__name__, f"could not parse the response: {detail}"
        except BotoCoreError as error:
            # Connection failures, timeouts, unknown services, missing credentials: all mean
            # the evidence could not be collected.
            code, message = type(error).__name__, str(error)

        duration = time.monotonic() - clock
        logger.debug("call key=%s seconds=%.3f error=%s", call.key, duration, code)
        return Export(
            key=call.key,
            account=call.account,
            region=call.region,
            service=call.service,
            operation=call.operation,
            params=_jsonable(call.params),
            started=started,
            duration=duration,
            response=response,
            error_code=code,
            error_message=message,
        )

    def _send(self, call: Call) -> dict[str, Any]:
        client = self.factory.client(call.service, call.endpoint_region, call.account)
        if call.operation not in client.meta.service_model.operation_names:
            raise ValueError(f"{call.service} has no operation {call.operation}")

        method = xform_name(call.operation)
        if client.can_paginate(method):
            pages = client.get_paginator(method).paginate(**call.params)
            merged: dict[str, Any] = pages.build_full_result()
            return merged

        response: dict[str, Any] = getattr(client, method)(**call.params)
        response.pop("ResponseMetadata", None)
        return response


class LiveView:
    """What one check sees of one account in one region, backed by a shared store."""

    def __init__(
        self,
        store: ResponseStore,
        account: str,
        region: str,
        regions: list[str],
        used: list[str] | None = None,
    ) -> None:
        self.store = store
        self.account = account
        self.region = region
        self._regions = regions
        self.used: list[str] = [] if used is None else used
        """Keys of the exports this view's calls returned, in call order, without repeats."""

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """Return the whole response, all pages merged; raise :class:`ApiError` on failure."""
        call = self._place(service, operation, params)
        export = self.store.fetch(call)
        return self._answer(call, export)

    def poll(
        self,
        service: str,
        operation: str,
        ready: Callable[[dict[str, Any]], bool] = lambda _: True,
        pending: Collection[str] = (),
        attempts: int = POLL_ATTEMPTS,
        delay: float = POLL_DELAY,
        **params: Any,
    ) -> dict[str, Any]:
        """Return the first answer ``ready`` accepts, asking again while it is not ready yet.

        An error whose code is in ``pending`` means "not ready yet" too. Each newer answer
        replaces the stored one, so the last answer is the evidence. After ``attempts`` asks
        ``delay`` seconds apart, raises :class:`ApiError`; so does any other failure.
        """
        call = self._place(service, operation, params)
        export = self.store.fetch(call)
        for attempt in range(attempts):
            if attempt:
                time.sleep(delay)
                export = self.store.refetch(call, export)

            if export.error_code not in pending:
                response = self._answer(call, export)
                if ready(response):
                    return response

        self._record(export)
        waited = delay * (attempts - 1)
        message = f"still not ready after {attempts} attempts over {waited:g} s"
        raise ApiError(service, operation, call.endpoint_region, "NotReady", message)

    def _answer(self, call: Call, export: Export) -> dict[str, Any]:
        self._record(export)

        if export.error_code is not None:
            message = export.error_message or ""
            raise ApiError(
                call.service, call.operation, call.endpoint_region, export.error_code, message
            )
        return copy.deepcopy(export.response or {})

    def _record(self, export: Export) -> None:
        if export.key not in self.used:
            self.used.append(export.key)

    def _place(self, service: str, operation: str, params: dict[str, Any]) -> Call:
        settings = self.store.factory.settings
        home = settings.home_region
        if service in settings.unavailable:
            raise ServiceUnavailable(service, operation, self.region, settings.unavailable[service])
        if service in GLOBAL_SERVICES:
            return Call(self.account, GLOBAL, home, service, operation, params)
        if self.region == GLOBAL:
            return Call(self.account, home, home, service, operation, params)

        if not self.store.factory.offers(service, self.region):
            raise ServiceNotInRegion(service, operation, self.region)
        return Call(self.account, self.region, self.region, service, operation, params)

    def prefetch(
        self,
        service: str,
        operation: str,
        params: Iterable[dict[str, Any]] = ({},),
        regions: Iterable[str] | None = None,
    ) -> None:
        """Fetch many calls of one operation concurrently, for the calls that follow.

        One call per parameter set, in this view's region or in each of ``regions``. Nothing
        is returned and nothing raises here: each response (or failure) is waiting when the
        check then asks for it with :meth:`call`.
        """
        views = [self] if regions is None else [self.in_region(region) for region in regions]
        # Read once: a generator of parameter sets would be spent after the first region.
        sets = list(params)
        calls = []
        for view in views:
            for each in sets:
                try:
                    calls.append(view._place(service, operation, dict(each)))
                except (ServiceUnavailable, ServiceNotInRegion):
                    continue  # the call itself will say so, when the check makes it
        self.store.prefetch(calls)

    def regions(self) -> list[str]:
        """The regions this run covers."""
        return list(self._regions)

    def in_region(self, region: str) -> LiveView:
        """The same account seen from ``region``, recording into the same ``used`` list."""
        return LiveView(self.store, self.account, region, self._regions, self.used)


def export_key(
    account: str, region: str, service: str, operation: str, params: dict[str, Any]
) -> str:
    """Return the run-unique key of a call; parameters add a short stable hash."""
    key = f"{account}/{region}/{service}/{operation}"
    if not params:
        return key

    canonical = json.dumps(_jsonable(params), sort_keys=True, separators=(",", ":"))
    return f"{key}-{hashlib.sha256(canonical.encode()).hexdigest()[:12]}"


def _readable(message: str, status: int | None) -> str:
    """Return an error message fit for one sentence; a body that was a web page is not one."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    if first and not first.startswith("<"):
        return first[:ERROR_MESSAGE_CHARS]

    known = {int(code): code.phrase for code in HTTPStatus}
    return known.get(status or 0, f"HTTP status {status}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
