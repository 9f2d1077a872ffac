//! TODO: cognito
