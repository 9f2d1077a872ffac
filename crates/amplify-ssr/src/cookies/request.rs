//! Reading the `Cookie` request header(s).

use std::collections::HashSet;

use super::codec::decode;

/// The cookies of one request, with names and values percent-decoded.
///
/// Accepts every encoding aws-amplify deployments produce: raw values (the Next adapter's own serialiser),
/// js-cookie-encoded names and values (the browser), and fully `encodeURIComponent`-encoded values (Next's cookie jar).
/// Surrounding double quotes are stripped from values, pairs without `=` or with an empty name are skipped, and a
/// value containing `=` is kept whole.
///
/// **Duplicate names: [`get`](Self::get) returns the first occurrence.** Browsers send the cookie with the longest
/// matching `Path` first, and js-cookie, which the browser-side Amplify client reads with, also stops at the first
/// match; for ordinary cookies the same rule means the server and the browser see the same value. Names are
/// compared after decoding, so `alice%40example.com` and `alice@example.com` are the same name.
///
/// Every copy is kept, though: [`get_all`](Self::get_all) returns them all. A page on a sibling host or port can
/// plant a second copy of a cookie (cookie tossing), and the browser may well send the planted copy first, so the
/// session cookies are never read first-wins: the library reads every copy and lets none that disagrees with the
/// others win (see [`crate::auth`]).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestCookies {
    /// Every decoded pair, in header order, duplicates included.
    pairs: Vec<Pair>,
}

#[derive(Clone, PartialEq, Eq)]
struct Pair {
    name: String,
    value: String,
    /// Whether this is the first occurrence of its name.
    first: bool,
}

/// Prints the cookie names only: the values are session tokens.
impl std::fmt::Debug for RequestCookies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestCookies")
            .field(
                "names",
                &self.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl RequestCookies {
    /// Reads every `Cookie` header (HTTP/2 may split cookies over several), in order.
    ///
    /// Bytes that are not UTF-8 are replaced with U+FFFD rather than dropping the whole header.
    #[must_use]
    pub fn from_headers(headers: &http::HeaderMap) -> Self {
        let mut cookies = Self::default();
        let mut seen = HashSet::new();
        for header in headers.get_all(http::header::COOKIE) {
            cookies.extend_from(&String::from_utf8_lossy(header.as_bytes()), &mut seen);
        }
        cookies
    }

    /// Parses one `Cookie` header value (`name=value; name2=value2`).
    #[must_use]
    pub fn parse(cookie_header: &str) -> Self {
        let mut cookies = Self::default();
        cookies.extend_from(cookie_header, &mut HashSet::new());
        cookies
    }

    /// The decoded value of the first cookie whose decoded name is `raw_name`.
    #[must_use]
    pub fn get(&self, raw_name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|pair| pair.name == raw_name)
            .map(|pair| pair.value.as_str())
    }

    /// The decoded values of every cookie whose decoded name is `raw_name`, in the order the request sent them
    /// (identical copies included).
    pub fn get_all<'a>(&'a self, raw_name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |pair| pair.name == raw_name)
            .map(|pair| pair.value.as_str())
    }

    /// Whether the request carried a cookie whose decoded name is `raw_name` (even with an empty value).
    #[must_use]
    pub fn contains(&self, raw_name: &str) -> bool {
        self.get(raw_name).is_some()
    }

    /// Decoded `(name, value)` pairs, one per distinct name (its first occurrence), in order of first appearance.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .filter(|pair| pair.first)
            .map(|pair| (pair.name.as_str(), pair.value.as_str()))
    }

    /// Number of distinct cookie names.
    #[must_use]
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether the request carried no usable cookie.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    fn extend_from(&mut self, header: &str, seen: &mut HashSet<String>) {
        for pair in header.split(';') {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let name = decode(trim_ows(name));
            if name.is_empty() {
                continue;
            }
            let value = decode(strip_quotes(trim_ows(value)));
            let first = seen.insert(name.clone());
            self.pairs.push(Pair { name, value, first });
        }
    }
}

/// Trims the optional whitespace (space, tab) allowed around cookie pairs.
fn trim_ows(text: &str) -> &str {
    text.trim_matches([' ', '\t'])
}

fn strip_quotes(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(value)
}
