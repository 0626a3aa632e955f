"""The precompiled schema validators (checker/schemas/compiled/) are the code fastjsonschema
compiles from today's schemas, and they are the ones `failback check` uses."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import fastjsonschema
import pytest
import yaml

from checker import schemas
from checker.schemas.failure import JsonSchemaValueException, JsonSchemaValuesException

from .conftest import ESTATE, ROOT


def test_generated_validators_match_the_schemas() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/generate_validators.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert schemas.schema_kinds() == ["fleet", "plan", "snapshot", "waivers"]


@pytest.mark.parametrize("kind", ["fleet", "plan", "snapshot", "waivers"])
def test_the_compiled_validator_is_used(kind: str) -> None:
    validator = schemas._fast(kind)
    assert validator.__module__ == f"checker.schemas.compiled.{kind}_v1"


def _documents() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for variant in ("ready", "faulted", "gaps"):
        found.append(("plan", yaml.safe_load((ESTATE / variant / "failback.yaml").read_text())))
        for region in ("us-east-1", "us-west-2"):
            found.append(
                ("snapshot", json.loads((ESTATE / variant / f"{region}.json").read_text()))
            )
    return found


def _broken(kind: str, document: Any) -> list[Any]:
    """Variants that violate the schema in different places."""
    out = []
    for key in list(document)[:6]:
        changed = copy.deepcopy(document)
        changed[key] = {"unexpected": [1, 2]} if not isinstance(changed[key], dict) else 7
        out.append(changed)
    extra = copy.deepcopy(document)
    extra["not_in_the_schema"] = True
    out.append(extra)
    return out


def _answer(validator: Any, document: Any) -> str | None:
    try:
        validator(document)
    except (fastjsonschema.JsonSchemaValueException, JsonSchemaValueException) as error:
        return f"{error.message} @ {error.name}"
    return None


def test_compiled_and_runtime_validators_agree() -> None:
    runtime = {
        kind: fastjsonschema.compile(schemas._draft7(kind), use_formats=False)
        for kind in ("plan", "snapshot")
    }
    for kind, document in _documents():
        assert _answer(schemas._fast(kind), document) is None
        for broken in _broken(kind, document):
            expected = _answer(runtime[kind], broken)
            assert expected is not None
            assert _answer(schemas._fast(kind), broken) == expected


def test_a_stale_compiled_validator_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    module = importlib.import_module("checker.schemas.compiled.plan_v1")
    monkeypatch.setattr(module, "SCHEMA_SHA256", "0" * 64)  # generated from another schema
    schemas._fast.cache_clear()
    try:
        validator = schemas._fast("plan")
        assert validator is not module.validate  # compiled from the schema instead
        plan = yaml.safe_load((ESTATE / "ready" / "failback.yaml").read_text())
        assert _answer(validator, plan) is None
    finally:
        schemas._fast.cache_clear()


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (JsonSchemaValueException, fastjsonschema.JsonSchemaValueException),
        (JsonSchemaValuesException, fastjsonschema.JsonSchemaValuesException),
    ],
)
def test_the_generated_code_raises_exceptions_built_as_fastjsonschemas(
    ours: type[Exception], theirs: type[Exception]
) -> None:
    """The generated code calls its exceptions as fastjsonschema's: the same parameters."""
    import inspect

    def shape(cls: type[Exception]) -> list[tuple[str, object, object]]:
        found = inspect.signature(cls).parameters.values()
        return [(p.name, p.kind, p.default) for p in found]

    assert shape(ours) == shape(theirs)
    assert issubclass(ours, ValueError)


def test_a_validator_compiled_at_run_time_raises_the_same_exception() -> None:
    """One definition (validate_part) is compiled at run time: fastjsonschema's exception
    becomes checker's, with fastjsonschema's message and fields."""
    value = {"cluster_arn": 7}
    runtime = fastjsonschema.compile(schemas._draft7("plan", "aws_source"), use_formats=False)
    with pytest.raises(fastjsonschema.JsonSchemaValueException) as expected:
        runtime(value)
    with pytest.raises(JsonSchemaValueException) as raised:
        schemas._fast("plan", "aws_source")(value)
    assert raised.type is JsonSchemaValueException
    got, want = raised.value, expected.value
    assert (got.message, got.name, got.value, got.rule) == (
        want.message,
        want.name,
        want.value,
        want.rule,
    )
    assert got.message == "data.cluster_arn must be string"
    schemas._fast("plan", "aws_source")({"cluster_arn": "arn:x"})  # valid: no exception


def test_a_stale_compiled_module_is_compiled_at_run_time_with_the_same_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A schema whose precompiled module is stale is compiled at run time; validation still
    gives fastjsonschema's message."""
    schemas._fast.cache_clear()
    monkeypatch.setattr(schemas, "schema_digest", lambda kind: "another digest")
    try:
        validator = schemas._fast("plan")
        assert validator.__module__ == "checker.schemas"
        assert schemas._fast_valid({"schema_version": 7}, "plan") == (
            "data must contain ['regions', 'topic_families'] properties"
        )
    finally:
        schemas._fast.cache_clear()
