//! Writing the Rust source.
//!
//! The output is meant to be `include!`d into a module of the user's crate, so it has no inner
//! attributes and no `use` items: every path outside the prelude is absolute (`::serde::…`,
//! `::amplify_ssr::data::…`). Every public item carries a doc comment, so that the including
//! crate may deny `missing_docs`.

use std::collections::BTreeMap;

use crate::CodegenError;
use crate::naming::{Scope, capitalize, snake_case, upper_camel_case};
use crate::schema::{Field, FieldType, Model, Schema};

/// Names of the support items emitted once per file.
const SUPPORT_TYPES: &[&str] = &[
    "TypedResult",
    "TypedListResult",
    "KeyCondition",
    "TypedDataError",
    "TypedModels",
];

/// Method names of a `<Model>Client` that index query methods must not take.
const CLIENT_METHODS: &[&str] = &[
    "new",
    "untyped",
    "client",
    "create",
    "get",
    "update",
    "delete",
    "list",
    "list_all",
    "list_by_key",
    "clone",
    "fmt",
];

/// Names `TypedModels` accessors must not take: inherent methods of `DataClient` win over trait
/// methods, so an accessor with one of these names could never be called.
const DATA_CLIENT_METHODS: &[&str] = &[
    "new",
    "with_auth_mode",
    "with_api_key",
    "with_auth_token",
    "with_header",
    "with_retry_policy",
    "endpoint",
    "introspection",
    "default_auth_mode",
    "model",
    "model_names",
    "graphql",
    "shared",
    "clone",
    "clone_from",
    "fmt",
];

/// Parameter names used by every generated method.
const METHOD_PARAMS: &[&str] = &["self", "ctx", "options", "input", "key", "args"];

const DATA: &str = "::amplify_ssr::data";
const CTX: &str = "::amplify_ssr::context::ServerContext";

/// A line-oriented writer.
#[derive(Default)]
struct Out(String);

impl Out {
    fn line(&mut self, text: impl AsRef<str>) {
        self.0.push_str(text.as_ref());
        self.0.push('\n');
    }

    fn blank(&mut self) {
        self.0.push('\n');
    }

    /// A doc comment (one `///` line per input line), indented by `indent`.
    fn doc(&mut self, indent: &str, text: impl AsRef<str>) {
        if text.as_ref().is_empty() {
            self.line(format!("{indent}///"));
        }
        for line in text.as_ref().lines() {
            if line.is_empty() {
                self.line(format!("{indent}///"));
            } else {
                self.line(format!("{indent}/// {line}"));
            }
        }
    }
}

/// Text from the schema, made safe for a one-line doc comment.
fn doc_text(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A Rust string literal.
fn lit(text: &str) -> String {
    format!("{text:?}")
}

/// How a scalar maps to Rust.
struct ScalarType {
    rust: &'static str,
    copy: bool,
    string: bool,
}

fn scalar(name: &str) -> ScalarType {
    let (rust, copy, string) = match name {
        "ID" | "String" | "AWSDate" | "AWSTime" | "AWSDateTime" | "AWSEmail" | "AWSPhone"
        | "AWSURL" | "AWSIPAddress" => ("String", false, true),
        "Int" | "AWSTimestamp" => ("i64", true, false),
        "Float" => ("f64", true, false),
        "Boolean" => ("bool", true, false),
        // AWSJSON, and any scalar this generator does not know yet.
        _ => ("::serde_json::Value", false, false),
    };
    ScalarType { rust, copy, string }
}

/// Names of everything generated for one model.
struct ModelNames {
    ty: String,
    key: String,
    create: String,
    update: String,
    client: String,
    accessor: String,
    /// GraphQL field name → Rust field name, for declared and implicit fields.
    fields: BTreeMap<String, String>,
    indexes: Vec<IndexNames>,
    primary: Option<PrimaryKeyNames>,
}

struct IndexNames {
    method: String,
    /// Rust parameter for the partition key.
    pk_param: String,
    /// Rust parameter for the sort-key condition (when the index has a sort key).
    sk_param: String,
    /// The struct of a composite sort key.
    composite: Option<String>,
}

/// Names for `list_by_key` of a model with a custom primary key.
struct PrimaryKeyNames {
    pk_param: String,
    sk_param: String,
    composite: Option<String>,
}

struct Generator<'a> {
    schema: &'a Schema,
    enum_names: BTreeMap<String, String>,
    non_model_names: BTreeMap<String, String>,
    /// Per non-model: GraphQL field name → Rust field name.
    non_model_fields: BTreeMap<String, BTreeMap<String, String>>,
    models: Vec<ModelNames>,
    out: Out,
}

/// Generates the source for `schema`.
pub(crate) fn generate(schema: &Schema) -> Result<String, CodegenError> {
    let mut generator = Generator::new(schema)?;
    generator.emit();
    Ok(generator.out.0)
}

fn field_scope<'f>(fields: impl Iterator<Item = &'f str>) -> BTreeMap<String, String> {
    let mut scope = Scope::default();
    fields
        .map(|name| (name.to_owned(), scope.claim(snake_case(name))))
        .collect()
}

impl<'a> Generator<'a> {
    fn new(schema: &'a Schema) -> Result<Self, CodegenError> {
        // Type names: collisions are errors, because users write these names.
        let mut types: BTreeMap<String, String> = SUPPORT_TYPES
            .iter()
            .map(|t| {
                (
                    (*t).to_owned(),
                    "a support item of the generated code".to_owned(),
                )
            })
            .collect();
        let mut take = |name: String, what: String| -> Result<String, CodegenError> {
            if let Some(previous) = types.get(&name) {
                return Err(CodegenError::NameCollision(format!(
                    "`{name}` would name both {previous} and {what}"
                )));
            }
            types.insert(name.clone(), what);
            Ok(name)
        };
        let mut enum_names = BTreeMap::new();
        for e in &schema.enums {
            let name = take(upper_camel_case(&e.name), format!("enum `{}`", e.name))?;
            enum_names.insert(e.name.clone(), name);
        }
        let mut non_model_names = BTreeMap::new();
        let mut non_model_fields = BTreeMap::new();
        for n in &schema.non_models {
            let name = take(
                upper_camel_case(&n.name),
                format!("custom type `{}`", n.name),
            )?;
            non_model_names.insert(n.name.clone(), name);
            non_model_fields.insert(
                n.name.clone(),
                field_scope(n.fields.iter().map(|f| f.name.as_str())),
            );
        }
        let mut accessors = Scope::with_reserved(DATA_CLIENT_METHODS);
        let mut models = Vec::new();
        for m in &schema.models {
            let ty = upper_camel_case(&m.name);
            let bare = ty.trim_end_matches('_').to_owned();
            let what = |item: &str| format!("{item} of model `{}`", m.name);
            let fields = field_scope(
                m.fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .chain(m.implicit_fields.iter().map(|f| f.name.as_str())),
            );
            let mut methods = Scope::with_reserved(CLIENT_METHODS);
            let mut indexes = Vec::new();
            for index in &m.indexes {
                let mut params = Scope::with_reserved(METHOD_PARAMS);
                let composite = if index.sk.len() > 1 {
                    Some(take(
                        format!(
                            "{bare}{}SortKey",
                            upper_camel_case(&index.name).trim_end_matches('_')
                        ),
                        what(&format!("the composite sort key of index `{}`", index.name)),
                    )?)
                } else {
                    None
                };
                indexes.push(IndexNames {
                    method: methods.claim(snake_case(&index.query_field)),
                    pk_param: params.claim(snake_case(&index.pk)),
                    sk_param: if index.sk.is_empty() {
                        String::new()
                    } else {
                        params.claim(snake_case(&sort_key_arg(&index.sk)))
                    },
                    composite,
                });
            }
            let primary = if m.is_custom_primary_key {
                let mut params = Scope::with_reserved(METHOD_PARAMS);
                Some(PrimaryKeyNames {
                    pk_param: params.claim(snake_case(&m.primary_key)),
                    sk_param: if m.sort_keys.is_empty() {
                        String::new()
                    } else {
                        params.claim(snake_case(&sort_key_arg(&m.sort_keys)))
                    },
                    composite: if m.sort_keys.len() > 1 {
                        Some(take(
                            format!("{bare}PrimarySortKey"),
                            what("the composite sort key of the primary key"),
                        )?)
                    } else {
                        None
                    },
                })
            } else {
                None
            };
            models.push(ModelNames {
                primary,
                key: take(format!("{bare}Key"), what("the key struct"))?,
                create: take(format!("Create{bare}Input"), what("the create input"))?,
                update: take(format!("Update{bare}Input"), what("the update input"))?,
                client: take(format!("{bare}Client"), what("the typed client"))?,
                ty: take(ty, format!("model `{}`", m.name))?,
                accessor: accessors.claim(snake_case(&m.name)),
                fields,
                indexes,
            });
        }
        Ok(Self {
            schema,
            enum_names,
            non_model_names,
            non_model_fields,
            models,
            out: Out::default(),
        })
    }

    /// The Rust type of one value of `f` (an element, for lists). `owner` is the custom type
    /// being written, to box recursive fields.
    fn base_type(&self, f: &Field, owner: Option<&str>) -> String {
        match &f.ty {
            FieldType::Scalar(s) => scalar(s).rust.to_owned(),
            FieldType::Enum(e) => self.enum_names[e].clone(),
            FieldType::NonModel(n) => {
                let name = self.non_model_names[n].clone();
                let recursive = owner.is_some_and(|owner| {
                    !f.is_array && (n == owner || self.schema.inline_reach(n).contains(owner))
                });
                if recursive {
                    format!("Box<{name}>")
                } else {
                    name
                }
            }
            FieldType::Model(_) => unreachable!("relationship fields are never emitted"),
        }
    }

    /// The type of the whole value of `f`, without the outer `Option` of a nullable field.
    fn value_type(&self, f: &Field, owner: Option<&str>) -> String {
        let base = self.base_type(f, owner);
        if f.is_array {
            if f.is_required {
                format!("Vec<{base}>")
            } else {
                format!("Vec<Option<{base}>>")
            }
        } else {
            base
        }
    }

    /// `String!`, `[String!]`, `TicketStatus`, … for documentation.
    fn graphql_type(f: &Field) -> String {
        let base = match &f.ty {
            FieldType::Scalar(s)
            | FieldType::Enum(s)
            | FieldType::NonModel(s)
            | FieldType::Model(s) => s,
        };
        let element = if f.is_required {
            format!("{base}!")
        } else {
            base.clone()
        };
        let value = if f.is_array {
            format!("[{element}]{}", if f.is_array_nullable { "" } else { "!" })
        } else {
            element
        };
        doc_text(&value)
    }

    fn is_copy(f: &Field) -> bool {
        !f.is_array && matches!(&f.ty, FieldType::Scalar(s) if scalar(s).copy)
    }

    fn is_string(f: &Field) -> bool {
        !f.is_array && matches!(&f.ty, FieldType::Scalar(s) if scalar(s).string)
    }

    fn emit(&mut self) {
        self.out.line(format!(
            "// @generated by amplify-ssr-codegen {} from a `model_introspection` document. Do not edit.",
            env!("CARGO_PKG_VERSION")
        ));
        self.out.line("//");
        self.out.line(
            "// Include it in a module of a crate that depends on `amplify-ssr`, `serde` (with the",
        );
        self.out.line("// `derive` feature) and `serde_json`.");
        let schema = self.schema;
        for e in &schema.enums {
            self.emit_enum(e);
        }
        for n in &schema.non_models {
            self.emit_non_model(n);
        }
        if schema.models.is_empty() {
            return;
        }
        self.emit_support();
        for (i, m) in schema.models.iter().enumerate() {
            self.emit_model(m, i);
        }
        self.emit_accessors();
    }

    fn emit_enum(&mut self, e: &crate::schema::Enum) {
        let name = self.enum_names[&e.name].clone();
        let mut scope = Scope::default();
        let variants: Vec<(String, String)> = e
            .values
            .iter()
            .map(|v| (v.clone(), scope.claim(upper_camel_case(v))))
            .collect();
        let fallback = scope.claim("Unknown".to_owned());
        let o = &mut self.out;
        o.blank();
        o.doc("", format!("The `{}` enum.", doc_text(&e.name)));
        o.doc("", "");
        o.doc(
            "",
            format!(
                "Values unknown when this code was generated (added to the schema later) are kept in\n`{name}::{fallback}`, so that reading them never fails."
            ),
        );
        o.line("#[derive(Debug, Clone, PartialEq, Eq, Hash)]");
        o.line(format!("pub enum {name} {{"));
        for (value, variant) in &variants {
            o.doc("    ", format!("`{}`", doc_text(value)));
            o.line(format!("    {variant},"));
        }
        o.doc("    ", "A value this build does not know.");
        o.line(format!("    {fallback}(String),"));
        o.line("}");
        o.blank();
        o.line(format!("impl {name} {{"));
        o.doc(
            "    ",
            "Every value known when this code was generated, in schema order.",
        );
        let values: Vec<String> = e.values.iter().map(|v| lit(v)).collect();
        o.line(format!(
            "    pub const VALUES: &'static [&'static str] = &[{}];",
            values.join(", ")
        ));
        o.blank();
        o.doc("    ", "The GraphQL value.");
        o.line("    pub fn as_str(&self) -> &str {");
        o.line("        match self {");
        for (value, variant) in &variants {
            o.line(format!("            Self::{variant} => {},", lit(value)));
        }
        o.line(format!("            Self::{fallback}(value) => value,"));
        o.line("        }");
        o.line("    }");
        o.line("}");
        o.blank();
        o.line(format!("impl From<&str> for {name} {{"));
        o.line("    fn from(value: &str) -> Self {");
        o.line("        match value {");
        for (value, variant) in &variants {
            o.line(format!("            {} => Self::{variant},", lit(value)));
        }
        o.line(format!(
            "            other => Self::{fallback}(other.to_owned()),"
        ));
        o.line("        }");
        o.line("    }");
        o.line("}");
        o.blank();
        o.line(format!("impl ::std::fmt::Display for {name} {{"));
        o.line("    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {");
        o.line("        f.write_str(self.as_str())");
        o.line("    }");
        o.line("}");
        o.blank();
        o.line(format!("impl ::serde::Serialize for {name} {{"));
        o.line("    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {");
        o.line("        serializer.serialize_str(self.as_str())");
        o.line("    }");
        o.line("}");
        o.blank();
        o.line(format!("impl<'de> ::serde::Deserialize<'de> for {name} {{"));
        o.line("    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {");
        o.line("        let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;");
        o.line("        Ok(Self::from(&*value))");
        o.line("    }");
        o.line("}");
    }

    /// One struct field. `optional` wraps the value in `Option` (absent → `None`, `None` is
    /// not serialised); `patch` wraps a nullable value in `Option<Option<_>>` for updates.
    #[allow(clippy::too_many_arguments)]
    fn emit_field(
        &mut self,
        f: &Field,
        rust: &str,
        owner: Option<&str>,
        optional: bool,
        patch: bool,
        doc: &str,
    ) {
        let value = self.value_type(f, owner);
        let rename = lit(&f.name);
        let o = &mut self.out;
        o.doc(
            "    ",
            format!("`{}`: `{}`{doc}", doc_text(&f.name), Self::graphql_type(f)),
        );
        if patch {
            o.line(format!(
                "    #[serde(rename = {rename}, default, skip_serializing_if = \"Option::is_none\", deserialize_with = \"__amplify_double_option\")]"
            ));
            o.line(format!("    pub {rust}: Option<Option<{value}>>,"));
        } else if optional {
            o.line(format!(
                "    #[serde(rename = {rename}, default, skip_serializing_if = \"Option::is_none\")]"
            ));
            o.line(format!("    pub {rust}: Option<{value}>,"));
        } else {
            o.line(format!("    #[serde(rename = {rename})]"));
            o.line(format!("    pub {rust}: {value},"));
        }
    }

    fn emit_non_model(&mut self, n: &crate::schema::NonModel) {
        let name = self.non_model_names[&n.name].clone();
        let idents = self.non_model_fields[&n.name].clone();
        self.out.blank();
        self.out
            .doc("", format!("The `{}` custom type.", doc_text(&n.name)));
        self.out
            .line("#[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]");
        self.out.line(format!("pub struct {name} {{"));
        for f in &n.fields {
            if matches!(f.ty, FieldType::Model(_)) {
                continue;
            }
            self.emit_field(
                f,
                &idents[&f.name],
                Some(&n.name),
                !f.value_required(),
                false,
                ".",
            );
        }
        self.out.line("}");
    }

    fn emit_support(&mut self) {
        let o = &mut self.out;
        o.blank();
        o.doc("", "The result of a typed `create`, `get`, `update` or `delete`: the item (`None` when there is");
        o.doc("", "none, or when an error left no data) and the GraphQL errors, returned next to the data as");
        o.doc(
            "",
            "upstream does (the typed counterpart of `amplify_ssr::data::ModelResult`).",
        );
        o.line("#[derive(Debug, Clone, PartialEq)]");
        o.line("pub struct TypedResult<T> {");
        o.doc("    ", "The item.");
        o.line("    pub data: Option<T>,");
        o.doc("    ", "The GraphQL errors returned with the item.");
        o.line(format!("    pub errors: Vec<{DATA}::GraphqlError>,"));
        o.doc("    ", "The response's `extensions`, when present.");
        o.line("    pub extensions: Option<::serde_json::Value>,");
        o.line("}");
        o.blank();
        o.doc(
            "",
            "A page of typed items from `list` or a secondary-index query.",
        );
        o.doc("", "");
        o.doc(
            "",
            "As upstream, GraphQL errors are returned next to the data rather than as an `Err`.",
        );
        o.line("#[derive(Debug, Clone, PartialEq)]");
        o.line("pub struct TypedListResult<T> {");
        o.doc("    ", "The items of this page.");
        o.line("    pub data: Vec<T>,");
        o.doc("    ", "The token of the next page, if there is one.");
        o.line("    pub next_token: Option<String>,");
        o.doc("    ", "The GraphQL errors returned with the page.");
        o.line(format!("    pub errors: Vec<{DATA}::GraphqlError>,"));
        o.doc("    ", "The response's `extensions`, when present.");
        o.line("    pub extensions: Option<::serde_json::Value>,");
        o.line("}");
        o.blank();
        o.doc(
            "",
            "A condition on a sort key (`Model…KeyConditionInput`), for list and index queries.",
        );
        o.line("#[derive(Debug, Clone, PartialEq, ::serde::Serialize)]");
        o.line("#[serde(rename_all = \"camelCase\")]");
        o.line("pub enum KeyCondition<T> {");
        for (variant, doc) in [
            ("Eq(T)", "Equal to the value."),
            ("Le(T)", "Less than or equal to the value."),
            ("Lt(T)", "Less than the value."),
            ("Ge(T)", "Greater than or equal to the value."),
            ("Gt(T)", "Greater than the value."),
            ("Between(T, T)", "Between the two values, inclusive."),
            ("BeginsWith(T)", "Begins with the value (string keys)."),
        ] {
            o.doc("    ", doc);
            o.line(format!("    {variant},"));
        }
        o.line("}");
        o.blank();
        o.doc("", "The error of a typed model operation.");
        o.line("#[derive(Debug)]");
        o.line("pub enum TypedDataError {");
        o.doc(
            "    ",
            "The operation failed before returning data (see `amplify_ssr::data::DataError`).",
        );
        o.line(format!("    Data({DATA}::DataError),"));
        o.doc(
            "    ",
            "The runtime configuration has no model of this name (it differs from the",
        );
        o.doc(
            "    ",
            "`model_introspection` the code was generated from).",
        );
        o.line("    ModelNotConfigured(&'static str),");
        o.doc("    ", "An input could not be turned into JSON.");
        o.line("    Encode(::serde_json::Error),");
        o.doc("    ", "The returned data does not fit the generated type.");
        o.line("    Decode {");
        o.doc("        ", "The model.");
        o.line("        model: &'static str,");
        o.doc("        ", "Why the data does not fit.");
        o.line("        source: ::serde_json::Error,");
        o.doc(
            "        ",
            "The GraphQL errors returned with the data (often the reason for missing fields).",
        );
        o.line(format!("        errors: Vec<{DATA}::GraphqlError>,"));
        o.line("    },");
        o.line("}");
        o.blank();
        o.line("impl ::std::fmt::Display for TypedDataError {");
        o.line("    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {");
        o.line("        match self {");
        o.line("            Self::Data(error) => ::std::fmt::Display::fmt(error, f),");
        o.line("            Self::ModelNotConfigured(model) => {");
        o.line("                write!(f, \"the data configuration has no model `{model}`\")");
        o.line("            }");
        o.line("            Self::Encode(error) => write!(f, \"could not encode the input: {error}\"),");
        o.line("            Self::Decode { model, source, .. } => {");
        o.line("                write!(f, \"the `{model}` data does not fit the generated type: {source}\")");
        o.line("            }");
        o.line("        }");
        o.line("    }");
        o.line("}");
        o.blank();
        o.line("impl ::std::error::Error for TypedDataError {");
        o.line("    fn source(&self) -> Option<&(dyn ::std::error::Error + 'static)> {");
        o.line("        match self {");
        o.line("            Self::Data(error) => Some(error),");
        o.line("            Self::ModelNotConfigured(_) => None,");
        o.line(
            "            Self::Encode(error) | Self::Decode { source: error, .. } => Some(error),",
        );
        o.line("        }");
        o.line("    }");
        o.line("}");
        o.blank();
        o.line(format!(
            "impl From<{DATA}::DataError> for TypedDataError {{"
        ));
        o.line(format!("    fn from(error: {DATA}::DataError) -> Self {{"));
        o.line("        Self::Data(error)");
        o.line("    }");
        o.line("}");
        o.blank();
        o.line("fn __amplify_encode<T: ::serde::Serialize>(value: &T) -> Result<::serde_json::Value, TypedDataError> {");
        o.line("    ::serde_json::to_value(value).map_err(TypedDataError::Encode)");
        o.line("}");
        o.blank();
        o.line("fn __amplify_decode_one<T: ::serde::de::DeserializeOwned>(");
        o.line("    model: &'static str,");
        o.line(format!(
            "    result: {DATA}::ModelResult<Option<::serde_json::Value>>,"
        ));
        o.line(") -> Result<TypedResult<T>, TypedDataError> {");
        o.line("    let data = match result.data {");
        o.line("        None | Some(::serde_json::Value::Null) => None,");
        o.line("        Some(value) => match ::serde_json::from_value(value) {");
        o.line("            Ok(item) => Some(item),");
        o.line("            Err(source) => {");
        o.line("                return Err(TypedDataError::Decode {");
        o.line("                    model,");
        o.line("                    source,");
        o.line("                    errors: result.errors,");
        o.line("                });");
        o.line("            }");
        o.line("        },");
        o.line("    };");
        o.line("    Ok(TypedResult {");
        o.line("        data,");
        o.line("        errors: result.errors,");
        o.line("        extensions: result.extensions,");
        o.line("    })");
        o.line("}");
        o.blank();
        o.line("fn __amplify_decode_list<T: ::serde::de::DeserializeOwned>(");
        o.line("    model: &'static str,");
        o.line(format!("    result: {DATA}::ModelListResult,"));
        o.line(") -> Result<TypedListResult<T>, TypedDataError> {");
        o.line("    let mut data = Vec::with_capacity(result.data.len());");
        o.line("    for value in result.data {");
        o.line("        match ::serde_json::from_value(value) {");
        o.line("            Ok(item) => data.push(item),");
        o.line("            Err(source) => {");
        o.line("                return Err(TypedDataError::Decode {");
        o.line("                    model,");
        o.line("                    source,");
        o.line("                    errors: result.errors,");
        o.line("                });");
        o.line("            }");
        o.line("        }");
        o.line("    }");
        o.line("    Ok(TypedListResult {");
        o.line("        data,");
        o.line("        next_token: result.next_token,");
        o.line("        errors: result.errors,");
        o.line("        extensions: result.extensions,");
        o.line("    })");
        o.line("}");
        let needs_patch = self.schema.models.iter().any(|m| {
            m.fields.iter().any(|f| {
                !f.is_read_only
                    && !f.value_required()
                    && !matches!(f.ty, FieldType::Model(_))
                    && !m.key_fields().contains(&f.name.as_str())
            })
        });
        if needs_patch {
            let o = &mut self.out;
            o.blank();
            o.line("/// `null` → `Some(None)`; with `#[serde(default)]`, absent → `None`.");
            o.line("fn __amplify_double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>");
            o.line("where");
            o.line("    D: ::serde::Deserializer<'de>,");
            o.line("    T: ::serde::Deserialize<'de>,");
            o.line("{");
            o.line("    <Option<T> as ::serde::Deserialize>::deserialize(deserializer).map(Some)");
            o.line("}");
        }
    }

    /// `pub fn new(…) -> Self {`, one parameter a line when they do not fit on one.
    fn constructor_signature(&self, params: &[(&Field, String)]) -> String {
        let args = self.constructor_args(params);
        if args.join(", ").len() <= 70 {
            return format!("    pub fn new({}) -> Self {{", args.join(", "));
        }
        let mut s = "    pub fn new(\n".to_owned();
        for arg in args {
            s.push_str(&format!("        {arg},\n"));
        }
        s.push_str("    ) -> Self {");
        s
    }

    fn constructor_args(&self, params: &[(&Field, String)]) -> Vec<String> {
        params
            .iter()
            .map(|(f, rust)| {
                if Self::is_string(f) {
                    format!("{rust}: impl Into<String>")
                } else {
                    format!("{rust}: {}", self.value_type(f, None))
                }
            })
            .collect()
    }

    fn constructor_body(params: &[(&Field, String)], defaults: &[String]) -> Vec<String> {
        params
            .iter()
            .map(|(f, rust)| {
                if Self::is_string(f) {
                    format!("{rust}: {rust}.into(),")
                } else {
                    format!("{rust},")
                }
            })
            .chain(defaults.iter().map(|rust| format!("{rust}: None,")))
            .collect()
    }

    fn emit_model(&mut self, m: &Model, i: usize) {
        let names = &self.models[i];
        let (ty, key, create, update) = (
            names.ty.clone(),
            names.key.clone(),
            names.create.clone(),
            names.update.clone(),
        );
        let idents = names.fields.clone();
        let key_names = m.key_fields();
        let key_fields: Vec<&Field> = key_names
            .iter()
            .map(|k| m.field(k).expect("checked when parsing"))
            .collect();
        let key_params: Vec<(&Field, String)> = key_fields
            .iter()
            .map(|f| (*f, idents[&f.name].clone()))
            .collect();
        // Key fields first (in key order), then the others by name.
        let others: Vec<&Field> = m
            .fields
            .iter()
            .filter(|f| {
                !key_names.contains(&f.name.as_str()) && !matches!(f.ty, FieldType::Model(_))
            })
            .collect();
        let model_name = doc_text(&m.name);

        // The model.
        self.out.blank();
        self.out.doc(
            "",
            format!("The `{model_name}` model, as the default selection set returns it."),
        );
        self.out.doc("", "");
        self.out.doc("", "Relationship fields are not part of it (load them with their own model client); fields");
        self.out.doc(
            "",
            "that auth rules add (`owner`, dynamic `groupsField`) are.",
        );
        self.out
            .line("#[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]");
        self.out.line(format!("pub struct {ty} {{"));
        for f in key_fields.iter().chain(&others) {
            let ro = if f.is_read_only { " (read-only)." } else { "." };
            self.emit_field(f, &idents[&f.name], None, !f.value_required(), false, ro);
        }
        for implicit in &m.implicit_fields {
            let (ty, what) = if implicit.is_groups {
                (
                    "::serde_json::Value",
                    "the groups field of a dynamic group rule (a string or a list of strings)",
                )
            } else {
                ("String", "the owner field of an owner rule")
            };
            self.out
                .doc("    ", format!("`{}`: {what}.", doc_text(&implicit.name)));
            self.out.line(format!(
                "    #[serde(rename = {}, default, skip_serializing_if = \"Option::is_none\")]",
                lit(&implicit.name)
            ));
            self.out
                .line(format!("    pub {}: Option<{ty}>,", idents[&implicit.name]));
        }
        self.out.line("}");
        self.out.blank();
        self.out.line(format!("impl {ty} {{"));
        self.out
            .doc("    ", "The key of this item, for `get` and `delete`.");
        self.out.line(format!("    pub fn key(&self) -> {key} {{"));
        self.out.line(format!("        {key} {{"));
        for (f, rust) in &key_params {
            if Self::is_copy(f) {
                self.out.line(format!("            {rust}: self.{rust},"));
            } else {
                self.out
                    .line(format!("            {rust}: self.{rust}.clone(),"));
            }
        }
        self.out.line("        }");
        self.out.line("    }");
        self.out.line("}");

        // The key.
        let key_list = key_names
            .iter()
            .map(|k| format!("`{}`", doc_text(k)))
            .collect::<Vec<_>>()
            .join(", ");
        self.out.blank();
        self.out.doc(
            "",
            format!("The primary key of a `{model_name}` ({key_list}), for `get` and `delete`."),
        );
        self.out
            .line("#[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]");
        self.out.line(format!("pub struct {key} {{"));
        for f in &key_fields {
            self.emit_field(f, &idents[&f.name], None, false, false, ".");
        }
        self.out.line("}");
        self.out.blank();
        self.out.line(format!("impl {key} {{"));
        self.out.doc("    ", "A key from its fields.");
        if key_params.len() > 7 {
            self.out.line("    #[allow(clippy::too_many_arguments)]");
        }
        self.out.line(self.constructor_signature(&key_params));
        self.out.line("        Self {");
        for line in Self::constructor_body(&key_params, &[]) {
            self.out.line(format!("            {line}"));
        }
        self.out.line("        }");
        self.out.line("    }");
        self.out.line("}");
        self.out.blank();
        self.out.line(format!("impl From<&{ty}> for {key} {{"));
        self.out
            .line(format!("    fn from(item: &{ty}) -> Self {{"));
        self.out.line("        item.key()");
        self.out.line("    }");
        self.out.line("}");
        if let [(f, _)] = key_params.as_slice()
            && Self::is_string(f)
        {
            for source in ["String", "&str"] {
                self.out.blank();
                self.out.line(format!("impl From<{source}> for {key} {{"));
                self.out
                    .line(format!("    fn from(value: {source}) -> Self {{"));
                self.out.line("        Self::new(value)");
                self.out.line("    }");
                self.out.line("}");
            }
        }

        // The create input: read-only fields left out; `id` optional when the service makes it.
        let create_fields: Vec<&Field> = key_fields
            .iter()
            .chain(&others)
            .copied()
            .filter(|f| !f.is_read_only)
            .collect();
        let auto_id = |f: &Field| !m.is_custom_primary_key && f.name == m.primary_key;
        let required: Vec<(&Field, String)> = create_fields
            .iter()
            .filter(|f| f.value_required() && !auto_id(f))
            .map(|f| (*f, idents[&f.name].clone()))
            .collect();
        let optional: Vec<String> = create_fields
            .iter()
            .filter(|f| !f.value_required() || auto_id(f))
            .map(|f| idents[&f.name].clone())
            .collect();
        self.out.blank();
        self.out.doc(
            "",
            format!(
                "The input of `create` for a `{model_name}` (`Create{}Input`).",
                doc_text(&capitalize(&m.name))
            ),
        );
        self.out.doc("", "");
        self.out.doc(
            "",
            "Read-only fields (`createdAt`, `updatedAt`, …) are set by the service and left out.",
        );
        if !m.is_custom_primary_key {
            self.out.doc(
                "",
                format!(
                    "`{}` is optional: the service generates one when it is `None`.",
                    doc_text(&m.primary_key)
                ),
            );
        }
        if required.is_empty() {
            self.out.line("#[derive(Debug, Clone, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)]");
        } else {
            self.out.line(
                "#[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]",
            );
        }
        self.out.line(format!("pub struct {create} {{"));
        for f in &create_fields {
            let is_required = f.value_required() && !auto_id(f);
            let doc = if auto_id(f) {
                " (generated by the service when `None`)."
            } else {
                "."
            };
            self.emit_field(f, &idents[&f.name], None, !is_required, false, doc);
        }
        self.out.line("}");
        self.out.blank();
        self.out.line(format!("impl {create} {{"));
        self.out.doc(
            "    ",
            "An input with the required fields; the others are `None`.",
        );
        if required.len() > 7 {
            self.out.line("    #[allow(clippy::too_many_arguments)]");
        }
        self.out.line(self.constructor_signature(&required));
        self.out.line("        Self {");
        for line in Self::constructor_body(&required, &optional) {
            self.out.line(format!("            {line}"));
        }
        self.out.line("        }");
        self.out.line("    }");
        self.out.line("}");

        // The update input: the key, then every writable field as a patch.
        let update_fields: Vec<&Field> =
            others.iter().copied().filter(|f| !f.is_read_only).collect();
        self.out.blank();
        self.out.doc(
            "",
            format!(
                "The input of `update` for a `{model_name}` (`Update{}Input`).",
                doc_text(&capitalize(&m.name))
            ),
        );
        self.out.doc("", "");
        self.out.doc("", "The key fields are required. Every other field is left unchanged when `None`; a nullable");
        self.out.doc("", "field is cleared with `Some(None)`. Read-only fields cannot be updated and are left out.");
        self.out
            .line("#[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]");
        self.out.line(format!("pub struct {update} {{"));
        for f in &key_fields {
            self.emit_field(f, &idents[&f.name], None, false, false, " (key).");
        }
        for f in &update_fields {
            let nullable = !f.value_required();
            self.emit_field(f, &idents[&f.name], None, true, nullable, ".");
        }
        self.out.line("}");
        let update_defaults: Vec<String> = update_fields
            .iter()
            .map(|f| idents[&f.name].clone())
            .collect();
        self.out.blank();
        self.out.line(format!("impl {update} {{"));
        self.out.doc(
            "    ",
            "An update of the item with this key that changes nothing yet.",
        );
        if key_params.len() > 7 {
            self.out.line("    #[allow(clippy::too_many_arguments)]");
        }
        self.out.line(self.constructor_signature(&key_params));
        self.out.line("        Self {");
        for line in Self::constructor_body(&key_params, &update_defaults) {
            self.out.line(format!("            {line}"));
        }
        self.out.line("        }");
        self.out.line("    }");
        self.out.blank();
        self.out
            .doc("    ", "An update of `key` that changes nothing yet.");
        self.out
            .line(format!("    pub fn for_key(key: {key}) -> Self {{"));
        self.out.line("        Self {");
        for (_, rust) in &key_params {
            self.out.line(format!("            {rust}: key.{rust},"));
        }
        for rust in &update_defaults {
            self.out.line(format!("            {rust}: None,"));
        }
        self.out.line("        }");
        self.out.line("    }");
        self.out.line("}");

        // Composite sort keys of the primary key and of indexes.
        let mut composites: Vec<(String, String, &[String])> = Vec::new();
        if let Some(PrimaryKeyNames {
            composite: Some(name),
            ..
        }) = &self.models[i].primary
        {
            composites.push((name.clone(), "the primary key".to_owned(), &m.sort_keys));
        }
        for (index, names) in m.indexes.iter().zip(&self.models[i].indexes) {
            if let Some(name) = &names.composite {
                composites.push((
                    name.clone(),
                    format!("index `{}`", doc_text(&index.name)),
                    &index.sk,
                ));
            }
        }
        for (composite, whose, sk) in composites {
            self.out.blank();
            self.out.doc(
                "",
                format!("The composite sort key of {whose} of `{model_name}`, in a `KeyCondition`. Leading"),
            );
            self.out
                .doc("", "fields may be given alone (`BeginsWith` on a prefix).");
            self.out
                .line("#[derive(Debug, Clone, Default, PartialEq, ::serde::Serialize)]");
            self.out.line(format!("pub struct {composite} {{"));
            for k in sk {
                let f = m.field(k).expect("checked when parsing");
                self.emit_field(f, &idents[&f.name], None, true, false, ".");
            }
            self.out.line("}");
        }

        self.emit_client(m, i);
    }

    fn emit_client(&mut self, m: &Model, i: usize) {
        let names = &self.models[i];
        let (ty, key, create, update, client) = (
            names.ty.clone(),
            names.key.clone(),
            names.create.clone(),
            names.update.clone(),
            names.client.clone(),
        );
        let model_lit = lit(&m.name);
        let model_name = doc_text(&m.name);
        let o = &mut self.out;
        o.blank();
        o.doc(
            "",
            format!(
                "Typed operations on the `{model_name}` model, from `TypedModels::{}`.",
                names.accessor
            ),
        );
        o.doc("", "");
        o.doc("", "Results mirror upstream: GraphQL errors come back next to the data. Options that change the");
        o.doc(
            "",
            "selection set must keep every required field of the generated struct; use the untyped",
        );
        o.doc("", "client (`untyped()`) for anything else.");
        o.line("#[derive(Clone)]");
        o.line(format!("pub struct {client} {{"));
        o.line(format!("    inner: Option<{DATA}::ModelClient>,"));
        o.line("}");
        o.blank();
        o.line(format!("impl ::std::fmt::Debug for {client} {{"));
        o.line("    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {");
        o.line(format!("        f.debug_struct({})", lit(&client)));
        o.line(format!("            .field(\"model\", &{model_lit})"));
        o.line("            .field(\"configured\", &self.inner.is_some())");
        o.line("            .finish()");
        o.line("    }");
        o.line("}");
        o.blank();
        o.line(format!("impl {client} {{"));
        o.doc(
            "    ",
            format!(
                "Wraps the untyped client of `{model_name}` (`DataClient::model({model_lit})`)."
            ),
        );
        o.line(format!(
            "    pub fn new(inner: {DATA}::ModelClient) -> Self {{"
        ));
        o.line("        Self { inner: Some(inner) }");
        o.line("    }");
        o.blank();
        o.doc("    ", "The untyped client, for `serde_json::Value` access; `None` when the runtime configuration");
        o.doc("    ", "has no such model.");
        o.line(format!(
            "    pub fn untyped(&self) -> Option<&{DATA}::ModelClient> {{"
        ));
        o.line("        self.inner.as_ref()");
        o.line("    }");
        o.blank();
        o.line(format!(
            "    fn client(&self) -> Result<&{DATA}::ModelClient, TypedDataError> {{"
        ));
        o.line("        self.inner");
        o.line("            .as_ref()");
        o.line(format!(
            "            .ok_or(TypedDataError::ModelNotConfigured({model_lit}))"
        ));
        o.line("    }");
        let single = |o: &mut Out, name: &str, doc: &str, arg: &str, arg_ty: &str, call: &str| {
            o.blank();
            o.doc("    ", doc);
            o.line(format!("    pub async fn {name}("));
            o.line("        &self,");
            o.line(format!("        ctx: &{CTX},"));
            o.line(format!("        {arg}: {arg_ty},"));
            o.line(format!("        options: {DATA}::ModelOptions,"));
            o.line(format!(
                "    ) -> Result<TypedResult<{ty}>, TypedDataError> {{"
            ));
            o.line(format!("        let {arg} = __amplify_encode(&{call})?;"));
            o.line(format!(
                "        let result = self.client()?.{name}(ctx, {arg}, options).await?;"
            ));
            o.line(format!("        __amplify_decode_one({model_lit}, result)"));
            o.line("    }");
        };
        if m.operations.create {
            single(
                o,
                "create",
                &format!(
                    "Creates a `{model_name}` (`create{}`).",
                    doc_text(&capitalize(&m.name))
                ),
                "input",
                &create,
                "input",
            );
        }
        if m.operations.get {
            single(
                o,
                "get",
                &format!(
                    "Reads the `{model_name}` with this key (`get{}`); `data` is `None` when there is none.",
                    doc_text(&capitalize(&m.name))
                ),
                "key",
                &format!("impl Into<{key}>"),
                "key.into()",
            );
        }
        if m.operations.update {
            single(
                o,
                "update",
                &format!(
                    "Updates a `{model_name}` (`update{}`).",
                    doc_text(&capitalize(&m.name))
                ),
                "input",
                &update,
                "input",
            );
        }
        if m.operations.delete {
            single(
                o,
                "delete",
                &format!(
                    "Deletes the `{model_name}` with this key (`delete{}`) and returns it.",
                    doc_text(&capitalize(&m.name))
                ),
                "key",
                &format!("impl Into<{key}>"),
                "key.into()",
            );
        }
        if m.operations.list {
            o.blank();
            o.doc(
                "    ",
                format!(
                    "Lists `{model_name}` items, one page (`list{}`).",
                    doc_text(&capitalize(&m.plural_name))
                ),
            );
            o.line("    pub async fn list(");
            o.line("        &self,");
            o.line(format!("        ctx: &{CTX},"));
            o.line(format!("        options: {DATA}::ListOptions,"));
            o.line(format!(
                "    ) -> Result<TypedListResult<{ty}>, TypedDataError> {{"
            ));
            o.line("        let result = self.client()?.list(ctx, options).await?;");
            o.line(format!(
                "        __amplify_decode_list({model_lit}, result)"
            ));
            o.line("    }");
            o.blank();
            o.doc(
                "    ",
                format!(
                    "Lists every `{model_name}` item, following `next_token` from page to page."
                ),
            );
            o.line("    pub async fn list_all(");
            o.line("        &self,");
            o.line(format!("        ctx: &{CTX},"));
            o.line(format!("        options: {DATA}::ListOptions,"));
            o.line(format!(
                "    ) -> Result<TypedListResult<{ty}>, TypedDataError> {{"
            ));
            o.line("        let result = self.client()?.list_all(ctx, options).await?;");
            o.line(format!(
                "        __amplify_decode_list({model_lit}, result)"
            ));
            o.line("    }");
        }
        let primary = names
            .primary
            .as_ref()
            .map(|p| (p.pk_param.clone(), p.sk_param.clone(), p.composite.clone()));
        let index_names: Vec<(String, String, String, Option<String>)> = names
            .indexes
            .iter()
            .map(|n| {
                (
                    n.method.clone(),
                    n.pk_param.clone(),
                    n.sk_param.clone(),
                    n.composite.clone(),
                )
            })
            .collect();
        if let (Some((pk_param, sk_param, composite)), true) = (primary, m.operations.list) {
            let pk_field = m.field(&m.primary_key).expect("checked when parsing");
            let sk_ty = match (&composite, m.sort_keys.as_slice()) {
                (Some(composite), _) => Some(composite.clone()),
                (None, [sk]) => {
                    Some(self.value_type(m.field(sk).expect("checked when parsing"), None))
                }
                (None, _) => None,
            };
            let doc = format!(
                "Lists the `{model_name}` items whose `{}` is `{pk_param}` (`list{}` with its key arguments).",
                doc_text(&m.primary_key),
                doc_text(&capitalize(&m.plural_name))
            );
            self.emit_key_query(KeyQuery {
                doc,
                method: "list_by_key",
                ty: &ty,
                model_lit: &model_lit,
                pk_field,
                pk_param: &pk_param,
                sk: &m.sort_keys,
                sk_param: &sk_param,
                sk_ty,
                query_field: None,
            });
        }
        for (index, (method, pk_param, sk_param, composite)) in m.indexes.iter().zip(index_names) {
            let pk_field = m.field(&index.pk).expect("checked when parsing");
            let sk_ty = match (&composite, index.sk.as_slice()) {
                (Some(composite), _) => Some(composite.clone()),
                (None, [sk]) => {
                    Some(self.value_type(m.field(sk).expect("checked when parsing"), None))
                }
                (None, _) => None,
            };
            let doc = format!(
                "Queries the secondary index `{}` (`{}`): the items whose `{}` is `{pk_param}`.",
                doc_text(&index.name),
                doc_text(&index.query_field),
                doc_text(&index.pk)
            );
            self.emit_key_query(KeyQuery {
                doc,
                method: &method,
                ty: &ty,
                model_lit: &model_lit,
                pk_field,
                pk_param: &pk_param,
                sk: &index.sk,
                sk_param: &sk_param,
                sk_ty,
                query_field: Some(&index.query_field),
            });
        }
        self.out.line("}");
    }

    /// A query by partition key and optional sort-key condition: an index query, or (without
    /// `query_field`) a `list` with key arguments.
    fn emit_key_query(&mut self, q: KeyQuery<'_>) {
        let o = &mut self.out;
        o.blank();
        o.doc("    ", &q.doc);
        if q.sk_ty.is_some() {
            o.doc(
                "    ",
                format!(
                    "`{}` narrows them by the sort key ({}).",
                    q.sk_param,
                    q.sk.iter()
                        .map(|s| format!("`{}`", doc_text(s)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        o.line(format!("    pub async fn {}(", q.method));
        o.line("        &self,");
        o.line(format!("        ctx: &{CTX},"));
        let string_pk = Self::is_string(q.pk_field);
        let pk_arg_ty = if string_pk {
            "impl Into<String>".to_owned()
        } else {
            // `value_type` needs `&self`; key fields are never lists or custom types.
            match &q.pk_field.ty {
                FieldType::Scalar(s) => scalar(s).rust.to_owned(),
                FieldType::Enum(e) => self.enum_names[e].clone(),
                _ => unreachable!("checked when parsing"),
            }
        };
        let o = &mut self.out;
        o.line(format!("        {}: {pk_arg_ty},", q.pk_param));
        if let Some(sk_ty) = &q.sk_ty {
            o.line(format!(
                "        {}: Option<KeyCondition<{sk_ty}>>,",
                q.sk_param
            ));
        }
        o.line(format!("        options: {DATA}::ListOptions,"));
        o.line(format!(
            "    ) -> Result<TypedListResult<{}>, TypedDataError> {{",
            q.ty
        ));
        o.line("        let mut args = ::serde_json::Map::new();");
        let pk_value = if string_pk {
            format!("::serde_json::Value::String({}.into())", q.pk_param)
        } else {
            format!("__amplify_encode(&{})?", q.pk_param)
        };
        o.line(format!(
            "        args.insert({}.to_owned(), {pk_value});",
            lit(&q.pk_field.name)
        ));
        if q.sk_ty.is_some() {
            o.line(format!(
                "        if let Some(condition) = {} {{",
                q.sk_param
            ));
            o.line(format!(
                "            args.insert({}.to_owned(), __amplify_encode(&condition)?);",
                lit(&sort_key_arg(q.sk))
            ));
            o.line("        }");
        }
        match q.query_field {
            Some(query_field) => {
                o.line("        let result = self");
                o.line("            .client()?");
                o.line(format!(
                    "            .index_query(ctx, {}, ::serde_json::Value::Object(args), options)",
                    lit(query_field)
                ));
                o.line("            .await?;");
            }
            None => {
                o.line("        let options = options.key(::serde_json::Value::Object(args));");
                o.line("        let result = self.client()?.list(ctx, options).await?;");
            }
        }
        o.line(format!(
            "        __amplify_decode_list({}, result)",
            q.model_lit
        ));
        o.line("    }");
    }

    fn emit_accessors(&mut self) {
        let o = &mut self.out;
        o.blank();
        o.doc(
            "",
            "Typed model clients on `amplify_ssr::data::DataClient`: `client.todo().list(..)`.",
        );
        o.doc("", "");
        o.doc("", "Bring the trait into scope to use them. The untyped `DataClient::model` stays available.");
        o.line("pub trait TypedModels {");
        for (m, names) in self.schema.models.iter().zip(&self.models) {
            o.doc(
                "    ",
                format!("The typed client of the `{}` model.", doc_text(&m.name)),
            );
            o.line(format!(
                "    fn {}(&self) -> {};",
                names.accessor, names.client
            ));
        }
        o.line("}");
        o.blank();
        o.line(format!("impl TypedModels for {DATA}::DataClient {{"));
        for (m, names) in self.schema.models.iter().zip(&self.models) {
            o.line(format!(
                "    fn {}(&self) -> {} {{",
                names.accessor, names.client
            ));
            o.line(format!("        {} {{", names.client));
            o.line(format!(
                "            inner: {DATA}::DataClient::model(self, {}),",
                lit(&m.name)
            ));
            o.line("        }");
            o.line("    }");
        }
        o.line("}");
    }
}

/// What `emit_key_query` writes.
struct KeyQuery<'q> {
    doc: String,
    method: &'q str,
    ty: &'q str,
    model_lit: &'q str,
    pk_field: &'q Field,
    pk_param: &'q str,
    sk: &'q [String],
    sk_param: &'q str,
    sk_ty: Option<String>,
    query_field: Option<&'q str>,
}

/// The variable name of a sort-key condition, as upstream `resolvedSkName`: the field name for
/// one field, the camel-case concatenation for a composite key (`createdOn` + `seq` →
/// `createdOnSeq`).
pub(crate) fn sort_key_arg(sk: &[String]) -> String {
    match sk {
        [] => String::new(),
        [one] => one.clone(),
        [first, rest @ ..] => {
            let mut name = first.clone();
            for part in rest {
                name.push_str(&capitalize(part));
            }
            name
        }
    }
}
