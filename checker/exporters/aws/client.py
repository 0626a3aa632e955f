"""AWS plumbing for the live exporter: sessions, clients, progress, and fail-closed calls.

Every AWS call goes through `Reader.call` (or `Reader.lookup`), which turns an error into a
snapshot gap (area, IAM action, error code) instead of a crash or a silent pass. Only a failure
of the whole export (unreachable endpoint, rejected credentials) raises InputError: exit 2.
Imported lazily by checker.exporters.aws, so botocore loads only when an export runs.
Progress goes to the stream the caller hands in (the command line hands in stderr).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    TokenRetrievalError,
)
from botocore.parsers import ResponseParserError

from ...errors import InputError
from .._shared.snapshot import add_gap
from . import AwsSource, callstats, shared

if TYPE_CHECKING:
    from mypy_boto3_cloudtrail import CloudTrailClient
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_kafka import KafkaClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sts import STSClient

R = TypeVar("R")

# Error codes that mean the credentials themselves are bad: the whole export fails (exit 2).
CREDENTIAL_ERRORS = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "AuthFailure",
        "IncompleteSignature",
        "IncompleteSignatureException",
        "MissingAuthenticationToken",
        "MissingAuthenticationTokenException",
        "InvalidAccessKeyId",
        "RequestExpired",
        "InvalidToken",
    }
)
# What botocore raises on an answer it cannot parse (a non-AWS endpoint answering HTML or
# junk): ResponseParserError, or a KeyError from inside its parser when the body has the
# wrong shape. Caught only around the calls themselves, never around our own code.
UNREADABLE: tuple[type[Exception], ...] = (ResponseParserError, KeyError)
# A failed call that says nothing about permissions: the endpoint is unreachable or garbled.
TRANSPORT_FAILURES: tuple[type[Exception], ...] = (ConnectionError, HTTPClientError, *UNREADABLE)
# botocore errors raised before any request: no usable credentials or profile.
CREDENTIAL_FAILURES: tuple[type[BotoCoreError], ...] = (
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    CredentialRetrievalError,
    TokenRetrievalError,
)


def botocore_config(config: AwsSource) -> Config:
    return Config(
        retries={"mode": "adaptive", "max_attempts": config.max_attempts},
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        user_agent_extra="failback-checker",
    )


class Progress:
    """Progress on `stream`: a counter on a TTY, plain lines otherwise, nothing when quiet
    (or when there is no stream)."""

    def __init__(
        self, label: str, stream: TextIO | None, quiet: bool = False, tty: bool | None = None
    ) -> None:
        self.label = label
        self.stream = stream
        self.quiet = quiet or stream is None
        self.tty = (stream is not None and stream.isatty()) if tty is None else tty
        self.calls = 0
        self._last = ""
        self._spinner = itertools.cycle("|/-\\")

    def call(self, action: str) -> None:
        self.calls += 1
        if self.quiet:
            return
        if self.tty:
            text = f"\r{next(self._spinner)} {self.label}: {self.calls} calls, {action}"
            self._write(f"{text:<78}")
        elif action != self._last:  # one line per run of the same call (DescribeTopic x N)
            self._write(f"{self.label}: {action}\n")
        self._last = action

    def clear(self) -> None:
        """Erase the counter line (before the summary, or before an error message)."""
        if self.tty and not self.quiet and self.calls:
            self._write("\r" + " " * 78 + "\r")

    def done(self, gaps: int) -> None:
        if self.quiet:
            return
        self.clear()
        noun = "gap" if gaps == 1 else "gaps"
        self._write(f"{self.label}: done, {self.calls} calls, {gaps} {noun}\n")

    def _write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text)
            self.stream.flush()


class Absent:
    """The API answered that there is none (no bucket replication, no cluster policy): a fact."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent()


def new_client(
    session: boto3.Session, service: str, region: str, endpoint_url: str | None, config: Config
) -> Any:
    """The one place clients are made (tests wrap it to route or record calls); counted
    when a call tally is recording (callstats)."""
    client = session.client(
        service,
        region_name=region,
        endpoint_url=endpoint_url,  # type: ignore[call-overload]
        config=config,
    )
    callstats.instrument(client, service)
    return client


_LOADERS: dict[str | None, botocore.loaders.Loader] = {}
_LOADERS_LOCK = threading.Lock()


def _botocore_session() -> botocore.session.Session:
    """A botocore session whose data loader (the parsed service models and endpoint data) is
    the process's one: every export opens its own session, and a fresh loader would parse
    the JSON models of every service it uses again (in a fleet run, most of its CPU time)."""
    core = botocore.session.get_session()
    path = core.get_config_variable("data_path")
    with _LOADERS_LOCK:
        loader = _LOADERS.get(path)
        if loader is None:
            loader = _LOADERS[path] = botocore.loaders.create_loader(path)
    core.register_component("data_loader", loader)
    return core


def open_session(config: AwsSource) -> boto3.Session:
    """A boto3 session for the profile, assuming the role when one is given."""
    try:
        base = boto3.Session(
            profile_name=config.profile,
            region_name=config.region,
            botocore_session=_botocore_session(),
        )
    except ProfileNotFound as exc:
        raise InputError(f"AWS profile not found: {exc}") from None
    if not config.role_arn:
        return base
    sts: STSClient = new_client(
        base, "sts", config.region, config.endpoint_url, botocore_config(config)
    )
    try:
        answer = sts.assume_role(RoleArn=config.role_arn, RoleSessionName="failback-checker")
    except ClientError as exc:
        raise InputError(f"cannot assume role {config.role_arn}: {_code(exc)}") from None
    except (ConnectionError, HTTPClientError) as exc:
        raise InputError(
            f"cannot reach AWS STS to assume {config.role_arn}: {type(exc).__name__}"
        ) from None
    except CREDENTIAL_FAILURES as exc:
        raise InputError(f"no usable AWS credentials to assume {config.role_arn}: {exc}") from None
    except UNREADABLE:
        raise InputError(
            f"AWS STS sent an unreadable answer to AssumeRole for {config.role_arn}",
            hint="check --endpoint-url",
        ) from None
    creds = answer.get("Credentials") or {}
    if not all(creds.get(k) for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")):
        raise InputError(
            f"AWS STS answered AssumeRole for {config.role_arn} without credentials",
            hint="check --endpoint-url",
        )
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=config.region,
        botocore_session=_botocore_session(),
    )


def _code(exc: ClientError) -> str:
    error: Mapping[str, Any] = exc.response.get("Error", {})
    return str(error.get("Code") or "ClientError")


@dataclass
class Reader:
    """Clients for one export, and calls that record a gap instead of failing."""

    config: AwsSource
    session: boto3.Session
    snapshot: dict[str, Any]
    progress: Progress
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    last_error: str = ""  # the error code of the latest failed call
    _reached: bool = False  # one call got an answer: the endpoint and credentials work

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.config.region)
        if key not in self._clients:
            self._clients[key] = new_client(
                self.session,
                service,
                key[1],
                self.config.endpoint_url,
                botocore_config(self.config),
            )
        return self._clients[key]

    # Typed accessors: the collectors get the boto3-stubs client types.
    def kafka(self) -> KafkaClient:
        client: KafkaClient = self.client("kafka")
        return client

    def ec2(self) -> EC2Client:
        client: EC2Client = self.client("ec2")
        return client

    def logs(self) -> CloudWatchLogsClient:
        client: CloudWatchLogsClient = self.client("logs")
        return client

    def cloudtrail(self, region: str | None = None) -> CloudTrailClient:
        client: CloudTrailClient = self.client("cloudtrail", region)
        return client

    def kms(self) -> KMSClient:
        client: KMSClient = self.client("kms")
        return client

    def iam(self) -> IAMClient:
        client: IAMClient = self.client("iam")
        return client

    def s3(self) -> S3Client:
        client: S3Client = self.client("s3")
        return client

    def glue(self) -> Any:
        return self.client("glue")

    def cloudwatch(self) -> Any:  # no boto3-stubs package for CloudWatch is installed
        return self.client("cloudwatch")

    def gap(self, area: str, reason: str, action: str = "") -> None:
        add_gap(self.snapshot, area, reason, action)

    def call(self, area: str, action: str, fn: Callable[..., R], /, **kwargs: Any) -> R | None:
        """fn(**kwargs); on an AWS error a gap for `area` naming `action`, and None."""
        result = self._run(area, action, fn, (), kwargs)
        return None if isinstance(result, Absent) else result

    def shared(
        self,
        scope: tuple[Hashable, ...],
        area: str,
        action: str,
        fn: Callable[..., R],
        /,
        **kwargs: Any,
    ) -> R | None:
        """Like call, for a read whose answer does not depend on the cluster, only on the
        caller (profile, role, endpoint), `scope` (e.g. the region), the action and its
        arguments: in a fleet run it is made once and shared by every export (shared.py)."""
        reads = shared.active()
        if reads is None:
            return self.call(area, action, fn, **kwargs)
        config = self.config
        key = (config.profile, config.role_arn, config.endpoint_url, *scope, action)
        key += tuple(sorted((k, repr(v)) for k, v in kwargs.items()))
        return reads.get(key, lambda: self.call(area, action, fn, **kwargs))

    def lookup(
        self,
        area: str,
        action: str,
        fn: Callable[..., R],
        /,
        *,
        absent: Collection[str],
        **kwargs: Any,
    ) -> R | Absent | None:
        """Like call, but the error codes in `absent` mean "there is none": ABSENT, no gap."""
        return self._run(area, action, fn, absent, kwargs)

    def _run(
        self,
        area: str,
        action: str,
        fn: Callable[..., R],
        absent: Collection[str],
        kwargs: Mapping[str, Any],
    ) -> R | Absent | None:
        self.progress.call(action)
        try:
            result = fn(**kwargs)
        except ClientError as exc:
            code = _code(exc)
            if code in CREDENTIAL_ERRORS:
                raise InputError(
                    f"AWS rejected the credentials ({code} on {action})",
                    hint="check --profile / --role-arn",
                ) from None
            self._reached = True
            if code in absent:
                return ABSENT
            self.last_error = code
            self.gap(area, code, action)
            return None
        except CREDENTIAL_FAILURES as exc:
            raise InputError(f"no usable AWS credentials: {exc}") from None
        except TRANSPORT_FAILURES as exc:
            where = self.config.endpoint_url or f"the AWS endpoints of {self.config.region}"
            if not self._reached:
                failure = (
                    "cannot read the answer of" if isinstance(exc, UNREADABLE) else "cannot reach"
                )
                raise InputError(
                    f"{failure} {where}: {type(exc).__name__} on {action}",
                    hint="check --endpoint-url, the network and the region",
                ) from None
            self.last_error = type(exc).__name__
            self.gap(area, self.last_error, action)
            return None
        self._reached = True
        return result
