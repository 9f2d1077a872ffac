//! The managed-login pages: HTML rendering, escaping and localisation.
//! No JavaScript and no external assets; one inline stylesheet.

mod account_templates;
mod i18n;
mod i18n_account;
mod templates;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub(crate) use i18n::{Lang, Text};

/// The name of the hidden anti-CSRF form field.
pub(crate) const CSRF_FIELD: &str = "_csrf";
pub(crate) use account_templates::{
    ChallengeForm, email_setup, forgot, mfa_code, new_password, reset, select_mfa, totp_setup,
};
pub(crate) use templates::{ConsentPage, SignupForm, confirm, consent, error_page, login, signup};

/// What every page needs: language, and the authorize parameters to carry
/// through forms and links.
#[derive(Debug, Clone)]
pub(crate) struct PageContext<'a> {
    pub(crate) lang: Lang,
    /// The authorize parameters, as hidden form fields.
    pub(crate) hidden: &'a [(&'static str, String)],
    /// The authorize parameters without `identity_provider`, as a query
    /// string (for links between pages).
    pub(crate) query: &'a str,
    /// Federated providers offered as buttons on the login page.
    pub(crate) providers: &'a [String],
    /// The anti-CSRF token every form carries (hidden `_csrf` field).
    pub(crate) csrf: &'a str,
}

impl PageContext<'_> {
    /// The page text in this context's language.
    pub(crate) fn text(&self) -> &'static Text {
        self.lang.text()
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// An HTML response that is never cached and may not be framed.
pub(crate) fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'",
        ),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
