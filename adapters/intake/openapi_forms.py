"""OpenAPI request bodies of the form posts, generated from each definition's fields.

The routes parse their bodies themselves (to keep values and show errors in place), so FastAPI
cannot infer these; they document the API and give schemathesis something to fuzz.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from adapters.intake.context import IntakeSite
from adapters.intake.form_fields import PublicForm
from adapters.intake.security import CSRF_FIELD, HONEYPOT_FIELD
from adapters.intake.status_lookup import CONTACT_FIELD, REFERENCE_FIELD
from process_definitions import model as m


def _field_schema(f: m.FieldDefinition) -> dict[str, Any]:
    if isinstance(f, m.TextField | m.TextareaField):
        return {"type": "string", "maxLength": f.max_length}
    if isinstance(f, m.PhoneField):
        return {"type": "string", "maxLength": 32}
    if isinstance(f, m.EmailField):
        return {"type": "string", "maxLength": 254}
    if isinstance(f, m.ChoiceField):
        one = {"type": "string", "enum": [o.value for o in f.options]}
        return {"type": "array", "items": one} if f.multiple else one
    if isinstance(f, m.DeclarationField):
        return {"type": "string", "enum": ["ya"]}
    if isinstance(f, m.FileField):
        return {"type": "string", "format": "binary"}
    if isinstance(f, m.DateField):
        return {"type": "string", "maxLength": 10}
    raise AssertionError(f"no schema for {f.type}")


def submit_body(form: PublicForm) -> dict[str, Any]:
    properties = {f.id: _field_schema(f) for f in form.inputs}
    properties[CSRF_FIELD] = {"type": "string"}
    properties[HONEYPOT_FIELD] = {"type": "string", "maxLength": 0}
    required = [f.id for f in form.inputs if f.required] + [CSRF_FIELD]
    schema = {"type": "object", "properties": properties, "required": required}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def status_body() -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": {
            REFERENCE_FIELD: {"type": "string", "maxLength": 32},
            CONTACT_FIELD: {"type": "string", "maxLength": 254},
        },
        "required": [REFERENCE_FIELD, CONTACT_FIELD],
    }
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}


def install_openapi(app: FastAPI, site: IntakeSite) -> None:
    """Replace `app.openapi` with one that adds the generated request bodies of every
    service's form (`/<id>/kirim`) and status posts."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        paths = schema.get("paths", {})
        for service in site.services.values():
            submit = paths.get(f"{service.base_path}/kirim", {})
            if "post" in submit:
                submit["post"]["requestBody"] = submit_body(service.form)
        for path in ["/status", *(f"{s.base_path}/status" for s in site.services.values())]:
            if "post" in paths.get(path, {}):
                paths[path]["post"]["requestBody"] = status_body()
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
