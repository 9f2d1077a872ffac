//! The sign-in challenge pages (new password, MFA codes, MFA set-up and
//! choice) and the password-reset pages. Element ids are stable: see each
//! function.

use super::templates::{Field, form_fields, hidden_fields, layout};
use super::{PageContext, escape};

/// The sign-in state a challenge form carries: the `Session` of the
/// challenge (96 random bytes, like the JSON API's), its name, the user.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChallengeForm<'a> {
    pub(crate) session: &'a str,
    pub(crate) challenge: &'a str,
    pub(crate) username: &'a str,
}

fn challenge_hidden(ctx: &PageContext<'_>, form: &ChallengeForm<'_>) -> String {
    format!(
        "{}<input type=\"hidden\" name=\"session\" value=\"{}\">\
         <input type=\"hidden\" name=\"challenge\" value=\"{}\">\
         <input type=\"hidden\" name=\"username\" value=\"{}\">",
        hidden_fields(ctx),
        escape(form.session),
        escape(form.challenge),
        escape(form.username),
    )
}

fn note(id: &str, text: &str) -> String {
    format!("<p id=\"{id}\" class=\"note\">{}</p>", escape(text))
}

fn back_link(ctx: &PageContext<'_>) -> String {
    format!(
        "<div class=\"links\"><a id=\"signin-link\" href=\"/login?{}\">{}</a></div>",
        escape(ctx.query),
        escape(ctx.lang.account().back_to_sign_in)
    )
}

/// The new-password page of an admin-created user:
/// `form#new-password-form`, `#new-password`, `#email` (when the pool
/// requires it and the user has none), `#submit`, `#error`.
pub(crate) fn new_password(
    ctx: &PageContext<'_>,
    form: &ChallengeForm<'_>,
    needs_email: bool,
    error: Option<&str>,
) -> String {
    let t = ctx.lang.account();
    let mut fields = vec![Field::new(
        "new-password",
        t.new_password,
        "password",
        "",
        "new-password",
    )];
    if needs_email {
        fields.push(Field::new("email", ctx.text().email, "email", "", "email"));
    }
    let body = format!(
        "{note}<form id=\"new-password-form\" method=\"post\" action=\"/login/challenge\" novalidate>\
         {hidden}{fields}<button id=\"submit\" type=\"submit\">{button}</button></form>",
        note = note("new-password-note", t.new_password_note),
        hidden = challenge_hidden(ctx, form),
        fields = form_fields(&fields, error),
        button = escape(ctx.text().continue_button),
    );
    layout(ctx.lang, t.new_password_title, &body)
}

/// The code page of SMS_MFA, EMAIL_OTP and SOFTWARE_TOKEN_MFA:
/// `form#mfa-form`, `code#mfa-code` (SMS and email: the code amplify-local
/// shows instead of sending it), `#code`, `#verify`, `#error`.
pub(crate) fn mfa_code(
    ctx: &PageContext<'_>,
    form: &ChallengeForm<'_>,
    shown_code: Option<&str>,
    error: Option<&str>,
) -> String {
    let t = ctx.lang.account();
    let shown = match shown_code {
        Some(code) => format!(
            "{}<code id=\"mfa-code\">{}</code>",
            note("sent-note", t.sent_note),
            escape(code)
        ),
        None => note("totp-note", t.totp_note),
    };
    let body = format!(
        "{shown}<form id=\"mfa-form\" method=\"post\" action=\"/login/challenge\" novalidate>\
         {hidden}{fields}<button id=\"verify\" type=\"submit\">{button}</button></form>{back}",
        hidden = challenge_hidden(ctx, form),
        fields = form_fields(
            &[Field::new("code", t.code, "text", "", "one-time-code")],
            error
        ),
        button = escape(t.verify_button),
        back = back_link(ctx),
    );
    layout(ctx.lang, t.mfa_title, &body)
}

/// The TOTP set-up page: `code#totp-secret`, `code#totp-uri` (the
/// `otpauth://` URI, as text), `form#mfa-setup-form`, `#code`, `#verify`.
pub(crate) fn totp_setup(
    ctx: &PageContext<'_>,
    form: &ChallengeForm<'_>,
    secret: &str,
    uri: &str,
    error: Option<&str>,
) -> String {
    let t = ctx.lang.account();
    let body = format!(
        "{note}<p class=\"note\">{secret_label}</p><code id=\"totp-secret\" class=\"shown\">{secret}</code>\
         <code id=\"totp-uri\" class=\"shown\">{uri}</code>\
         <form id=\"mfa-setup-form\" method=\"post\" action=\"/login/challenge\" novalidate>\
         {hidden}{fields}<button id=\"verify\" type=\"submit\">{button}</button></form>{back}",
        note = note("setup-note", t.setup_note),
        secret_label = escape(t.secret_label),
        secret = escape(secret),
        uri = escape(uri),
        hidden = challenge_hidden(ctx, form),
        fields = form_fields(
            &[Field::new("code", t.code, "text", "", "one-time-code")],
            error
        ),
        button = escape(t.verify_button),
        back = back_link(ctx),
    );
    layout(ctx.lang, t.setup_title, &body)
}

/// The email MFA set-up page: `form#mfa-setup-form`, `#email`, `#verify`.
pub(crate) fn email_setup(
    ctx: &PageContext<'_>,
    form: &ChallengeForm<'_>,
    error: Option<&str>,
) -> String {
    let t = ctx.lang.account();
    let body = format!(
        "{note}<form id=\"mfa-setup-form\" method=\"post\" action=\"/login/challenge\" novalidate>\
         {hidden}{fields}<button id=\"verify\" type=\"submit\">{button}</button></form>{back}",
        note = note("setup-note", t.email_setup_note),
        hidden = challenge_hidden(ctx, form),
        fields = form_fields(
            &[Field::new("email", ctx.text().email, "email", "", "email")],
            error
        ),
        button = escape(ctx.text().continue_button),
        back = back_link(ctx),
    );
    layout(ctx.lang, t.setup_title, &body)
}

/// The factor choice: `form#select-mfa-form` with one button per factor,
/// `#choose-SMS_MFA`, `#choose-SOFTWARE_TOKEN_MFA`, `#choose-EMAIL_OTP`.
pub(crate) fn select_mfa(
    ctx: &PageContext<'_>,
    form: &ChallengeForm<'_>,
    choices: &[String],
    error: Option<&str>,
) -> String {
    let t = ctx.lang.account();
    let buttons: String = choices
        .iter()
        .map(|choice| {
            let label = match choice.as_str() {
                "SMS_MFA" => t.choice_sms,
                "EMAIL_OTP" => t.choice_email,
                _ => t.choice_totp,
            };
            format!(
                "<button id=\"choose-{id}\" type=\"submit\" name=\"answer\" value=\"{id}\">{label}</button>",
                id = escape(choice),
                label = escape(label)
            )
        })
        .collect();
    let body = format!(
        "<form id=\"select-mfa-form\" method=\"post\" action=\"/login/challenge\" novalidate>\
         {hidden}{error}{buttons}</form>{back}",
        hidden = challenge_hidden(ctx, form),
        error = form_fields(&[], error),
        back = back_link(ctx),
    );
    layout(ctx.lang, t.select_title, &body)
}

/// The "forgot your password" page: `form#forgot-form`, `#username`,
/// `#send-code`, `#error`, `#signin-link`. When usernames are email
/// addresses, `#username` is labelled "Email".
pub(crate) fn forgot(
    ctx: &PageContext<'_>,
    username: &str,
    email_usernames: bool,
    error: Option<&str>,
) -> String {
    let t = ctx.lang.account();
    let (note_text, label, kind) = if email_usernames {
        (t.forgot_note_email, ctx.text().email, "email")
    } else {
        (t.forgot_note, ctx.text().username, "text")
    };
    let body = format!(
        "{note}<form id=\"forgot-form\" method=\"post\" action=\"/forgotPassword\" novalidate>\
         {hidden}{fields}<button id=\"send-code\" type=\"submit\">{button}</button></form>{back}",
        note = note("forgot-note", note_text),
        hidden = hidden_fields(ctx),
        fields = form_fields(
            &[Field::new("username", label, kind, username, "username")],
            error
        ),
        button = escape(t.send_code),
        back = back_link(ctx),
    );
    layout(ctx.lang, t.forgot_title, &body)
}

/// The reset page: `code#reset-code` (the code amplify-local shows instead
/// of sending it), `form#reset-form`, `#code`, `#new-password`, `#reset`,
/// `#error`.
pub(crate) fn reset(
    ctx: &PageContext<'_>,
    username: &str,
    shown_code: Option<&str>,
    error: Option<&str>,
) -> String {
    let t = ctx.lang.account();
    let shown = shown_code
        .map(|code| {
            format!(
                "{}<code id=\"reset-code\">{}</code>",
                note("sent-note", t.sent_note),
                escape(code)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "{shown}<form id=\"reset-form\" method=\"post\" action=\"/confirmForgotPassword\" novalidate>\
         {hidden}<input type=\"hidden\" name=\"username\" value=\"{username}\">\
         {fields}<button id=\"reset\" type=\"submit\">{button}</button></form>{back}",
        hidden = hidden_fields(ctx),
        username = escape(username),
        fields = form_fields(
            &[
                Field::new("code", t.code, "text", "", "one-time-code"),
                Field::new(
                    "new-password",
                    t.new_password,
                    "password",
                    "",
                    "new-password"
                ),
            ],
            error
        ),
        button = escape(t.reset_button),
        back = back_link(ctx),
    );
    layout(ctx.lang, t.reset_title, &body)
}
