//! The page templates. Element ids are stable (tests and headless browsers
//! rely on them): see each function.

use super::{CSRF_FIELD, Lang, PageContext, escape};

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;\
background:#f2f3f3;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#16191f}\
main{background:#fff;width:100%;max-width:24rem;margin:1rem;padding:2rem;border-radius:.5rem;\
box-shadow:0 1px 4px rgba(0,0,0,.15)}\
h1{font-size:1.5rem;margin:0 0 .25rem}\
.client{margin:0 0 1.5rem;color:#545b64;font-size:.85rem;word-break:break-all}\
label{display:block;font-weight:600;margin:1rem 0 .25rem}\
input{width:100%;padding:.55rem .6rem;border:1px solid #879596;border-radius:.25rem;font:inherit}\
input[aria-invalid=true]{border-color:#d13212}\
button,.button{display:block;width:100%;margin-top:1.5rem;padding:.65rem;border:0;border-radius:.25rem;\
background:#0972d3;color:#fff;font:inherit;font-weight:600;text-align:center;text-decoration:none;cursor:pointer}\
button:hover,.button:hover{background:#065bab}\
.provider{background:#fff;color:#16191f;border:1px solid #879596;margin-top:.5rem}\
.provider:hover{background:#f2f3f3}\
:focus-visible{outline:3px solid #0972d3;outline-offset:2px}\
.error{margin:1rem 0 0;padding:.6rem .75rem;border-left:4px solid #d13212;background:#fdf3f1;color:#a3260f}\
.note{color:#545b64;font-size:.9rem}\
code.shown{display:block;margin:.5rem 0;padding:.5rem;font-size:1.1rem;word-break:break-all;\
background:#f2f3f3;border-radius:.25rem}\
code#confirmation-code,code#mfa-code,code#reset-code{display:block;margin:.5rem 0;padding:.5rem;font-size:1.75rem;letter-spacing:.3rem;\
text-align:center;background:#f2f3f3;border-radius:.25rem}\
.links{margin-top:1.25rem;font-size:.9rem}.links a{color:#0972d3;display:block;margin-top:.35rem}\
.divider{margin:1.5rem 0 0;color:#545b64;font-size:.85rem;text-align:center}\
footer{margin-top:1.5rem;color:#687078;font-size:.75rem;text-align:center}";

/// A complete document.
pub(super) fn layout(lang: Lang, title: &str, client_id: Option<&str>, body: &str) -> String {
    let client = client_id
        .map(|id| {
            format!(
                "<p class=\"client\">{} <span id=\"client-id\">{}</span></p>",
                escape(lang.text().app_client),
                escape(id)
            )
        })
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{tag}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · amplify-local</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>{title}</h1>\n{client}{body}\n<footer>amplify-local · managed login</footer>\n</main>\n</body>\n</html>\n",
        tag = lang.tag(),
        title = escape(title),
    )
}

pub(super) fn hidden_fields(ctx: &PageContext<'_>) -> String {
    let csrf = format!(
        "<input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{}\">",
        escape(ctx.csrf)
    );
    ctx.hidden
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                escape(value)
            )
        })
        .fold(csrf, |mut out, field| {
            out.push_str(&field);
            out
        })
}

pub(super) fn error_block(error: Option<&str>) -> String {
    error
        .map(|message| {
            format!(
                "<p id=\"error\" class=\"error\" role=\"alert\">{}</p>",
                escape(message)
            )
        })
        .unwrap_or_default()
}

/// `aria-invalid` / `aria-describedby` for inputs when an error is shown.
fn invalid(error: Option<&str>) -> &'static str {
    if error.is_some() {
        " aria-invalid=\"true\" aria-describedby=\"error\""
    } else {
        ""
    }
}

pub(super) fn input(
    id: &str,
    label: &str,
    kind: &str,
    value: &str,
    autocomplete: &str,
    error: Option<&str>,
) -> String {
    format!(
        "<label for=\"{id}\">{label}</label>\
         <input id=\"{id}\" name=\"{id}\" type=\"{kind}\" value=\"{value}\" autocomplete=\"{autocomplete}\" required{invalid}>",
        label = escape(label),
        value = escape(value),
        invalid = invalid(error),
    )
}

/// How a provider is named on buttons and headings: Cognito's identifiers (`SignInWithApple`,
/// `LoginWithAmazon`) are not what users know the providers as.
fn display_name(provider: &str) -> &str {
    match provider {
        "SignInWithApple" => "Apple",
        "LoginWithAmazon" => "Amazon",
        other => other,
    }
}

/// The login page: `form#login-form`, `#username`, `#password`, `#sign-in`,
/// `#error`, `#notice`, `#signup-link`, `#forgot-link`.
pub(crate) fn login(
    ctx: &PageContext<'_>,
    username: &str,
    notice: Option<&str>,
    error: Option<&str>,
) -> String {
    let t = ctx.text();
    let notice = notice
        .map(|message| {
            format!(
                "<p id=\"notice\" class=\"note\" role=\"status\">{}</p>",
                escape(message)
            )
        })
        .unwrap_or_default();
    let mut providers = String::new();
    if !ctx.providers.is_empty() {
        providers.push_str(&format!(
            "<p class=\"divider\">{}</p>",
            escape(t.or_continue_with)
        ));
        for provider in ctx.providers {
            providers.push_str(&format!(
                "<a class=\"button provider\" href=\"/oauth2/authorize?{}&amp;identity_provider={}\">{}</a>",
                escape(ctx.query),
                escape(provider),
                escape(&t.sign_in_with.replace("{}", display_name(provider))),
            ));
        }
    }
    let body = format!(
        "{notice}<form id=\"login-form\" method=\"post\" action=\"/login\" novalidate>{hidden}\
         {username}{password}{error}\
         <button id=\"sign-in\" type=\"submit\">{button}</button></form>{providers}\
         <div class=\"links\"><a id=\"signup-link\" href=\"/signup?{query}\">{no_account}</a>\
         <a id=\"forgot-link\" href=\"/forgotPassword?{query}\">{forgot}</a></div>",
        hidden = hidden_fields(ctx),
        username = input("username", t.username, "text", username, "username", error),
        password = input(
            "password",
            t.password,
            "password",
            "",
            "current-password",
            error
        ),
        error = error_block(error),
        button = escape(t.sign_in_button),
        query = escape(ctx.query),
        no_account = escape(t.no_account),
        forgot = escape(t.forgot_password),
    );
    layout(ctx.lang, t.sign_in_title, Some(ctx.client_id), &body)
}

/// The sign-up page: `form#signup-form`, `#username`, `#email`,
/// `#password`, `#sign-up`, `#error`, `#signin-link`.
pub(crate) fn signup(
    ctx: &PageContext<'_>,
    username: &str,
    email: &str,
    error: Option<&str>,
) -> String {
    let t = ctx.text();
    let body = format!(
        "<form id=\"signup-form\" method=\"post\" action=\"/signup\" novalidate>{hidden}\
         {username}{email}{password}{error}\
         <button id=\"sign-up\" type=\"submit\">{button}</button></form>\
         <div class=\"links\"><a id=\"signin-link\" href=\"/login?{query}\">{have_account}</a></div>",
        hidden = hidden_fields(ctx),
        username = input("username", t.username, "text", username, "username", error),
        email = input("email", t.email, "email", email, "email", error),
        password = input(
            "password",
            t.password,
            "password",
            "",
            "new-password",
            error
        ),
        error = error_block(error),
        button = escape(t.sign_up_button),
        query = escape(ctx.query),
        have_account = escape(t.have_account),
    );
    layout(ctx.lang, t.sign_up_title, Some(ctx.client_id), &body)
}

/// The confirm page: `form#confirm-form`, `code#confirmation-code`, `#code`,
/// `#confirm`, `#error`.
pub(crate) fn confirm(
    ctx: &PageContext<'_>,
    username: &str,
    shown_code: Option<&str>,
    error: Option<&str>,
) -> String {
    let t = ctx.text();
    let shown = shown_code
        .map(|code| {
            format!(
                "<p class=\"note\">{}</p><code id=\"confirmation-code\">{}</code>",
                escape(t.code_note),
                escape(code)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "{shown}<form id=\"confirm-form\" method=\"post\" action=\"/confirm\" novalidate>{hidden}\
         <input type=\"hidden\" name=\"username\" value=\"{username}\">\
         {code}{error}<button id=\"confirm\" type=\"submit\">{button}</button></form>",
        hidden = hidden_fields(ctx),
        username = escape(username),
        code = input("code", t.code, "text", "", "one-time-code", error),
        error = error_block(error),
        button = escape(t.confirm_button),
    );
    layout(ctx.lang, t.confirm_title, Some(ctx.client_id), &body)
}

/// What the consent page shows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConsentPage<'a> {
    pub(crate) provider: &'a str,
    pub(crate) email: &'a str,
    pub(crate) name: &'a str,
    pub(crate) error: Option<&'a str>,
}

/// The simulated federated provider page: `form#consent-form`, `#email`,
/// `#name`, `#continue`, provider name in `#provider`.
pub(crate) fn consent(ctx: &PageContext<'_>, page: ConsentPage<'_>) -> String {
    let t = ctx.text();
    let title = t.sign_in_with.replace("{}", display_name(page.provider));
    let heading = escape(t.sign_in_with).replace(
        "{}",
        &format!(
            "<span id=\"provider\">{}</span>",
            escape(display_name(page.provider))
        ),
    );
    let body = format!(
        "<p class=\"note\"><strong>{heading}</strong> ({simulated})</p><p class=\"note\">{note}</p>\
         <form id=\"consent-form\" method=\"post\" action=\"/oauth2/idpresponse\" novalidate>{hidden}\
         {email}{name}{error}<button id=\"continue\" type=\"submit\">{button}</button></form>",
        simulated = escape(t.simulated),
        note = escape(t.consent_note),
        hidden = hidden_fields(ctx),
        email = input("email", t.email, "email", page.email, "email", page.error),
        name = input("name", t.name, "text", page.name, "name", page.error),
        error = error_block(page.error),
        button = escape(t.continue_button),
    );
    layout(
        ctx.lang,
        &format!("{title} ({})", t.simulated),
        Some(ctx.client_id),
        &body,
    )
}

/// An error page: `<h1>` and `p#error`.
pub(crate) fn error_page(lang: Lang, message: &str) -> String {
    let body = format!(
        "<p id=\"error\" class=\"error\" role=\"alert\">{}</p>",
        escape(message)
    );
    layout(lang, lang.text().error_title, None, &body)
}
