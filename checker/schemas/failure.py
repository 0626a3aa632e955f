"""The exceptions the precompiled validators (checker/schemas/compiled/) raise.

They are fastjsonschema's JsonSchemaValueException and JsonSchemaValuesException with the same
constructor and fields, so the generated code raises them unchanged, without importing
fastjsonschema (its draft modules compile regular expressions on import: about 5 ms of the
pre-commit hook's run). A validator compiled at run time (a schema without a current
precompiled module, or one definition of a schema) raises fastjsonschema's own, which
`checker.schemas._fast` turns into this one.
"""

from __future__ import annotations

from typing import Any


class JsonSchemaValueException(ValueError):
    """A document that does not match: `message` is fastjsonschema's line ("data.x must be
    string"), `name` the place ("data.x"), `value`, `definition` and `rule` what was broken."""

    def __init__(
        self,
        message: str,
        value: Any = None,
        name: str | None = None,
        definition: Any = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.name = name
        self.definition = definition
        self.rule = rule


class JsonSchemaValuesException(ValueError):
    """Several violations (fastjsonschema raises it only without fast_fail, which the
    validators here never turn off; the generated code names it in its except clauses)."""

    def __init__(self, errors: list[JsonSchemaValueException]) -> None:
        self.message = "; ".join(error.message for error in errors)
        super().__init__(self.message)
        self.errors = errors
