"""OpenAPI post-processing: every operation documents the one error shape and its statuses,
and every response shape is closed."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable"},
                "message": {"type": "string", "description": "For people"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}
STATUS_TEXT = {
    "400": "Bad input: see error.fields",
    "401": "Missing or invalid token",
    "403": "Not allowed for this token",
    "404": "Not found, or not yours",
    "405": "Method not allowed",
    "409": "Refused by the dispute's status, or a concurrent change",
    "413": "Request body too large",
    "415": "Unsupported media type",
    "429": "Too many requests for this token",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            codes = ["401", "403", "404", "405", "429"]
            if method in {"post", "put", "patch"}:
                codes += ["400", "409", "413", "415"]
            elif "{" in path or operation.get("parameters"):
                codes.append("400")
            for code in codes:
                entry = responses.setdefault(code, {"description": STATUS_TEXT[code]})
                entry["content"] = {"application/json": {"schema": ref}}
    return result


def close_response_shapes(result, generator, request, public):
    """Every object a response carries has exactly its documented fields: a field that leaks
    into a shape (a seller's, say) fails schema conformance, and where an answer is one of two
    shapes (staff's or a seller's), the response matches exactly one of them. Request bodies
    (COMPONENT_SPLIT_REQUEST names them `…Request`) are left as they are."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") or "properties" not in schema:
            continue
        schema.setdefault("additionalProperties", False)
    return result
