//! Response fields in the order the query selected them.
//!
//! GraphQL answers an object's fields in the order its selection set names them (the spec's "serialized map
//! ordering"), and AppSync does. async-graphql 7 resolves a query's fields concurrently and writes each one when
//! it completes, so a field whose resolver waits (a database read, a function call) can come out after fields
//! selected below it, and two identical requests can answer in different orders. The [`FieldOrder`] extension
//! keeps the parsed document and, once the operation has run, puts every object's fields back in selection order.
//! Objects already in order (almost all of them) are only compared, not rebuilt.
//!
//! amplify-local's schema has no interfaces or unions, so every fragment applies to the object it is spread in:
//! type conditions need no checking here.

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Response, ServerResult, Value, Variables};

use super::depth::MAX_DEPTH;

/// The extension, added to the schema once.
pub(super) struct FieldOrder;

impl ExtensionFactory for FieldOrder {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(FieldOrderExtension::default())
    }
}

/// One request's document and variables (the variables decide `@skip` and `@include`).
#[derive(Default)]
struct FieldOrderExtension {
    query: Mutex<Option<(ExecutableDocument, Variables)>>,
}

#[async_trait::async_trait]
impl Extension for FieldOrderExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        *self.query.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((document.clone(), variables.clone()));
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        let query = self
            .query
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some((document, variables)) = query
            && let Some(selection) = operation_selection(&document, operation_name)
        {
            let query = Query {
                document: &document,
                variables: &variables,
            };
            put_in_order(&mut response.data, &Order::of(&[selection], &query, 0));
        }
        response
    }
}

/// The selection set of the operation that ran, chosen as async-graphql chooses it.
fn operation_selection<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d SelectionSet> {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name)?,
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()?
        }
        _ => return None,
    };
    Some(&operation.node.selection_set.node)
}

struct Query<'d> {
    document: &'d ExecutableDocument,
    variables: &'d Variables,
}

/// The response keys an object selected by `sets` has, in the order CollectFields meets them, each with the
/// selection sets of its occurrences (what its value selects).
type Collected<'d> = Vec<(&'d Name, Vec<&'d SelectionSet>)>;

fn collect<'d>(
    set: &'d SelectionSet,
    query: &Query<'d>,
    out: &mut Collected<'d>,
    visited: &mut Vec<&'d Name>,
) {
    for selection in &set.items {
        if skipped(selection.node.directives(), query.variables) {
            continue;
        }
        match &selection.node {
            Selection::Field(field) => {
                let key = &field.node.response_key().node;
                let sub = &field.node.selection_set.node;
                match out.iter_mut().find(|(seen, _)| *seen == key) {
                    Some((_, subs)) => subs.push(sub),
                    None => out.push((key, vec![sub])),
                }
            }
            Selection::FragmentSpread(spread) => {
                // As CollectFields does, a fragment is spread once per object: no cycle, no doubling.
                let name = &spread.node.fragment_name.node;
                if visited.contains(&name) {
                    continue;
                }
                visited.push(name);
                if let Some(fragment) = query.document.fragments.get(name) {
                    collect(&fragment.node.selection_set.node, query, out, visited);
                }
            }
            Selection::InlineFragment(fragment) => {
                collect(&fragment.node.selection_set.node, query, out, visited);
            }
        }
    }
}

/// Whether `@skip(if: true)` or `@include(if: false)` leaves a selection out (a variable's value counts).
fn skipped(directives: &[Positioned<Directive>], variables: &Variables) -> bool {
    directives.iter().any(|directive| {
        let condition = directive
            .node
            .get_argument("if")
            .map(|value| {
                value
                    .node
                    .clone()
                    .into_const_with(|name| variables.get(&name).cloned().ok_or(()))
            })
            .and_then(Result::ok);
        matches!(
            (directive.node.name.node.as_str(), condition),
            ("skip", Some(Value::Boolean(true))) | ("include", Some(Value::Boolean(false)))
        )
    })
}

/// The order of an object's fields, and of the fields of each field's value: built once per request from the
/// document (a list's thousand items share one).
struct Order<'d> {
    fields: Vec<(&'d Name, Order<'d>)>,
}

impl<'d> Order<'d> {
    fn of(sets: &[&'d SelectionSet], query: &Query<'d>, depth: usize) -> Self {
        let mut collected = Collected::new();
        // The depth bound is async-graphql's too; it only matters to a document that got past validation.
        if depth <= MAX_DEPTH {
            let mut visited = Vec::new();
            for set in sets {
                collect(set, query, &mut collected, &mut visited);
            }
        }
        let fields = collected
            .into_iter()
            .map(|(key, subs)| (key, Order::of(&subs, query, depth + 1)))
            .collect();
        Self { fields }
    }
}

/// Puts the fields of `value` (an object, a list of them, or lists of lists) in `order`.
fn put_in_order(value: &mut Value, order: &Order<'_>) {
    if order.fields.is_empty() {
        return;
    }
    match value {
        Value::List(values) => {
            for value in values {
                put_in_order(value, order);
            }
        }
        Value::Object(object) => {
            let in_order = object
                .keys()
                .zip(
                    order
                        .fields
                        .iter()
                        .filter(|(key, _)| object.contains_key(*key)),
                )
                .all(|(present, (wanted, _))| present == *wanted);
            if !in_order {
                let mut ordered = async_graphql::indexmap::IndexMap::with_capacity(object.len());
                for (key, _) in &order.fields {
                    if let Some((key, value)) = object.swap_remove_entry(*key) {
                        ordered.insert(key, value);
                    }
                }
                // Nothing should be left (every key was selected), but nothing is dropped if something is.
                ordered.extend(object.drain(..));
                *object = ordered;
            }
            for (key, order) in &order.fields {
                if let Some(value) = object.get_mut(*key) {
                    put_in_order(value, order);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use serde_json::json;

    use super::*;

    /// `data` as text, so that its keys keep the order written.
    fn ordered(document: &str, variables: serde_json::Value, data: &str) -> String {
        let document = parse_query(document).expect("parses");
        let variables = Variables::from_json(variables);
        let mut value: Value = serde_json::from_str(data).expect("value");
        let query = Query {
            document: &document,
            variables: &variables,
        };
        let selection = operation_selection(&document, None).expect("one operation");
        put_in_order(&mut value, &Order::of(&[selection], &query, 0));
        serde_json::to_string(&value).expect("serialises")
    }

    #[test]
    fn fields_come_back_in_selection_order_at_every_level() {
        let document =
            "{ a: listTickets { items { t: title seq } nextToken } b: getTicket { seq } }";
        // As async-graphql may write them: b finished first, and inside, fields out of order.
        let data = r#"{"b":{"seq":1},"a":{"nextToken":null,"items":[{"seq":2,"t":"x"},{"t":"y","seq":3}]}}"#;
        assert_eq!(
            ordered(document, json!({}), data),
            r#"{"a":{"items":[{"t":"x","seq":2},{"t":"y","seq":3}],"nextToken":null},"b":{"seq":1}}"#
        );
    }

    #[test]
    fn fragments_merged_keys_and_skipped_fields_take_their_place() {
        let document = "query Q($skipA: Boolean!) { a @skip(if: $skipA) b ...F c a ... { d b } }
                        fragment F on Query { e { y } e { x } }";
        let data = r#"{"e":{"x":1,"y":2},"d":0,"c":0,"a":0,"b":0}"#;
        // `a`'s first occurrence is skipped: it takes the place of its second; `e` merges both selections.
        assert_eq!(
            ordered(document, json!({ "skipA": true }), data),
            r#"{"b":0,"e":{"y":2,"x":1},"c":0,"a":0,"d":0}"#
        );
        assert_eq!(
            ordered(document, json!({ "skipA": false }), data),
            r#"{"a":0,"b":0,"e":{"y":2,"x":1},"c":0,"d":0}"#
        );
    }

    #[test]
    fn cyclic_and_doubling_fragments_end() {
        let document = "{ ...F } fragment F on Query { a ...F b { ...F } }";
        assert_eq!(
            ordered(document, json!({}), r#"{"b":{"b":{},"a":2},"a":1}"#),
            r#"{"a":1,"b":{"a":2,"b":{}}}"#
        );
        let mut bomb = String::from("{ ...F0 }");
        for n in 0..40 {
            bomb.push_str(&format!(
                " fragment F{n} on Query {{ a{n}: a ...F{m} ...F{m} }}",
                m = n + 1
            ));
        }
        bomb.push_str(" fragment F40 on Query { z }");
        assert_eq!(
            ordered(&bomb, json!({}), r#"{"z":0,"a0":1}"#),
            r#"{"a0":1,"z":0}"#
        );
    }
}
