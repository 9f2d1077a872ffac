use serde_json::{Value, json};

use crate::{FieldType, Introspection, OperationKind, PrimaryKey};

fn id() -> Value {
    json!({"name": "id", "type": "ID", "isArray": false, "isRequired": true})
}

fn parse_err(document: Value) -> String {
    Introspection::parse(&document).unwrap_err().to_string()
}

#[test]
fn a_model_without_primary_key_info_is_keyed_by_id() {
    let schema = Introspection::parse(&json!({
        "models": {"Note": {"name": "Note", "fields": {"id": id()}}}
    }))
    .unwrap();
    let note = schema.model("Note").unwrap();
    assert_eq!(note.primary_key, PrimaryKey::default());
    assert_eq!(note.primary_key.field, "id");
    assert!(!note.primary_key.is_custom && note.primary_key.sort_keys.is_empty());
    assert_eq!(note.plural_name, "Notes");
    // `null` reads as absent.
    let schema = Introspection::parse(&json!({
        "models": {"Note": {"name": "Note", "fields": {"id": id()}, "primaryKeyInfo": null}}
    }))
    .unwrap();
    assert_eq!(schema.models[0].key_fields(), ["id"]);
}

#[test]
fn a_model_without_primary_key_info_still_needs_an_id_field() {
    let message = parse_err(json!({"models": {"Note": {"fields": {}}}}));
    assert_eq!(
        message,
        "/models/Note/primaryKeyInfo: key field `id` is not a field of model `Note`"
    );
}

#[test]
fn wrong_shapes_are_errors_with_their_location() {
    for (document, expected) in [
        (json!([]), "model_introspection: expected an object"),
        (json!({"models": []}), "/models: expected an object"),
        (json!({"models": {"A": {}}}), "/models/A/fields: missing"),
        (
            json!({"models": {"A": {"fields": {"id": id()}, "primaryKeyInfo": "id"}}}),
            "/models/A/primaryKeyInfo: expected an object",
        ),
        (
            json!({"models": {"A": {"fields": {"id": id()}, "primaryKeyInfo": {}}}}),
            "/models/A/primaryKeyInfo/primaryKeyFieldName: expected a string",
        ),
        (
            json!({"models": {"A": {"fields": {"id": id()}, "primaryKeyInfo": {"primaryKeyFieldName": "id", "sortKeyFieldNames": [1]}}}}),
            "/models/A/primaryKeyInfo/sortKeyFieldNames: expected an array of strings",
        ),
        (
            json!({"models": {"A": {"fields": {"id": id()}, "attributes": {}}}}),
            "/models/A/attributes: expected an array",
        ),
        (
            json!({"models": {"A": {"fields": {"id": id()}, "attributes": [{"type": "key", "properties": {"queryField": "q", "fields": "id"}}]}}}),
            "/models/A/attributes/0/properties/fields: expected an array of strings",
        ),
        (
            json!({"enums": {"E": {"values": "A"}}}),
            "/enums/E/values: expected an array of strings",
        ),
    ] {
        assert_eq!(parse_err(document), expected);
    }
}

#[test]
fn rules_indexes_and_disabled_operations() {
    let schema = Introspection::parse(&json!({
        "models": {"Post": {
            "name": "Post",
            "fields": {"id": id(), "status": {"name": "status", "type": {"enum": "Status"}}, "odd": {"name": "odd", "type": {"what": 1}}},
            "attributes": [
                {"type": "model", "properties": {"queries": {"get": null}, "mutations": null}},
                {"type": "key", "properties": {"fields": ["id"]}},
                {"type": "key", "properties": {"name": "byStatus", "queryField": "postsByStatus", "fields": ["status", "id"]}},
                {"type": "key", "properties": {"queryField": "noFields", "fields": []}},
                {"type": "auth", "properties": {"rules": [
                    {"allow": "owner"},
                    {"allow": "groups", "groupsField": "editors"},
                    {"allow": "groups", "groups": ["Admin"]},
                    {"allow": "public"}
                ]}}
            ]
        }},
        "enums": {"Status": {"values": ["OPEN"]}}
    }))
    .unwrap();
    let post = &schema.models[0];
    assert_eq!(post.indexes.len(), 1);
    let index = post.index("postsByStatus").unwrap();
    assert_eq!(
        (index.name_or_query_field(), index.pk.as_str()),
        ("byStatus", "status")
    );
    assert_eq!(index.sk, ["id"]);
    assert_eq!(post.owner_fields, ["owner", "editors"]);
    assert_eq!(post.auth_rules.len(), 4);
    assert_eq!(post.auth_rules[0].identity_claim, "sub::username");
    assert_eq!(post.auth_rules[3].provider, "apiKey");
    assert_eq!(post.auth_rules[2].groups, ["Admin"]);
    let d = post.disabled;
    assert!(d.get && !d.list && d.create && d.update && d.delete);
    assert!(matches!(
        post.field("odd").unwrap().field_type,
        FieldType::Other(_)
    ));
    assert_eq!(
        schema.check_types().unwrap_err().to_string(),
        "/models/Post/fields/odd/type: expected a scalar name or an object with `model`, `nonModel` or `enum`"
    );
}

#[test]
fn check_types_finds_undefined_references() {
    let schema = Introspection::parse(&json!({
        "models": {"A": {"fields": {"id": id(), "loc": {"name": "loc", "type": {"nonModel": "Loc"}}}}},
        "nonModels": {},
    }))
    .unwrap();
    assert_eq!(
        schema.check_types().unwrap_err().to_string(),
        "/models/A/fields/loc/type: refers to an undefined type NonModel(\"Loc\")"
    );
}

#[test]
fn custom_operations_are_read_with_their_arguments_and_rules() {
    let schema = Introspection::parse(&json!({
        "models": {},
        "nonModels": {"Summary": {"name": "Summary", "fields": {"open": {"name": "open", "type": "Int"}}}},
        "queries": {"summary": {
            "name": "summary", "isArray": false, "isRequired": false, "type": {"nonModel": "Summary"},
            "arguments": {"prefix": {"name": "prefix", "type": "String", "isArray": false, "isRequired": true}},
            "authorization": [{"allow": "private"}, {"allow": "public", "provider": "apiKey"}],
        }},
        "mutations": {"bump": {"name": "bump", "type": "Int", "isArray": true, "isRequired": true}},
    }))
    .unwrap();
    schema.check_types().unwrap();
    let summary = schema
        .custom_operation(OperationKind::Query, "summary")
        .unwrap();
    assert_eq!(
        summary.returns.field_type,
        FieldType::NonModel("Summary".into())
    );
    assert!(summary.argument("prefix").unwrap().is_required);
    assert_eq!(summary.auth_rules.len(), 2);
    assert_eq!(summary.auth_rules[0].provider, "userPools");
    let bump = schema
        .custom_operation(OperationKind::Mutation, "bump")
        .unwrap();
    assert!(bump.returns.is_array && bump.arguments.is_empty() && bump.auth_rules.is_empty());
    assert!(
        schema
            .custom_operation(OperationKind::Query, "bump")
            .is_none()
    );

    let undefined = Introspection::parse(&json!({
        "models": {},
        "queries": {"q": {"name": "q", "type": "Int", "arguments": {"a": {"name": "a", "type": {"enum": "E"}}}}},
    }))
    .unwrap();
    assert_eq!(
        undefined.check_types().unwrap_err().to_string(),
        "/queries/q/arguments/a/type: refers to an undefined type Enum(\"E\")"
    );
}

#[test]
fn field_level_rules_are_read() {
    let schema = Introspection::parse(&json!({
        "models": {"A": {"fields": {
            "id": id(),
            "secret": {"name": "secret", "type": "String", "attributes": [
                {"type": "auth", "properties": {"rules": [{"allow": "owner", "operations": ["read"]}]}}
            ]},
        }}},
    }))
    .unwrap();
    let model = schema.model("A").unwrap();
    assert!(model.field("id").unwrap().auth_rules.is_empty());
    let rules = &model.field("secret").unwrap().auth_rules;
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].allow, "owner");
    assert_eq!(
        rules[0].operations.as_deref(),
        Some(&["read".to_owned()][..])
    );
}
