//! Generator tests. That the output compiles against `amplify_ssr::data` (and round-trips
//! through serde) is checked by `tests/tests/typed_models.rs` of the integration-test crate,
//! which generates from the same fixtures in its build script.

use serde_json::{Value, json};

use crate::{CodegenError, generate, generate_from_outputs, write_models};

fn fixture(name: &str) -> String {
    format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn reference() -> String {
    generate_from_outputs(fixture("amplify_outputs.json")).unwrap()
}

/// The text of the item that starts with `start` (up to its closing `}` at column 0).
fn item<'a>(code: &'a str, start: &str) -> &'a str {
    let at = code
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in:\n{code}"));
    let end = code[at..].find("\n}\n").expect("a closing brace") + at + 3;
    &code[at..end]
}

fn model(fields: Value, extra: Value) -> Value {
    let mut m = json!({
        "name": "Thing",
        "pluralName": "Things",
        "fields": fields,
        "attributes": [],
        "primaryKeyInfo": {"isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": []}
    });
    for (k, v) in extra.as_object().unwrap() {
        m[k] = v.clone();
    }
    json!({"version": 1, "models": {"Thing": m}, "enums": {}, "nonModels": {}})
}

fn id() -> Value {
    json!({"name": "id", "type": "ID", "isArray": false, "isRequired": true})
}

#[test]
fn the_reference_todo() {
    let code = reference();
    let todo = item(&code, "pub struct Todo {");
    for expected in [
        "    #[serde(rename = \"id\")]\n    pub id: ::std::string::String,",
        "    #[serde(rename = \"content\", default, skip_serializing_if = \"::core::option::Option::is_none\")]\n    pub content: ::core::option::Option<::std::string::String>,",
        "    #[serde(rename = \"createdAt\", default, skip_serializing_if = \"::core::option::Option::is_none\")]\n    pub created_at: ::core::option::Option<::std::string::String>,",
        // From the owner rule, as in the default selection set.
        "    #[serde(rename = \"owner\", default, skip_serializing_if = \"::core::option::Option::is_none\")]\n    pub owner: ::core::option::Option<::std::string::String>,",
    ] {
        assert!(todo.contains(expected), "{expected}\nnot in\n{todo}");
    }
    let create = item(&code, "pub struct CreateTodoInput {");
    assert!(
        create.contains("pub id: ::core::option::Option<::std::string::String>,"),
        "{create}"
    );
    assert!(
        !create.contains("created_at"),
        "read-only fields are left out: {create}"
    );
    assert!(!create.contains("owner"), "{create}");
    assert!(code.contains("#[derive(Debug, Clone, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)]\npub struct CreateTodoInput {"));
    let update = item(&code, "pub struct UpdateTodoInput {");
    assert!(
        update.contains("    pub id: ::std::string::String,"),
        "{update}"
    );
    assert!(update.contains("deserialize_with = \"__amplify_double_option\")]\n    pub content: ::core::option::Option<::core::option::Option<::std::string::String>>,"), "{update}");
    assert!(!update.contains("created_at"), "{update}");
    let client = item(&code, "impl TodoClient {");
    for op in ["create", "get", "update", "delete", "list", "list_all"] {
        assert!(
            client.contains(&format!("    pub async fn {op}(")),
            "{op} in {client}"
        );
    }
    assert!(!client.contains(".index_query("));
    assert!(code.contains("    fn todo(&self) -> TodoClient;"));
    assert!(code.contains("inner: ::amplify_ssr::data::DataClient::model(self, \"Todo\"),"));
}

#[test]
fn custom_keys_indexes_enums_and_custom_types() {
    let code = reference();
    let ticket = item(&code, "pub struct Ticket {");
    // Key fields first, then the others by name.
    let order: Vec<&str> = ticket
        .lines()
        .skip(1)
        .filter_map(|l| l.trim().strip_prefix("pub "))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert_eq!(
        order,
        [
            "project_id",
            "created_on",
            "seq",
            "archived",
            "assignee",
            "checklist",
            "created_at",
            "due_at",
            "estimate",
            "location",
            "metadata",
            "priority",
            "status",
            "tags",
            "title",
            "r#type",
            "updated_at",
            "editors"
        ]
    );
    for expected in [
        "pub seq: i64,",
        "pub estimate: ::core::option::Option<f64>,",
        "pub archived: ::core::option::Option<bool>,",
        "pub due_at: ::core::option::Option<i64>,",
        "pub metadata: ::core::option::Option<::serde_json::Value>,",
        "pub status: TicketStatus,",
        "pub tags: ::core::option::Option<::std::vec::Vec<::std::string::String>>,",
        "pub location: ::core::option::Option<Location>,",
        "pub checklist: ::std::vec::Vec<ChecklistItem>,",
        "pub created_at: ::std::string::String,",
        "#[serde(rename = \"type\", default, skip_serializing_if = \"::core::option::Option::is_none\")]\n    pub r#type: ::core::option::Option<::std::string::String>,",
        "pub editors: ::core::option::Option<::serde_json::Value>,",
    ] {
        assert!(ticket.contains(expected), "{expected}\nnot in\n{ticket}");
    }
    assert!(!ticket.contains("project:"), "relationships are left out");
    assert!(!item(&code, "pub struct Project {").contains("tickets"));

    let key = item(&code, "pub struct TicketKey {");
    assert_eq!(key.matches("    pub ").count(), 3, "{key}");
    let create = item(&code, "impl CreateTicketInput {");
    assert!(create.contains("        project_id: impl ::core::convert::Into<::std::string::String>,\n        created_on: impl ::core::convert::Into<::std::string::String>,\n        seq: i64,\n        checklist: ::std::vec::Vec<ChecklistItem>,\n        status: TicketStatus,\n        title: impl ::core::convert::Into<::std::string::String>,\n    ) -> Self {"), "{create}");

    let client = item(&code, "impl TicketClient {");
    assert!(
        client.contains(
            "        status: TicketStatus,\n        priority: ::core::option::Option<KeyCondition<i64>>,"
        ),
        "{client}"
    );
    assert!(
        client.contains(".index_query(ctx, \"listTicketsByStatus\","),
        "{client}"
    );
    assert!(client.contains("        assignee: impl ::core::convert::Into<::std::string::String>,\n        due_at_seq: ::core::option::Option<KeyCondition<TicketTicketsByAssigneeSortKey>>,"), "{client}");
    assert!(
        client.contains("args.insert(\"dueAtSeq\".to_owned()"),
        "{client}"
    );
    assert!(client.contains("        project_id: impl ::core::convert::Into<::std::string::String>,\n        created_on_seq: ::core::option::Option<KeyCondition<TicketPrimarySortKey>>,"), "{client}");
    assert!(
        client.contains("args.insert(\"createdOnSeq\".to_owned()"),
        "{client}"
    );

    let status = item(&code, "pub enum TicketStatus {");
    assert!(
        status.contains("    Open,\n    /// `IN_PROGRESS`\n    InProgress,"),
        "{status}"
    );
    assert!(status.contains("    Unknown(::std::string::String),"));
    assert!(code.contains("            \"IN_PROGRESS\" => Self::InProgress,"));
    let location = item(&code, "pub struct Location {");
    assert!(
        location.contains("pub lat: f64,")
            && location.contains("pub label: ::core::option::Option<::std::string::String>,")
    );
}

#[test]
fn disabled_operations_have_no_methods() {
    let code = reference();
    let project = item(&code, "impl ProjectClient {");
    assert!(!project.contains("pub async fn delete("), "{project}");
    assert!(project.contains("pub async fn create("));
    let code = generate(&model(
        json!({"id": id()}),
        json!({"attributes": [{"type": "model", "properties": {"queries": null, "mutations": {"update": null}}}]}),
    ))
    .unwrap();
    let client = item(&code, "impl ThingClient {");
    for (op, present) in [
        ("create", true),
        ("delete", true),
        ("update", false),
        ("get", false),
        ("list", false),
    ] {
        assert_eq!(
            client.contains(&format!("pub async fn {op}(")),
            present,
            "{op}: {client}"
        );
    }
}

#[test]
fn output_is_deterministic() {
    let text = std::fs::read_to_string(fixture("amplify_outputs.json")).unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    let first = generate(&value["data"]["model_introspection"]).unwrap();
    assert_eq!(first, reference());
    // Same document, members in reverse order.
    fn reverse(v: &mut Value) {
        match v {
            Value::Object(map) => {
                let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
                entries.reverse();
                for (k, mut v) in entries {
                    reverse(&mut v);
                    map.insert(k, v);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(reverse),
            _ => {}
        }
    }
    reverse(&mut value);
    assert_eq!(
        generate(&value["data"]["model_introspection"]).unwrap(),
        first
    );
}

#[test]
fn names_are_sanitised() {
    let code = generate_from_outputs(fixture("model_introspection_edge_cases.json")).unwrap();
    let ty = item(&code, "pub struct Type {");
    for expected in [
        "#[serde(rename = \"self\")]\n    pub self_: ::std::string::String,",
        "#[serde(rename = \"type\", default, skip_serializing_if = \"::core::option::Option::is_none\")]\n    pub r#type: ::core::option::Option<::std::string::String>,",
        "#[serde(rename = \"fooBar\", default, skip_serializing_if = \"::core::option::Option::is_none\")]\n    pub foo_bar: ::core::option::Option<i64>,",
        "#[serde(rename = \"foo_bar\", default, skip_serializing_if = \"::core::option::Option::is_none\")]\n    pub foo_bar_2: ::core::option::Option<i64>,",
        "#[serde(rename = \"2fa\", default, skip_serializing_if = \"::core::option::Option::is_none\")]\n    pub _2fa: ::core::option::Option<bool>,",
        "pub _version: ::core::option::Option<i64>,",
        "pub kind: ::core::option::Option<OddKind>,",
        "pub blob: ::core::option::Option<::serde_json::Value>,",
        "pub matrix: ::core::option::Option<::std::vec::Vec<::core::option::Option<f64>>>,",
    ] {
        assert!(ty.contains(expected), "{expected}\nnot in\n{ty}");
    }
    let node = item(&code, "pub struct Node {");
    assert!(
        node.contains("pub left: ::core::option::Option<::std::boxed::Box<Node>>,"),
        "{node}"
    );
    assert!(
        node.contains("pub children: ::core::option::Option<::std::vec::Vec<Node>>,"),
        "{node}"
    );
    let kind = item(&code, "pub enum OddKind {");
    for variant in [
        "Unknown,",
        "AB,",
        "Self_,",
        "Lower,",
        "Lower2,",
        "Unknown2(::std::string::String),",
    ] {
        assert!(
            kind.contains(&format!("    {variant}\n")),
            "{variant} in {kind}"
        );
    }
    assert!(code.contains("    fn r#type(&self) -> TypeClient;"));
    assert!(
        code.contains("    fn model_2(&self) -> ModelClient;"),
        "DataClient::model stays reachable"
    );
    assert!(
        code.contains("    pub async fn list_2("),
        "an index named `list` does not replace list"
    );
}

#[test]
fn errors() {
    let err = generate(&json!({"models": {"Todo": {"name": "Todo", "fields": {}}}})).unwrap_err();
    assert!(
        matches!(&err, CodegenError::Invalid(m) if m.contains("/models/Todo/primaryKeyInfo")),
        "{err}"
    );
    let err = generate(&model(
        json!({"other": {"name": "other", "type": "ID", "isArray": false, "isRequired": true}}),
        json!({}),
    ))
    .unwrap_err();
    assert!(
        matches!(&err, CodegenError::Invalid(m) if m.contains("`id` is not a field")),
        "{err}"
    );
    let err = generate(&model(
        json!({"id": id(), "kind": {"name": "kind", "type": {"enum": "Missing"}, "isArray": false, "isRequired": false}}),
        json!({}),
    ))
    .unwrap_err();
    assert!(
        matches!(&err, CodegenError::Invalid(m) if m.contains("undefined type")),
        "{err}"
    );
    let mut clash = model(json!({"id": id()}), json!({}));
    clash["models"]["ThingKey"] = clash["models"]["Thing"].clone();
    clash["models"]["ThingKey"]["name"] = json!("ThingKey");
    let err = generate(&clash).unwrap_err();
    assert!(
        matches!(&err, CodegenError::NameCollision(m) if m.contains("`ThingKey`")),
        "{err}"
    );
    for support in ["TypedModels", "TypedResult", "KeyCondition"] {
        let mut taken = model(json!({"id": id()}), json!({}));
        taken["models"][support] = taken["models"]["Thing"].clone();
        taken["models"][support]["name"] = json!(support);
        let err = generate(&taken).unwrap_err();
        assert!(
            matches!(&err, CodegenError::NameCollision(m)
                if m.contains(&format!("`{support}`")) && m.contains("support item")),
            "{support}: {err}"
        );
    }
    let err = generate_from_outputs(fixture("missing.json")).unwrap_err();
    assert!(matches!(err, CodegenError::Io { .. }), "{err}");
}

#[test]
fn empty_and_model_less_documents() {
    let code = generate(&json!({"version": 1, "models": {}, "enums": {"E": {"name": "E", "values": ["A"]}}, "nonModels": {}})).unwrap();
    assert!(code.contains("pub enum E {"));
    assert!(
        !code.contains("TypedModels"),
        "no client support without models"
    );
}

#[test]
fn write_models_writes_and_reads_outputs_or_bare_introspection() {
    let dir = std::env::temp_dir().join(format!("amplify-ssr-codegen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let outputs = dir.join("amplify_outputs.json");
    std::fs::write(&outputs, json!({"version": "1.4", "auth": {}}).to_string()).unwrap();
    let err = write_models(&outputs, dir.join("models.rs")).unwrap_err();
    assert!(matches!(err, CodegenError::NoIntrospection(_)), "{err}");

    let bare = dir.join("introspection.json");
    std::fs::write(&bare, model(json!({"id": id()}), json!({})).to_string()).unwrap();
    let out = dir.join("nested/models.rs");
    assert_eq!(write_models(&bare, &out).unwrap(), out);
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("pub struct Thing {"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The public methods of every `impl DataClient` block in amplify-ssr's source (rustfmt-formatted,
/// so methods are the `fn` items indented by four spaces). Private ones do not matter: method
/// resolution skips inherent methods the caller cannot see.
fn data_client_methods() -> Vec<String> {
    fn visit(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                let mut inside = false;
                for line in source.lines() {
                    if line.starts_with("impl DataClient {") {
                        inside = true;
                    } else if line == "}" {
                        inside = false;
                    } else if inside && let Some(rest) = line.strip_prefix("    pub ") {
                        let rest = rest.trim_start_matches("async ");
                        if let Some(name) = rest.strip_prefix("fn ") {
                            out.push(name.split(['(', '<']).next().unwrap().to_owned());
                        }
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    let src = format!("{}/../amplify-ssr/src", env!("CARGO_MANIFEST_DIR"));
    visit(std::path::Path::new(&src), &mut out);
    out
}

#[test]
fn accessors_never_take_a_data_client_method_name() {
    let methods = data_client_methods();
    for expected in ["new", "model", "graphql", "with_auth_mode"] {
        assert!(
            methods.iter().any(|m| m == expected),
            "{expected} in {methods:?}"
        );
    }
    for method in &methods {
        assert!(
            crate::emit::DATA_CLIENT_METHODS.contains(&method.as_str()),
            "`DataClient::{method}` is missing from DATA_CLIENT_METHODS: a model named after it would get an accessor that can never be called"
        );
    }
}

#[test]
fn placeholder_outputs_generate_models_keyed_by_id_without_primary_key_info() {
    // The rest of the file is unusable (placeholder user pool, `data` without `url`, `oauth`
    // without `domain`): generation reads `data.model_introspection` only.
    let code = generate_from_outputs(fixture("amplify_outputs_placeholder_hygiene.json")).unwrap();
    let key = item(&code, "pub struct ClientKey {");
    assert!(
        key.contains("#[serde(rename = \"id\")]\n    pub id: ::std::string::String,"),
        "{key}"
    );
    let create = item(&code, "pub struct CreateClientInput {");
    assert!(
        create.contains("pub id: ::core::option::Option<::std::string::String>,"),
        "{create}"
    );
    assert!(
        code.contains("    fn into_2(&self) -> IntoClient;"),
        "`into` is Into::into"
    );
}

#[test]
fn custom_operations_get_argument_structs_and_typed_methods() {
    let arg = |name: &str, ty: Value, required: bool| json!({"name": name, "type": ty, "isArray": false, "isRequired": required});
    let mut document = model(json!({"id": id()}), json!({}));
    document["nonModels"]["Summary"] = json!({"name": "Summary", "fields": {
        "open": {"name": "open", "type": "Int", "isArray": false, "isRequired": true}
    }});
    document["queries"] = json!({
        "summary": {"name": "summary", "type": {"nonModel": "Summary"}, "isArray": false, "isRequired": false,
            "arguments": {"ownerName": arg("ownerName", json!("String"), true), "limit": arg("limit", json!("Int"), false)}},
        "things": {"name": "things", "type": {"model": "Thing"}, "isArray": true, "isRequired": true},
    });
    document["mutations"] = json!({
        "summary": {"name": "summary", "type": "Boolean", "isArray": false, "isRequired": false},
    });
    let code = generate(&document).unwrap();
    let args = item(&code, "pub struct SummaryQueryArgs {");
    assert!(
        args.contains("    pub owner_name: ::std::string::String,"),
        "{args}"
    );
    assert!(
        args.contains("    pub limit: ::core::option::Option<i64>,"),
        "{args}"
    );
    let ops = item(&code, "pub struct CustomOperations {");
    assert!(
        ops.contains("inner: ::amplify_ssr::data::DataClient"),
        "{ops}"
    );
    assert!(code.contains("        args: &SummaryQueryArgs,"), "{code}");
    assert!(code.contains("TypedResult<Summary>"), "{code}");
    assert!(
        code.contains("TypedResult<::std::vec::Vec<Thing>>"),
        "{code}"
    );
    // A mutation named like a query gets the next free method name, and takes no arguments struct.
    assert!(code.contains("    pub async fn summary_2("), "{code}");
    assert!(code.contains("self.inner.mutation(\"summary\")"), "{code}");
    assert!(!code.contains("SummaryMutationArgs"), "{code}");

    // Without models, the operations still get their support items.
    let mut model_less = document.clone();
    model_less["models"] = json!({});
    model_less["queries"]
        .as_object_mut()
        .unwrap()
        .remove("things");
    let code = generate(&model_less).unwrap();
    assert!(code.contains("pub struct CustomOperations {"), "{code}");
    assert!(code.contains("pub enum TypedDataError {"), "{code}");
    assert!(!code.contains("TypedModels"), "{code}");
}

#[test]
fn relationship_fields_get_typed_loaders() {
    let code = reference();
    let project = item(&code, "impl ProjectClient {");
    assert!(
        project.contains("    pub async fn load_tickets("),
        "{project}"
    );
    assert!(project.contains("        item: &Project,"), "{project}");
    assert!(
        project.contains("TypedListResult<Ticket>, TypedDataError>"),
        "{project}"
    );
    assert!(
        project.contains(".load_many(ctx, &item, \"tickets\", options)"),
        "{project}"
    );
    let ticket = item(&code, "impl TicketClient {");
    assert!(
        ticket.contains("    pub async fn load_project("),
        "{ticket}"
    );
    assert!(
        ticket.contains("TypedResult<Project>, TypedDataError>"),
        "{ticket}"
    );
    assert!(
        ticket.contains(".load_one(ctx, &item, \"project\", options)"),
        "{ticket}"
    );
}
