//! The js-cookie name/value codec (js-cookie 3, as used by aws-amplify with `ssr: true`).
//!
//! Both encoders start from `encodeURIComponent` (every UTF-8 byte outside `A-Z a-z 0-9 - _ . ! ~ * ' ( )` becomes
//! `%XX`, upper-case hex) and then leave a few more characters literal, exactly as js-cookie does, so a cookie written
//! here is byte-identical to the one the browser writes for the same key and value.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters `encodeURIComponent` leaves alone, besides ASCII letters and digits.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Names: js-cookie decodes `# $ & + ^ ` |` back, and escapes `(` `)` because they are not valid in a cookie-name
/// token (RFC 6265 §4.1.1).
const NAME: &AsciiSet = &URI_COMPONENT
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'^')
    .remove(b'`')
    .remove(b'|')
    .add(b'(')
    .add(b')');

/// Values: js-cookie decodes `# $ & + / : < = > ? @ [ ] ^ ` { | }` back (all are valid cookie-octets).
const VALUE: &AsciiSet = &URI_COMPONENT
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'/')
    .remove(b':')
    .remove(b'<')
    .remove(b'=')
    .remove(b'>')
    .remove(b'?')
    .remove(b'@')
    .remove(b'[')
    .remove(b']')
    .remove(b'^')
    .remove(b'`')
    .remove(b'{')
    .remove(b'|')
    .remove(b'}');

/// Encodes a cookie name the way js-cookie does.
///
/// `encodeURIComponent`, then `#`, `$`, `&`, `+`, `^`, `` ` `` and `|` are kept literal, and `(`/`)` become `%28`/`%29`.
/// For example `CognitoIdentityServiceProvider.abc.alice@example.com.idToken` becomes
/// `CognitoIdentityServiceProvider.abc.alice%40example.com.idToken`.
#[must_use]
pub fn encode_name(name: &str) -> String {
    utf8_percent_encode(name, NAME).to_string()
}

/// Encodes a cookie value the way js-cookie's default write converter does.
///
/// `encodeURIComponent`, then `# $ & + / : < = > ? @ [ ] ^ ` { | }` are kept literal. JWTs pass through unchanged; JSON
/// gets `%22` for quotes and `%2C` for commas.
#[must_use]
pub fn encode_value(value: &str) -> String {
    utf8_percent_encode(value, VALUE).to_string()
}

/// The length of [`encode_value`]`(value)`, counted without building it.
#[must_use]
pub(crate) fn encoded_value_len(value: &str) -> usize {
    utf8_percent_encode(value, VALUE).map(str::len).sum()
}

/// The longest prefix of `value`, ending at a character boundary, whose [`encode_value`] is at most `room` bytes.
///
/// Counted without allocating: the encoder yields runs of literal bytes (one byte each, all ASCII) and `%XX`
/// escapes (three bytes for one input byte), so the input length of each piece follows from its own.
#[must_use]
pub(crate) fn longest_value_prefix_within(value: &str, room: usize) -> &str {
    let mut used = 0;
    let mut taken = 0;
    for piece in utf8_percent_encode(value, VALUE) {
        let escaped = piece.starts_with('%');
        let input = if escaped {
            piece.len() / 3
        } else {
            piece.len()
        };
        if used + piece.len() <= room {
            used += piece.len();
            taken += input;
            continue;
        }
        // Of a literal run, as many bytes as fit (each is one ASCII character); of escapes, whole bytes only.
        taken += if escaped {
            (room - used) / 3
        } else {
            room - used
        };
        break;
    }
    // An escaped byte may end mid-character: cut before that character.
    while !value.is_char_boundary(taken) {
        taken -= 1;
    }
    &value[..taken]
}

/// Percent-decodes a cookie name or value.
///
/// Never fails: a `%` not followed by two hex digits, and `%XX` runs that are not valid UTF-8, are kept as written.
/// (js-cookie drops such a cookie entirely; keeping the text lets the caller still see it.) `+` is not a space.
#[must_use]
pub fn decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut literal_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let run_end = escape_run_end(bytes, i);
        if run_end == i {
            i += 1;
            continue;
        }
        out.push_str(&text[literal_start..i]);
        decode_escape_run(&text[i..run_end], &mut out);
        i = run_end;
        literal_start = i;
    }
    out.push_str(&text[literal_start..]);
    out
}

/// Whether `text` percent-decodes (as [`decode`] does) to exactly `target`, decided without allocating.
///
/// `None` when that cannot be told without decoding: a run of escapes that differs from `target` or is not
/// valid UTF-8 on its own, where [`decode`] keeps escapes as written. Callers then compare `decode(text)`.
pub(crate) fn decodes_to(text: &[u8], target: &str) -> Option<bool> {
    /// Runs up to this many escapes are decoded on the stack to tell "different" from "not UTF-8".
    const CHECKED_RUN: usize = 64;
    let expected = target.as_bytes();
    let (mut i, mut j) = (0, 0);
    while i < text.len() {
        let run_end = escape_run_end(text, i);
        if run_end == i {
            // A literal byte is copied as is, and everything before it matched.
            if expected.get(j) != Some(&text[i]) {
                return Some(false);
            }
            i += 1;
            j += 1;
            continue;
        }
        let run = &text[i..run_end];
        let len = run.len() / 3;
        // A run decodes to at least one byte per escape (an undecodable byte stays three characters).
        let Some(wanted) = expected.get(j..j + len) else {
            return Some(false);
        };
        let decoded = || {
            run.chunks_exact(3)
                .map(|e| (hex_digit(e[1]) << 4) | hex_digit(e[2]))
        };
        if decoded().eq(wanted.iter().copied())
            && target.is_char_boundary(j)
            && target.is_char_boundary(j + len)
        {
            i = run_end;
            j += len;
            continue;
        }
        // Different bytes: certainly different when the run is valid UTF-8 (so decoded whole).
        if len <= CHECKED_RUN {
            let mut buf = [0u8; CHECKED_RUN];
            for (slot, byte) in buf.iter_mut().zip(decoded()) {
                *slot = byte;
            }
            if std::str::from_utf8(&buf[..len]).is_ok() {
                return Some(false);
            }
        }
        return None;
    }
    Some(j == expected.len())
}

/// End of the run of consecutive `%XX` escapes starting at `start` (`start` itself when there is none).
fn escape_run_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while is_escape(bytes, end) {
        end += 3;
    }
    end
}

fn is_escape(bytes: &[u8], at: usize) -> bool {
    bytes.get(at) == Some(&b'%')
        && bytes.get(at + 1).is_some_and(u8::is_ascii_hexdigit)
        && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit)
}

/// Decodes a run of `%XX` escapes; byte sequences that are not UTF-8 are copied back as their original escapes.
fn decode_escape_run(run: &str, out: &mut String) {
    let decoded: Vec<u8> = run
        .as_bytes()
        .chunks_exact(3)
        .map(|escape| (hex_digit(escape[1]) << 4) | hex_digit(escape[2]))
        .collect();
    let mut offset = 0;
    for chunk in decoded.utf8_chunks() {
        out.push_str(chunk.valid());
        offset += chunk.valid().len();
        let invalid = chunk.invalid().len();
        // Each decoded byte came from exactly three characters of `run`.
        out.push_str(&run[offset * 3..(offset + invalid) * 3]);
        offset += invalid;
    }
}

fn hex_digit(byte: u8) -> u8 {
    match byte {
        b'0'..=b'9' => byte - b'0',
        b'a'..=b'f' => byte - b'a' + 10,
        b'A'..=b'F' => byte - b'A' + 10,
        _ => 0,
    }
}
