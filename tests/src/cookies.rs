//! Reading what the aws-amplify peer scripts report about cookies.
//!
//! The scripts record every raw string aws-amplify assigns to `document.cookie` (its
//! `writes`) and the jar afterwards as a browser would send it (its `cookieHeader`).
//! Names and values stay exactly as js-cookie encoded them; [`decode`] undoes that.

use percent_encoding::percent_decode_str;
use serde_json::Value;

/// The prefix of every token cookie aws-amplify writes for a user-pool client.
pub fn key_prefix(client_id: &str) -> String {
    format!("CognitoIdentityServiceProvider.{client_id}")
}

/// Percent-decodes a cookie name or value the way js-cookie's reader does.
pub fn decode(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

/// One raw `document.cookie = "..."` assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieWrite {
    /// The name, still encoded.
    pub name: String,
    /// The value, still encoded.
    pub value: String,
    /// The attributes (`path=/`, `expires=...`, `secure`, `sameSite=lax`, ...), trimmed.
    pub attributes: Vec<String>,
}

impl CookieWrite {
    /// Parses one raw assignment string.
    pub fn parse(raw: &str) -> Self {
        let mut parts = raw.split(';');
        let pair = parts.next().unwrap_or_default();
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        Self {
            name: name.trim().to_owned(),
            value: value.trim().to_owned(),
            attributes: parts
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    /// The value of attribute `key` (case-insensitive), `Some("")` for a flag such as
    /// `secure`, `None` when absent.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find_map(|a| {
            let (k, v) = a.split_once('=').unwrap_or((a, ""));
            k.trim().eq_ignore_ascii_case(key).then_some(v.trim())
        })
    }

    /// Whether this write deletes the cookie (an `expires` in the past or `max-age` ≤ 0).
    pub fn is_deletion(&self) -> bool {
        let expired = self
            .attribute("expires")
            .and_then(httpdate_is_past)
            .unwrap_or(false);
        let max_age_zero = self
            .attribute("max-age")
            .and_then(|age| age.parse::<i64>().ok())
            .is_some_and(|age| age <= 0);
        expired || max_age_zero
    }
}

/// `Some(true)` when a date as JavaScript's `toUTCString()` writes it
/// (`Thu, 01 Jan 1970 00:00:00 GMT`) is in the past; `None` when it does not parse.
fn httpdate_is_past(date: &str) -> Option<bool> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let when = time::PrimitiveDateTime::parse(date.trim(), format)
        .ok()?
        .assume_utc();
    Some(when <= time::OffsetDateTime::now_utc())
}

/// The `writes` array of a peer script's output, parsed.
pub fn writes(output: &Value) -> Vec<CookieWrite> {
    output["writes"]
        .as_array()
        .map(|writes| {
            writes
                .iter()
                .filter_map(Value::as_str)
                .map(CookieWrite::parse)
                .collect()
        })
        .unwrap_or_default()
}

/// The (still encoded) pairs of a Cookie header, in order.
pub fn parse_header(header: &str) -> Vec<(String, String)> {
    header
        .split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

/// The `cookieHeader` of a peer script's output (the jar as a browser would send it).
pub fn header_of(output: &Value) -> String {
    output["cookieHeader"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The raw value of cookie `name` (encoded form) in a Cookie header.
pub fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Builds a Cookie header from (encoded) pairs.
pub fn to_header(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The claims of a JWT, without checking its signature (for assertions only).
pub fn jwt_claims(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token
        .split('.')
        .nth(1)
        .unwrap_or_else(|| panic!("not a JWT: {token:.20}…"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .expect("JWT payload is base64url");
    serde_json::from_slice(&bytes).expect("JWT payload is JSON")
}

/// Encodes a cookie name the way js-cookie 3 (and so aws-amplify) does:
/// `encodeURIComponent`, then `# $ & + ^ ` |` put back literally.
pub fn js_cookie_encode_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            )
            || matches!(byte, b'#' | b'$' | b'&' | b'+' | b'^' | b'`' | b'|');
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_names_like_js_cookie() {
        assert_eq!(
            js_cookie_encode_name("alice+test@example.com"),
            "alice+test%40example.com"
        );
        assert_eq!(js_cookie_encode_name("a b/ü"), "a%20b%2F%C3%BC");
    }

    #[test]
    fn parses_writes() {
        let w = CookieWrite::parse(
            "a%40b=x%22y; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; secure",
        );
        assert_eq!(w.name, "a%40b");
        assert_eq!(decode(&w.name), "a@b");
        assert_eq!(decode(&w.value), "x\"y");
        assert_eq!(w.attribute("PATH"), Some("/"));
        assert_eq!(w.attribute("secure"), Some(""));
        assert!(w.is_deletion());
        let keep = CookieWrite::parse("k=v; path=/; expires=Fri, 26 Nov 2100 09:05:52 GMT");
        assert!(!keep.is_deletion());
    }

    #[test]
    fn splits_headers() {
        let pairs = parse_header("a=1; b=2=3;c=");
        assert_eq!(get(&pairs, "b"), Some("2=3"));
        assert_eq!(get(&pairs, "c"), Some(""));
        assert_eq!(to_header(&pairs), "a=1; b=2=3; c=");
    }
}
