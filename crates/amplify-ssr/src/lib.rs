#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod config;
pub mod cookies;
pub mod secret;
pub mod jwt;
pub mod cognito;
