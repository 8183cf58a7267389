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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

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


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    export: Export | None = None


class ResponseStore:
    """The run's shared cache of exports, with one in-flight call per key."""

    def __init__(self, factory: ClientFactory) -> None:
        self.factory = factory
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def fetch(
        self,
        account: str,
        region: str,
        call_region: str,
        service: str,
        operation: str,
        params: dict[str, Any],
    ) -> Export:
        """Return the export for this call, making the call only if no thread has yet."""
        key = export_key(account, region, service, operation, params)
        with self._lock:
            entry = self._entries.setdefault(key, _Entry())

        with entry.lock:
            if entry.export is None:
                entry.export = self._call(
                    key, account, region, call_region, service, operation, params
                )
            return entry.export

    def exports(self) -> list[Export]:
        """Every export fetched so far, in key order."""
        with self._lock:
            entries = list(self._entries.values())
        return sorted((e.export for e in entries if e.export is not None), key=lambda e: e.key)

    def _call(
        self,
        key: str,
        account: str,
        region: str,
        call_region: str,
        service: str,
        operation: str,
        params: dict[str, Any],
    ) -> Export:
        started = datetime.now(UTC)
        clock = time.monotonic()
        response: dict[str, Any] | None = None
        code: str | None = None
        message: str | None = None
        try:
            response = _jsonable(self._request(account, call_region, service, operation, params))
        except ClientError as error:
            details = error.response.get("Error", {})
            code = details.get("Code") or "ClientError"
            message = details.get("Message") or str(error)
        except BotoCoreError as error:
            # Connection failures, timeouts, unparseable answers, unknown services, missing
            # credentials: all mean the evidence could not be collected.
            code, message = type(error).__name__, str(error)

        duration = time.monotonic() - clock
        logger.debug(
            "call service=%s operation=%s region=%s seconds=%.3f error=%s",
            service,
            operation,
            call_region,
            duration,
            code,
        )
        return Export(
            key=key,
            account=account,
            region=region,
            service=service,
            operation=operation,
            params=_jsonable(params),
            started=started,
            duration=duration,
            response=response,
            error_code=code,
            error_message=message,
        )

    def _request(
        self, account: str, region: str, service: str, operation: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        client = self.factory.client(service, region, account)
        if operation not in client.meta.service_model.operation_names:
            raise ValueError(f"{service} has no operation {operation}")

        method = xform_name(operation)
        if client.can_paginate(method):
            merged: dict[str, Any] = (
                client.get_paginator(method).paginate(**params).build_full_result()
            )
            return merged

        response: dict[str, Any] = getattr(client, method)(**params)
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
        home = self.store.factory.settings.home_region
        if service in GLOBAL_SERVICES:
            region, call_region = GLOBAL, home
        elif self.region == GLOBAL:
            region = call_region = home
        else:
            region = call_region = self.region
            if not self.store.factory.offers(service, region):
                raise ApiError(
                    service,
                    operation,
                    region,
                    "ServiceNotInRegion",
                    f"{service} is not offered in {region}",
                )

        export = self.store.fetch(self.account, region, call_region, service, operation, params)
        if export.key not in self.used:
            self.used.append(export.key)
        if export.error_code is not None:
            raise ApiError(
                service, operation, call_region, export.error_code, export.error_message or ""
            )
        return copy.deepcopy(export.response or {})

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
