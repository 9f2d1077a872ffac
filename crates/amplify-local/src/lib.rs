//! amplify-local.
