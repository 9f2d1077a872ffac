//! Token cookies too large for one cookie: split into numbered chunks in the HttpOnly server-auth mode, joined
//! when read.
//!
//! Browsers keep a cookie only when it fits in about 4 KiB (RFC 6265 §6.1 asks for at least 4096 bytes per
//! cookie, name, value and attributes together, and browsers hold to about that), and an id token with many
//! groups or attributes does not. Dropped silently, it makes the user look signed out.
//!
//! The scheme and the rules for reading chunks are documented on [`join_chunks`] (this module is private; that
//! is where the public docs are).
//!
//! Only the server-auth mode splits. In the JS-readable mode the browser-side Amplify client reads the cookies
//! by their exact names and cannot join chunks, so a too-large cookie stays one cookie and a warning with its
//! size is logged; an id token too large for its cookie is cleared instead of written (see
//! [`crate::cookies`], *Cookie modes*).

use super::attributes::{CookieAttributes, set_cookie};
use super::codec::{encoded_value_len, longest_value_prefix_within};
use super::request::RequestCookies;

/// The longest `Set-Cookie` line written unsplit.
pub const MAX_SET_COOKIE_LEN: usize = 4096;

/// The most chunks a token cookie is split into (and read from): `.0` to `.9`, about 40 KB.
pub const MAX_CHUNKS: usize = 10;

/// Why a request's chunks of a cookie were not joined (the request then has no copy from them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChunkError {
    /// A chunk is missing: `.index` is absent while a later one is present.
    #[error("chunk {index} of a split cookie is missing")]
    Missing {
        /// The missing index.
        index: usize,
    },
    /// The request carried disagreeing copies of chunk `index`.
    #[error("chunk {index} of a split cookie comes in disagreeing copies")]
    Disputed {
        /// The disputed index.
        index: usize,
    },
}

/// Whether `raw_name` names a token cookie that may be split: the access, id or refresh token.
#[must_use]
pub fn is_chunkable(raw_name: &str) -> bool {
    [".accessToken", ".idToken", ".refreshToken"]
        .iter()
        .any(|suffix| raw_name.ends_with(suffix))
}

/// The name of chunk `index` of `raw_name`: `<raw_name>.<index>`.
#[must_use]
pub fn chunk_name(raw_name: &str, index: usize) -> String {
    format!("{raw_name}.{index}")
}

/// Whether an encoded cookie name looks like a chunk of a token cookie (`…Token.<digit>`): the cheap test that
/// lets a request without chunks skip looking for them.
pub(crate) fn looks_like_chunk(encoded_name: &[u8]) -> bool {
    match encoded_name {
        [rest @ .., b'.', digit] if digit.is_ascii_digit() => rest.ends_with(b"Token"),
        _ => false,
    }
}

/// The value of `raw_name` joined from the request's chunks: `None` when the request carries none,
/// `Some(Err(_))` when they cannot be joined.
///
/// The scheme: a token cookie (`….accessToken`, `….idToken`, `….refreshToken`) whose `Set-Cookie` line would
/// exceed [`MAX_SET_COOKIE_LEN`] is written, in the server-auth mode, as `<name>.0`, `<name>.1`, … (at most
/// [`MAX_CHUNKS`]), plain slices of the value with the token cookie's attributes, and the unsplit name is
/// cleared; a value that fits is written unsplit and any chunks are cleared. That is the numbering Auth.js and
/// @supabase/ssr also use for their split session cookies: a name any cookie tooling recognises, and one that
/// needs no escaping in js-cookie's codec. No count or checksum is stored: the tokens are JWTs whose signature
/// covers every byte, so a stale, planted or missing chunk makes the joined token fail verification; for the
/// opaque refresh token Cognito refuses a wrong value in the same way.
///
/// Reading: `<name>.0` up to the first missing index, joined; it counts as one more copy of the cookie beside
/// any unsplit copies (the copy rules of [`crate::auth`] apply). A chunk whose copies disagree, a chunk after a
/// gap (`.0`, `.2` without `.1`), a chunk without `.0`, or more than [`MAX_CHUNKS`] make the set unusable: it
/// contributes no copy. It never panics and never allocates for a request without chunks. What an unusable set
/// (or one that joins to a token failing verification) means depends on the token: without a usable access
/// token the request is signed out, and without a usable refresh token the session cannot be refreshed; without
/// a usable id token the session goes on with the access token alone (no id claims, as when the JS-readable mode
/// drops a too-large id token), and the response clears the id token's chunks so the browser stops sending
/// them.
#[must_use]
pub fn join_chunks(cookies: &RequestCookies, raw_name: &str) -> Option<Result<String, ChunkError>> {
    if !cookies.may_have_chunks() {
        return None;
    }
    let mut joined = String::new();
    let mut count = 0;
    let mut missing = None;
    for index in 0..MAX_CHUNKS {
        let name = chunk_name(raw_name, index);
        let mut values = cookies.get_all(&name).filter(|value| !value.is_empty());
        let Some(first) = values.next() else {
            missing.get_or_insert(index);
            continue;
        };
        if let Some(gap) = missing {
            return Some(Err(ChunkError::Missing { index: gap }));
        }
        if values.any(|other| other != first) {
            return Some(Err(ChunkError::Disputed { index }));
        }
        joined.push_str(first);
        count += 1;
    }
    if count > 0
        && cookies
            .get_all(&chunk_name(raw_name, MAX_CHUNKS))
            .next()
            .is_some()
    {
        // More chunks than are ever written: not one of ours.
        return Some(Err(ChunkError::Missing { index: MAX_CHUNKS }));
    }
    (count > 0).then_some(Ok(joined))
}

/// Which chunk indices of `raw_name` the request carries (even empty or disputed ones), for clearing them.
pub(crate) fn carried_chunks(
    cookies: &RequestCookies,
    raw_name: &str,
) -> impl Iterator<Item = usize> {
    let any = cookies.may_have_chunks();
    (0..=MAX_CHUNKS).filter(move |index| any && cookies.contains(&chunk_name(raw_name, *index)))
}

/// The `Set-Cookie` lines that write `value` under `raw_name` in chunks, when its unsplit line,
/// `whole_len` bytes long, would exceed [`MAX_SET_COOKIE_LEN`]; `None` when it fits, or cannot be split within
/// [`MAX_CHUNKS`] (logged).
///
/// `whole_len` is the length of `set_cookie(raw_name, value, attributes)`: the caller has built that line (it
/// writes it when the value is not split), so it is not built again here.
pub(crate) fn split_lines(
    raw_name: &str,
    value: &str,
    attributes: &CookieAttributes,
    whole_len: usize,
) -> Option<Vec<String>> {
    if whole_len <= MAX_SET_COOKIE_LEN {
        return None;
    }
    // The line minus its value: the encoded name, `=` and the attributes. A chunk's line has the same, plus
    // `.<index>` in its name (a dot and digits, which the name encoding keeps literal).
    let unnamed_overhead = whole_len.saturating_sub(encoded_value_len(value));
    let mut lines = Vec::new();
    let mut rest = value;
    for index in 0..MAX_CHUNKS {
        if rest.is_empty() {
            return Some(lines);
        }
        let name = chunk_name(raw_name, index);
        let overhead = unnamed_overhead + (name.len() - raw_name.len());
        let room = MAX_SET_COOKIE_LEN.saturating_sub(overhead);
        let piece = longest_value_prefix_within(rest, room);
        if piece.is_empty() {
            break;
        }
        lines.push(set_cookie(&name, piece, attributes));
        rest = &rest[piece.len()..];
    }
    if rest.is_empty() {
        return Some(lines);
    }
    tracing::error!(
        cookie = raw_name,
        size = whole_len,
        "a token cookie is too large even for {MAX_CHUNKS} chunks; it is sent unsplit, and browsers drop it"
    );
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::cookies::codec::encode_value;
    use crate::cookies::{CookieMode, CookieOptions, token_cookie_attributes};

    const NAME: &str = "CognitoIdentityServiceProvider.client.alice.idToken";

    fn attributes() -> CookieAttributes {
        token_cookie_attributes(
            CookieMode::ServerAuth { secure: true },
            &CookieOptions::default().with_domain("example.com"),
        )
    }

    /// The lines writing `value` under [`NAME`], when split.
    fn split(value: &str) -> Option<Vec<String>> {
        let attributes = attributes();
        split_lines(
            NAME,
            value,
            &attributes,
            set_cookie(NAME, value, &attributes).len(),
        )
    }

    /// The `Cookie` header a browser sends after storing `lines`.
    fn header_of(lines: &[String]) -> String {
        lines
            .iter()
            .map(|line| line.split(';').next().unwrap())
            .collect::<Vec<_>>()
            .join("; ")
    }

    #[test]
    fn a_value_that_fits_is_not_split() {
        assert!(split(&"x".repeat(3000)).is_none());
    }

    #[test]
    fn a_large_value_is_split_into_lines_that_fit_and_joins_back() {
        for len in [4100, 6 * 1024, 9000, 30_000] {
            let value: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            let lines = split(&value).expect("split");
            assert!(lines.len() >= 2, "{len}");
            for (index, line) in lines.iter().enumerate() {
                assert!(line.len() <= MAX_SET_COOKIE_LEN, "{len}: {}", line.len());
                assert!(line.starts_with(&format!("{NAME}.{index}=")), "{line}");
                assert!(line.contains("HttpOnly") && line.contains("Domain=example.com"));
            }
            let cookies = RequestCookies::parse(&header_of(&lines));
            assert_eq!(join_chunks(&cookies, NAME), Some(Ok(value)), "{len}");
        }
    }

    #[test]
    fn encoded_characters_count_at_their_encoded_size() {
        let value = "é%;".repeat(2000);
        let lines = split(&value).expect("split");
        assert!(lines.iter().all(|line| line.len() <= MAX_SET_COOKIE_LEN));
        let cookies = RequestCookies::parse(&header_of(&lines));
        assert_eq!(join_chunks(&cookies, NAME), Some(Ok(value)));
    }

    #[test]
    fn a_value_beyond_every_chunk_is_not_written() {
        assert!(split(&"x".repeat(50_000)).is_none());
    }

    #[test]
    fn gaps_extra_and_disputed_chunks_are_refused() {
        let join = |header: &str| join_chunks(&RequestCookies::parse(header), NAME);
        assert_eq!(join("other=1"), None);
        assert_eq!(join(&format!("{NAME}=whole")), None);
        assert_eq!(
            join(&format!("{NAME}.0=a; {NAME}.1=b")),
            Some(Ok("ab".to_owned()))
        );
        assert_eq!(
            join(&format!("{NAME}.0=a; {NAME}.2=c")),
            Some(Err(ChunkError::Missing { index: 1 }))
        );
        assert_eq!(
            join(&format!("{NAME}.1=b")),
            Some(Err(ChunkError::Missing { index: 0 }))
        );
        assert_eq!(
            join(&format!("{NAME}.0=a; {NAME}.0=z; {NAME}.1=b")),
            Some(Err(ChunkError::Disputed { index: 0 }))
        );
        // Identical copies of a chunk are one chunk.
        assert_eq!(
            join(&format!("{NAME}.0=a; {NAME}.0=a; {NAME}.1=b")),
            Some(Ok("ab".to_owned()))
        );
        let eleven: Vec<String> = (0..=MAX_CHUNKS).map(|i| format!("{NAME}.{i}=v")).collect();
        assert_eq!(
            join(&eleven.join("; ")),
            Some(Err(ChunkError::Missing { index: MAX_CHUNKS }))
        );
        // Another cookie's chunks are not this one's.
        assert_eq!(
            join("CognitoIdentityServiceProvider.client.bob.idToken.0=a"),
            None
        );
    }

    #[test]
    fn chunks_split_over_several_cookie_headers_join() {
        let mut headers = http::HeaderMap::new();
        for part in [format!("a=1; {NAME}.0=ab"), format!("{NAME}.1=cd; b=2")] {
            headers.append(http::header::COOKIE, part.parse().unwrap());
        }
        let cookies = RequestCookies::from_headers(&headers);
        assert!(cookies.may_have_chunks());
        assert_eq!(join_chunks(&cookies, NAME), Some(Ok("abcd".to_owned())));
        let plain = RequestCookies::parse("a=1; b.idToken=x");
        assert!(!plain.may_have_chunks());
    }

    #[test]
    fn only_token_cookies_are_chunkable_and_recognised() {
        assert!(is_chunkable(NAME));
        assert!(!is_chunkable(
            "CognitoIdentityServiceProvider.client.LastAuthUser"
        ));
        assert!(looks_like_chunk(b"x.idToken.0"));
        assert!(looks_like_chunk(b"x.refreshToken.9"));
        assert!(!looks_like_chunk(b"x.idToken"));
        assert!(!looks_like_chunk(b"x.clockDrift.0"));
        assert!(!looks_like_chunk(b".0"));
    }

    /// The straightforward search the encoder-driven one replaced: encode character by character.
    fn reference_prefix(value: &str, room: usize) -> &str {
        let mut used = 0;
        for (at, ch) in value.char_indices() {
            let mut buf = [0u8; 4];
            used += encode_value(ch.encode_utf8(&mut buf)).len();
            if used > room {
                return &value[..at];
            }
        }
        value
    }

    /// The split as it was first written: the unsplit line and each chunk's empty line built to be measured.
    fn reference_split(
        raw_name: &str,
        value: &str,
        attributes: &CookieAttributes,
    ) -> Option<Vec<String>> {
        if set_cookie(raw_name, value, attributes).len() <= MAX_SET_COOKIE_LEN {
            return None;
        }
        let mut lines = Vec::new();
        let mut rest = value;
        for index in 0..MAX_CHUNKS {
            if rest.is_empty() {
                break;
            }
            let name = chunk_name(raw_name, index);
            let room = MAX_SET_COOKIE_LEN.saturating_sub(set_cookie(&name, "", attributes).len());
            let piece = reference_prefix(rest, room);
            if piece.is_empty() {
                break;
            }
            lines.push(set_cookie(&name, piece, attributes));
            rest = &rest[piece.len()..];
        }
        rest.is_empty().then_some(lines)
    }

    /// Text mixing literal ASCII, characters the value codec escapes and multi-byte characters.
    fn mixed_text(max_pieces: usize) -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-zA-Z0-9._-]{1,40}",
            "[ %;,\"\\\\\u{7f}]{1,3}",
            "[#$&+/:<=>?@^`{|}\\[\\]]{1,3}",
            "[\u{e9}\u{20ac}\u{1f600}\u{80}\u{7ff}\u{800}\u{ffff}]{1,3}",
        ];
        proptest::collection::vec(piece, 0..max_pieces).prop_map(|pieces| pieces.concat())
    }

    /// Token-sized text: a literal run near the limit, then pieces of mixed text, each repeated, so most values
    /// are split (some into many chunks, some beyond every chunk) and the chunk boundaries fall anywhere.
    fn large_text() -> impl Strategy<Value = String> {
        let runs = proptest::collection::vec((mixed_text(4), 1..150usize), 1..6);
        (3_800..4_100usize, runs).prop_map(|(literal, runs)| {
            let mut text = "x".repeat(literal);
            for (piece, times) in runs {
                text.push_str(&piece.repeat(times));
            }
            text
        })
    }

    proptest! {
        #[test]
        fn the_prefix_search_matches_encoding_each_character(
            value in mixed_text(12),
            room in 0..200usize,
        ) {
            prop_assert_eq!(longest_value_prefix_within(&value, room), reference_prefix(&value, room));
            prop_assert_eq!(encoded_value_len(&value), encode_value(&value).len());
        }

        #[test]
        fn split_lines_match_the_first_version(value in large_text(), named in "[a-z\u{e9}@()+]{1,12}") {
            let raw_name = format!("CognitoIdentityServiceProvider.client.{named}.idToken");
            let attributes = attributes();
            let whole_len = set_cookie(&raw_name, &value, &attributes).len();
            prop_assert_eq!(
                split_lines(&raw_name, &value, &attributes, whole_len),
                reference_split(&raw_name, &value, &attributes)
            );
        }
    }

    #[test]
    fn the_prefix_search_cuts_before_a_character_whose_escapes_do_not_all_fit() {
        // `é` is `%C3%A9`: six bytes, so five leave it out whole, and `€` (`%E2%82%AC`) needs nine.
        assert_eq!(longest_value_prefix_within("ab\u{e9}c", 7), "ab");
        assert_eq!(longest_value_prefix_within("ab\u{e9}c", 8), "ab\u{e9}");
        assert_eq!(longest_value_prefix_within("\u{20ac}", 8), "");
        assert_eq!(longest_value_prefix_within("\u{20ac}", 9), "\u{20ac}");
        assert_eq!(longest_value_prefix_within("a,b", 3), "a");
        assert_eq!(longest_value_prefix_within("a,b", 4), "a,");
        assert_eq!(longest_value_prefix_within("", 0), "");
        assert_eq!(longest_value_prefix_within("abc", 0), "");
        assert_eq!(longest_value_prefix_within("abc", 99), "abc");
    }
}
