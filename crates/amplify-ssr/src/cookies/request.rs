//! Reading the `Cookie` request header(s).

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

use http::HeaderValue;

use super::chunks::looks_like_chunk;
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
    /// Where the pairs of a single header are: built on the first lookup, so later lookups compare names
    /// without scanning the header again.
    index: OnceLock<Option<PairIndex>>,
    /// Every decoded pair, in header order, duplicates included: built on first need.
    decoded: OnceLock<Vec<Pair>>,
    /// Whether a name looks like a chunk of a split cookie, when the pairs are not indexed (several headers,
    /// many pairs): found once per request.
    chunked: OnceLock<bool>,
}

/// The `Cookie` header(s) as received: one header without a copy (the usual case), or text.
#[derive(Clone, Default)]
enum Headers {
    #[default]
    None,
    /// One header, as received (bytes that are not UTF-8 are read as U+FFFD, as in [`Self::Text`]).
    One(HeaderValue),
    /// Several headers (joined lossily as UTF-8), or parsed text.
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
    /// Whether the name holds a `%` or a byte that is not ASCII: it is then compared by decoding (the decoded
    /// form replaces bytes that are not UTF-8), otherwise byte for byte.
    name_escaped: bool,
}

impl<'h> RawPair<'h> {
    fn new(name: &'h [u8], value: &'h [u8]) -> Self {
        Self {
            name,
            value,
            name_escaped: memchr::memchr(b'%', name).is_some() || !name.is_ascii(),
        }
    }

    /// Whether the name decodes to `raw_name`; `None` when only decoding can tell.
    fn name_is(&self, raw_name: &str) -> Option<bool> {
        if self.name_escaped {
            // Bytes that are not UTF-8 read as U+FFFD once decoded: only decoding can compare those.
            if !self.name.is_ascii() && std::str::from_utf8(self.name).is_err() {
                return None;
            }
            decodes_to(self.name, raw_name)
        } else {
            Some(self.name == raw_name.as_bytes())
        }
    }

    /// The value decoded (bytes that are not UTF-8 read as U+FFFD), as [`RequestCookies::get`] returns it.
    fn decoded_value(&self) -> String {
        decode(&String::from_utf8_lossy(self.value))
    }

    /// The value as text when it needs no decoding (no `%`, valid UTF-8). Only the values asked for are looked
    /// at, so a lookup never scans the other cookies' values.
    fn plain_value(&self) -> Option<&'h str> {
        if memchr::memchr(b'%', self.value).is_some() {
            return None;
        }
        std::str::from_utf8(self.value).ok()
    }
}

/// The pairs of one header, as byte ranges, when there are at most [`PairIndex::CAPACITY`] (a request's
/// cookies for one site usually are); inline, so building it allocates nothing.
#[derive(Clone)]
struct PairIndex {
    spans: [PairSpan; PairIndex::CAPACITY],
    len: usize,
    /// Whether a name looks like a chunk of a split token cookie (see [`super::chunks`]).
    chunked: bool,
}

#[derive(Clone, Copy, Default)]
struct PairSpan {
    name: (u16, u16),
    value: (u16, u16),
    name_escaped: bool,
}

impl PairIndex {
    const CAPACITY: usize = 32;

    /// The index of `header`'s pairs; `None` when there are more than fit, or the header is longer than 64 KiB
    /// (lookups then scan). Offsets are 16 bits so that the index stays small: it is built and kept inline.
    fn build(header: &[u8]) -> Option<Self> {
        let offset = |part: &[u8]| -> Option<(u16, u16)> {
            // `part` is a subslice of `header`, so its address tells where it starts.
            let start = (part.as_ptr() as usize).checked_sub(header.as_ptr() as usize)?;
            Some((
                u16::try_from(start).ok()?,
                u16::try_from(start + part.len()).ok()?,
            ))
        };
        if u16::try_from(header.len()).is_err() {
            return None;
        }
        let mut index = Self {
            spans: [PairSpan::default(); Self::CAPACITY],
            len: 0,
            chunked: false,
        };
        for pair in pairs_of(header) {
            let slot = index.spans.get_mut(index.len)?;
            *slot = PairSpan {
                name: offset(pair.name)?,
                value: offset(pair.value)?,
                name_escaped: pair.name_escaped,
            };
            index.len += 1;
            index.chunked |= looks_like_chunk(pair.name);
        }
        Some(index)
    }

    /// The pairs, in order; with `name_len`, only those whose name may be that long once decoded (an escaped
    /// name is always a candidate), which a lookup tells from the span alone, without touching the header.
    fn pairs<'h>(
        &'h self,
        header: &'h [u8],
        name_len: Option<usize>,
    ) -> impl Iterator<Item = RawPair<'h>> + 'h {
        let range = |(start, end): (u16, u16)| &header[usize::from(start)..usize::from(end)];
        let candidate = move |span: &&PairSpan| {
            name_len.is_none_or(|len| {
                span.name_escaped || usize::from(span.name.1.wrapping_sub(span.name.0)) == len
            })
        };
        self.spans[..self.len]
            .iter()
            .filter(candidate)
            .map(move |span| RawPair {
                name: range(span.name),
                value: range(span.value),
                name_escaped: span.name_escaped,
            })
    }
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
            // Kept as bytes: only the values a lookup returns are checked for UTF-8.
            (Some(one), None) => Headers::One(one.clone()),
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
            index: OnceLock::new(),
            decoded: OnceLock::new(),
            chunked: OnceLock::new(),
        }
    }

    /// Parses one `Cookie` header value (`name=value; name2=value2`).
    #[must_use]
    pub fn parse(cookie_header: &str) -> Self {
        Self {
            headers: Headers::Text(vec![cookie_header.into()]),
            index: OnceLock::new(),
            decoded: OnceLock::new(),
            chunked: OnceLock::new(),
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
                let plain_value = match pair.name_is(raw_name) {
                    Some(false) => continue,
                    Some(true) => pair.plain_value(),
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
        self.pairs_named(raw_name)
            .map(|pair| match pair.plain_value() {
                Some(value) => Cow::Borrowed(value),
                None => Cow::Owned(pair.decoded_value()),
            })
    }

    /// Like [`values`](Self::values), as bytes: a value without `%` is handed out as received, not even checked
    /// for UTF-8 (for values that are only compared, such as a token looked up in a cache).
    pub(crate) fn values_raw<'s, 'n>(
        &'s self,
        raw_name: &'n str,
    ) -> impl Iterator<Item = Cow<'s, [u8]>> + use<'s, 'n> {
        self.pairs_named(raw_name).map(|pair| {
            if memchr::memchr(b'%', pair.value).is_none() {
                Cow::Borrowed(pair.value)
            } else {
                Cow::Owned(pair.decoded_value().into_bytes())
            }
        })
    }

    /// The pairs whose decoded name is `raw_name`, in header order.
    fn pairs_named<'s, 'n>(
        &'s self,
        raw_name: &'n str,
    ) -> impl Iterator<Item = RawPair<'s>> + use<'s, 'n> {
        self.raw_pairs_of_len(Some(raw_name.len()))
            .filter(move |pair| {
                pair.name_is(raw_name)
                    .unwrap_or_else(|| decode(&String::from_utf8_lossy(pair.name)) == raw_name)
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

    /// Whether the request may carry chunks of a split token cookie (see [`super::chunks`]): false, without a
    /// further scan, for the usual request whose pairs are indexed.
    pub(crate) fn may_have_chunks(&self) -> bool {
        if let Headers::One(value) = &self.headers
            && let Some(index) = self
                .index
                .get_or_init(|| PairIndex::build(value.as_bytes()))
        {
            return index.chunked;
        }
        *self
            .chunked
            .get_or_init(|| self.raw_pairs().any(|pair| looks_like_chunk(pair.name)))
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

    /// Every usable pair, undecoded, in header order (the same pairs, in the same order, as [`decoded`]): from
    /// the index when the request has one header with few pairs, else by scanning.
    fn raw_pairs(&self) -> impl Iterator<Item = RawPair<'_>> {
        self.raw_pairs_of_len(None)
    }

    /// [`raw_pairs`](Self::raw_pairs), of which the index may leave out names that cannot be `name_len` bytes
    /// long once decoded (a scan yields them all).
    fn raw_pairs_of_len(&self, name_len: Option<usize>) -> impl Iterator<Item = RawPair<'_>> {
        let indexed = match &self.headers {
            Headers::One(value) => self
                .index
                .get_or_init(|| PairIndex::build(value.as_bytes()))
                .as_ref()
                .map(|index| index.pairs(value.as_bytes(), name_len)),
            Headers::None | Headers::Text(_) => None,
        };
        match indexed {
            Some(pairs) => Pairs::Indexed(pairs),
            None => Pairs::Scanned(self.texts().flat_map(pairs_of)),
        }
    }

    /// Every pair decoded, duplicates included, built once.
    fn decoded(&self) -> &[Pair] {
        self.decoded.get_or_init(|| {
            let mut seen = HashSet::new();
            self.raw_pairs()
                .map(|pair| {
                    let name = decode(&String::from_utf8_lossy(pair.name));
                    let value = pair.decoded_value();
                    let first = seen.insert(name.clone());
                    Pair { name, value, first }
                })
                .collect()
        })
    }
}

/// The `;`-separated pieces of a header, found with `memchr` (a lookup scans the whole header, so this is the
/// loop that decides its cost).
fn split_pairs(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match memchr::memchr(b';', text) {
            Some(at) => {
                rest = Some(&text[at + 1..]);
                Some(&text[..at])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// The usable pairs of one header text, undecoded.
fn pairs_of(text: &[u8]) -> impl Iterator<Item = RawPair<'_>> {
    split_pairs(text).filter_map(|pair| {
        let at = memchr::memchr(b'=', pair)?;
        let name = trim_ows(&pair[..at]);
        // A name is empty after decoding only when it is empty as written.
        (!name.is_empty()).then(|| RawPair::new(name, strip_quotes(trim_ows(&pair[at + 1..]))))
    })
}

/// Pairs from the index or from a scan (one iterator type for both).
enum Pairs<I, S> {
    Indexed(I),
    Scanned(S),
}

impl<'h, I, S> Iterator for Pairs<I, S>
where
    I: Iterator<Item = RawPair<'h>>,
    S: Iterator<Item = RawPair<'h>>,
{
    type Item = RawPair<'h>;

    fn next(&mut self) -> Option<RawPair<'h>> {
        match self {
            Self::Indexed(pairs) => pairs.next(),
            Self::Scanned(pairs) => pairs.next(),
        }
    }
}

/// Trims the optional whitespace (space, tab) allowed around cookie pairs.
fn trim_ows(text: &[u8]) -> &[u8] {
    let is_ows = |byte: &u8| *byte == b' ' || *byte == b'\t';
    let start = text.iter().position(|b| !is_ows(b)).unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |at| at + 1);
    &text[start..end]
}

fn strip_quotes(value: &[u8]) -> &[u8] {
    value
        .strip_prefix(b"\"")
        .and_then(|rest| rest.strip_suffix(b"\""))
        .unwrap_or(value)
}
