//! The GraphQL schema, generated at run time (async-graphql's dynamic
//! schema) from the catalog, with the names and input shapes Amplify's
//! code generator and model client use.

use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ResolverContext, Scalar,
    Schema, TypeRef,
};
use async_graphql::{Error, ErrorExtensions as _, Value as GqlValue};
use serde_json::Value;

use super::auth::Caller;
use super::budget::Budget;
use super::fields;
use super::model::{AWS_SCALARS, Association, Catalog, FieldDef, FieldType, ModelDef};
use super::ops::{Backend, Call, Item, ListQuery, OpError, Site};
use super::plain_items::{self, PlainItems};
use crate::LocalError;

/// The deepest selection a query may have.
const MAX_QUERY_DEPTH: usize = 16;
/// The largest complexity (roughly, fields selected) a query may have.
const MAX_QUERY_COMPLEXITY: usize = 2_000;

/// An AppSync-shaped field error (`errorType` moved to the top level of
/// the error when the response is written).
pub(crate) fn gql_error(error: OpError) -> Error {
    let error_type = error.error_type;
    Error::new(error.message).extend_with(move |_, ext| ext.set("errorType", error_type.clone()))
}

/// What a resolver takes from its request: the backend, the verified
/// caller and the request's budget.
struct RequestData {
    backend: Arc<Backend>,
    caller: Caller,
    budget: Arc<Budget>,
}

impl RequestData {
    fn of(ctx: &ResolverContext<'_>) -> async_graphql::Result<Self> {
        Ok(Self {
            backend: Arc::clone(ctx.data::<Arc<Backend>>()?),
            caller: ctx.data::<Caller>()?.clone(),
            budget: Arc::clone(ctx.data::<Arc<Budget>>()?),
        })
    }

    /// Runs a data operation on `model` for the field `field` of `parent`,
    /// off the async workers and a few at a time (they share one database
    /// connection), unless the request is already out of budget.
    async fn run<T, F>(
        self,
        model: String,
        (field, parent): (String, String),
        operation: F,
    ) -> async_graphql::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Backend, &ModelDef, Call<'_>) -> Result<T, OpError> + Send + 'static,
    {
        self.budget.charge(0).map_err(gql_error)?;
        let backend = Arc::clone(&self.backend);
        let _turn = backend
            .workers
            .acquire()
            .await
            .map_err(|_| gql_error(OpError::timed_out()))?;
        tokio::task::spawn_blocking(move || {
            let call = Call {
                caller: &self.caller,
                site: Site {
                    field: &field,
                    parent: &parent,
                },
                budget: &self.budget,
            };
            operation(&self.backend, self.backend.model(&model)?, call)
        })
        .await
        .map_err(|e| {
            gql_error(OpError {
                error_type: "InternalFailure".to_owned(),
                message: e.to_string(),
            })
        })?
        .map_err(gql_error)
    }
}

/// Runs a data operation for a field ([`RequestData::run`]); its error is
/// recorded on the field, which resolves to null ([`soft`]).
async fn resolve<T, F>(
    ctx: &ResolverContext<'_>,
    model: String,
    site: (String, String),
    operation: F,
) -> async_graphql::Result<Option<T>>
where
    T: Send + 'static,
    F: FnOnce(&Backend, &ModelDef, Call<'_>) -> Result<T, OpError> + Send + 'static,
{
    let result = RequestData::of(ctx)?.run(model, site, operation).await;
    Ok(soft(ctx, result))
}

/// Records a field's error (with its path, as AppSync reports it) and
/// lets the field resolve to null, keeping the rest of the data.
pub(super) fn soft<T>(ctx: &ResolverContext<'_>, result: async_graphql::Result<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            ctx.add_error(ctx.set_error_path(error.into_server_error(ctx.item.pos)));
            None
        }
    }
}

fn arg(ctx: &ResolverContext<'_>, name: &str) -> Option<Value> {
    ctx.args
        .get(name)
        .and_then(|v| v.as_value().clone().into_json().ok())
        .filter(|v| !v.is_null())
}

fn arg_object(ctx: &ResolverContext<'_>, name: &str) -> Option<Item> {
    match arg(ctx, name) {
        Some(Value::Object(o)) => Some(o),
        _ => None,
    }
}

/// The filter input of a scalar type.
fn filter_input(scalar: &str) -> &'static str {
    match scalar {
        "ID" => "ModelIDInput",
        "Int" | "AWSTimestamp" => "ModelIntInput",
        "Float" => "ModelFloatInput",
        "Boolean" => "ModelBooleanInput",
        _ => "ModelStringInput",
    }
}

/// The key-condition input of a sort key's scalar type.
fn key_condition_input(scalar: &str) -> &'static str {
    match scalar {
        "ID" => "ModelIDKeyConditionInput",
        "Int" | "AWSTimestamp" => "ModelIntKeyConditionInput",
        "Float" => "ModelFloatKeyConditionInput",
        _ => "ModelStringKeyConditionInput",
    }
}

pub(super) fn wrap(base: String, is_array: bool, required: bool) -> TypeRef {
    match (is_array, required) {
        (true, true) => TypeRef::named_list_nn(base),
        (true, false) => TypeRef::named_list(base),
        (false, true) => TypeRef::named_nn(base),
        (false, false) => TypeRef::named(base),
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The argument naming sort keys: `sk`, or `sk1Sk2…` for composite keys.
fn composite_argument(sort_keys: &[String]) -> String {
    sort_keys
        .iter()
        .enumerate()
        .map(|(i, k)| if i == 0 { k.clone() } else { capitalize(k) })
        .collect()
}

pub(super) fn output_base(ty: &FieldType) -> String {
    match ty {
        FieldType::Scalar(s)
        | FieldType::Enum(s)
        | FieldType::NonModel(s)
        | FieldType::Model(s) => s.clone(),
    }
}

pub(super) fn input_base(ty: &FieldType) -> String {
    match ty {
        FieldType::Scalar(s) | FieldType::Enum(s) => s.clone(),
        FieldType::NonModel(n) => format!("{n}Input"),
        FieldType::Model(m) => m.clone(),
    }
}

/// The shared scalar, enum and input types.
fn shared_types() -> (Vec<Scalar>, Vec<Enum>, Vec<InputObject>) {
    let scalars = AWS_SCALARS
        .iter()
        .map(|name| {
            let name = *name;
            Scalar::new(name).validator(move |value| valid_scalar(name, value))
        })
        .collect();
    let enums = vec![
        Enum::new("ModelSortDirection").items(["ASC", "DESC"]),
        Enum::new("ModelAttributeTypes").items([
            "binary",
            "binarySet",
            "bool",
            "list",
            "map",
            "number",
            "numberSet",
            "string",
            "stringSet",
            "_null",
        ]),
    ];
    let mut inputs = Vec::new();
    let comparisons = |name: &str, ty: &str, extra: &[(&str, TypeRef)]| {
        let mut input = InputObject::new(name);
        for op in ["ne", "eq", "le", "lt", "ge", "gt"] {
            input = input.field(InputValue::new(op, TypeRef::named(ty)));
        }
        input = input.field(InputValue::new("between", TypeRef::named_list(ty)));
        for (op, ty) in extra {
            input = input.field(InputValue::new(*op, ty.clone()));
        }
        input
    };
    let existence = [
        ("attributeExists", TypeRef::named(TypeRef::BOOLEAN)),
        (
            "attributeType",
            TypeRef::named("ModelAttributeTypes".to_owned()),
        ),
    ];
    for (name, ty) in [("ModelStringInput", "String"), ("ModelIDInput", "ID")] {
        let mut extra = vec![
            ("contains", TypeRef::named(ty)),
            ("notContains", TypeRef::named(ty)),
            ("beginsWith", TypeRef::named(ty)),
            ("size", TypeRef::named("ModelSizeInput")),
        ];
        extra.extend(existence.iter().cloned());
        inputs.push(comparisons(name, ty, &extra));
    }
    for (name, ty) in [("ModelIntInput", "Int"), ("ModelFloatInput", "Float")] {
        inputs.push(comparisons(name, ty, &existence));
    }
    inputs.push(comparisons("ModelSizeInput", "Int", &[]));
    let mut boolean = InputObject::new("ModelBooleanInput")
        .field(InputValue::new("ne", TypeRef::named(TypeRef::BOOLEAN)))
        .field(InputValue::new("eq", TypeRef::named(TypeRef::BOOLEAN)));
    for (op, ty) in existence {
        boolean = boolean.field(InputValue::new(op, ty));
    }
    inputs.push(boolean);
    for (name, ty) in [
        ("ModelStringKeyConditionInput", "String"),
        ("ModelIDKeyConditionInput", "ID"),
        ("ModelIntKeyConditionInput", "Int"),
        ("ModelFloatKeyConditionInput", "Float"),
    ] {
        let mut input = InputObject::new(name);
        for op in ["eq", "le", "lt", "ge", "gt"] {
            input = input.field(InputValue::new(op, TypeRef::named(ty)));
        }
        input = input.field(InputValue::new("between", TypeRef::named_list(ty)));
        if matches!(ty, "String" | "ID") {
            input = input.field(InputValue::new("beginsWith", TypeRef::named(ty)));
        }
        inputs.push(input);
    }
    (scalars, enums, inputs)
}

/// Checks the AWS scalars' formats, as AppSync does.
pub(super) fn valid_scalar(name: &str, value: &GqlValue) -> bool {
    if name == "AWSTimestamp" {
        return matches!(value, GqlValue::Number(n) if n.is_i64() || n.is_u64());
    }
    let GqlValue::String(text) = value else {
        return false;
    };
    let text = text.as_str();
    match name {
        "AWSDateTime" => {
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .is_ok()
        }
        "AWSDate" => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            text.get(..10)
                .is_some_and(|d| time::Date::parse(d, format).is_ok())
        }
        "AWSTime" => {
            let bytes = text.as_bytes();
            bytes.len() >= 5
                && bytes[2] == b':'
                && bytes[..2]
                    .iter()
                    .chain(&bytes[3..5])
                    .all(u8::is_ascii_digit)
        }
        "AWSJSON" => serde_json::from_str::<Value>(text).is_ok(),
        "AWSEmail" => text
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.')),
        "AWSURL" => url::Url::parse(text).is_ok(),
        "AWSPhone" => {
            text.chars().any(|c| c.is_ascii_digit())
                && text
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        }
        "AWSIPAddress" => text
            .split('/')
            .next()
            .is_some_and(|ip| ip.parse::<std::net::IpAddr>().is_ok()),
        _ => true,
    }
}

fn list_arguments(field: Field, model: &ModelDef) -> Field {
    field
        .argument(InputValue::new(
            "filter",
            TypeRef::named(format!("Model{}FilterInput", model.name)),
        ))
        .argument(InputValue::new(
            "sortDirection",
            TypeRef::named("ModelSortDirection"),
        ))
        .argument(InputValue::new("limit", TypeRef::named(TypeRef::INT)))
        .argument(InputValue::new(
            "nextToken",
            TypeRef::named(TypeRef::STRING),
        ))
}

fn read_list_args(ctx: &ResolverContext<'_>, query: &mut ListQuery) {
    query.filter = arg_object(ctx, "filter");
    query.descending = arg(ctx, "sortDirection").is_some_and(|d| d == "DESC");
    query.limit = arg(ctx, "limit")
        .and_then(|l| l.as_u64())
        .and_then(|l| usize::try_from(l).ok());
    query.next_token = arg(ctx, "nextToken").and_then(|t| t.as_str().map(str::to_owned));
}

/// A relationship field of a model type.
fn relation_field(catalog: &Catalog, parent: &ModelDef, def: &FieldDef) -> Option<Field> {
    let FieldType::Model(target) = &def.ty else {
        return None;
    };
    let child = catalog.model(target)?;
    let association = def.association.clone()?;
    let field_name = def.name.clone();
    let parent_name = parent.name.clone();
    let parent_keys: Vec<String> = parent.key_fields().into_iter().map(str::to_owned).collect();
    let target = target.clone();
    match association {
        Association::HasMany { associated_with } => {
            let fks = child.foreign_keys(&associated_with);
            let field = Field::new(
                def.name.clone(),
                TypeRef::named(format!("Model{target}Connection")),
                move |ctx| {
                    let (fks, parent_keys) = (fks.clone(), parent_keys.clone());
                    let (target, field_name, parent_name) =
                        (target.clone(), field_name.clone(), parent_name.clone());
                    FieldFuture::new(async move {
                        let item = ctx.parent_value.try_downcast_ref::<Item>()?;
                        let mut query = ListQuery::default();
                        for (fk, pk) in fks.iter().zip(&parent_keys) {
                            let value = item.get(pk).cloned().unwrap_or(Value::Null);
                            query.equal.push((fk.clone(), value));
                        }
                        read_list_args(&ctx, &mut query);
                        let Some(page) = resolve(
                            &ctx,
                            target,
                            (field_name, parent_name),
                            move |backend, model, call| backend.list(model, call, &query),
                        )
                        .await?
                        else {
                            return Ok(None);
                        };
                        Ok(Some(plain_items::connection(&ctx, page)))
                    })
                },
            );
            Some(list_arguments(field, child))
        }
        Association::BelongsTo { target_names }
        | Association::HasOne {
            target_names,
            associated_with: _,
        } if !target_names.is_empty() && target_names.iter().all(|n| parent.field(n).is_some()) => {
            let child_keys: Vec<String> =
                child.key_fields().into_iter().map(str::to_owned).collect();
            Some(Field::new(
                def.name.clone(),
                TypeRef::named(target.clone()),
                move |ctx| {
                    let (target_names, child_keys) = (target_names.clone(), child_keys.clone());
                    let (target, field_name, parent_name) =
                        (target.clone(), field_name.clone(), parent_name.clone());
                    FieldFuture::new(async move {
                        let item = ctx.parent_value.try_downcast_ref::<Item>()?;
                        let mut key = Item::new();
                        for (fk, pk) in target_names.iter().zip(&child_keys) {
                            match item.get(fk) {
                                Some(v) if !v.is_null() => {
                                    key.insert(pk.clone(), v.clone());
                                }
                                _ => return Ok(None),
                            }
                        }
                        let Some(found) = resolve(
                            &ctx,
                            target,
                            (field_name, parent_name),
                            move |backend, model, call| backend.get(model, call, &key),
                        )
                        .await?
                        else {
                            return Ok(None);
                        };
                        Ok(found.map(FieldValue::owned_any))
                    })
                },
            ))
        }
        Association::HasOne {
            associated_with, ..
        } => {
            let fks = child.foreign_keys(&associated_with);
            Some(Field::new(
                def.name.clone(),
                TypeRef::named(target.clone()),
                move |ctx| {
                    let (fks, parent_keys) = (fks.clone(), parent_keys.clone());
                    let (target, field_name, parent_name) =
                        (target.clone(), field_name.clone(), parent_name.clone());
                    FieldFuture::new(async move {
                        let item = ctx.parent_value.try_downcast_ref::<Item>()?;
                        let mut query = ListQuery {
                            limit: Some(1),
                            ..ListQuery::default()
                        };
                        for (fk, pk) in fks.iter().zip(&parent_keys) {
                            let value = item.get(pk).cloned().unwrap_or(Value::Null);
                            query.equal.push((fk.clone(), value));
                        }
                        let Some(page) = resolve(
                            &ctx,
                            target,
                            (field_name, parent_name),
                            move |backend, model, call| backend.list(model, call, &query),
                        )
                        .await?
                        else {
                            return Ok(None);
                        };
                        Ok(page
                            .items
                            .into_iter()
                            .next()
                            .map(|item| FieldValue::owned_any(Arc::unwrap_or_clone(item))))
                    })
                },
            ))
        }
        Association::BelongsTo { .. } => None,
    }
}

/// The object, connection and input types of one model, and its query and
/// mutation fields.
struct ModelTypes {
    objects: Vec<Object>,
    inputs: Vec<InputObject>,
    queries: Vec<Field>,
    mutations: Vec<Field>,
}

fn filter_fields(catalog: &Catalog, model: &ModelDef, name: &str, skip_keys: bool) -> InputObject {
    let mut input = InputObject::new(name);
    let keys = model.key_fields();
    for field in &model.fields {
        if skip_keys && keys.contains(&field.name.as_str()) {
            continue;
        }
        let ty = match &field.ty {
            FieldType::Scalar(s) => filter_input(s).to_owned(),
            FieldType::Enum(e) if catalog.enums.contains_key(e) => format!("Model{e}Input"),
            _ => continue,
        };
        input = input.field(InputValue::new(field.name.clone(), TypeRef::named(ty)));
    }
    input
        .field(InputValue::new("and", TypeRef::named_list(name)))
        .field(InputValue::new("or", TypeRef::named_list(name)))
        .field(InputValue::new("not", TypeRef::named(name)))
}

fn model_types(catalog: &Catalog, model: &ModelDef) -> ModelTypes {
    let name = model.name.clone();
    let keys: Vec<String> = model.key_fields().into_iter().map(str::to_owned).collect();
    let mut object = Object::new(name.clone());
    for field in &model.fields {
        if field.is_stored() {
            let required = field.is_required || keys.contains(&field.name);
            let ty = wrap(output_base(&field.ty), field.is_array, required);
            object = object.field(if field.rules.is_empty() {
                fields::stored_field(field, ty)
            } else {
                super::field_rules::guarded_field(&model.name, field, ty)
            });
        } else if let Some(relation) = relation_field(catalog, model, field) {
            object = object.field(relation);
        }
    }
    let connection = Object::new(format!("Model{name}Connection"))
        .field(fields::connection_items(&name))
        .field(fields::connection_next_token());

    let filter_name = format!("Model{name}FilterInput");
    let condition_name = format!("Model{name}ConditionInput");
    let mut inputs = vec![
        filter_fields(catalog, model, &filter_name, false),
        filter_fields(catalog, model, &condition_name, true),
    ];
    let mut create = InputObject::new(format!("Create{name}Input"));
    let mut update = InputObject::new(format!("Update{name}Input"));
    let mut delete = InputObject::new(format!("Delete{name}Input"));
    for field in model.fields.iter().filter(|f| f.is_stored()) {
        let is_key = keys.contains(&field.name);
        if is_key {
            let base = input_base(&field.ty);
            let auto_id = field.name == "id" && model.primary_key == "id";
            create = create.field(InputValue::new(
                field.name.clone(),
                wrap(base.clone(), false, !auto_id),
            ));
            update = update.field(InputValue::new(
                field.name.clone(),
                TypeRef::named_nn(&base),
            ));
            delete = delete.field(InputValue::new(
                field.name.clone(),
                TypeRef::named_nn(&base),
            ));
            continue;
        }
        if field.is_read_only {
            continue;
        }
        let base = input_base(&field.ty);
        create = create.field(InputValue::new(
            field.name.clone(),
            wrap(base.clone(), field.is_array, field.is_required),
        ));
        update = update.field(InputValue::new(
            field.name.clone(),
            wrap(base, field.is_array, false),
        ));
    }
    inputs.extend([create, update, delete]);

    let model_ref = || TypeRef::named(name.clone());
    let connection_ref = || TypeRef::named(format!("Model{name}Connection"));
    let mut queries = Vec::new();

    // get<M>(pk, sk…)
    let mut get = Field::new(format!("get{name}"), model_ref(), {
        let (name, keys) = (name.clone(), keys.clone());
        move |ctx| {
            let (name, keys) = (name.clone(), keys.clone());
            FieldFuture::new(async move {
                let mut key = Item::new();
                for k in &keys {
                    if let Some(v) = arg(&ctx, k) {
                        key.insert(k.clone(), v);
                    }
                }
                let field = format!("get{name}");
                let Some(found) = resolve(
                    &ctx,
                    name,
                    (field, "Query".to_owned()),
                    move |backend, model, call| backend.get(model, call, &key),
                )
                .await?
                else {
                    return Ok(None);
                };
                Ok(found.map(FieldValue::owned_any))
            })
        }
    });
    for k in &keys {
        get = get.argument(InputValue::new(
            k.clone(),
            TypeRef::named_nn(input_base(
                &model
                    .field(k)
                    .map_or(FieldType::Scalar("ID".to_owned()), |f| f.ty.clone()),
            )),
        ));
    }
    queries.push(get);

    // list<Plural>(…) and index queries: field name, partition key, sort
    // keys, and the prefix of composite key-condition type names.
    let mut listings: Vec<(String, Option<String>, Vec<String>, String)> = vec![(
        format!("list{}", model.plural),
        model.custom_primary_key.then(|| model.primary_key.clone()),
        if model.custom_primary_key {
            model.sort_keys.clone()
        } else {
            Vec::new()
        },
        format!("Model{name}Primary"),
    )];
    for index in &model.indexes {
        if let Some((pk, sks)) = index.fields.split_first() {
            listings.push((
                index.query_field.clone(),
                Some(pk.clone()),
                sks.to_vec(),
                format!("Model{name}{}", capitalize(&index.name)),
            ));
        }
    }
    for (position, (field_name, pk, sks, prefix)) in listings.into_iter().enumerate() {
        let is_index = position > 0;
        let composite_arg = composite_argument(&sks);
        let mut field = Field::new(field_name.clone(), connection_ref(), {
            let (name, pk, sks, field_name, composite_arg) = (
                name.clone(),
                pk.clone(),
                sks.clone(),
                field_name.clone(),
                composite_arg.clone(),
            );
            move |ctx| {
                let (name, pk, sks, field_name, composite_arg) = (
                    name.clone(),
                    pk.clone(),
                    sks.clone(),
                    field_name.clone(),
                    composite_arg.clone(),
                );
                FieldFuture::new(async move {
                    let mut query = ListQuery::default();
                    if let Some(pk) = &pk
                        && let Some(value) = arg(&ctx, pk)
                    {
                        query.equal.push((pk.clone(), value));
                    }
                    query.sort_by.extend(sks.iter().cloned());
                    if let Some(condition) = arg_object(&ctx, &composite_arg) {
                        if let [sk] = sks.as_slice() {
                            query.key_condition = Some((sk.clone(), condition));
                        } else {
                            query.composite_condition = Some((sks.clone(), condition));
                        }
                    }
                    read_list_args(&ctx, &mut query);
                    let Some(page) = resolve(
                        &ctx,
                        name,
                        (field_name, "Query".to_owned()),
                        move |backend, model, call| backend.list(model, call, &query),
                    )
                    .await?
                    else {
                        return Ok(None);
                    };
                    Ok(Some(plain_items::connection(&ctx, page)))
                })
            }
        });
        if let Some(pk) = &pk {
            let base = input_base(
                &model
                    .field(pk)
                    .map_or(FieldType::Scalar("ID".to_owned()), |f| f.ty.clone()),
            );
            field = field.argument(InputValue::new(
                pk.clone(),
                if is_index {
                    TypeRef::named_nn(base)
                } else {
                    TypeRef::named(base)
                },
            ));
        }
        match sks.as_slice() {
            [] => {}
            [sk] => {
                field = field.argument(InputValue::new(
                    sk.clone(),
                    TypeRef::named(key_condition_input(&model.scalar_of(sk))),
                ));
            }
            _ => {
                let key_input = format!("{prefix}CompositeKeyInput");
                let condition_input = format!("{prefix}CompositeKeyConditionInput");
                let mut key = InputObject::new(key_input.clone());
                for sk in &sks {
                    key = key.field(InputValue::new(
                        sk.clone(),
                        TypeRef::named(input_base(
                            &model
                                .field(sk)
                                .map_or(FieldType::Scalar("String".to_owned()), |f| f.ty.clone()),
                        )),
                    ));
                }
                let mut condition = InputObject::new(condition_input.clone());
                for op in ["eq", "le", "lt", "ge", "gt", "beginsWith"] {
                    condition =
                        condition.field(InputValue::new(op, TypeRef::named(key_input.clone())));
                }
                condition = condition.field(InputValue::new(
                    "between",
                    TypeRef::named_list(key_input.clone()),
                ));
                inputs.push(key);
                inputs.push(condition);
                field = field.argument(InputValue::new(
                    composite_arg.clone(),
                    TypeRef::named(condition_input),
                ));
            }
        }
        queries.push(list_arguments(field, model));
    }

    let mut mutations = Vec::new();
    for op in ["create", "update", "delete"] {
        let op_title = format!("{}{}", op[..1].to_uppercase(), &op[1..]);
        let field_name = format!("{op}{name}");
        let field = Field::new(field_name.clone(), model_ref(), {
            let name = name.clone();
            move |ctx| {
                let (name, field_name) = (name.clone(), field_name.clone());
                FieldFuture::new(async move {
                    let input = arg_object(&ctx, "input").unwrap_or_default();
                    let condition = arg_object(&ctx, "condition");
                    let Some(item) = resolve(
                        &ctx,
                        name,
                        (field_name, "Mutation".to_owned()),
                        move |backend, model, call| {
                            let condition = condition.as_ref();
                            match op {
                                "create" => backend.create(model, call, input, condition),
                                "update" => backend.update(model, call, input, condition),
                                _ => backend.delete(model, call, &input, condition),
                            }
                        },
                    )
                    .await?
                    else {
                        return Ok(None);
                    };
                    Ok(Some(FieldValue::owned_any(item)))
                })
            }
        })
        .argument(InputValue::new(
            "input",
            TypeRef::named_nn(format!("{op_title}{name}Input")),
        ))
        .argument(InputValue::new(
            "condition",
            TypeRef::named(condition_name.clone()),
        ));
        mutations.push(field);
    }
    ModelTypes {
        objects: vec![object, connection],
        inputs,
        queries,
        mutations,
    }
}

/// Builds the executable schema; resolvers find the [`Backend`] and the
/// request's [`Caller`] in the context data.
pub(crate) fn build(
    backend: Arc<Backend>,
    functions: Arc<super::custom::Functions>,
) -> Result<Schema, LocalError> {
    let catalog = &backend.catalog;
    let (scalars, enums, inputs) = shared_types();
    let mut query = Object::new("Query");
    let mut mutation = Object::new("Mutation");
    let mut builder = Schema::build("Query", Some("Mutation"), None);
    for scalar in scalars {
        builder = builder.register(scalar);
    }
    for e in enums {
        builder = builder.register(e);
    }
    for input in inputs {
        builder = builder.register(input);
    }
    for (name, values) in &catalog.enums {
        builder = builder
            .register(Enum::new(name.clone()).items(values.iter().cloned()))
            .register(
                InputObject::new(format!("Model{name}Input"))
                    .field(InputValue::new("eq", TypeRef::named(name.clone())))
                    .field(InputValue::new("ne", TypeRef::named(name.clone()))),
            );
    }
    for (name, fields) in &catalog.non_models {
        let mut object = Object::new(name.clone());
        let mut input = InputObject::new(format!("{name}Input"));
        for field in fields.iter().filter(|f| f.is_stored()) {
            let base = input_base(&field.ty);
            object = object.field(fields::stored_field(
                field,
                wrap(output_base(&field.ty), field.is_array, field.is_required),
            ));
            input = input.field(InputValue::new(
                field.name.clone(),
                wrap(base, field.is_array, field.is_required),
            ));
        }
        builder = builder.register(object).register(input);
    }
    for model in &catalog.models {
        let types = model_types(catalog, model);
        for object in types.objects {
            builder = builder.register(object);
        }
        for input in types.inputs {
            builder = builder.register(input);
        }
        for field in types.queries {
            query = query.field(field);
        }
        for field in types.mutations {
            mutation = mutation.field(field);
        }
    }
    for op in &catalog.custom {
        let field = super::custom::field(op);
        if op.parent == "Query" {
            query = query.field(field);
        } else {
            mutation = mutation.field(field);
        }
    }
    builder
        .register(query)
        .register(mutation)
        .extension(PlainItems::new(catalog))
        .extension(super::field_order::FieldOrder)
        .data(backend)
        .data(functions)
        // The document's shape is bounded here (AppSync stops at a depth of 75; real clients stay far below
        // these); the work it causes is bounded by the request's read and time budget (`budget`).
        .limit_depth(MAX_QUERY_DEPTH)
        .limit_complexity(MAX_QUERY_COMPLEXITY)
        .finish()
        .map_err(|e| LocalError::InvalidSchema(e.to_string()))
}
