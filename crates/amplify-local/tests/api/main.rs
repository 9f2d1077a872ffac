//! Integration tests: the backend runs in-process on a free port with a
//! temporary data directory, and is called over HTTP with reqwest.

mod account;
mod admin;
mod admin_access;
mod attributes;
mod cli;
mod graphql;
mod graphql_limits;
mod groups;
mod guessing;
mod helpers;
mod identity;
mod mfa;
mod oauth_challenges;
mod oauth_flow;
mod oauth_helpers;
mod oauth_pages;
mod oauth_standards;
mod protocol;
mod refresh;
mod restart;
mod s3;
mod s3_content;
mod s3_helpers;
mod server_limits;
mod sign_up;
mod srp;
mod tokens;
