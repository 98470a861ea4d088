"""The strawberry ``Schema``: types from ``resolvers/``, extensions in pipeline order.

Order matters and is pinned by a test: the audit extension is listed first so that, wrapping all
others, it is the last to act on the result — after errors are classified and reported, and right
before the response is written. Token and alias limits and the depth limit run before execution;
the parser and validation caches skip repeated work for repeated queries.

``[graphql]`` settings: without ``introspection`` the validation rules refuse ``__schema`` and
``__type``; without ``suggestions`` no "Did you mean …" reaches a client (see
``resolvers/reporting.py`` for the kinds Strawberry's switch leaves in). With ``federation`` the
schema is an Apollo Federation 2 subgraph's (``resolvers/federation.py``), built the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import strawberry
from graphql import GraphQLError, GraphQLObjectType
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info

from domain.settings import GraphQLSettings, Limits
from resolvers.audit import AuditExtension
from resolvers.fastpath import PLAIN_ATTRIBUTE, fast_executor
from resolvers.federation import PatientEntity, entities
from resolvers.query import Mutation, Query
from resolvers.reporting import ReportErrors


class Schema(strawberry.Schema):
    """Strawberry's schema, without its error log.

    Strawberry logs every error as ``str(error)``, which prints the query text around the error's
    location, so every failed lookup wrote the CPR number it asked for. ``ReportErrors`` logs
    instead, with the request id and no query text.
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


# The newest Federation 2 version the installed Strawberry speaks (it has no Federation 1 mode).
FEDERATION_VERSION: Final = "2.11"


class FederatedSchema(strawberry.federation.Schema, Schema):
    """Strawberry's federation schema, without its error log (:class:`Schema`'s
    ``process_errors``, next in the method order), and with ``_entities`` bounded and checked
    (``resolvers/federation.py`` ``entities``)."""

    def __init__(self, *, max_representations: int, **kwargs: Any) -> None:
        self.max_representations = max_representations
        super().__init__(federation_version=FEDERATION_VERSION, **kwargs)

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        return entities(info, list(representations), self.max_representations)


def build_schema(
    limits: Limits | None = None,
    graphql: GraphQLSettings | None = None,
    *,
    fast_path: bool = True,
) -> strawberry.Schema:
    """Build the schema. ``limits`` and ``graphql`` default to the production defaults.

    ``fast_path`` completes plain objects directly (``resolvers/fastpath.py``); off, graphql-core
    completes every field itself (the differential test compares the two).
    """
    limits = limits or Limits()
    graphql = graphql or GraphQLSettings()
    # The depth and alias rules are classes made by their limiter's constructor. Made once here:
    # a limiter built per request would make new classes each time, and the validation cache,
    # keyed by the rules, would never hit.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    options: dict[str, Any] = dict(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(
            auto_camel_case=True, disable_field_suggestions=not graphql.suggestions
        ),
        extensions=[
            AuditExtension,
            ReportErrors,
            # Factories: a fresh extension per request (the caches live at module level).
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            lambda: AddValidationRules(rules),
            *([] if graphql.introspection else [DisableIntrospection]),
        ],
        execution_context_class=fast_executor() if fast_path else None,
    )
    schema: strawberry.Schema
    if graphql.federation:
        schema = FederatedSchema(
            types=[PatientEntity], max_representations=limits.max_aliases, **options
        )
    else:
        schema = Schema(**options)
    plain_attribute_fields(schema)
    return schema


def _attribute(name: str) -> Callable[..., Any]:
    def resolve(source: Any, info: Any) -> Any:
        return getattr(source, name)

    setattr(resolve, PLAIN_ATTRIBUTE, name)  # the fast path reads the attribute itself
    return resolve


def plain_attribute_fields(schema: strawberry.Schema) -> None:
    """Resolve fields that only read an attribute with a plain ``getattr``.

    Strawberry marks such fields (no resolver, no extension, no permission) and already skips
    building an ``Info`` for them; its wrapper still costs several calls per field, and an
    overview has thousands of fields. This does the same ``getattr`` directly. Fields with
    resolvers, guards or error handlers are untouched.
    """
    for gtype in schema._schema.type_map.values():
        if not isinstance(gtype, GraphQLObjectType) or gtype.name.startswith("__"):
            continue
        for gfield in gtype.fields.values():
            field = gfield.extensions.get("strawberry-definition") if gfield.extensions else None
            if field is not None and getattr(gfield.resolve, "_is_default", False):
                gfield.resolve = _attribute(field.python_name)
