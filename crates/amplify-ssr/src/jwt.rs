//! TODO: jwt
