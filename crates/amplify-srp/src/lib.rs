//! Cognito's SRP-6a variant.
