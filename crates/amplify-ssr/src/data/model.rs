//! [`ModelClient`]: `create`, `get`, `update`, `delete`, `list` and secondary-index queries of one model, built
//! from `model_introspection` (reference §8.3).

use futures_util::Stream;
use serde_json::Value;

use super::client::{Call, DataClient, RawResponse};
use super::document::{ModelOperation, document, field_name};
use super::error::{DataError, GraphqlError};
use super::introspection::{Introspection, Model};
use super::{AuthMode, variables};
use crate::context::ServerContext;

/// The operations of one model. Obtain one with [`DataClient::model`]; cheap to clone.
#[derive(Clone, Debug)]
pub struct ModelClient {
    client: DataClient,
    index: usize,
}

/// Options of a model operation: auth, selection set, headers.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ModelOptions {
    /// The auth mode of this call.
    pub auth_mode: Option<AuthMode>,
    /// A custom selection set: field names and dotted paths (`author.*`, `comments.content`).
    pub selection_set: Option<Vec<String>>,
    /// Headers of this call (non-empty: they replace the client's custom headers).
    pub headers: Vec<(String, String)>,
    /// The API key of this call.
    pub api_key: Option<String>,
    /// The auth token of this call (`lambda` mode).
    pub auth_token: Option<String>,
}

macro_rules! option_setters {
    ($($path:ident).*) => {
        /// Sets the auth mode of this call.
        #[must_use]
        pub fn auth_mode(mut self, mode: AuthMode) -> Self {
            self.$($path.)*auth_mode = Some(mode);
            self
        }

        /// Sets a custom selection set (`["id", "author.*", "comments.content"]`).
        #[must_use]
        pub fn selection_set<I, S>(mut self, paths: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.$($path.)*selection_set = Some(paths.into_iter().map(Into::into).collect());
            self
        }

        /// Adds a header of this call (the call's headers replace the client's).
        #[must_use]
        pub fn header(mut self, name: &str, value: &str) -> Self {
            self.$($path.)*headers.push((name.to_owned(), value.to_owned()));
            self
        }

        /// Sets the API key of this call.
        #[must_use]
        pub fn api_key(mut self, key: impl Into<String>) -> Self {
            self.$($path.)*api_key = Some(key.into());
            self
        }

        /// Sets the auth token of this call (`lambda` mode).
        #[must_use]
        pub fn auth_token(mut self, token: impl Into<String>) -> Self {
            self.$($path.)*auth_token = Some(token.into());
            self
        }
    };
}

impl ModelOptions {
    /// Default options.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    option_setters!();
}

/// `ASC` or `DESC`, for models with a sort key and index queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDirection {
    /// `ASC`.
    Asc,
    /// `DESC`.
    Desc,
}

impl SortDirection {
    /// `ASC` / `DESC`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "ASC",
            Self::Desc => "DESC",
        }
    }
}

/// Options of `list` and index queries.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ListOptions {
    /// `Model<Name>FilterInput`, e.g. `{"done": {"eq": false}}`.
    pub filter: Option<Value>,
    /// Page size.
    pub limit: Option<u32>,
    /// Where the previous page ended.
    pub next_token: Option<String>,
    /// Sort order (models with a custom primary key, index queries).
    pub sort_direction: Option<SortDirection>,
    /// Key arguments of models with a custom primary key: the partition key value and the sort-key condition
    /// (`{"pk": "a", "sk": {"beginsWith": "2024"}}`; a composite sort key's argument is `sk1Sk2`).
    pub key: Option<Value>,
    /// The auth mode of this call.
    pub auth_mode: Option<AuthMode>,
    /// A custom selection set.
    pub selection_set: Option<Vec<String>>,
    /// Headers of this call.
    pub headers: Vec<(String, String)>,
    /// The API key of this call.
    pub api_key: Option<String>,
    /// The auth token of this call.
    pub auth_token: Option<String>,
}

impl ListOptions {
    /// Default options.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the filter.
    #[must_use]
    pub fn filter(mut self, filter: Value) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Sets the page size.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Continues after a previous page.
    #[must_use]
    pub fn next_token(mut self, token: impl Into<String>) -> Self {
        self.next_token = Some(token.into());
        self
    }

    /// Sets the sort direction.
    #[must_use]
    pub fn sort_direction(mut self, direction: SortDirection) -> Self {
        self.sort_direction = Some(direction);
        self
    }

    /// Sets the key arguments (custom primary keys).
    #[must_use]
    pub fn key(mut self, key: Value) -> Self {
        self.key = Some(key);
        self
    }

    option_setters!();

    fn model_options(&self) -> ModelOptions {
        ModelOptions {
            auth_mode: self.auth_mode,
            selection_set: self.selection_set.clone(),
            headers: self.headers.clone(),
            api_key: self.api_key.clone(),
            auth_token: self.auth_token.clone(),
        }
    }
}

/// The result of `create`, `get`, `update` and `delete`: the item (or `None`), and AppSync's errors, **returned,
/// not thrown**, as upstream.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ModelResult<T> {
    /// The item (partial when there are errors), relationship collections flattened to arrays.
    pub data: T,
    /// AppSync's errors; empty on success.
    pub errors: Vec<GraphqlError>,
    /// `extensions`, when present.
    pub extensions: Option<Value>,
}

/// The result of `list` and index queries.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct ModelListResult {
    /// The items of this page.
    pub data: Vec<Value>,
    /// Where the next page starts; `None` on the last page.
    pub next_token: Option<String>,
    /// AppSync's errors; empty on success.
    pub errors: Vec<GraphqlError>,
    /// `extensions`, when present.
    pub extensions: Option<Value>,
}

impl ModelClient {
    pub(crate) fn new(client: DataClient, index: usize) -> Self {
        Self { client, index }
    }

    /// The data client this model client calls through.
    pub(crate) fn data_client(&self) -> &DataClient {
        &self.client
    }

    fn schema(&self) -> &Introspection {
        // A ModelClient exists only for a client that has a schema.
        self.client
            .shared()
            .schema
            .as_ref()
            .expect("a model client has a schema")
    }

    /// The model's introspection.
    #[must_use]
    pub fn definition(&self) -> &Model {
        &self.schema().models[self.index]
    }

    /// The model name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.definition().name
    }

    /// The query fields of the model's secondary indexes (usable with [`index_query`](Self::index_query)).
    pub fn index_query_fields(&self) -> impl Iterator<Item = &str> {
        self.definition()
            .indexes
            .iter()
            .map(|index| index.query_field.as_str())
    }

    /// The exact GraphQL document an operation sends, for the default (`None`) or a custom selection set.
    ///
    /// # Errors
    ///
    /// [`DataError::InvalidSelectionSet`] for a bad path, [`DataError::UnknownIndex`],
    /// [`DataError::OperationDisabled`].
    pub fn document(
        &self,
        operation: ModelOperation,
        selection_set: Option<&[&str]>,
    ) -> Result<String, DataError> {
        self.check_enabled(&operation)?;
        let custom: Option<Vec<String>> =
            selection_set.map(|paths| paths.iter().map(|p| (*p).to_owned()).collect());
        document(
            self.schema(),
            self.definition(),
            &operation,
            custom.as_deref(),
        )
    }

    fn check_enabled(&self, operation: &ModelOperation) -> Result<(), DataError> {
        let model = self.definition();
        let disabled = model.disabled;
        let (off, name) = match operation {
            ModelOperation::Create => (disabled.create, "create"),
            ModelOperation::Get => (disabled.get, "get"),
            ModelOperation::Update => (disabled.update, "update"),
            ModelOperation::Delete => (disabled.delete, "delete"),
            ModelOperation::List => (disabled.list, "list"),
            ModelOperation::IndexQuery(_) => (false, "index query"),
        };
        if off {
            return Err(DataError::OperationDisabled {
                model: model.name.clone(),
                operation: name,
            });
        }
        Ok(())
    }

    async fn run(
        &self,
        ctx: &ServerContext,
        operation: &ModelOperation,
        variables: &Value,
        options: &ModelOptions,
    ) -> Result<(String, RawResponse), DataError> {
        self.check_enabled(operation)?;
        let query = document(
            self.schema(),
            self.definition(),
            operation,
            options.selection_set.as_deref(),
        )?;
        let field = field_name(self.definition(), operation);
        let response = self
            .client
            .execute(
                ctx,
                Call {
                    query: &query,
                    variables: Some(variables),
                    operation_name: None,
                    auth_mode: options.auth_mode,
                    api_key: options.api_key.as_deref(),
                    auth_token: options.auth_token.as_deref(),
                    headers: &options.headers,
                    label: Some(&field),
                },
            )
            .await?;
        Ok((field, response))
    }

    async fn singular(
        &self,
        ctx: &ServerContext,
        operation: ModelOperation,
        variables: Value,
        options: &ModelOptions,
    ) -> Result<ModelResult<Option<Value>>, DataError> {
        let (field, mut response) = self.run(ctx, &operation, &variables, options).await?;
        let item = response
            .data
            .get_mut(&field)
            .map(Value::take)
            .filter(|v| !v.is_null())
            .map(|item| variables::flatten(self.schema(), self.definition(), item));
        Ok(ModelResult {
            data: item,
            errors: response.errors,
            extensions: response.extensions,
        })
    }

    /// `create<Name>(input)`. Related-model objects in `belongsTo` / `hasOne` fields are turned into their
    /// foreign keys.
    ///
    /// # Errors
    ///
    /// Auth-mode, transport and input errors; AppSync's errors are in the result.
    pub async fn create(
        &self,
        ctx: &ServerContext,
        input: Value,
        options: ModelOptions,
    ) -> Result<ModelResult<Option<Value>>, DataError> {
        let variables = variables::create(self.schema(), self.definition(), &input)?;
        self.singular(ctx, ModelOperation::Create, variables, &options)
            .await
    }

    /// `get<Name>(pk, sk…)`; `key` holds the primary-key fields (other fields are ignored, so a whole item
    /// works).
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create).
    pub async fn get(
        &self,
        ctx: &ServerContext,
        key: Value,
        options: ModelOptions,
    ) -> Result<ModelResult<Option<Value>>, DataError> {
        let variables = variables::key(self.definition(), &key)?;
        self.singular(ctx, ModelOperation::Get, variables, &options)
            .await
    }

    /// `update<Name>(input)`, without read-only fields (`createdAt`, `updatedAt`) and undeclared owner fields.
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create).
    pub async fn update(
        &self,
        ctx: &ServerContext,
        input: Value,
        options: ModelOptions,
    ) -> Result<ModelResult<Option<Value>>, DataError> {
        let variables = variables::update(self.schema(), self.definition(), &input)?;
        self.singular(ctx, ModelOperation::Update, variables, &options)
            .await
    }

    /// `delete<Name>(input: {pk, sk…})`; `key` holds the primary-key fields.
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create).
    pub async fn delete(
        &self,
        ctx: &ServerContext,
        key: Value,
        options: ModelOptions,
    ) -> Result<ModelResult<Option<Value>>, DataError> {
        let variables = variables::delete(self.definition(), &key)?;
        self.singular(ctx, ModelOperation::Delete, variables, &options)
            .await
    }

    async fn listing(
        &self,
        ctx: &ServerContext,
        operation: ModelOperation,
        variables: Value,
        options: &ListOptions,
    ) -> Result<ModelListResult, DataError> {
        let (field, mut response) = self
            .run(ctx, &operation, &variables, &options.model_options())
            .await?;
        let mut connection = response
            .data
            .get_mut(&field)
            .map(Value::take)
            .unwrap_or(Value::Null);
        let items = match connection.get_mut("items").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        Ok(ModelListResult {
            data: items
                .into_iter()
                .filter(|item| !item.is_null())
                .map(|item| variables::flatten(self.schema(), self.definition(), item))
                .collect(),
            next_token: connection
                .get("nextToken")
                .and_then(Value::as_str)
                .map(str::to_owned),
            errors: response.errors,
            extensions: response.extensions,
        })
    }

    /// One page of `list<PluralName>`: `filter`, `sort_direction`, key arguments, `limit` and `next_token` are
    /// sent only when set.
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create).
    pub async fn list(
        &self,
        ctx: &ServerContext,
        options: ListOptions,
    ) -> Result<ModelListResult, DataError> {
        let variables = variables::list(self.definition(), &list_args(&options))?;
        self.listing(ctx, ModelOperation::List, variables, &options)
            .await
    }

    /// Every page of `list`, one item of the stream per page, following `next_token` until the last page. The
    /// stream ends after the page without a next token, or after an `Err`.
    pub fn list_pages<'a>(
        &'a self,
        ctx: &'a ServerContext,
        options: ListOptions,
    ) -> impl Stream<Item = Result<ModelListResult, DataError>> + 'a {
        pages(options, move |options| self.list(ctx, options))
    }

    /// All pages of `list`, concatenated: every item, and the errors of every page (`next_token` is `None`).
    ///
    /// # Errors
    ///
    /// The first `Err` of a page.
    pub async fn list_all(
        &self,
        ctx: &ServerContext,
        options: ListOptions,
    ) -> Result<ModelListResult, DataError> {
        collect(self.list_pages(ctx, options)).await
    }

    /// One page of a secondary-index query (`query_field`, e.g. `listTodoByStatus`). `args` holds the index's
    /// partition key and, optionally, its sort-key condition (`{"status": "open", "createdAt": {"gt": "…"}}`).
    ///
    /// # Errors
    ///
    /// [`DataError::UnknownIndex`], and as [`create`](Self::create).
    pub async fn index_query(
        &self,
        ctx: &ServerContext,
        query_field: &str,
        args: Value,
        options: ListOptions,
    ) -> Result<ModelListResult, DataError> {
        let variables =
            variables::index_query(self.definition(), query_field, &args, &list_args(&options))?;
        self.listing(
            ctx,
            ModelOperation::IndexQuery(query_field.to_owned()),
            variables,
            &options,
        )
        .await
    }

    /// Every page of a secondary-index query.
    pub fn index_query_pages<'a>(
        &'a self,
        ctx: &'a ServerContext,
        query_field: &'a str,
        args: Value,
        options: ListOptions,
    ) -> impl Stream<Item = Result<ModelListResult, DataError>> + 'a {
        pages(options, move |options| {
            self.index_query(ctx, query_field, args.clone(), options)
        })
    }
}

fn list_args(options: &ListOptions) -> variables::ListArgs<'_> {
    variables::ListArgs {
        filter: options.filter.as_ref(),
        sort_direction: options.sort_direction.map(SortDirection::as_str),
        limit: options.limit,
        next_token: options.next_token.as_deref(),
        key: options.key.as_ref(),
    }
}

/// Follows `next_token` from page to page.
pub(super) fn pages<'a, F, Fut>(
    options: ListOptions,
    fetch: F,
) -> impl Stream<Item = Result<ModelListResult, DataError>> + 'a
where
    F: Fn(ListOptions) -> Fut + 'a,
    Fut: Future<Output = Result<ModelListResult, DataError>> + 'a,
{
    futures_util::stream::unfold(Some(options), move |state| {
        let request = state.map(|options| (fetch(options.clone()), options));
        async move {
            let (page, mut options) = request?;
            match page.await {
                Ok(page) => {
                    let next = page.next_token.clone().map(|token| {
                        options.next_token = Some(token);
                        options
                    });
                    Some((Ok(page), next))
                }
                Err(error) => Some((Err(error), None)),
            }
        }
    })
}

/// Concatenates every page.
async fn collect(
    pages: impl Stream<Item = Result<ModelListResult, DataError>>,
) -> Result<ModelListResult, DataError> {
    use futures_util::StreamExt as _;
    let mut pages = std::pin::pin!(pages);
    let mut all = ModelListResult::default();
    while let Some(page) = pages.next().await {
        let page = page?;
        all.data.extend(page.data);
        all.errors.extend(page.errors);
        all.extensions = page.extensions.or(all.extensions);
    }
    Ok(all)
}
