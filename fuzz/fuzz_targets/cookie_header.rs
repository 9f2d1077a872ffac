//! The `Cookie` request header parser and the js-cookie codec (`amplify_ssr::cookies`).
//!
//! Input: raw `Cookie` header bytes; `\n` separates several `Cookie` headers (HTTP/2 splits them). The same bytes,
//! cut at the first NUL, are also used as a cookie name and value for the codec round trips, and the header is
//! searched for the chunks of a split token cookie.
#![no_main]

use amplify_ssr::cookies::{
    MAX_CHUNKS, RequestCookies, chunk_name, decode, encode_name, encode_value, join_chunks,
};
use http::{HeaderMap, HeaderValue, header::COOKIE};
use libfuzzer_sys::fuzz_target;

/// RFC 6265 §4.1.1 `cookie-octet`.
fn is_cookie_octet(byte: u8) -> bool {
    matches!(byte, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E)
}

/// RFC 7230 `tchar` (a cookie name is a token).
fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    // One header: names are distinct and non-empty, and `get` finds each one's value.
    let cookies = RequestCookies::parse(&text);
    let mut names = std::collections::HashSet::new();
    for (name, value) in cookies.iter() {
        assert!(!name.is_empty());
        assert!(names.insert(name.to_owned()), "duplicate name {name:?}");
        assert_eq!(cookies.get(name), Some(value));
    }
    assert_eq!(cookies.len(), names.len());

    // Chunks of a split cookie: joining never panics, and what joins is the chunks' values in order.
    for name in ["a.idToken", "CognitoIdentityServiceProvider.c.u.accessToken"] {
        if let Some(Ok(joined)) = join_chunks(&cookies, name) {
            let mut expected = String::new();
            for index in 0..MAX_CHUNKS {
                let chunk = chunk_name(name, index);
                match cookies.get_all(&chunk).find(|value| !value.is_empty()) {
                    Some(value) => expected.push_str(value),
                    None => break,
                }
            }
            assert_eq!(joined, expected);
        }
    }

    // Several headers read as one joined with `;`.
    let mut headers = HeaderMap::new();
    let mut parts = Vec::new();
    for part in data.split(|b| *b == b'\n') {
        if let (Ok(value), Ok(part)) = (HeaderValue::from_bytes(part), std::str::from_utf8(part)) {
            headers.append(COOKIE, value);
            parts.push(part);
        }
    }
    assert_eq!(
        RequestCookies::from_headers(&headers),
        RequestCookies::parse(&parts.join(";"))
    );

    // The codec: what it writes is valid on the wire and decodes back to the input.
    let (name, value) = text.split_once('\0').unwrap_or((&text, &text));
    let encoded_name = encode_name(name);
    let encoded_value = encode_value(value);
    assert!(encoded_name.bytes().all(is_tchar), "{encoded_name:?}");
    assert!(
        encoded_value.bytes().all(is_cookie_octet),
        "{encoded_value:?}"
    );
    assert_eq!(decode(&encoded_name), name);
    assert_eq!(decode(&encoded_value), value);
    // Decoding never invents text: without a valid escape it is the identity.
    if !text.contains('%') {
        assert_eq!(decode(&text), text);
    }

    // A cookie written by the codec is read back by the parser.
    if !name.is_empty() {
        let header = format!("other=1; {encoded_name}={encoded_value}; {encoded_name}=shadowed");
        let parsed = RequestCookies::parse(&header);
        if name != "other" {
            assert_eq!(parsed.get(name), Some(value), "{header:?}");
        }
    }
});
