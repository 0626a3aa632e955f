"""`failback export <source>`: one command per source in the exporter registry.

Each command parses its options into the source's config (AwsSource, KafkaSource, ...), calls
the exporter with stderr for progress and warnings, and writes the snapshot. A command (and the
exporter package behind it) is built only when it is used, so `failback --help` stays fast and
never loads boto3 or confluent-kafka.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from ..errors import CheckerError, InputError
from .common import DONE_EXIT_CODES, add_global_options, mm2_region_option
from .errors import fail, handle_errors, warn

OUTPUT_HELP = "Write the snapshot here (default: stdout)."


def parse_region_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """MirrorMaker 2 cluster aliases -> region names, from ALIAS=REGION pairs."""
    result: dict[str, str] = {}
    for pair in pairs:
        alias, sep, region = pair.partition("=")
        if not sep or not alias.strip() or not region.strip():
            raise InputError(f"--mm2-region expects ALIAS=REGION, got {pair!r}")
        result[alias.strip()] = region.strip()
    return result


def parse_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """librdkafka client properties from -X KEY=VALUE pairs (VALUE may be env:VAR or @FILE);
    a warning for each secret given in clear text."""
    from ..redact import holds_secret, is_reference

    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:  # never echo it: a bare value may be a secret
            raise InputError("-X expects key=value, got an argument without '='")
        if not key.strip():
            raise InputError("-X expects key=value, got no key before '='")
        key = key.strip()
        result[key] = value.strip()
        if holds_secret(key) and not is_reference(result[key]):
            warn(
                f"-X {key} puts a secret on the command line, where other users see it (ps); "
                f"use -X {key}=env:VAR, -X {key}=@FILE or --command-config"
            )
    return result


def _check_timestamp(captured_at: str | None) -> None:
    if captured_at is not None:
        from ..snapshot import parse_timestamp

        parse_timestamp(captured_at, "--captured-at", "value")


def _emit(snapshot: dict[str, Any], output: Path | None) -> None:
    from ..exporters._shared.snapshot import write_snapshot

    text = write_snapshot(snapshot, output)
    if output is None:
        click.echo(text, nl=False)


def _aws() -> click.Command:
    from ..exporters import aws

    @click.command("aws")
    @click.option("--region", required=True, help="The region to export (the cluster's region).")
    @click.option("--cluster-arn", required=True, help="ARN of the MSK cluster.")
    @click.option(
        "--profile", default=None, help="AWS profile (default: the usual credential chain)."
    )
    @click.option("--role-arn", default=None, help="Assume this role before reading.")
    @click.option(
        "--endpoint-url", default=None, help="One endpoint for every service (moto, LocalStack)."
    )
    @click.option(
        "--storage-bucket",
        "storage_buckets",
        multiple=True,
        help="Tiered or shared-storage S3 bucket to read. Repeatable.",
    )
    @click.option(
        "--glue-registry",
        "glue_registries",
        multiple=True,
        help="AWS Glue Schema Registry registry to read (* for all). Repeatable.",
    )
    @click.option("-o", "--output", type=click.Path(path_type=Path), help=OUTPUT_HELP)
    @click.option(
        "--connect-timeout",
        default=10.0,
        show_default=True,
        type=click.FloatRange(min=0.1),
        help="Seconds to wait for a connection.",
    )
    @click.option(
        "--read-timeout",
        default=30.0,
        show_default=True,
        type=click.FloatRange(min=0.1),
        help="Seconds to wait for an answer.",
    )
    @click.option(
        "--max-attempts",
        default=8,
        show_default=True,
        type=click.IntRange(min=1),
        help="Attempts per call (adaptive retries; throttling is retried).",
    )
    @click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
    @click.option(
        "--runtime/--no-runtime",
        default=False,
        show_default=True,
        help="Also read MSK Replicator and cluster CloudWatch metrics (the runtime area).",
    )
    @click.option(
        "--metrics-window",
        default=600,
        show_default=True,
        type=click.IntRange(min=60, max=86400),
        help="Seconds of CloudWatch history for --runtime; the newest datapoint is kept.",
    )
    @handle_errors
    def command(
        region: str,
        cluster_arn: str,
        profile: str | None,
        role_arn: str | None,
        endpoint_url: str | None,
        storage_buckets: Sequence[str],
        glue_registries: Sequence[str],
        output: Path | None,
        connect_timeout: float,
        read_timeout: float,
        max_attempts: int,
        quiet: bool,
        runtime: bool,
        metrics_window: int,
    ) -> None:
        """Export one region's MSK cluster and its surroundings from AWS (read-only).

        Reads MSK, EC2, CloudWatch Logs, CloudTrail, KMS, IAM, S3, (with --glue-registry)
        the Glue Schema Registry and (with --runtime) CloudWatch metrics with boto3. A call AWS
        refuses (AccessDenied, unsupported) becomes a gap in the snapshot, and `failback check`
        is indeterminate for that area. The least-privilege policy is
        checker/exporters/aws/readonly_policy.json.
        """
        config = aws.AwsSource(
            region=region,
            cluster_arn=cluster_arn,
            profile=profile,
            role_arn=role_arn,
            endpoint_url=endpoint_url,
            storage_buckets=tuple(storage_buckets),
            glue_registries=tuple(glue_registries),
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_attempts=max_attempts,
            quiet=quiet,
            runtime=runtime,
            metrics_window=metrics_window,
        )
        _emit(aws.export(config, sys.stderr), output)

    return command


def _kafka() -> click.Command:
    from ..exporters import kafka

    @click.command(name="kafka")
    @click.option(
        "--bootstrap",
        metavar="HOST:PORT",
        help="Bootstrap servers (comma-separated); or bootstrap.servers in the properties.",
    )
    @click.option("--region", required=True, help="Region name recorded in the snapshot.")
    @click.option(
        "--command-config",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Java client properties (security.protocol, sasl.*, ssl.* as kafka-*.sh take).",
    )
    @click.option(
        "-X",
        "overrides",
        multiple=True,
        metavar="KEY=VALUE",
        help="A librdkafka client property, applied last. Repeatable. VALUE may be "
        "env:VAR (an environment variable) or @FILE (a file's content): use them for secrets.",
    )
    @click.option(
        "--mm2-config",
        type=click.Path(path_type=Path, dir_okay=False),
        help="MirrorMaker 2 dedicated-mode mm2.properties: flows into this region.",
    )
    @mm2_region_option("Map an MM2 cluster alias to a region (default: the alias). Repeatable.")
    @click.option(
        "--timeout",
        type=click.FloatRange(min=0.5),
        default=kafka.DEFAULT_TIMEOUT,
        show_default=True,
        help="Seconds to wait for the cluster (connect, each request).",
    )
    @click.option("--cluster-name", help="Cluster name in the snapshot (default: the cluster id).")
    @click.option(
        "--kind",
        type=click.Choice(kafka.KINDS),
        default="kafka",
        show_default=True,
        help="What runs the cluster.",
    )
    @click.option(
        "--kafka-version",
        metavar="X.Y.Z",
        help="The brokers' Kafka version, recorded for CMP-001 (the Admin API does not report it).",
    )
    @click.option(
        "--runtime/--no-runtime",
        default=False,
        show_default=True,
        help="Also sample live runtime evidence: offsets, partition health, consumer groups, "
        "MirrorMaker 2 checkpoints (the snapshot's runtime area).",
    )
    @click.option(
        "--runtime-only",
        is_flag=True,
        help="Write the cluster and the runtime area only (a sample to merge with a full export).",
    )
    @click.option(
        "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help=OUTPUT_HELP
    )
    @handle_errors
    def command(
        bootstrap: str | None,
        region: str,
        command_config: Path | None,
        overrides: tuple[str, ...],
        mm2_config: Path | None,
        mm2_regions: tuple[str, ...],
        timeout: float,
        cluster_name: str | None,
        kind: str,
        kafka_version: str | None,
        runtime: bool,
        runtime_only: bool,
        output: Path | None,
    ) -> None:
        """Snapshot a live Kafka cluster through the Admin API (and MirrorMaker 2 config)."""
        config = kafka.KafkaSource(
            region=region,
            bootstrap=bootstrap,
            command_config=command_config,
            overrides=parse_overrides(overrides),
            overrides_dir=Path.cwd(),
            mm2_config=mm2_config,
            mm2_regions=parse_region_pairs(mm2_regions),
            timeout=timeout,
            cluster_name=cluster_name,
            kind=kind,
            kafka_version=kafka_version,
            runtime=runtime or runtime_only,
        )
        if runtime_only:
            snapshot = kafka.export_runtime(config)
        else:
            snapshot = kafka.export(config, sys.stderr)
        _emit(snapshot, output)
        if output is None:
            return
        gaps = ", ".join(sorted({g["area"] for g in snapshot["gaps"]})) or "none"
        click.echo(
            f"failback: wrote {output}: region {region}, {len(snapshot.get('topics', {}))} "
            f"topics, {len(snapshot.get('acls', []))} ACLs, "
            f"{len(snapshot.get('replication', []))} flows; gaps: {gaps}",
            err=True,
        )

    return command


def _terraform() -> click.Command:
    from ..exporters import terraform

    @click.command("terraform")
    @click.argument("plan", type=click.Path(path_type=Path))
    @click.option(
        "--region",
        required=True,
        help="The region to export (a multi-region plan is split by provider region and ARNs).",
    )
    @click.option(
        "--cluster",
        "cluster_address",
        default=None,
        help="Address of the aws_msk_cluster when the region has several "
        "(e.g. module.dr.aws_msk_cluster.this).",
    )
    @click.option(
        "--storage-bucket",
        "storage_buckets",
        multiple=True,
        help="Tiered or shared-storage S3 bucket (name or glob). Repeatable.",
    )
    @click.option(
        "--captured-at",
        default=None,
        help="Capture time to record (default: the plan's timestamp, else --now).",
    )
    @click.option(
        "--now",
        "now",
        default=None,
        help="Capture time when the document has no timestamp (a state), RFC 3339 "
        "(default: the clock).",
    )
    @click.option("-o", "--output", type=click.Path(path_type=Path), help=OUTPUT_HELP)
    @handle_errors
    def command(
        plan: Path,
        region: str,
        cluster_address: str | None,
        storage_buckets: Sequence[str],
        captured_at: str | None,
        now: str | None,
        output: Path | None,
    ) -> None:
        """Export one region from a `terraform show -json` plan or state (no credentials).

        Values known only after apply become gaps, so `failback check` is indeterminate for
        their area rather than judging a guess.
        """
        _check_timestamp(captured_at)
        if now is not None:
            from ..snapshot import parse_timestamp

            parse_timestamp(now, "--now", "value")
        config = terraform.TerraformSource(
            plan=plan,
            region=region,
            cluster=cluster_address,
            storage_buckets=tuple(storage_buckets),
            captured_at=captured_at,
            now=now,
        )
        _emit(terraform.export(config, sys.stderr), output)

    return command


def _strimzi() -> click.Command:
    from ..exporters import strimzi

    @click.command("strimzi")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
    @click.option("--region", required=True, help="The region these resources run in.")
    @click.option(
        "--cluster", default=None, help="Name of the Kafka resource when the paths hold several."
    )
    @mm2_region_option(
        "Region of a KafkaMirrorMaker2 cluster alias (default: the alias itself). Repeatable."
    )
    @click.option("--captured-at", default=None, help="Capture time to record (default: now).")
    @click.option("-o", "--output", type=click.Path(path_type=Path), help=OUTPUT_HELP)
    @handle_errors
    def command(
        paths: Sequence[Path],
        region: str,
        cluster: str | None,
        mm2_regions: Sequence[str],
        captured_at: str | None,
        output: Path | None,
    ) -> None:
        """Export one region from Strimzi custom resources (files or directories of YAML).

        Reads Kafka (listeners, authorization, config), KafkaTopic, KafkaUser (ACLs, quotas) and
        KafkaMirrorMaker2 (v1beta2 and v1 shapes); ignores other kinds.
        """
        _check_timestamp(captured_at)
        config = strimzi.StrimziSource(
            paths=tuple(paths),
            region=region,
            cluster=cluster,
            mm2_regions=parse_region_pairs(mm2_regions),
            captured_at=captured_at,
        )
        _emit(strimzi.export(config, sys.stderr), output)

    return command


def _registry() -> click.Command:
    from ..exporters import registry

    @click.command("confluent-registry")
    @click.option("--region", required=True, help="Region name recorded in the snapshot.")
    @click.option("--url", required=True, help="The registry's base URL (no credentials in it).")
    @click.option(
        "--name",
        default=registry.DEFAULT_NAME,
        show_default=True,
        help="The registry's name in the snapshot, as the plan's families name it.",
    )
    @click.option("--username-env", metavar="VAR", help="Environment variable: basic-auth user.")
    @click.option(
        "--password-env", metavar="VAR", help="Environment variable: basic-auth password."
    )
    @click.option(
        "--password-file", type=click.Path(path_type=Path), help="File: basic-auth password."
    )
    @click.option("--token-env", metavar="VAR", help="Environment variable: bearer token.")
    @click.option("--token-file", type=click.Path(path_type=Path), help="File: bearer token.")
    @click.option("--ca-file", type=click.Path(path_type=Path), help="PEM CA bundle (https).")
    @click.option("--cert-file", type=click.Path(path_type=Path), help="PEM client certificate.")
    @click.option("--key-file", type=click.Path(path_type=Path), help="PEM client key.")
    @click.option(
        "--timeout",
        default=registry.DEFAULT_TIMEOUT,
        show_default=True,
        type=click.FloatRange(min=0.1),
        help="Seconds to wait for each request.",
    )
    @click.option("--captured-at", default=None, help="Capture time to record (default: now).")
    @click.option("-o", "--output", type=click.Path(path_type=Path), help=OUTPUT_HELP)
    @handle_errors
    def command(
        region: str,
        url: str,
        name: str,
        username_env: str | None,
        password_env: str | None,
        password_file: Path | None,
        token_env: str | None,
        token_file: Path | None,
        ca_file: Path | None,
        cert_file: Path | None,
        key_file: Path | None,
        timeout: float,
        captured_at: str | None,
        output: Path | None,
    ) -> None:
        """Export one region's schema registry (Confluent-compatible REST API).

        Reads subjects, versions, schema ids, schema fingerprints (sha256, never the text),
        compatibility levels and modes. Credentials only from environment variables or files.
        """
        _check_timestamp(captured_at)
        source: dict[str, Any] = {"type": "confluent-registry", "url": url, "name": name}
        for key, value in (
            ("username_env", username_env),
            ("password_env", password_env),
            ("token_env", token_env),
        ):
            if value is not None:
                source[key] = value
        config = registry.from_plan(source, region, Path.cwd())
        config = dataclasses.replace(
            config,
            password_file=password_file,
            token_file=token_file,
            ca_file=ca_file,
            cert_file=cert_file,
            key_file=key_file,
            timeout=timeout,
            captured_at=captured_at,
        )
        _emit(registry.export(config, sys.stderr), output)

    return command


# One command per source of the registry (checker/exporters/__init__.py); a test checks both
# name the same sources.
COMMANDS: Mapping[str, Callable[[], click.Command]] = {
    "aws": _aws,
    "kafka": _kafka,
    "terraform": _terraform,
    "strimzi": _strimzi,
    "confluent-registry": _registry,
}


class ExportGroup(click.Group):
    """`failback export <source>`: each command is built (and its exporter imported) when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from ..exporters import available

        return available()

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from ..exporters import EXPORTERS, module

        if cmd_name not in EXPORTERS or cmd_name not in COMMANDS:
            return None
        try:
            module(cmd_name)  # a missing dependency is one line and exit 2, not a traceback
        except CheckerError as exc:
            fail(exc.one_line(), exc.exit_code)
        command = COMMANDS[cmd_name]()
        command.epilog = command.epilog or DONE_EXIT_CODES
        add_global_options(command)  # --debug and --color after `export <source>` too
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from ..exporters import EXPORTERS

        with formatter.section("Sources"):
            formatter.write_dl(sorted((name, e.summary) for name, e in EXPORTERS.items()))


@click.group(cls=ExportGroup)
def export() -> None:
    """Export one region's governance surface into a snapshot (v1)."""
