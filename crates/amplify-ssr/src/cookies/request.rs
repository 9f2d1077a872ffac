//! Reading the `Cookie` request header(s).

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

use http::HeaderValue;

use super::codec::{decode, decodes_to};

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
///
/// # Cost
///
/// Nothing is parsed up front: the header is kept as received (a cheap, shared copy of the `HeaderValue`) and a
/// lookup scans it for the name asked for, comparing names without decoding them first. A name or value that is
/// plain (the common case: JWTs, UUID usernames) is returned as a slice of the header. Only a lookup that meets a
/// percent-encoded value (or a name that cannot be compared without decoding) decodes the whole header, once per
/// request, and [`iter`](Self::iter) and [`len`](Self::len) do the same.
#[derive(Clone, Default)]
pub struct RequestCookies {
    /// The `Cookie` header texts, in order.
    headers: Headers,
    /// Every decoded pair, in header order, duplicates included: built on first need.
    decoded: OnceLock<Vec<Pair>>,
}

/// The `Cookie` header(s) as received: one header without a copy (the usual case), or text.
#[derive(Clone, Default)]
enum Headers {
    #[default]
    None,
    /// One header whose bytes are valid UTF-8.
    One(HeaderValue),
    /// Several headers, or one that was not UTF-8 (decoded lossily).
    Text(Vec<Box<str>>),
}

#[derive(Clone, PartialEq, Eq)]
struct Pair {
    name: String,
    value: String,
    /// Whether this is the first occurrence of its name.
    first: bool,
}

/// One `name=value` pair as it appears in the header: trimmed, value quotes stripped, not decoded.
#[derive(Clone, Copy)]
struct RawPair<'h> {
    name: &'h [u8],
    value: &'h [u8],
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

/// Two sets of request cookies are equal when they decode to the same pairs in the same order.
impl PartialEq for RequestCookies {
    fn eq(&self, other: &Self) -> bool {
        self.decoded() == other.decoded()
    }
}

impl Eq for RequestCookies {}

impl RequestCookies {
    /// Reads every `Cookie` header (HTTP/2 may split cookies over several), in order.
    ///
    /// Bytes that are not UTF-8 are replaced with U+FFFD rather than dropping the whole header.
    #[must_use]
    pub fn from_headers(headers: &http::HeaderMap) -> Self {
        let mut values = headers.get_all(http::header::COOKIE).iter();
        let headers = match (values.next(), values.next()) {
            (None, _) => Headers::None,
            (Some(one), None) if std::str::from_utf8(one.as_bytes()).is_ok() => {
                Headers::One(one.clone())
            }
            _ => Headers::Text(
                headers
                    .get_all(http::header::COOKIE)
                    .iter()
                    .map(|value| String::from_utf8_lossy(value.as_bytes()).into())
                    .collect(),
            ),
        };
        Self {
            headers,
            decoded: OnceLock::new(),
        }
    }

    /// Parses one `Cookie` header value (`name=value; name2=value2`).
    #[must_use]
    pub fn parse(cookie_header: &str) -> Self {
        Self {
            headers: Headers::Text(vec![cookie_header.into()]),
            decoded: OnceLock::new(),
        }
    }

    /// The decoded value of the first cookie whose decoded name is `raw_name`.
    #[must_use]
    pub fn get(&self, raw_name: &str) -> Option<&str> {
        self.get_all(raw_name).next()
    }

    /// The decoded values of every cookie whose decoded name is `raw_name`, in the order the request sent them
    /// (identical copies included).
    pub fn get_all<'s, 'n>(
        &'s self,
        raw_name: &'n str,
    ) -> impl Iterator<Item = &'s str> + use<'s, 'n> {
        let mut fallback: Option<std::slice::Iter<'s, Pair>> = None;
        let mut scan = self.raw_pairs().enumerate();
        std::iter::from_fn(move || {
            if let Some(rest) = &mut fallback {
                return rest
                    .find(|pair| pair.name == raw_name)
                    .map(|pair| pair.value.as_str());
            }
            for (index, pair) in scan.by_ref() {
                let plain_value = match name_is(pair.name, raw_name) {
                    Some(false) => continue,
                    Some(true) => plain(pair.value),
                    None => None,
                };
                if let Some(value) = plain_value {
                    return Some(value);
                }
                // This pair needs decoding (its name or its value): go on from the decoded list.
                let rest = fallback.insert(self.decoded()[index..].iter());
                return rest
                    .find(|pair| pair.name == raw_name)
                    .map(|pair| pair.value.as_str());
            }
            None
        })
    }

    /// Like [`get_all`](Self::get_all), decoding only the values returned: a value that needs decoding is
    /// decoded on its own (one allocation) rather than through the whole header. For the session's hot path.
    pub(crate) fn values<'s, 'n>(
        &'s self,
        raw_name: &'n str,
    ) -> impl Iterator<Item = Cow<'s, str>> + use<'s, 'n> {
        self.raw_pairs().filter_map(move |pair| {
            let matches = name_is(pair.name, raw_name)
                .unwrap_or_else(|| decode(&String::from_utf8_lossy(pair.name)) == raw_name);
            if !matches {
                return None;
            }
            Some(match plain(pair.value) {
                Some(value) => Cow::Borrowed(value),
                None => Cow::Owned(decode(&String::from_utf8_lossy(pair.value))),
            })
        })
    }

    /// Whether the request carried a cookie whose decoded name is `raw_name` (even with an empty value).
    #[must_use]
    pub fn contains(&self, raw_name: &str) -> bool {
        self.get(raw_name).is_some()
    }

    /// Decoded `(name, value)` pairs, one per distinct name (its first occurrence), in order of first appearance.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.decoded()
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
        self.raw_pairs().next().is_none()
    }

    /// The header texts, in order.
    fn texts(&self) -> impl Iterator<Item = &[u8]> {
        let (one, many): (Option<&[u8]>, &[Box<str>]) = match &self.headers {
            Headers::None => (None, &[]),
            Headers::One(value) => (Some(value.as_bytes()), &[]),
            Headers::Text(texts) => (None, texts),
        };
        one.into_iter()
            .chain(many.iter().map(|text| text.as_bytes()))
    }

    /// Every usable pair, undecoded, in header order (the same pairs, in the same order, as [`decoded`]).
    fn raw_pairs(&self) -> impl Iterator<Item = RawPair<'_>> {
        self.texts().flat_map(|text| {
            text.split(|&byte| byte == b';').filter_map(|pair| {
                let at = pair.iter().position(|&byte| byte == b'=')?;
                let name = trim_ows(&pair[..at]);
                // A name is empty after decoding only when it is empty as written.
                (!name.is_empty()).then(|| RawPair {
                    name,
                    value: strip_quotes(trim_ows(&pair[at + 1..])),
                })
            })
        })
    }

    /// Every pair decoded, duplicates included, built once.
    fn decoded(&self) -> &[Pair] {
        self.decoded.get_or_init(|| {
            let mut seen = HashSet::new();
            self.raw_pairs()
                .map(|pair| {
                    let name = decode(&String::from_utf8_lossy(pair.name));
                    let value = decode(&String::from_utf8_lossy(pair.value));
                    let first = seen.insert(name.clone());
                    Pair { name, value, first }
                })
                .collect()
        })
    }
}

/// Whether a name as written decodes to `raw_name`; `None` when only decoding can tell.
fn name_is(written: &[u8], raw_name: &str) -> Option<bool> {
    if written.contains(&b'%') {
        decodes_to(written, raw_name)
    } else {
        Some(written == raw_name.as_bytes())
    }
}

/// The value as text when it needs no decoding.
fn plain(value: &[u8]) -> Option<&str> {
    if value.contains(&b'%') {
        return None;
    }
    std::str::from_utf8(value).ok()
}

/// Trims the optional whitespace (space, tab) allowed around cookie pairs.
fn trim_ows(text: &[u8]) -> &[u8] {
    let is_ows = |byte: &u8| *byte == b' ' || *byte == b'\t';
    let start = text.iter().position(|b| !is_ows(b)).unwrap_or(text.len());
    let end = text.iter().rposition(|b| !is_ows(b)).map_or(start, |at| at + 1);
    &text[start..end]
}

fn strip_quotes(value: &[u8]) -> &[u8] {
    value
        .strip_prefix(b"\"")
        .and_then(|rest| rest.strip_suffix(b"\""))
        .unwrap_or(value)
}
