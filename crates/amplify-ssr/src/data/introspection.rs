//! The parsed `data.model_introspection` (reference §8.3): models, custom (non-model) types and enums, in the
//! order the outputs file lists them (field order drives the default selection set).
//!
//! The types live in the [`amplify_model_introspection`] crate, shared with the code generator and
//! amplify-local, so that every reader of the document agrees on it. Parsing is lenient where aws-amplify is:
//! unknown attributes are ignored, a model without `primaryKeyInfo` is keyed by `id`, and a field whose type this
//! library does not understand is kept as [`FieldType::Other`] and left out of selection sets.

pub use amplify_model_introspection::{
    Association, AuthRule, CustomOperation, DisabledOperations, EnumType, Field, FieldType,
    Introspection, IntrospectionError, Model, NonModel, OperationKind, PrimaryKey, SecondaryIndex,
};

use super::error::DataError;

impl From<IntrospectionError> for DataError {
    fn from(error: IntrospectionError) -> Self {
        Self::InvalidIntrospection(error.to_string())
    }
}
