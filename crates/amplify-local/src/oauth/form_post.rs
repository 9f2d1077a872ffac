//! The steps every managed-login form post (`/login`, `/signup`, `/confirm`,
//! `/oauth2/idpresponse`) starts with: parse the body, validate the
//! authorization request it carries, and check the anti-CSRF token.

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::csrf::{self, Csrf};
use super::params::Params;
use super::request::{AuthRequest, Authorization, internal_error_page, validate};
use crate::state::AppState;

/// A form post whose authorization request is valid. Refusals are boxed
/// responses: the answer to send as is.
pub(crate) struct FormPost {
    pub(crate) params: Params,
    pub(crate) authorization: Authorization,
}

impl FormPost {
    /// Parses the body and validates the authorization request in it; when
    /// it is refused, the refusal is the answer.
    pub(crate) fn parse(state: &AppState, body: &[u8]) -> Result<Self, Box<Response>> {
        let params = Params::parse(body);
        match validate(state, AuthRequest::from_params(&params)) {
            Ok(authorization) => Ok(Self {
                params,
                authorization,
            }),
            Err(refusal) => Err(Box::new(refusal.into_response())),
        }
    }

    /// A form field, empty when absent.
    pub(crate) fn field(&self, name: &str) -> &str {
        self.params.get(name).unwrap_or_default()
    }

    /// Checks the anti-CSRF token (origin headers and double submit) and
    /// returns the token for the page answered. A refused post is answered
    /// 403 with `form` shown again, given a fresh token and the anti-CSRF
    /// message; `form` runs only then.
    pub(crate) fn check_csrf(
        &self,
        state: &AppState,
        headers: &HeaderMap,
        form: impl FnOnce(&Csrf, &str) -> Response,
    ) -> Result<Csrf, Box<Response>> {
        let lang = self.authorization.lang;
        if !csrf::verify(state, headers, &self.params) {
            return Err(Box::new(match Csrf::fresh(state) {
                Ok(fresh) => csrf::forbidden(form(&fresh, lang.text().err_csrf)),
                Err(error) => internal_error_page(lang, &error),
            }));
        }
        Csrf::for_page(state, headers).map_err(|error| Box::new(internal_error_page(lang, &error)))
    }
}
