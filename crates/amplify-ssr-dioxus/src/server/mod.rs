//! The server side (feature `server`).

mod application;
mod same_origin;
mod session;

pub use application::application;
pub use same_origin::refuse_cross_site;
pub use session::{require_user, require_user_with, server_context};
