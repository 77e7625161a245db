//! The error answers of the JSON API, written into the OpenAPI document so that it
//! describes what a client really receives. Every error is `kernel::AppError`'s body,
//! `{"error": {"code", "message", "fields"}}`; and the shell gives some of them on every
//! operation, whatever its handler says: a malformed path, query or body is a 400, a
//! bearer token that does not work a 401 (even where none is needed), a well-formed
//! value that breaks a rule a 422, an unknown or unseen id a 404, an oversized body a 413.

use serde_json::{Map, Value, json};

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// The schema of every error body, as `kernel::error` renders it.
fn error_schema() -> Value {
    json!({
        "type": "object",
        "description": "An error: what went wrong, for programs (`code`) and for people (`message`).",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string", "description": "e.g. `validation_failed`, `not_found`, `rate_limited`" },
                    "message": { "type": "string" },
                    "fields": {
                        "type": "object",
                        "description": "For `validation_failed`: what is wrong with each field, by name.",
                        "additionalProperties": { "type": "string" }
                    },
                    "reasons": {
                        "type": "array",
                        "items": { "type": "string" },
                        "description": "For `not_eligible`: each requirement not met, in words (\"needs 1,000 followers on Instagram\")."
                    }
                }
            }
        }
    })
}

/// Adds the shared error schema and, to each operation, the errors the shell gives and
/// the error body to every error answer that names none.
pub fn complete(doc: &mut Value) {
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        schemas.insert("Error".into(), error_schema());
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, operation) in item.iter_mut() {
            if METHODS.contains(&method.as_str())
                && let Some(operation) = operation.as_object_mut()
            {
                complete_operation(operation);
            }
        }
    }
}

fn complete_operation(operation: &mut Map<String, Value>) {
    let takes = |place: &str| {
        operation
            .get("parameters")
            .and_then(Value::as_array)
            .is_some_and(|ps| ps.iter().any(|p| p.get("in").and_then(Value::as_str) == Some(place)))
    };
    let (path, query, body) = (takes("path"), takes("query"), operation.contains_key("requestBody"));
    let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { return };
    let mut add = |status: &str, description: &str| {
        responses.entry(status.to_string()).or_insert_with(|| json!({ "description": description }));
    };
    if path || query || body {
        add("400", "Malformed input: a path, query or body value of the wrong type or shape");
        add("422", "A value broke a rule; `fields` says which and why");
    }
    add("401", "The bearer token sent does not work (none is needed where the operation has no security)");
    if path {
        add("404", "Not found, or not visible to the caller");
    }
    if body {
        add("413", "The request body is too large");
    }
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        let Some(response) = response.as_object_mut().filter(|_| is_error) else { continue };
        if response.get("description").and_then(Value::as_str).is_none_or(str::is_empty) {
            response.insert("description".into(), json!(reason(status)));
        }
        response
            .entry("content")
            .or_insert_with(|| json!({ "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }));
    }
}

/// A description for an error answer its handler left undescribed.
fn reason(status: &str) -> &'static str {
    match status {
        "400" => "Malformed input",
        "401" => "Not signed in, or the token does not work",
        "403" => "Not allowed",
        "404" => "Not found, or not visible to the caller",
        "409" => "In conflict with the current state",
        "413" => "The request body is too large",
        "422" => "A value broke a rule; `fields` says which and why",
        "429" => "Too many requests; `Retry-After` says when to try again",
        _ => "An error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_get_the_error_body_and_the_shells_answers() {
        let mut doc = json!({
            "components": { "schemas": {} },
            "paths": { "/x/{id}": { "post": {
                "parameters": [{ "name": "id", "in": "path" }],
                "requestBody": {},
                "responses": { "201": { "description": "made" }, "409": {} }
            }}}
        });
        complete(&mut doc);
        let responses = &doc["paths"]["/x/{id}"]["post"]["responses"];
        for status in ["400", "401", "404", "409", "413", "422"] {
            assert_eq!(
                responses[status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/Error"
            );
            assert!(!responses[status]["description"].as_str().unwrap().is_empty());
        }
        assert!(responses["201"].get("content").is_none());
        assert_eq!(doc["components"]["schemas"]["Error"]["required"][0], "error");
    }
}
