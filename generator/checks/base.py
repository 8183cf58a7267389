"""What a check is: a small pure evaluation over API responses it asks an :class:`AwsView` for.

A check never creates clients or handles errors itself. It asks the view for whole API
responses; the view fetches each one once per account, region and parameters, pages through
it, keeps it as raw evidence, and raises :class:`ApiError` when the call fails, which the
engine turns into an ``error`` result. That is what makes a failed call impossible to mistake
for "no resources, so pass".
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol

GLOBAL = "global"
"""The region name results carry for checks of global services (IAM, Organizations...)."""


class FindingStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one resource."""

    resource: str
    """The resource id or ARN the verdict is about."""

    status: FindingStatus
    reason: str
    """One sentence naming the resource and why it passes or fails."""


class ApiError(Exception):
    """An AWS call failed for good: denied, throttled past retries, unreachable, unparseable."""

    def __init__(self, service: str, operation: str, region: str, code: str, message: str) -> None:
        super().__init__(f"{service}:{operation} in {region} failed: {code}: {message}")
        self.service = service
        self.operation = operation
        self.region = region
        self.code = code
        self.message = message


class NotApplicable(Exception):  # named for an outcome, not an error
    """The check genuinely does not apply here, e.g. the service is not offered in the region."""


class AwsView(Protocol):
    """What a check sees of one account in one region (or of the account, for global checks)."""

    account: str
    region: str
    """The region being evaluated, or :data:`GLOBAL`."""

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """Return the whole response of a read-only operation, all pages merged.

        Responses are shared: the same (service, operation, params) in the same account and
        region is fetched once per run, whichever check asks first. Raises :class:`ApiError`.
        Global services are called in the account's home region when ``region`` is GLOBAL.
        """
        ...

    def poll(
        self,
        service: str,
        operation: str,
        ready: Callable[[dict[str, Any]], bool] = ...,
        pending: Collection[str] = (),
        attempts: int = ...,
        delay: float = ...,
        **params: Any,
    ) -> dict[str, Any]:
        """Return the first answer ``ready`` accepts, asking again while it is not ready yet.

        For calls that report progress, e.g. a credential report being generated: unlike
        :meth:`call`, an answer that is not ready is asked for again (at most ``attempts``
        times, ``delay`` seconds apart) and the newer answer replaces it as the evidence. An
        error whose code is in ``pending`` means "not ready yet" too. Raises :class:`ApiError`
        on any other failure, or when the answer is still not ready after the last attempt.
        """
        ...

    def prefetch(
        self,
        service: str,
        operation: str,
        params: Iterable[dict[str, Any]] = ({},),
        regions: Iterable[str] | None = None,
    ) -> None:
        """Fetch one call per parameter set (in each of ``regions``) concurrently, ahead.

        For checks that need one response per resource: the later :meth:`call` of each is
        answered from what was fetched. Never raises; failures surface from :meth:`call`.
        """
        ...

    def regions(self) -> list[str]:
        """The regions this run covers, for global checks that judge every region."""
        ...

    def in_region(self, region: str) -> AwsView:
        """The same account seen from ``region``, for global checks that judge every region.

        Calls made through it count as this check's evidence too.
        """
        ...


Evaluate = Callable[[AwsView], list[Finding]]


@dataclass(frozen=True)
class Check:
    """Code that evaluates one AWS condition; controls name it by ``id`` in their ``checks:``."""

    id: str
    """Stable id in the form service_resource_property, e.g. ``iam_root_mfa_enabled``."""

    title: str
    rule: str
    """The pass rule in one sentence, shown on each control page that uses the check."""

    service: str
    """The boto3 service name the check mostly calls; the engine groups work by it."""

    scope: Literal["regional", "global"]
    permissions: tuple[str, ...]
    """Every IAM action the check's calls need, e.g. ("iam:GetAccountSummary",)."""

    evaluate: Evaluate = field(repr=False)
    empty: str = "No resources of this kind exist, so nothing can fail."
    """The pass reason when the listing calls succeeded and returned no resources."""

    informational: bool = False
    """True when the result informs but never makes a control fail (e.g. Audit Manager)."""
