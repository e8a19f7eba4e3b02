"""Python-style signatures rendered from the JSON Schemas real servers publish.

A signature costs a fraction of the tokens of a schema and is what an LLM writes code against
(``execute_code`` binds every tool as a function of exactly this shape). Bounds use the
``annotated-types`` vocabulary (``Annotated[int, Ge(1), Le(100)]``), nested objects render inline
as ``{key: type, optional?: type}``, and ``$ref`` is resolved against the schema's own ``$defs``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from gateway_domain.tools import JsonObject, Tool

_MAX_DEPTH = 4
_MAX_INLINE_PROPERTIES = 12
_MAX_LITERALS = 12
_DESCRIPTION_CHARS = 240

_SIMPLE = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, sort_keys=True)


def _join_union(parts: list[str]) -> str:
    unique = list(dict.fromkeys(parts))
    if "Any" in unique:
        return "Any"
    if "None" in unique and len(unique) > 1:
        unique = [p for p in unique if p != "None"] + ["None"]
    return " | ".join(unique)


class _Renderer:
    def __init__(self, root: JsonObject) -> None:
        self._root = root

    def _resolve(self, ref: str) -> tuple[str, Any] | None:
        if not ref.startswith("#/"):
            return None
        node: Any = self._root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return ref.rsplit("/", 1)[-1], node

    def type_of(self, schema: Any, depth: int = 0, seen: frozenset[str] = frozenset()) -> str:
        if schema is True or schema is None or schema == {}:
            return "Any"
        if not isinstance(schema, Mapping):
            return "Any"
        if schema.get("nullable") is True:  # OpenAPI 3.0's spelling of "or null"
            rest = {key: value for key, value in schema.items() if key != "nullable"}
            return _join_union([self.type_of(rest, depth, seen), "None"])
        ref = schema.get("$ref")
        if isinstance(ref, str):
            resolved = self._resolve(ref)
            if resolved is None:
                return "Any"
            name, target = resolved
            if ref in seen or depth >= _MAX_DEPTH:
                return name
            return self.type_of(target, depth + 1, seen | {ref})
        if "const" in schema:
            return f"Literal[{_literal(schema['const'])}]"
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            values = [value for value in enum if value is not None]
            shown = ", ".join(_literal(v) for v in values[:_MAX_LITERALS])
            more = ", ..." if len(values) > _MAX_LITERALS else ""
            literal = f"Literal[{shown}{more}]" if values else "None"
            return _join_union([literal, "None"]) if len(values) < len(enum) else literal
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                return _join_union([self.type_of(option, depth + 1, seen) for option in options])
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and all_of:
            merged = _merge_all_of(schema, all_of, self)
            return self.type_of(merged, depth + 1, seen)
        declared = schema.get("type")
        if isinstance(declared, list):
            return _join_union([self.type_of({**schema, "type": t}, depth, seen) for t in declared])
        if declared == "array" or (declared is None and "items" in schema):
            return self._array(schema, depth, seen)
        if declared == "object" or (declared is None and "properties" in schema):
            return self._object(schema, depth, seen)
        if isinstance(declared, str) and declared in _SIMPLE:
            return self._bounded(_SIMPLE[declared], schema)
        return "Any"

    def _bounded(self, base: str, schema: Mapping[str, Any]) -> str:
        marks: list[str] = []
        for key, mark in (("minimum", "Ge"), ("exclusiveMinimum", "Gt"), ("maximum", "Le"), ("exclusiveMaximum", "Lt")):
            value = schema.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                marks.append(f"{mark}({value!r})")
        for key, mark in (("minLength", "MinLen"), ("maxLength", "MaxLen")):
            value = schema.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                marks.append(f"{mark}({value})")
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and len(pattern) <= 60:
            marks.append(f"Pattern({pattern!r})")
        fmt = schema.get("format")
        if isinstance(fmt, str) and base == "str" and len(fmt) <= 30:
            marks.append(f"Format({fmt!r})")
        return f"Annotated[{base}, {', '.join(marks)}]" if marks else base

    def _array(self, schema: Mapping[str, Any], depth: int, seen: frozenset[str]) -> str:
        items = schema.get("items")
        prefix = schema.get("prefixItems")
        if isinstance(items, list):  # draft 4–2019 spelling of prefixItems
            prefix, items = items, schema.get("additionalItems")
        if isinstance(prefix, list) and prefix:
            inner = ", ".join(self.type_of(item, depth + 1, seen) for item in prefix)
            return f"tuple[{inner}]"
        inner = self.type_of(items, depth + 1, seen) if items is not None else "Any"
        marks = []
        for key, mark in (("minItems", "MinLen"), ("maxItems", "MaxLen")):
            value = schema.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                marks.append(f"{mark}({value})")
        base = f"list[{inner}]"
        return f"Annotated[{base}, {', '.join(marks)}]" if marks else base

    def _object(self, schema: Mapping[str, Any], depth: int, seen: frozenset[str]) -> str:
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        if isinstance(properties, Mapping) and properties and depth < _MAX_DEPTH:
            required = set(schema.get("required") or ())
            fields = []
            for index, (name, prop) in enumerate(properties.items()):
                if index >= _MAX_INLINE_PROPERTIES:
                    fields.append("...")
                    break
                optional = "" if name in required else "?"
                fields.append(f"{name}{optional}: {self.type_of(prop, depth + 1, seen)}")
            return "{" + ", ".join(fields) + "}"
        if isinstance(extra, Mapping) and extra:
            return f"dict[str, {self.type_of(extra, depth + 1, seen)}]"
        return "dict"


def _merge_all_of(schema: Mapping[str, Any], parts: list[Any], renderer: _Renderer) -> dict[str, Any]:
    """Fold ``allOf`` branches that are plain objects into one object; keep the rest of the schema."""
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    properties: dict[str, Any] = dict(merged.get("properties") or {})
    required: list[Any] = list(merged.get("required") or [])
    for part in parts:
        target = part
        if isinstance(part, Mapping) and isinstance(part.get("$ref"), str):
            resolved = renderer._resolve(part["$ref"])
            target = resolved[1] if resolved else {}
        if not isinstance(target, Mapping):
            continue
        properties.update(target.get("properties") or {})
        required.extend(target.get("required") or [])
        for key, value in target.items():
            if key not in ("properties", "required"):
                merged.setdefault(key, value)
    if properties:
        merged["properties"] = properties
        merged.setdefault("type", "object")
    if required:
        merged["required"] = required
    return merged


def _parameters(schema: JsonObject, renderer: _Renderer) -> list[str]:
    root: Mapping[str, Any] = schema
    if isinstance(schema.get("$ref"), str) or isinstance(schema.get("allOf"), list):
        resolved: Any = schema
        if isinstance(schema.get("$ref"), str):
            found = renderer._resolve(schema["$ref"])
            resolved = found[1] if found else {}
        if isinstance(resolved, Mapping) and isinstance(resolved.get("allOf"), list):
            resolved = _merge_all_of(resolved, resolved["allOf"], renderer)
        root = resolved if isinstance(resolved, Mapping) else {}
    properties = root.get("properties")
    if not isinstance(properties, Mapping):
        return []
    required = set(root.get("required") or ())
    mandatory: list[str] = []
    optional: list[str] = []
    for name, prop in properties.items():
        annotation = renderer.type_of(prop)
        if name in required:
            mandatory.append(f"{name}: {annotation}")
            continue
        default = prop.get("default") if isinstance(prop, Mapping) and "default" in prop else None
        if default is None and "None" not in annotation.split(" | ") and annotation != "Any":
            annotation = f"{annotation} | None"
        optional.append(f"{name}: {annotation} = {_literal(default)}")
    return mandatory + optional


def return_type(output_schema: JsonObject | None) -> str:
    """``dict`` for an object result, the wrapped type for FastMCP's ``{"result": ...}`` wrapper."""
    if not output_schema:
        return "Any"
    renderer = _Renderer(output_schema)
    if output_schema.get("x-fastmcp-wrap-result"):
        wrapped = (output_schema.get("properties") or {}).get("result")
        return renderer.type_of(wrapped)
    if output_schema.get("type") == "object" or "properties" in output_schema:
        return "dict"
    return renderer.type_of(output_schema)


def short_description(text: str, limit: int = _DESCRIPTION_CHARS) -> str:
    """The first paragraph, on one line, cut at ``limit`` characters."""
    first = text.strip().split("\n\n", 1)[0]
    flat = " ".join(first.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


_SENTENCE = re.compile(r".+?(?:(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)[.!?](?=\s|$)|[。！？])")
"""Up to a full stop before a space or the end (not the one of "e.g.", "i.e.", "etc." or "vs."),
or a CJK full stop."""


def first_sentence(text: str, limit: int) -> str:
    """The first sentence of the first paragraph, on one line, cut at ``limit`` characters."""
    flat = short_description(text, len(text) + 1)
    found = _SENTENCE.match(flat)
    return short_description(found.group(0) if found else flat, limit)


def signature(tool: Tool) -> str:
    """``name(a: int, b: str | None = None) -> dict`` for one tool."""
    schema = tool.spec.input_schema
    renderer = _Renderer(schema)
    params = ", ".join(_parameters(schema, renderer))
    return f"{tool.name}({params}) -> {return_type(tool.spec.output_schema)}"


def signature_block(tool: Tool, code_name: str | None = None) -> str:
    """The signature and, indented below it, the first paragraph of the description.

    ``code_name`` is the identifier execute_code binds the tool to when it is not the tool's name
    (``get-user.v2`` → ``get_user_v2``), shown so code can call what the listing shows."""
    head = signature(tool)
    if code_name is not None:
        head = f"{head}  # in execute_code: {code_name}(...)"
    description = short_description(tool.description)
    return f"{head}\n    {description}" if description else head
