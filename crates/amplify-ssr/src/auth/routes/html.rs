//! The routes' two pages: the intermediary ("bounce") page used where a 302 would keep a cross-site navigation
//! context, and the sign-out confirmation.

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine as _;

/// An HTML page that sends the browser to `target` with a meta refresh, `window.location.replace` and a link,
/// and the Content-Security-Policy to send with it: nothing may load or run but its own script, allowed by hash,
/// so the page works under an application's strict policy too (a policy without `'unsafe-inline'` would block
/// the script otherwise).
///
/// `target` is first made inert for every context it appears in: characters that could end a quoted URL or a
/// tag (`'`, `"`, `<`, `>`, backtick, whitespace, controls) are percent-encoded, the result is HTML-escaped for
/// the attributes and serialised as a JSON string with `<`, `>`, `&` and the JS line separators escaped for the
/// script.
pub(crate) fn redirect_page(target: &str) -> (String, String) {
    let url = inert_url(target);
    let attr = escape_html(&url);
    let script = format!("window.location.replace({});", js_string(&url));
    let hash = base64::engine::general_purpose::STANDARD.encode(digest(&SHA256, script.as_bytes()));
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; URL='{attr}'\">\n<title>Redirecting…</title>\n</head>\n\
         <body>\n<p>Redirecting… If nothing happens, <a href=\"{attr}\">continue</a>.</p>\n\
         <script>{script}</script>\n</body>\n</html>\n"
    );
    let policy = format!("default-src 'none'; script-src 'sha256-{hash}'; base-uri 'none'");
    (page, policy)
}

/// The page a sign-out the user may not have asked for gets (another site linked to it, a script on this one
/// navigated to it, or a browser that cannot say): a button that posts the sign-out back to the same address, and
/// a way home.
pub(crate) const CONFIRM_SIGN_OUT_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
    <meta name=\"robots\" content=\"noindex\">\n\
    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Sign out?</title>\n</head>\n\
    <body>\n<main>\n<h1>Sign out?</h1>\n\
    <p>This site could not tell whether you used its own sign-out link. Sign out only if you meant to.</p>\n\
    <form method=\"post\"><button type=\"submit\" id=\"confirm-sign-out\">Sign out</button></form>\n\
    <p><a id=\"cancel-sign-out\" href=\"/\">Stay signed in</a></p>\n</main>\n</body>\n</html>\n";

/// Percent-encodes the characters that could break out of a quoted URL in HTML, CSS-less meta refresh or JS.
fn inert_url(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    for c in target.chars() {
        match c {
            '\'' | '"' | '<' | '>' | '`' | '\\' => push_percent(&mut out, c),
            c if c.is_whitespace() || c.is_control() => push_percent(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

fn push_percent(out: &mut String, c: char) {
    let mut buf = [0u8; 4];
    for byte in c.encode_utf8(&mut buf).bytes() {
        out.push_str(&format!("%{byte:02X}"));
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A JS string literal safe inside a `<script>` element.
fn js_string(text: &str) -> String {
    let json = serde_json::Value::String(text.to_owned()).to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_target() {
        let (page, policy) = redirect_page("/dashboard?a=1&b=2");
        assert!(
            page.contains("content=\"0; URL='/dashboard?a=1&amp;b=2'\""),
            "{page}"
        );
        assert!(page.contains("href=\"/dashboard?a=1&amp;b=2\""), "{page}");
        let script = "window.location.replace(\"/dashboard?a=1\\u0026b=2\");";
        assert!(
            page.contains(&format!("<script>{script}</script>")),
            "{page}"
        );
        // The policy allows exactly that script.
        let hash =
            base64::engine::general_purpose::STANDARD.encode(digest(&SHA256, script.as_bytes()));
        assert_eq!(
            policy,
            format!("default-src 'none'; script-src 'sha256-{hash}'; base-uri 'none'")
        );
    }

    #[test]
    fn hostile_target_stays_inert() {
        let (page, _) = redirect_page("/x'\"><script>alert(1)</script>\u{2028}`");
        assert_eq!(page.matches("<script>").count(), 1, "{page}");
        assert!(!page.contains("/x'"), "{page}");
        assert!(!page.contains('\u{2028}'), "{page}");
        assert!(
            page.contains("%27%22%3E%3Cscript%3Ealert(1)%3C/script%3E%E2%80%A8%60"),
            "{page}"
        );
    }
}
