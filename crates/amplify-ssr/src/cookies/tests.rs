use proptest::prelude::*;
use time::Duration;
use time::macros::datetime;

use super::*;

const CID: &str = "1example23456789";

/// An independent model of ECMAScript `encodeURIComponent` (ECMA-262 §19.2.6.5): everything except
/// `A-Z a-z 0-9 - _ . ! ~ * ' ( )` becomes `%XX` per UTF-8 byte, upper-case hex.
fn encode_uri_component(text: &str) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() || "-_.!~*'()".contains(ch) {
            out.push(ch);
        } else {
            let mut buf = [0; 4];
            for byte in ch.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// js-cookie 3 `set`: name = encodeURIComponent(name).replace(/%(2[346B]|5E|60|7C)/g, decodeURIComponent)
/// .replace(/[()]/g, escape)
fn js_cookie_name(name: &str) -> String {
    let mut out = encode_uri_component(name);
    for (escape, literal) in [
        ("%23", "#"),
        ("%24", "$"),
        ("%26", "&"),
        ("%2B", "+"),
        ("%5E", "^"),
        ("%60", "`"),
        ("%7C", "|"),
    ] {
        out = out.replace(escape, literal);
    }
    out.replace('(', "%28").replace(')', "%29")
}

/// js-cookie 3 write converter: encodeURIComponent(value).replace(/%(2[346BF]|3[AC-F]|40|5[BDE]|60|7[BCD])/g, …)
fn js_cookie_value(value: &str) -> String {
    let mut out = encode_uri_component(value);
    for code in [
        "23", "24", "26", "2B", "2F", "3A", "3C", "3D", "3E", "3F", "40", "5B", "5D", "5E", "60",
        "7B", "7C", "7D",
    ] {
        let byte = u8::from_str_radix(code, 16).unwrap();
        out = out.replace(&format!("%{code}"), &char::from(byte).to_string());
    }
    out
}

fn first_pair(set_cookie_header: &str) -> &str {
    set_cookie_header.split(';').next().unwrap()
}

const USERNAMES: [&str; 10] = [
    "alice",
    "alice@example.com",
    "a+b@example.com",
    "John Smith",
    "100%",
    "a;b",
    "k=v",
    "José Ñ",
    "用户",
    "🦀crab",
];

// ---------- codec ----------

#[test]
fn name_encoding_examples() {
    let names = AuthCookieNames::new(CID);
    assert_eq!(
        encode_name(&names.user_key("alice@example.com", TokenSlot::AccessToken)),
        "CognitoIdentityServiceProvider.1example23456789.alice%40example.com.accessToken"
    );
    assert_eq!(encode_name("a+b #$&^`|"), "a+b%20#$&^`|");
    assert_eq!(encode_name("Bob (work)"), "Bob%20%28work%29");
    assert_eq!(encode_name("José Ñ"), "Jos%C3%A9%20%C3%91");
    assert_eq!(encode_name("用户"), "%E7%94%A8%E6%88%B7");
    assert_eq!(encode_name("🦀"), "%F0%9F%A6%80");
    assert_eq!(encode_name("a;b=c,d"), "a%3Bb%3Dc%2Cd");
    assert_eq!(
        encode_name(&identity_id_key(
            "us-east-1:a12d0178-8558-4b7d-b902-4fe881b472f4"
        )),
        "com.amplify.Cognito.us-east-1%3Aa12d0178-8558-4b7d-b902-4fe881b472f4.identityId"
    );
}

#[test]
fn value_encoding_examples() {
    assert_eq!(
        encode_value("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln-_"),
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln-_"
    );
    assert_eq!(
        encode_value(r#"{"loginId":"alice@example.com","authFlowType":"USER_SRP_AUTH"}"#),
        "{%22loginId%22:%22alice@example.com%22%2C%22authFlowType%22:%22USER_SRP_AUTH%22}"
    );
    assert_eq!(encode_value("a b;c,d\"e\\f%"), "a%20b%3Bc%2Cd%22e%5Cf%25");
    assert_eq!(encode_value("#$&+/:<=>?@[]^`{|}"), "#$&+/:<=>?@[]^`{|}");
    assert_eq!(encode_value("-831"), "-831");
}

#[test]
fn decode_is_lenient() {
    assert_eq!(decode("alice%40example.com"), "alice@example.com");
    assert_eq!(decode("a%2bb"), "a+b");
    assert_eq!(decode("a+b"), "a+b");
    assert_eq!(decode("100%"), "100%");
    assert_eq!(decode("%zz%4"), "%zz%4");
    assert_eq!(decode("%E7%94%A8%E6%88%B7"), "用户");
    // A lone continuation byte and a truncated sequence are kept; valid neighbours are still decoded.
    assert_eq!(decode("%80%41"), "%80A");
    assert_eq!(decode("x%E7%94y"), "x%E7%94y");
    assert_eq!(decode("%C3%A9%FF%C3%91"), "é%FFÑ");
    assert_eq!(decode(""), "");
}

// ---------- names ----------

#[test]
fn key_grammar() {
    let names = AuthCookieNames::new(CID);
    assert_eq!(names.client_id(), CID);
    assert_eq!(
        names.last_auth_user(),
        "CognitoIdentityServiceProvider.1example23456789.LastAuthUser"
    );
    let suffixes: Vec<_> = TokenSlot::ALL.iter().map(|slot| slot.suffix()).collect();
    assert_eq!(
        suffixes,
        [
            "accessToken",
            "idToken",
            "refreshToken",
            "signInDetails",
            "clockDrift",
            "deviceKey",
            "deviceGroupKey",
            "randomPasswordKey",
            "oauthMetadata"
        ]
    );
    assert_eq!(
        names.user_key("alice", TokenSlot::ClockDrift),
        "CognitoIdentityServiceProvider.1example23456789.alice.clockDrift"
    );
    assert_eq!(
        identity_id_key("us-east-1:x"),
        "com.amplify.Cognito.us-east-1:x.identityId"
    );
}

#[test]
fn server_auth_whitelist() {
    let names = AuthCookieNames::new(CID);
    for slot in TokenSlot::ALL {
        let writable = matches!(
            slot,
            TokenSlot::AccessToken | TokenSlot::IdToken | TokenSlot::RefreshToken
        );
        assert_eq!(
            is_server_auth_writable(&names.user_key("bob", slot)),
            writable,
            "{slot:?}"
        );
    }
    assert!(is_server_auth_writable(&names.last_auth_user()));
    assert!(!is_server_auth_writable(&identity_id_key("us-east-1:x")));
    assert!(!is_server_auth_writable(PKCE_KEY));
}

// ---------- reading ----------

#[test]
fn reads_cookies_written_by_the_browser() {
    // Exactly what aws-amplify 6.22.1 + js-cookie wrote for an email username (test-peers §4.B).
    let header = "CognitoIdentityServiceProvider.cid.LastAuthUser=alice@example.com; \
        CognitoIdentityServiceProvider.cid.alice%40example.com.accessToken=eyJ.a.b; \
        CognitoIdentityServiceProvider.cid.alice%40example.com.signInDetails=\
        {%22loginId%22:%22alice@example.com%22%2C%22authFlowType%22:%22USER_PASSWORD_AUTH%22}; \
        CognitoIdentityServiceProvider.cid.alice%40example.com.clockDrift=-479; \
        com.amplify.Cognito.us-east-1%3Aa12d0178-8558-4b7d-b902-4fe881b472f4.identityId=us-east-1:1f92658d-0000";
    let cookies = RequestCookies::parse(header);
    let names = AuthCookieNames::new("cid");
    let user = cookies.get(&names.last_auth_user()).unwrap();
    assert_eq!(user, "alice@example.com");
    assert_eq!(
        cookies.get(&names.user_key(user, TokenSlot::AccessToken)),
        Some("eyJ.a.b")
    );
    assert_eq!(
        cookies.get(&names.user_key(user, TokenSlot::SignInDetails)),
        Some(r#"{"loginId":"alice@example.com","authFlowType":"USER_PASSWORD_AUTH"}"#)
    );
    assert_eq!(
        cookies.get(&names.user_key(user, TokenSlot::ClockDrift)),
        Some("-479")
    );
    assert_eq!(
        cookies.get(&identity_id_key(
            "us-east-1:a12d0178-8558-4b7d-b902-4fe881b472f4"
        )),
        Some("us-east-1:1f92658d-0000")
    );
    assert_eq!(cookies.len(), 5);
}

#[test]
fn reads_raw_and_fully_encoded_values() {
    let raw = RequestCookies::parse(r#"k={"a":1,"b":"x y"}"#);
    let next_jar = RequestCookies::parse("k=%7B%22a%22%3A1%2C%22b%22%3A%22x%20y%22%7D");
    assert_eq!(raw.get("k"), Some(r#"{"a":1,"b":"x y"}"#));
    assert_eq!(next_jar.get("k"), raw.get("k"));
}

#[test]
fn parsing_edge_cases() {
    let cookies =
        RequestCookies::parse(" ; novalue; =orphan; a=1=2==; q=\"quoted\"; e=;\tt = spaced ;\"=x");
    assert_eq!(cookies.get("a"), Some("1=2=="));
    assert_eq!(cookies.get("q"), Some("quoted"));
    assert_eq!(cookies.get("e"), Some(""));
    assert_eq!(cookies.get("t"), Some("spaced"));
    assert_eq!(cookies.get("\""), Some("x"));
    assert_eq!(cookies.get("novalue"), None);
    assert_eq!(cookies.get(""), None);
    assert_eq!(
        cookies.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        ["a", "q", "e", "t", "\""]
    );
    assert!(RequestCookies::parse("").is_empty());
}

#[test]
fn first_occurrence_wins_across_encodings_and_headers() {
    let cookies = RequestCookies::parse("u%40x=first; u@x=second; u%40x=third");
    assert_eq!(cookies.get("u@x"), Some("first"));
    assert_eq!(cookies.len(), 1);

    let mut headers = http::HeaderMap::new();
    headers.append(
        http::header::COOKIE,
        http::HeaderValue::from_static("a=1; b=2"),
    );
    headers.append(
        http::header::COOKIE,
        http::HeaderValue::from_static("b=3; c=4"),
    );
    headers.append(
        http::header::COOKIE,
        http::HeaderValue::from_bytes(b"d=\xff; e=5").unwrap(),
    );
    let cookies = RequestCookies::from_headers(&headers);
    assert_eq!(
        cookies.iter().collect::<Vec<_>>(),
        [
            ("a", "1"),
            ("b", "2"),
            ("c", "4"),
            ("d", "\u{fffd}"),
            ("e", "5")
        ]
    );
    assert_eq!(cookies.get_all("b").collect::<Vec<_>>(), ["2", "3"]);
}

#[test]
fn names_that_are_not_utf8_compare_as_decoded() {
    let mut headers = http::HeaderMap::new();
    headers.append(
        http::header::COOKIE,
        http::HeaderValue::from_bytes(b"a\xff=1; a\xef\xbf\xbd=2; b=3").unwrap(),
    );
    let cookies = RequestCookies::from_headers(&headers);
    // Both names read as "a\u{fffd}", as `iter` shows them.
    assert_eq!(cookies.get_all("a\u{fffd}").collect::<Vec<_>>(), ["1", "2"]);
    assert_eq!(cookies.get("b"), Some("3"));
    assert_eq!(
        cookies.iter().collect::<Vec<_>>(),
        [("a\u{fffd}", "1"), ("b", "3")]
    );
}

#[test]
fn every_copy_of_a_duplicated_name_is_kept_in_order() {
    let cookies = RequestCookies::parse("u%40x=first; a=1; u@x=second; u%40x=first; u@x=");
    assert_eq!(
        cookies.get_all("u@x").collect::<Vec<_>>(),
        ["first", "second", "first", ""]
    );
    assert_eq!(cookies.get_all("a").collect::<Vec<_>>(), ["1"]);
    assert_eq!(cookies.get_all("missing").count(), 0);
    // The first-wins views are unchanged.
    assert_eq!(cookies.get("u@x"), Some("first"));
    assert_eq!(cookies.len(), 2);
    assert_eq!(
        cookies.iter().collect::<Vec<_>>(),
        [("u@x", "first"), ("a", "1")]
    );
}

#[test]
fn usernames_round_trip_through_set_cookie() {
    let names = AuthCookieNames::new(CID);
    let attrs = token_cookie_attributes(CookieMode::JsReadable, &CookieOptions::default());
    let mut header = Vec::new();
    for user in USERNAMES {
        header.push(first_pair(&set_cookie(&names.last_auth_user(), user, &attrs)).to_owned());
        for slot in [TokenSlot::AccessToken, TokenSlot::SignInDetails] {
            let value = format!(r#"{{"loginId":"{user}","authFlowType":"USER_SRP_AUTH"}}"#);
            let line = set_cookie(&names.user_key(user, slot), &value, &attrs);
            assert_eq!(
                first_pair(&line),
                format!(
                    "{}={}",
                    js_cookie_name(&names.user_key(user, slot)),
                    js_cookie_value(&value)
                )
            );
            let back = RequestCookies::parse(first_pair(&line));
            assert_eq!(
                back.get(&names.user_key(user, slot)),
                Some(value.as_str()),
                "{user}"
            );
        }
    }
    // Every LastAuthUser line shares the same name: the first one wins.
    assert_eq!(
        RequestCookies::parse(&header.join("; ")).get(&names.last_auth_user()),
        Some("alice")
    );
}

// ---------- attributes ----------

const EXPIRES: time::OffsetDateTime = datetime!(2030-01-02 03:04:05 UTC);

fn options(
    domain: Option<&str>,
    same_site: Option<SameSite>,
    expires: bool,
    max_age: Option<i64>,
) -> CookieOptions {
    CookieOptions {
        domain: domain.map(str::to_owned),
        same_site,
        expires: expires.then_some(EXPIRES),
        max_age: max_age.map(Duration::seconds),
    }
}

fn token_line(mode: CookieMode, options: &CookieOptions) -> String {
    set_cookie("n", "v", &token_cookie_attributes(mode, options))
}

#[test]
fn token_attributes_js_readable() {
    let mode = CookieMode::JsReadable;
    assert_eq!(
        token_line(mode, &CookieOptions::default()),
        "n=v; SameSite=Lax; Secure; Path=/; Max-Age=31536000"
    );
    assert_eq!(
        token_line(
            mode,
            &options(Some("example.com"), Some(SameSite::None), false, None)
        ),
        "n=v; SameSite=None; Secure; Path=/; Domain=example.com; Max-Age=31536000"
    );
    assert_eq!(
        token_line(mode, &options(None, Some(SameSite::Strict), true, None)),
        "n=v; SameSite=Strict; Secure; Path=/; Expires=Wed, 02 Jan 2030 03:04:05 GMT"
    );
    assert_eq!(
        token_line(mode, &options(None, Some(SameSite::Lax), false, Some(3600))),
        "n=v; SameSite=Lax; Secure; Path=/; Max-Age=3600"
    );
    assert_eq!(
        token_line(mode, &options(Some("example.com"), None, true, Some(60))),
        "n=v; SameSite=Lax; Secure; Path=/; Domain=example.com; Max-Age=60; Expires=Wed, 02 Jan 2030 03:04:05 GMT"
    );
}

#[test]
fn token_attributes_server_auth() {
    let https = CookieMode::ServerAuth { secure: true };
    let http = CookieMode::ServerAuth { secure: false };
    assert_eq!(
        token_line(https, &CookieOptions::default()),
        "n=v; HttpOnly; SameSite=Strict; Secure; Path=/; Max-Age=31536000"
    );
    assert_eq!(
        token_line(http, &CookieOptions::default()),
        "n=v; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000"
    );
    assert_eq!(
        token_line(
            https,
            &options(Some("example.com"), Some(SameSite::Lax), true, None)
        ),
        "n=v; HttpOnly; SameSite=Lax; Secure; Path=/; Domain=example.com; Expires=Wed, 02 Jan 2030 03:04:05 GMT"
    );
    // Faithful to aws-amplify: `Secure` follows the origin even with SameSite=None.
    assert_eq!(
        token_line(http, &options(None, Some(SameSite::None), false, Some(10))),
        "n=v; HttpOnly; SameSite=None; Path=/; Max-Age=10"
    );
}

#[test]
fn flow_attributes() {
    assert_eq!(
        set_cookie(
            PKCE_KEY,
            "verifier",
            &flow_cookie_attributes(true, &CookieOptions::default())
        ),
        "com.amplify.server_auth.pkce=verifier; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=300"
    );
    // Runtime SameSite/lifetime options do not apply to flow cookies; the domain does.
    assert_eq!(
        set_cookie(
            STATE_KEY,
            "s",
            &flow_cookie_attributes(
                false,
                &options(Some("example.com"), Some(SameSite::Strict), true, Some(5))
            )
        ),
        "com.amplify.server_auth.state=s; HttpOnly; SameSite=Lax; Path=/; Domain=example.com; Max-Age=300"
    );
}

#[test]
fn removals_keep_path_and_domain() {
    let attrs = token_cookie_attributes(
        CookieMode::JsReadable,
        &options(Some("example.com"), None, true, None),
    );
    assert_eq!(
        removal("CognitoIdentityServiceProvider.cid.a@b.idToken", &attrs),
        "CognitoIdentityServiceProvider.cid.a%40b.idToken=; SameSite=Lax; Secure; Path=/; Domain=example.com; \
         Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    );
    let attrs = flow_cookie_attributes(false, &CookieOptions::default());
    assert_eq!(
        removal(IS_SIGNING_OUT_KEY, &attrs),
        "com.amplify.server_auth.isSigningOut=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    );
}

#[test]
fn extreme_expiry_dates_do_not_panic() {
    use time::{PrimitiveDateTime, UtcOffset};
    let late = PrimitiveDateTime::MAX.assume_offset(UtcOffset::from_hms(-5, 0, 0).unwrap());
    let mut options = CookieOptions {
        expires: Some(late),
        ..CookieOptions::default()
    };
    assert!(
        token_line(CookieMode::JsReadable, &options)
            .ends_with("Expires=Fri, 31 Dec 9999 23:59:59 GMT")
    );
    options.expires = Some(PrimitiveDateTime::MIN.assume_utc());
    assert!(
        token_line(CookieMode::JsReadable, &options)
            .ends_with("Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    );
}

#[test]
fn same_site_parsing() {
    assert_eq!("LAX".parse::<SameSite>(), Ok(SameSite::Lax));
    assert_eq!("none".parse::<SameSite>(), Ok(SameSite::None));
    assert_eq!(SameSite::Strict.to_string(), "strict");
    let error = "sometimes".parse::<SameSite>().unwrap_err();
    assert!(error.to_string().contains("`sometimes`"));
}

// ---------- properties ----------

/// Text made of the pieces that matter to the decoder: escapes (valid, partial, of multi-byte and invalid UTF-8),
/// stray `%`, ASCII and non-ASCII letters.
fn escape_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("%40".to_owned()),
        Just("%C3%A9".to_owned()),
        Just("%C3".to_owned()),
        Just("%A9".to_owned()),
        Just("%FF".to_owned()),
        Just("%2".to_owned()),
        Just("%".to_owned()),
        Just("%e2%82%ac".to_owned()),
        "[a-c@.é€]{1,2}",
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn decodes_to_agrees_with_decode(text in escape_soup(), target in escape_soup(), decode_target in any::<bool>()) {
        // Half the time compare with a decoded string, so that equal pairs come up often.
        let target = if decode_target { decode(&target) } else { target };
        if let Some(equal) = codec::decodes_to(text.as_bytes(), &target) {
            prop_assert_eq!(equal, decode(&text) == target, "{:?} vs {:?}", text, target);
        }
        let own = decode(&text);
        prop_assert_eq!(codec::decodes_to(text.as_bytes(), &own).unwrap_or(true), true);
    }

    #[test]
    fn lookups_agree_with_the_decoded_pairs(
        pairs in proptest::collection::vec((escape_soup(), escape_soup()), 0..8),
        quoted in any::<bool>(),
    ) {
        let header = pairs
            .iter()
            .map(|(name, value)| if quoted { format!("{name}=\"{value}\"") } else { format!("{name}={value}") })
            .collect::<Vec<_>>()
            .join("; ");
        // Parsed text, and one header as received (the indexed path, with its name-length filter), when the
        // text can be a header value.
        let readers: Vec<fn(&str) -> Option<RequestCookies>> = vec![
            |header| Some(RequestCookies::parse(header)),
            |header| {
                let value = http::HeaderValue::from_str(header).ok()?;
                let mut headers = http::HeaderMap::new();
                headers.insert(http::header::COOKIE, value);
                Some(RequestCookies::from_headers(&headers))
            },
        ];
        for read in readers {
            let Some(cookies) = read(&header) else { continue };
            for (name, _) in &pairs {
                let name = decode(name);
                let expected: Vec<String> = pairs
                    .iter()
                    .filter(|(n, _)| !n.is_empty() && decode(n) == name)
                    .map(|(_, v)| decode(v))
                    .collect();
                let fresh = read(&header).expect("read before");
                prop_assert_eq!(fresh.get_all(&name).collect::<Vec<_>>(), expected.clone());
                let fresh = read(&header).expect("read before");
                let values: Vec<String> = fresh.values(&name).map(|v| v.into_owned()).collect();
                prop_assert_eq!(values, expected.clone());
                let fresh = read(&header).expect("read before");
                let raw: Vec<String> = fresh
                    .values_raw(&name)
                    .map(|v| String::from_utf8_lossy(&v).into_owned())
                    .collect();
                prop_assert_eq!(raw, expected.clone());
                prop_assert_eq!(cookies.get(&name), expected.first().map(String::as_str));
            }
        }
    }

    #[test]
    fn codec_round_trips(text in any::<String>()) {
        prop_assert_eq!(decode(&encode_name(&text)), text.clone());
        prop_assert_eq!(decode(&encode_value(&text)), text);
    }

    #[test]
    fn codec_matches_js_cookie_model(text in any::<String>()) {
        let name = encode_name(&text);
        let value = encode_value(&text);
        prop_assert_eq!(&name, &js_cookie_name(&text));
        prop_assert_eq!(&value, &js_cookie_value(&text));
        // Only characters js-cookie leaves, and nothing that can end a cookie pair.
        let name_ok = |c: char| c.is_ascii_alphanumeric() || "-_.!~*'%#$&+^`|".contains(c);
        let value_ok = |c: char| c.is_ascii_alphanumeric() || "-_.!~*'()%#$&+/:<=>?@[]^`{|}".contains(c);
        prop_assert!(name.chars().all(name_ok), "{}", name);
        prop_assert!(value.chars().all(value_ok), "{}", value);
    }

    #[test]
    fn decode_never_panics_and_is_identity_without_escapes(text in any::<String>()) {
        let decoded = decode(&text);
        if !text.contains('%') {
            prop_assert_eq!(decoded, text);
        }
    }

    #[test]
    fn set_cookie_reads_back(name in "\\PC{1,20}", value in any::<String>(), server_auth in any::<bool>()) {
        let mode = if server_auth { CookieMode::ServerAuth { secure: true } } else { CookieMode::JsReadable };
        let line = set_cookie(&name, &value, &token_cookie_attributes(mode, &CookieOptions::default()));
        let cookies = RequestCookies::parse(first_pair(&line));
        prop_assert_eq!(cookies.get(&name), Some(value.as_str()));
    }

    #[test]
    fn duplicates_are_deterministic(pairs in proptest::collection::vec(("[a-c]{1,2}", "[a-z0-9]{0,4}"), 0..12)) {
        let header = pairs.iter().map(|(n, v)| format!("{}={}", n, v)).collect::<Vec<_>>().join("; ");
        let cookies = RequestCookies::parse(&header);
        for (name, value) in cookies.iter() {
            let first = pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
            prop_assert_eq!(Some(value), first);
            let all: Vec<&str> = pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect();
            prop_assert_eq!(cookies.get_all(name).collect::<Vec<_>>(), all);
        }
        let distinct: std::collections::HashSet<_> = pairs.iter().map(|(n, _)| n).collect();
        prop_assert_eq!(cookies.len(), distinct.len());
        prop_assert_eq!(RequestCookies::parse(&header), cookies);
    }

    #[test]
    fn arbitrary_headers_never_panic(header in any::<String>()) {
        let cookies = RequestCookies::parse(&header);
        for (name, _) in cookies.iter() {
            prop_assert!(!name.is_empty());
        }
    }
}

#[test]
fn a_client_owns_only_its_own_keys() {
    let names = AuthCookieNames::new("client1");
    assert!(names.owns(&names.last_auth_user()));
    assert!(names.owns(&names.user_key("alice", TokenSlot::AccessToken)));
    for other in [
        "CognitoIdentityServiceProvider.client2.LastAuthUser",
        // A longer client id that starts with this one.
        "CognitoIdentityServiceProvider.client10.LastAuthUser",
        "CognitoIdentityServiceProvider.client1",
        "CognitoIdentityServiceProviderX.client1.LastAuthUser",
        "com.amplify.Cognito.us-east-1:pool.identityId",
        "client1.LastAuthUser",
    ] {
        assert!(!names.owns(other), "{other}");
    }
}

#[test]
fn a_header_too_long_to_index_is_scanned_with_the_same_answers() {
    // Offsets in the index are 16 bits: a longer header is read by scanning, with the same results.
    let filler = "x".repeat(70_000);
    let header = format!("a=1; big={filler}; b=%40two; a=3");
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        http::HeaderValue::from_str(&header).unwrap(),
    );
    let cookies = RequestCookies::from_headers(&headers);
    assert_eq!(cookies.get_all("a").collect::<Vec<_>>(), ["1", "3"]);
    assert_eq!(cookies.get("b"), Some("@two"));
    assert_eq!(cookies.values("big").next().map(|v| v.len()), Some(70_000));
    assert_eq!(
        cookies.values_raw("b").next().as_deref(),
        Some(b"@two".as_slice())
    );
}
