#!/usr/bin/env python3
"""Generates short_drama_sdk/models.py from the server's OpenAPI document (sdk/openapi.json).

The document itself is checked against what the Worker serves (test/sdk/sdk.test.ts), and
`--check` (run by the Python tests) fails when models.py is not what the document generates: the
Python models cannot drift from the server's zod schemas.
"""
import json
import keyword
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT.parent / "openapi.json"
OUT = ROOT / "short_drama_sdk" / "models.py"

HEADER = '''"""Typed models of the Short Drama Studio API, generated from its OpenAPI document.

Do not edit: run `python3 sdk/python/scripts/generate_models.py` after `npm run sdk:generate`.
Every model is a dict with attribute access (``project.id`` and ``project["id"]`` both work).
"""
from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, Union

from ._model import Model

'''


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def py_type(schema: dict, schemas: dict) -> str:
    if not isinstance(schema, dict) or not schema:
        return "Any"
    if "$ref" in schema:
        name = ref_name(schema["$ref"])
        target = schemas.get(name, {})
        return f'"{name}"' if is_object(target) else py_type(target, schemas)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            parts = [p for p in schema[key] if p.get("type") != "null"]
            nullable = len(parts) != len(schema[key])
            inner = [py_type(p, schemas) for p in parts]
            inner = list(dict.fromkeys(inner))
            t = inner[0] if len(inner) == 1 else f"Union[{', '.join(inner)}]"
            return f"Optional[{t}]" if nullable else t
    if "allOf" in schema:
        return py_type(schema["allOf"][0], schemas)
    types = schema.get("type")
    if isinstance(types, list):
        nullable = "null" in types
        rest = [t for t in types if t != "null"]
        t = py_type({**schema, "type": rest[0]}, schemas) if len(rest) == 1 else "Any"
        return f"Optional[{t}]" if nullable else t
    if "enum" in schema and types in ("string", None) and all(isinstance(v, str) for v in schema["enum"]):
        return "Literal[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"]) + "]"
    if types == "string":
        return "str"
    if types == "integer":
        return "int"
    if types == "number":
        return "float"
    if types == "boolean":
        return "bool"
    if types == "array":
        return f"List[{py_type(schema.get('items', {}), schemas)}]"
    if types == "object":
        return "Dict[str, Any]"
    return "Any"


def is_object(schema: dict) -> bool:
    return isinstance(schema, dict) and (schema.get("type") == "object" or "properties" in schema or "allOf" in schema)


def field_name(name: str) -> str:
    return f"{name}_" if keyword.iskeyword(name) or not name.isidentifier() else name


def generate() -> str:
    doc = json.loads(DOC.read_text(encoding="utf-8"))
    schemas = doc["components"]["schemas"]
    out = [HEADER]
    names = sorted(n for n, s in schemas.items() if is_object(s))

    def base_of(n: str) -> str | None:
        for part in schemas[n].get("allOf", []):
            if "$ref" in part and is_object(schemas.get(ref_name(part["$ref"]), {})):
                return ref_name(part["$ref"])
        return None

    ordered: list[str] = []

    def visit(n: str) -> None:
        if n in ordered:
            return
        b = base_of(n)
        if b:
            visit(b)
        ordered.append(n)

    for n in names:
        visit(n)
    for name in ordered:
        schema = schemas[name]
        base = "Model"
        props = dict(schema.get("properties", {}))
        required = set(schema.get("required", []))
        if "allOf" in schema:
            for part in schema["allOf"]:
                if "$ref" in part and is_object(schemas.get(ref_name(part["$ref"]), {})):
                    base = ref_name(part["$ref"])
                else:
                    props.update(part.get("properties", {}))
                    required |= set(part.get("required", []))
        out.append(f"\nclass {name}({base}):\n")
        desc = (schema.get("description") or "").strip().replace('"""', "'")
        if desc:
            out.append(f'    """{desc}"""\n\n')
        if not props:
            out.append("    pass\n" if not desc else "")
            continue
        for prop in sorted(props):
            t = py_type(props[prop], schemas)
            if prop not in required and not t.startswith("Optional["):
                t = f"Optional[{t}]"
            out.append(f"    {field_name(prop)}: {t}\n")
    out.append("\n\n__all__ = [\n" + "".join(f'    "{n}",\n' for n in names) + "]\n")
    return "".join(out)


def main() -> int:
    text = generate()
    if "--check" in sys.argv:
        if OUT.read_text(encoding="utf-8") != text:
            print("short_drama_sdk/models.py is out of date: run sdk/python/scripts/generate_models.py", file=sys.stderr)
            return 1
        print("models.py matches sdk/openapi.json")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
