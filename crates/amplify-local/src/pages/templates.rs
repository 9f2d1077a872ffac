//! The page templates. Element ids are stable (tests and headless browsers
//! rely on them): see each function.

use super::{CSRF_FIELD, Lang, PageContext, escape};

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;\
background:#f2f3f3;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#16191f;overflow-wrap:anywhere}\
main{background:#fff;width:100%;max-width:24rem;margin:1rem;padding:2rem;border-radius:.5rem;\
box-shadow:0 1px 4px rgba(0,0,0,.15)}\
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}\
.tag{display:inline-block;margin:0;padding:.1rem .5rem;border:1px solid #7d8998;border-radius:1rem;\
color:#545b64;font-size:.8rem}\
label{display:block;font-weight:600;margin:1rem 0 .25rem}\
input{width:100%;padding:.55rem .6rem;border:1px solid #7d8998;border-radius:.25rem;font:inherit}\
input[aria-invalid=true]{border-color:#d13212}\
button,.button{display:block;width:100%;margin-top:1.5rem;padding:.65rem;border:0;border-radius:.25rem;\
background:#0972d3;color:#fff;font:inherit;font-weight:600;text-align:center;text-decoration:none;cursor:pointer}\
button:hover,.button:hover{background:#065bab}\
.provider{background:#fff;color:#16191f;border:1px solid #7d8998;margin-top:.5rem}\
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

/// A complete document whose `<h1>` is `title`.
pub(super) fn layout(lang: Lang, title: &str, body: &str) -> String {
    layout_with_heading(lang, title, &escape(title), body)
}

/// A complete document: `title` (text) in `<title>`, `heading` (markup,
/// already escaped) as the page's one `<h1>`.
fn layout_with_heading(lang: Lang, title: &str, heading: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{tag}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · amplify-local</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>{heading}</h1>\n{body}\n<footer>amplify-local · managed login</footer>\n</main>\n</body>\n</html>\n",
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

/// One labelled input of a form (`id` is also its `name`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Field<'a> {
    pub(super) id: &'a str,
    pub(super) label: &'a str,
    /// The input `type`.
    pub(super) kind: &'a str,
    pub(super) value: &'a str,
    pub(super) autocomplete: &'a str,
}

impl<'a> Field<'a> {
    pub(super) fn new(
        id: &'a str,
        label: &'a str,
        kind: &'a str,
        value: &'a str,
        autocomplete: &'a str,
    ) -> Self {
        Self {
            id,
            label,
            kind,
            value,
            autocomplete,
        }
    }
}

/// The visible part of a form before its buttons: the error message, if
/// any, then the labelled inputs. The pages run no script, so focus is set
/// with `autofocus`: without an error, on the first empty input (the first
/// input if all are filled); with one, on the message (`tabindex="-1"`),
/// which is announced (`role="alert"`) and which every input points to
/// (`aria-describedby`, `aria-invalid`). The message comes first so that
/// Tab goes on from it to the inputs. Ids: `#error` and each field's id.
pub(super) fn form_fields(fields: &[Field<'_>], error: Option<&str>) -> String {
    let mut out = error
        .map(|message| {
            format!(
                "<p id=\"error\" class=\"error\" role=\"alert\" tabindex=\"-1\" autofocus>{}</p>",
                escape(message)
            )
        })
        .unwrap_or_default();
    let focused = match error {
        Some(_) => None,
        None => fields
            .iter()
            .position(|field| field.value.is_empty())
            .or((!fields.is_empty()).then_some(0)),
    };
    let invalid = if error.is_some() {
        " aria-invalid=\"true\" aria-describedby=\"error\""
    } else {
        ""
    };
    for (index, field) in fields.iter().enumerate() {
        let autofocus = if focused == Some(index) {
            " autofocus"
        } else {
            ""
        };
        out.push_str(&format!(
            "<label for=\"{id}\">{label}</label>\
             <input id=\"{id}\" name=\"{id}\" type=\"{kind}\" value=\"{value}\" \
             autocomplete=\"{autocomplete}\" required{invalid}{autofocus}>",
            id = field.id,
            label = escape(field.label),
            kind = field.kind,
            value = escape(field.value),
            autocomplete = field.autocomplete,
        ));
    }
    out
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
/// When usernames are email addresses, `#username` is labelled "Email".
pub(crate) fn login(
    ctx: &PageContext<'_>,
    username: &str,
    email_usernames: bool,
    notice: Option<&str>,
    error: Option<&str>,
) -> String {
    let t = ctx.text();
    let (username_label, username_kind) = if email_usernames {
        (t.email, "email")
    } else {
        (t.username, "text")
    };
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
         {fields}<button id=\"sign-in\" type=\"submit\">{button}</button></form>{providers}\
         <div class=\"links\"><a id=\"signup-link\" href=\"/signup?{query}\">{no_account}</a>\
         <a id=\"forgot-link\" href=\"/forgotPassword?{query}\">{forgot}</a></div>",
        hidden = hidden_fields(ctx),
        fields = form_fields(
            &[
                Field::new(
                    "username",
                    username_label,
                    username_kind,
                    username,
                    "username"
                ),
                Field::new("password", t.password, "password", "", "current-password"),
            ],
            error
        ),
        button = escape(t.sign_in_button),
        query = escape(ctx.query),
        no_account = escape(t.no_account),
        forgot = escape(t.forgot_password),
    );
    layout(ctx.lang, t.sign_in_title, &body)
}

/// What the sign-up form shows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignupForm<'a> {
    pub(crate) username: &'a str,
    pub(crate) email: &'a str,
    /// Usernames are email addresses: no username field.
    pub(crate) email_usernames: bool,
    pub(crate) error: Option<&'a str>,
}

/// The sign-up page: `form#signup-form`, `#username` (absent when usernames
/// are email addresses), `#email`, `#password`, `#sign-up`, `#error`,
/// `#signin-link`.
pub(crate) fn signup(ctx: &PageContext<'_>, form: SignupForm<'_>) -> String {
    let t = ctx.text();
    let username = Field::new("username", t.username, "text", form.username, "username");
    // With email usernames the email is what the user signs in with.
    let email_autocomplete = if form.email_usernames {
        "username"
    } else {
        "email"
    };
    let email = Field::new("email", t.email, "email", form.email, email_autocomplete);
    let password = Field::new("password", t.password, "password", "", "new-password");
    let fields = if form.email_usernames {
        form_fields(&[email, password], form.error)
    } else {
        form_fields(&[username, email, password], form.error)
    };
    let body = format!(
        "<form id=\"signup-form\" method=\"post\" action=\"/signup\" novalidate>{hidden}\
         {fields}<button id=\"sign-up\" type=\"submit\">{button}</button></form>\
         <div class=\"links\"><a id=\"signin-link\" href=\"/login?{query}\">{have_account}</a></div>",
        hidden = hidden_fields(ctx),
        button = escape(t.sign_up_button),
        query = escape(ctx.query),
        have_account = escape(t.have_account),
    );
    layout(ctx.lang, t.sign_up_title, &body)
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
         {fields}<button id=\"confirm\" type=\"submit\">{button}</button></form>",
        hidden = hidden_fields(ctx),
        username = escape(username),
        fields = form_fields(
            &[Field::new("code", t.code, "text", "", "one-time-code")],
            error
        ),
        button = escape(t.confirm_button),
    );
    layout(ctx.lang, t.confirm_title, &body)
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
/// `#name`, `#continue`; the `<h1>` names the provider in `#provider`, and
/// `#simulated` says that the page is amplify-local's.
pub(crate) fn consent(ctx: &PageContext<'_>, page: ConsentPage<'_>) -> String {
    let t = ctx.text();
    let provider = display_name(page.provider);
    let title = format!(
        "{} ({})",
        t.sign_in_with.replace("{}", provider),
        t.simulated
    );
    let heading = escape(t.sign_in_with).replace(
        "{}",
        &format!("<span id=\"provider\">{}</span>", escape(provider)),
    );
    let body = format!(
        "<p id=\"simulated\" class=\"tag\">{simulated}</p><p class=\"note\">{note}</p>\
         <form id=\"consent-form\" method=\"post\" action=\"/oauth2/idpresponse\" novalidate>{hidden}\
         {fields}<button id=\"continue\" type=\"submit\">{button}</button></form>",
        simulated = escape(t.simulated),
        note = escape(t.consent_note),
        hidden = hidden_fields(ctx),
        fields = form_fields(
            &[
                Field::new("email", t.email, "email", page.email, "email"),
                Field::new("name", t.name, "text", page.name, "name"),
            ],
            page.error
        ),
        button = escape(t.continue_button),
    );
    layout_with_heading(ctx.lang, &title, &heading, &body)
}

/// An error page: `<h1>` and `p#error`.
pub(crate) fn error_page(lang: Lang, message: &str) -> String {
    let body = format!(
        "<p id=\"error\" class=\"error\" role=\"alert\">{}</p>",
        escape(message)
    );
    layout(lang, lang.text().error_title, &body)
}
