"""A readable reference of the exchange API, rendered from the generated OpenAPI document (assets local, no
script): each operation with its scope, parameters, request body and responses."""
import re

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_docs", __name__)


def _resolve(spec: dict, schema: dict | None) -> dict | None:
    if schema and "$ref" in schema:
        return spec["components"]["schemas"].get(schema["$ref"].rsplit("/", 1)[-1])
    return schema


def _fields(spec: dict, schema: dict | None, depth: int = 0) -> list[dict]:
    schema = _resolve(spec, schema)
    if not schema:
        return []
    if schema.get("type") == "array":
        return _fields(spec, schema.get("items"), depth)
    out = []
    required = set(schema.get("required", []))
    for name, prop in (schema.get("properties") or {}).items():
        target = _resolve(spec, prop.get("items") if prop.get("type") == "array" else prop) or {}
        kind = prop.get("type") or target.get("type") or "object"
        if prop.get("type") == "array":
            kind = f"array of {target.get('type', 'object')}"
        out.append({"name": name, "type": kind, "format": prop.get("format", ""), "required": name in required,
                    "description": prop.get("description", target.get("description", "")), "depth": depth,
                    "enum": prop.get("enum")})
        if depth < 2 and target.get("properties"):
            out.extend(_fields(spec, target, depth + 1))
    return out


def operations(spec: dict, scopes: dict) -> list[dict]:
    out = []
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json", {}).get("schema")
            responses = []
            for status, r in (op.get("responses") or {}).items():
                schema = ((r.get("content") or {}).get("application/json") or {}).get("schema")
                responses.append({"status": status, "description": r.get("description", ""), "fields": _fields(spec, schema)})
            out.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""), "tag": (op.get("tags") or [""])[0],
                        "scope": scopes.get((method.upper(), path)), "parameters": op.get("parameters", []),
                        "body": _fields(spec, body), "responses": responses})
    return out


def scopes_by_path() -> dict:
    """(METHOD, OpenAPI path) → the scope its view requires."""
    out = {}
    for rule in current_app.url_map.iter_rules():
        scope = getattr(current_app.view_functions.get(rule.endpoint), "_api_scope", None)
        if scope:
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                out[(method, path)] = scope
    return out


@bp.route("/api/v1/docs")
def reference():
    spec = current_app.extensions["xinlian_api"].spec.to_dict()
    return render_template("api/docs.html", spec=spec, ops=operations(spec, scopes_by_path()))
