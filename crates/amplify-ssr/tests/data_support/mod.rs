//! Shared fixtures of the data tests: the Appendix A outputs and a richer blog schema.

#![allow(dead_code, unreachable_pub)]

use serde_json::{Value, json};

/// The `model_introspection` of reference Appendix A.
pub fn appendix_a_introspection() -> Value {
    json!({ "version": 1, "models": { "Todo": { "name": "Todo", "pluralName": "Todos", "fields": {
        "id": {"name":"id","type":"ID","isArray":false,"isRequired":true},
        "content": {"name":"content","type":"String","isArray":false,"isRequired":false},
        "createdAt": {"name":"createdAt","type":"AWSDateTime","isArray":false,"isRequired":false,"isReadOnly":true} },
        "attributes": [{"type":"model","properties":{}}, {"type":"auth","properties":{"rules":[{"provider":"userPools",
            "ownerField":"owner","allow":"owner","identityClaim":"cognito:username",
            "operations":["create","update","delete","read"]}]}}],
        "primaryKeyInfo": {"isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": []} } },
        "enums": {}, "nonModels": {} })
}

/// A nullable, single-valued field of `ty` (`"String"`, `{"model": "Post"}`, …).
pub fn field(name: &str, ty: Value) -> Value {
    json!({"name": name, "type": ty, "isArray": false, "isRequired": false})
}

fn read_only(name: &str) -> Value {
    json!({"name": name, "type": "AWSDateTime", "isArray": false, "isRequired": false, "isReadOnly": true})
}

fn model(
    name: &str,
    plural: &str,
    fields: Vec<Value>,
    attributes: Vec<Value>,
    key: Value,
) -> Value {
    let mut map = serde_json::Map::new();
    for f in fields {
        map.insert(f["name"].as_str().unwrap().to_owned(), f);
    }
    json!({"name": name, "pluralName": plural, "fields": map, "attributes": attributes, "primaryKeyInfo": key})
}

fn id_key() -> Value {
    json!({"isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": []})
}

/// A blog schema: relationships, a custom type, an enum, owner and dynamic-group rules, a secondary index,
/// custom primary keys (composite and single sort keys) and a model with disabled operations.
pub fn blog_introspection() -> Value {
    let post = model(
        "Post",
        "Posts",
        vec![
            json!({"name":"id","type":"ID","isArray":false,"isRequired":true}),
            field("title", json!("String")),
            field("status", json!({"enum": "PostStatus"})),
            field("location", json!({"nonModel": "Location"})),
            field("authorId", json!("ID")),
            json!({"name":"author","type":{"model":"Author"},"isArray":false,"isRequired":false,
                "association":{"connectionType":"BELONGS_TO","targetNames":["authorId"]}}),
            json!({"name":"comments","type":{"model":"Comment"},"isArray":true,"isRequired":false,
                "isArrayNullable":true,"association":{"connectionType":"HAS_MANY","associatedWith":["postId"]}}),
            read_only("createdAt"),
            read_only("updatedAt"),
        ],
        vec![
            json!({"type":"model","properties":{}}),
            json!({"type":"key","properties":{"name":"byStatus","queryField":"listPostByStatusAndCreatedAt",
                "fields":["status","createdAt"]}}),
            json!({"type":"auth","properties":{"rules":[
                {"provider":"userPools","ownerField":"editor","allow":"owner","identityClaim":"cognito:username",
                 "operations":["create","update","delete","read"]},
                {"provider":"userPools","groupClaim":"cognito:groups","allow":"groups","groupsField":"editors",
                 "operations":["read"]},
                {"allow":"groups","groups":["Admins"],"operations":["read"]},
                {"allow":"public","provider":"apiKey","operations":["read"]}]}}),
        ],
        id_key(),
    );
    let author = model(
        "Author",
        "Authors",
        vec![
            json!({"name":"id","type":"ID","isArray":false,"isRequired":true}),
            field("name", json!("String")),
            json!({"name":"posts","type":{"model":"Post"},"isArray":true,"isRequired":false,
                "association":{"connectionType":"HAS_MANY","associatedWith":["authorId"]}}),
            read_only("createdAt"),
            read_only("updatedAt"),
        ],
        vec![json!({"type":"model","properties":{}})],
        id_key(),
    );
    let comment = model(
        "Comment",
        "Comments",
        vec![
            json!({"name":"id","type":"ID","isArray":false,"isRequired":true}),
            field("content", json!("String")),
            field("postId", json!("ID")),
            json!({"name":"post","type":{"model":"Post"},"isArray":false,"isRequired":false,
                "association":{"connectionType":"BELONGS_TO","targetNames":["postId"]}}),
            read_only("createdAt"),
            read_only("updatedAt"),
        ],
        vec![json!({"type":"model","properties":{}})],
        id_key(),
    );
    let order = model(
        "Order",
        "Orders",
        vec![
            json!({"name":"customerId","type":"ID","isArray":false,"isRequired":true}),
            json!({"name":"orderDate","type":"AWSDate","isArray":false,"isRequired":true}),
            json!({"name":"orderNumber","type":"Int","isArray":false,"isRequired":true}),
            field("total", json!("Float")),
            read_only("createdAt"),
            read_only("updatedAt"),
        ],
        vec![
            json!({"type":"model","properties":{}}),
            json!({"type":"key","properties":{"fields":["customerId","orderDate","orderNumber"]}}),
        ],
        json!({"isCustomPrimaryKey": true, "primaryKeyFieldName": "customerId",
            "sortKeyFieldNames": ["orderDate", "orderNumber"]}),
    );
    let reading = model(
        "Reading",
        "Readings",
        vec![
            json!({"name":"sensorId","type":"String","isArray":false,"isRequired":true}),
            json!({"name":"timestamp","type":"AWSTimestamp","isArray":false,"isRequired":true}),
            field("value", json!("Float")),
        ],
        vec![json!({"type":"model","properties":{}})],
        json!({"isCustomPrimaryKey": true, "primaryKeyFieldName": "sensorId", "sortKeyFieldNames": ["timestamp"]}),
    );
    let log = model(
        "AuditLog",
        "AuditLogs",
        vec![
            json!({"name":"id","type":"ID","isArray":false,"isRequired":true}),
            field("message", json!("String")),
        ],
        vec![
            json!({"type":"model","properties":{"queries":{"get":null,"list":"listAuditLogs"},
            "mutations":{"create":"createAuditLog","update":null,"delete":null}}}),
        ],
        id_key(),
    );
    let hidden = model(
        "Secret",
        "Secrets",
        vec![json!({"name":"id","type":"ID","isArray":false,"isRequired":true})],
        vec![json!({"type":"model","properties":{"queries":null}})],
        id_key(),
    );
    json!({
        "version": 1,
        "models": {"Post": post, "Author": author, "Comment": comment, "Order": order, "Reading": reading,
            "AuditLog": log, "Secret": hidden},
        "enums": {"PostStatus": {"name": "PostStatus", "values": ["DRAFT", "PUBLISHED"]}},
        "nonModels": {
            "Location": {"name": "Location", "fields": {
                "lat": {"name":"lat","type":"Float","isArray":false,"isRequired":false},
                "long": {"name":"long","type":"Float","isArray":false,"isRequired":false},
                "address": {"name":"address","type":{"nonModel":"Address"},"isArray":false,"isRequired":false}}},
            "Address": {"name": "Address", "fields": {
                "street": {"name":"street","type":"String","isArray":false,"isRequired":false},
                "city": {"name":"city","type":"String","isArray":false,"isRequired":false}}}
        }
    })
}

/// Outputs with a `data` section pointing at `url`, the given introspection and default auth type.
pub fn outputs(url: &str, introspection: Value, default_authorization_type: &str) -> Value {
    json!({
        "version": "1.4",
        "data": {
            "url": url,
            "aws_region": "us-east-1",
            "api_key": "da2-xxxx",
            "default_authorization_type": default_authorization_type,
            "authorization_types": ["API_KEY", "AWS_IAM"],
            "model_introspection": introspection
        }
    })
}

/// A runner for `outputs`.
pub fn runner(outputs: &Value) -> amplify_ssr::ServerRunner {
    let config = amplify_ssr::AmplifyConfig::from_value(outputs).expect("config");
    amplify_ssr::ServerRunner::builder(config)
        .ignore_env()
        .build()
        .expect("runner")
}

/// Whether AppSync refused the call (an `Unauthorized` error among `errors`).
pub fn unauthorized(errors: &[amplify_ssr::data::GraphqlError]) -> bool {
    errors
        .iter()
        .any(|e| e.error_type.as_deref() == Some("Unauthorized"))
}
