"""An execution fast path for plain objects: what graphql-core would build, without its per-field
machinery.

An overview completes hundreds of fields that only read an attribute (appointment nodes, plan
activities, sources): graphql-core builds a ``Path``, an ``Info`` and an argument dict for each,
and walks ``complete_value`` through several calls. ``FastExecutor`` compiles, once per operation
and selection (kept across requests), a builder for an object type whose collected sub-selection
holds only

- ``__typename``, or
- fields whose resolver is a plain attribute read (``resolvers/schema.py`` marks them) with no
  arguments and no directives left after ``@include``/``@skip`` (already applied when the
  fields were collected), returning a scalar or enum, a plain object of the same kind, or a
  list of either,

and builds the result dicts directly, with the same serialisation (the type's own
``coerce_output_value``). Anything else compiles to nothing and runs as before: arguments,
resolvers, abstract types, ``is_type_of``, ``@defer``/``@stream``, resolve middleware. Anything
unusual in the data — a null in a non-null field, a value that is awaitable, an exception, a
value the scalar refuses, an iterable that is not a list — makes the builder give up on that
object (or that list item), and graphql-core completes it from scratch: it reads only
attributes, so doing it again changes nothing, and the errors, their paths and their order are
exactly graphql-core's. ``tests/test_fastpath_differential.py`` runs random queries through both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import Any, ClassVar

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    OperationDefinitionNode,
    VariableNode,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

__all__ = ["PLAIN_ATTRIBUTE", "FastExecutor", "fast_executor"]

# Set by ``resolvers/schema.py`` on the resolvers that only ``getattr`` one attribute: the
# attribute's name.
PLAIN_ATTRIBUTE = "spo_plain_attribute"
# Directives the collection step has already applied; any other on a field node: run normally.
_APPLIED = frozenset({"include", "skip"})
# Types whose values are never awaitable and never exceptions: the checks graphql-core makes on
# every resolved value can be skipped for them. (Other values get the same checks it makes.)
_INERT: frozenset[type] = frozenset({str, int, float, bool, datetime, date})
_LISTS = (list, tuple)
# Builders kept across requests, per schema; the oldest go first past this many.
SHARED_BUILDERS = 2048

Build = Callable[[Any], Any]


class _GiveUp(Exception):
    """The data is not plain here: let graphql-core complete the object from scratch."""


_GIVE_UP = _GiveUp()


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, completing plain objects and lists of them directly.

    Use :func:`fast_executor` for a schema: each class it makes keeps its own builders.
    """

    _shared: ClassVar[dict[tuple[Any, ...], tuple[tuple[FieldNode, ...], Build | None]]] = {}
    # Operation id -> (operation, the variables its @include/@skip read).
    _names: ClassVar[dict[int, tuple[OperationDefinitionNode, tuple[str, ...]]]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (type, field group) -> builder or None, for this request (variables decide which
        # fields were collected). The group is kept alive so that its id is not reused.
        self._builders: dict[tuple[str, int], tuple[FieldDetailsList, Build | None]] = {}
        self._condition_key: tuple[Any, ...] | None = None

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if position_context is None:
            build = self._builder(return_type, field_details_list)
            if build is not None:
                try:
                    return build(result)
                except Exception:  # noqa: S110 -- not plain after all: completed below
                    pass
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        item_type = return_type.of_type
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        build = (
            self._builder(object_type, field_details_list)
            if position_context is None
            and isinstance(object_type, GraphQLObjectType)
            and type(result) in _LISTS
            else None
        )
        if build is None:
            return super().complete_list_value(
                return_type, field_details_list, info, path, result, position_context
            )
        return self._complete_plain_items(
            build, item_type, field_details_list, info, path, result, position_context
        )

    def _complete_plain_items(
        self,
        build: Build,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Sequence[Any],
        position_context: Any,
    ) -> Any:
        """``complete_iterable_value``, with each item built directly where it is plain.

        An item that is not plain is completed as graphql-core completes it, in its place.
        """
        non_null = isinstance(item_type, GraphQLNonNull)
        completed: list[Any] = []
        append = completed.append
        awaitable_indices: list[int] = []
        try:
            for index, item in enumerate(items):
                if item is None and not non_null:
                    append(None)
                    continue
                try:
                    append(build(item))
                    continue
                except Exception:  # noqa: S110 -- not plain: completed below
                    pass
                item_path = path.add_key(index, None)
                if self.is_awaitable(item):
                    append(
                        self.complete_awaitable_list_item_value(
                            item, item_type, field_details_list, info, item_path, position_context
                        )
                    )
                    awaitable_indices.append(index)
                elif self.complete_list_item_value(
                    item,
                    completed,
                    item_type,
                    field_details_list,
                    info,
                    item_path,
                    position_context,
                ):
                    awaitable_indices.append(index)
        except Exception:
            pending = [completed[i] for i in awaitable_indices]
            if pending:
                self.settle_in_background(pending)
            raise
        if not awaitable_indices:
            return completed

        async def get_completed_results() -> list[Any]:
            awaited = await gather_with_cancel(*(completed[i] for i in awaitable_indices))
            for i, value in zip(awaitable_indices, awaited, strict=True):
                completed[i] = value
            return completed

        return get_completed_results()

    def _builder(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Build | None:
        key = (object_type.name, id(field_details_list))
        cached = self._builders.get(key)
        if cached is None:
            cached = (field_details_list, self._shared_builder(object_type, field_details_list))
            self._builders[key] = cached
        return cached[1]

    def _shared_builder(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Build | None:
        """The builder compiled by an earlier request of the same operation, or a new one.

        A builder depends on the selection's field nodes (the parser cache hands the same
        document to repeated queries) and on the variables that ``@include``/``@skip`` read;
        both are in the key, and the entry holds the nodes so that their ids stay theirs.
        """
        shared = self._shared
        nodes = tuple(d.node for d in field_details_list)
        key = (object_type.name, tuple(map(id, nodes)), self._conditions())
        entry = shared.get(key)
        if entry is None:
            entry = (nodes, self._compile_object(object_type, field_details_list))
            shared[key] = entry
            if len(shared) > SHARED_BUILDERS:
                del shared[next(iter(shared))]  # the oldest
        return entry[1]

    def _conditions(self) -> tuple[Any, ...]:
        """The operation, and the values of the variables its ``@include``/``@skip`` read."""
        if self._condition_key is None:
            operation = self.operation
            read = self._names
            names = read.get(id(operation))
            if names is None or names[0] is not operation:
                names = (operation, _condition_variables(operation, self.fragment_definitions))
                read[id(operation)] = names
                if len(read) > SHARED_BUILDERS:
                    del read[next(iter(read))]
            coerced = self.variable_values.coerced
            self._condition_key = (id(operation), *(coerced.get(n) for n in names[1]))
        return self._condition_key

    def _compile_object(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Build | None:
        """A builder of ``object_type``'s result dict for this selection, or None if not plain."""
        if object_type.is_type_of is not None:
            return None
        if any(_directives_left(d.node) for d in field_details_list):
            return None  # e.g. @stream on a list field: graphql-core's business
        grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            return None
        fields: list[tuple[str, Build, Build]] = []
        for response_name, details in grouped.items():
            field = self._compile_field(object_type, details)
            if field is None:
                return None
            fields.append((response_name, *field))
        return _object_builder(fields, self.is_awaitable)

    def _compile_field(
        self, parent_type: GraphQLObjectType, details: FieldDetailsList
    ) -> tuple[Build, Build] | None:
        """How to read the field from its object, and how to complete what was read."""
        node = details[0].node
        name = node.name.value
        if any(
            d.defer_usage is not None
            or d.fragment_variable_values is not None
            or d.node.arguments
            or _directives_left(d.node)
            for d in details
        ):
            return None
        if name == "__typename":
            typename = parent_type.name
            return (lambda _source: typename), _as_is
        field_def = parent_type.fields.get(name)
        if field_def is None or field_def.args or field_def.resolve is None:
            return None
        attribute = getattr(field_def.resolve, PLAIN_ATTRIBUTE, None)
        if attribute is None:
            return None
        if (
            self.middleware_manager is not None
            and self.middleware_manager.get_field_resolver(field_def.resolve)
            is not field_def.resolve
        ):
            return None  # a resolve hook wants to see every field
        value = self._compile_value(field_def.type, details, allow_list=True)
        if value is None:
            return None
        return attrgetter(attribute), value

    def _compile_value(
        self, gtype: GraphQLOutputType, details: FieldDetailsList, *, allow_list: bool
    ) -> Build | None:
        """Completes a resolved value of ``gtype`` (the checks ``complete_value`` makes)."""
        non_null = isinstance(gtype, GraphQLNonNull)
        inner = gtype.of_type if isinstance(gtype, GraphQLNonNull) else gtype
        complete: Build | None
        if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
            return _leaf(inner, non_null, self.is_awaitable)
        if isinstance(inner, GraphQLObjectType):
            complete = self._builder(inner, details)
        elif isinstance(inner, GraphQLList) and allow_list:
            item = self._compile_value(inner.of_type, details, allow_list=False)
            complete = None if item is None else _list(item)
        else:
            return None  # abstract types, lists of lists
        if complete is None:
            return None
        return _non_null(complete) if non_null else _nullable(complete)


def fast_executor() -> type[FastExecutor]:
    """A ``FastExecutor`` class for one schema, with its own builders kept across requests."""
    return type("FastExecutor", (FastExecutor,), {"_shared": {}, "_names": {}})


def _condition_variables(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> tuple[str, ...]:
    """The variables that ``@include``/``@skip`` read anywhere in the operation's document."""
    names: set[str] = set()
    pending: list[Any] = [operation, *fragments.values()]
    while pending:
        node = pending.pop()
        for directive in getattr(node, "directives", None) or ():
            if directive.name.value in _APPLIED:
                for argument in directive.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            pending.extend(selection_set.selections)
    return tuple(sorted(names))


def _directives_left(node: Any) -> bool:
    return any(d.name.value not in _APPLIED for d in node.directives or ())


def _as_is(value: Any) -> Any:
    return value


def _object_builder(
    fields: Sequence[tuple[str, Build, Build]], is_awaitable: Callable[[Any], bool]
) -> Build:
    def build(source: Any) -> dict[str, Any]:
        # The checks graphql-core makes on a resolved object.
        if source is None or (
            type(source) not in _INERT
            and (isinstance(source, Exception) or is_awaitable(source) or source is Undefined)
        ):
            raise _GIVE_UP
        return {name: complete(read(source)) for name, read, complete in fields}

    return build


def _non_null(complete: Build) -> Build:
    def non_null(value: Any) -> Any:
        if value is None:
            raise _GIVE_UP  # graphql-core's "Cannot return null for non-nullable field"
        return complete(value)

    return non_null


def _nullable(complete: Build) -> Build:
    def nullable(value: Any) -> Any:
        return None if value is None else complete(value)

    return nullable


def _list(item: Build) -> Build:
    def complete_list(value: Any) -> list[Any]:
        if type(value) not in _LISTS:
            raise _GIVE_UP  # other iterables, async iterables, non-iterables
        return [item(v) for v in value]

    return complete_list


def _leaf(
    gtype: GraphQLScalarType | GraphQLEnumType, non_null: bool, is_awaitable: Callable[[Any], bool]
) -> Build:
    """Completes a scalar or enum value: ``complete_value`` and ``complete_leaf_value`` in one."""
    coerce = gtype.coerce_output_value
    # String and ID hand a str back as it is (graphql-core's serialize_string / serialize_id).
    str_as_is = gtype is GraphQLString or gtype is GraphQLID

    def leaf(value: Any) -> Any:
        if value is None:
            if non_null:
                raise _GIVE_UP  # graphql-core's "Cannot return null for non-nullable field"
            return None
        kind = type(value)
        if kind is str and str_as_is:
            return value
        if kind not in _INERT and (
            isinstance(value, Exception) or is_awaitable(value) or value is Undefined
        ):
            raise _GIVE_UP
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise _GIVE_UP  # graphql-core raises a TypeError for this
        return coerced

    return leaf
