//! Managed login and the OAuth endpoints: validation, the code + PKCE flow,
//! token errors, refresh, userinfo, revocation, logout and SSO.

use std::time::Duration;

/// The managed-login defences (kept beside the flows they protect).
#[path = "oauth_security.rs"]
mod security;

use serde_json::json;

use crate::helpers::{Harness, PASSWORD, claims, verify_jwt};
use crate::oauth_helpers::{
    Browser, CALLBACK, SIGN_OUT, authorize_path, exchange, login, pkce, post_form, userinfo,
};

#[tokio::test]
async fn authorize_validates_its_parameters() {
    let h = Harness::start().await;
    let browser = Browser::new(&h);
    let p = pkce();

    // Untrusted client or redirect URI: an error page, never a redirect.
    for extra in [
        [("client_id", "nope")],
        [("client_id", "")],
        [("redirect_uri", "http://evil.example/cb")],
        [(
            "redirect_uri",
            "http://localhost:3000/api/auth/sign-in-callback/",
        )],
    ] {
        let page = browser.get(&authorize_path(&h, &p, &extra)).await;
        assert_eq!(page.status, 400, "{extra:?}");
        assert!(page.headers.get("location").is_none());
        assert!(page.body.contains("<h1>"));
        assert!(page.has_id("error"));
    }

    // Other errors go back to the app with error + state.
    for (extra, error) in [
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("code_challenge_method", "")], "invalid_request"),
        (vec![("code_challenge", "short")], "invalid_request"),
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("response_type", "")], "invalid_request"),
        (vec![("scope", "openid admin")], "invalid_scope"),
        (vec![("identity_provider", "Myspace")], "invalid_request"),
    ] {
        let page = browser.get(&authorize_path(&h, &p, &extra)).await;
        assert_eq!(page.status, 302, "{extra:?}: {}", page.body);
        assert!(page.location().starts_with(&format!("{CALLBACK}?")));
        let params = page.location_params();
        assert_eq!(params["error"], error, "{extra:?}");
        assert!(!params["error_description"].is_empty());
        assert_eq!(params["state"], "st-123");
        assert!(!params.contains_key("code"));
    }

    // /login accepts the same parameters and shows the form.
    let page = browser
        .get(&authorize_path(&h, &p, &[]).replace("/oauth2/authorize", "/login"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.has_id("login-form"));
    h.backend.shutdown().await;
}

#[tokio::test]
async fn login_page_has_stable_ids_and_keeps_the_username_on_error() {
    let h = Harness::start().await;
    h.user("olga");
    let browser = Browser::new(&h);
    let p = pkce();
    let page = browser.get(&authorize_path(&h, &p, &[])).await;
    assert_eq!(page.status, 200);
    assert!(page.body.starts_with("<!DOCTYPE html>"));
    assert!(page.body.contains("<html lang=\"en\">"));
    assert!(page.body.contains("<h1>Sign in</h1>"));
    // The app client's id is a developer detail: in hidden fields and links
    // only, never shown.
    assert!(page.body.contains(h.backend.client_id()));
    assert!(
        !page.visible_text().contains(h.backend.client_id()),
        "{}",
        page.visible_text()
    );
    assert!(!page.has_id("client-id"));
    // A fresh page focuses the username; nothing is marked invalid.
    assert_eq!(page.autofocused(), ["username"]);
    assert_eq!(page.visible_inputs(), ["username", "password"]);
    assert!(!page.body.contains("aria-invalid=\"true\""));
    for id in [
        "login-form",
        "username",
        "password",
        "sign-in",
        "signup-link",
        "forgot-link",
    ] {
        assert!(page.has_id(id), "#{id}");
    }
    assert!(!page.has_id("error"));
    assert!(page.body.contains("<label for=\"username\">"));
    assert!(page.body.contains("<label for=\"password\">"));
    assert!(page.body.contains(&format!(
        "name=\"code_challenge\" value=\"{}\"",
        p.challenge
    )));
    assert!(!page.body.contains("<script"));

    let mut form: Vec<(&str, &str)> = vec![
        ("client_id", h.backend.client_id()),
        ("redirect_uri", CALLBACK),
        ("response_type", "code"),
        ("state", "st-123"),
        ("code_challenge", &p.challenge),
        ("code_challenge_method", "S256"),
        ("username", "olga"),
        ("password", "wrong-Passw0rd!"),
    ];
    let page = browser.post("/login", &form).await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("role=\"alert\""));
    assert_eq!(page.text_of("error"), "Incorrect username or password.");
    assert_eq!(page.input_value("username"), "olga");
    assert!(page.body.contains("aria-describedby=\"error\""));
    page.assert_error_has_focus();
    assert!(!page.visible_text().contains(h.backend.client_id()));
    assert!(!browser.has_session());

    // Unknown user: same message.
    form[6] = ("username", "nobody");
    let page = browser.post("/login", &form).await;
    assert_eq!(page.status, 400);
    assert_eq!(page.text_of("error"), "Incorrect username or password.");
    assert_eq!(page.input_value("username"), "nobody");

    // A user who must change their password is asked for a new one.
    h.admin(
        "AdminCreateUser",
        json!({
            "UserPoolId": h.backend.user_pool_id(),
            "Username": "temp",
            "TemporaryPassword": PASSWORD,
        }),
    )
    .await
    .ok();
    form[6] = ("username", "temp");
    form[7] = ("password", PASSWORD);
    let page = browser.post("/login", &form).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has_id("new-password-form"));
    h.backend.shutdown().await;
}

#[tokio::test]
async fn code_flow_with_pkce_sso_and_code_reuse() {
    let h = Harness::start().await;
    let user = h.user("carla");
    let browser = Browser::new(&h);
    let p = pkce();
    let code = login(&h, &browser, &p, "carla", &[("nonce", "n-42")]).await;
    assert!(browser.has_session());

    // A wrong verifier fails (and uses up the code).
    exchange(&h, &code, &pkce().verifier)
        .await
        .error(400, "invalid_grant");
    exchange(&h, &code, &p.verifier)
        .await
        .error(400, "invalid_grant");

    // SSO: the second authorize skips the form.
    let p = pkce();
    let page = browser
        .get(&authorize_path(&h, &p, &[("nonce", "n-43")]))
        .await;
    let code = page.code("st-123");
    let answer = exchange(&h, &code, &p.verifier).await;
    assert_eq!(answer.headers["cache-control"], "no-store");
    let tokens = answer.ok();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let jwks = h.jwks().await;
    let (_, access) = verify_jwt(tokens["access_token"].as_str().expect("access"), &jwks);
    let (_, id) = verify_jwt(tokens["id_token"].as_str().expect("id"), &jwks);
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], h.backend.client_id());
    assert_eq!(
        access["scope"],
        "openid email profile aws.cognito.signin.user.admin"
    );
    assert_eq!(access["username"], "carla");
    assert_eq!(access["sub"], user.sub);
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["aud"], h.backend.client_id());
    assert_eq!(id["cognito:username"], "carla");
    assert_eq!(id["email"], "carla@example.com");
    assert_eq!(id["nonce"], "n-43");
    assert_eq!(id["iss"], h.backend.issuer());
    assert!(id["at_hash"].is_string());
    let access_token = tokens["access_token"].as_str().expect("a").to_owned();
    // The access token works with the user-pool API.
    h.get_user(&access_token).await.ok();

    // Reusing the code fails and revokes what it issued.
    exchange(&h, &code, &p.verifier)
        .await
        .error(400, "invalid_grant");
    h.get_user(&access_token)
        .await
        .assert_error("NotAuthorizedException");
    post_form(
        &h,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", h.backend.client_id()),
            (
                "refresh_token",
                tokens["refresh_token"].as_str().expect("r"),
            ),
        ],
        None,
    )
    .await
    .error(400, "invalid_grant");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn token_endpoint_errors() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    h.user("dora");
    let browser = Browser::new(&h);
    let p = pkce();
    // Codes expire after their 5 minutes.
    let code = login(&h, &browser, &p, "dora", &[]).await;
    h.backend.advance_clock(Duration::from_secs(300));
    exchange(&h, &code, &p.verifier)
        .await
        .error(400, "invalid_grant");
    let client = h.backend.client_id().to_owned();
    let token = |form: Vec<(&'static str, String)>| {
        let h = &h;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
            post_form(h, "/oauth2/token", &form, None).await
        }
    };
    token(vec![("client_id", client.clone())])
        .await
        .error(400, "invalid_request");
    token(vec![
        ("grant_type", "password".into()),
        ("client_id", client.clone()),
    ])
    .await
    .error(400, "unsupported_grant_type");
    token(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", client.clone()),
    ])
    .await
    .error(400, "unauthorized_client");
    token(vec![
        ("grant_type", "authorization_code".into()),
        ("client_id", "nope".into()),
    ])
    .await
    .error(401, "invalid_client");
    token(vec![("grant_type", "authorization_code".into())])
        .await
        .error(401, "invalid_client");
    token(vec![
        ("grant_type", "authorization_code".into()),
        ("client_id", client.clone()),
        ("redirect_uri", CALLBACK.into()),
    ])
    .await
    .error(400, "invalid_request");
    token(vec![
        ("grant_type", "authorization_code".into()),
        ("client_id", client.clone()),
        ("code", "unknown".into()),
        ("redirect_uri", CALLBACK.into()),
        ("code_verifier", p.verifier.clone()),
    ])
    .await
    .error(400, "invalid_grant");
    token(vec![
        ("grant_type", "refresh_token".into()),
        ("client_id", client.clone()),
    ])
    .await
    .error(400, "invalid_request");
    // A JSON body is refused.
    let response = h
        .http
        .post(format!("{}/oauth2/token", h.backend.base_url()))
        .json(&json!({ "grant_type": "refresh_token" }))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 400);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn redirect_uri_must_match_at_token_time() {
    let h = Harness::start().await;
    h.user("erin");
    let browser = Browser::new(&h);
    let p = pkce();
    let code = login(&h, &browser, &p, "erin", &[]).await;
    post_form(
        &h,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", h.backend.client_id()),
            ("code", &code),
            (
                "redirect_uri",
                "http://127.0.0.1:3000/api/auth/sign-in-callback",
            ),
            ("code_verifier", &p.verifier),
        ],
        None,
    )
    .await
    .error(400, "invalid_grant");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn refresh_grant_and_scopes() {
    let h = Harness::start().await;
    h.user("fay");
    let browser = Browser::new(&h);
    let p = pkce();
    let code = login(&h, &browser, &p, "fay", &[("scope", "openid email")]).await;
    let tokens = exchange(&h, &code, &p.verifier).await.ok();
    assert_eq!(
        claims(tokens["access_token"].as_str().expect("a"))["scope"],
        "openid email"
    );
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let refresh_form = |token: String| {
        let h = &h;
        async move {
            post_form(
                h,
                "/oauth2/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", h.backend.client_id()),
                    ("refresh_token", &token),
                ],
                None,
            )
            .await
        }
    };
    let refreshed = refresh_form(refresh.clone()).await.ok();
    assert!(refreshed["id_token"].is_string());
    assert!(refreshed.get("refresh_token").is_none(), "{refreshed}");
    let access = claims(refreshed["access_token"].as_str().expect("a"));
    assert_eq!(access["scope"], "openid email");
    assert_eq!(
        access["origin_jti"],
        claims(tokens["access_token"].as_str().expect("a"))["origin_jti"]
    );
    refresh_form("garbage".into())
        .await
        .error(400, "invalid_grant");
    // The API refresh accepts the same token.
    h.refresh(&refresh).await.ok();

    // Without openid: no id token, and userinfo refuses the access token.
    let p = pkce();
    let page = browser
        .get(&authorize_path(
            &h,
            &p,
            &[("scope", "email aws.cognito.signin.user.admin")],
        ))
        .await;
    let tokens = exchange(&h, &page.code("st-123"), &p.verifier).await.ok();
    assert!(tokens.get("id_token").is_none(), "{tokens}");
    assert!(tokens["refresh_token"].is_string());
    let refreshed = refresh_form(tokens["refresh_token"].as_str().expect("r").to_owned())
        .await
        .ok();
    assert!(refreshed.get("id_token").is_none());
    let (status, _, _) = userinfo(&h, tokens["access_token"].as_str()).await;
    assert_eq!(status, 401);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn refresh_grant_rotates_when_enabled() {
    let h = Harness::start_with(|o| o.with_rotate_refresh_tokens(true)).await;
    h.user("gina");
    let browser = Browser::new(&h);
    let p = pkce();
    let code = login(&h, &browser, &p, "gina", &[]).await;
    let tokens = exchange(&h, &code, &p.verifier).await.ok();
    let first = tokens["refresh_token"].as_str().expect("r").to_owned();
    let form = |token: String| {
        let h = &h;
        async move {
            post_form(
                h,
                "/oauth2/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", h.backend.client_id()),
                    ("refresh_token", &token),
                ],
                None,
            )
            .await
        }
    };
    let second = form(first.clone()).await.ok()["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_owned();
    assert_ne!(first, second);
    form(first).await.error(400, "invalid_grant");
    form(second).await.ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn userinfo_returns_string_claims() {
    let h = Harness::start().await;
    h.backend
        .create_user(
            "hana",
            PASSWORD,
            &[
                ("email", "hana@example.com"),
                ("email_verified", "true"),
                ("name", "Hana"),
            ],
        )
        .expect("user");
    let browser = Browser::new(&h);
    let p = pkce();
    let code = login(&h, &browser, &p, "hana", &[]).await;
    let tokens = exchange(&h, &code, &p.verifier).await.ok();
    let (status, headers, body) = userinfo(&h, tokens["access_token"].as_str()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["email_verified"], "true");
    assert_eq!(body["email"], "hana@example.com");
    assert_eq!(body["name"], "Hana");
    assert_eq!(body["username"], "hana");
    assert_eq!(
        body["sub"],
        claims(tokens["id_token"].as_str().expect("id"))["sub"]
    );
    // POST works too.
    let response = h
        .http
        .post(format!("{}/oauth2/userInfo", h.backend.base_url()))
        .bearer_auth(tokens["access_token"].as_str().expect("a"))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 200);

    for token in [None, Some("garbage"), tokens["id_token"].as_str()] {
        let (status, headers, body) = userinfo(&h, token).await;
        assert_eq!(status, 401, "{token:?}");
        let challenge = headers["www-authenticate"].to_str().expect("ascii");
        assert!(
            challenge.starts_with("Bearer error=\"invalid_token\""),
            "{challenge}"
        );
        assert_eq!(body["error"], "invalid_token");
    }
    h.backend.shutdown().await;
}

#[tokio::test]
async fn revoke_ends_refresh_and_access() {
    let h = Harness::start().await;
    h.user("iris");
    let browser = Browser::new(&h);
    let p = pkce();
    let code = login(&h, &browser, &p, "iris", &[]).await;
    let tokens = exchange(&h, &code, &p.verifier).await.ok();
    let refresh = tokens["refresh_token"].as_str().expect("r");
    let access = tokens["access_token"].as_str().expect("a");
    let client = h.backend.client_id().to_owned();

    let answer = post_form(
        &h,
        "/oauth2/revoke",
        &[("token", refresh), ("client_id", &client)],
        None,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(answer.text.is_empty());
    post_form(
        &h,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", refresh),
        ],
        None,
    )
    .await
    .error(400, "invalid_grant");
    h.get_user(access)
        .await
        .assert_error("NotAuthorizedException");
    let (status, _, _) = userinfo(&h, Some(access)).await;
    assert_eq!(status, 401);

    // Unknown tokens are fine; access tokens and missing parameters are not.
    let answer = post_form(
        &h,
        "/oauth2/revoke",
        &[("token", "unknown"), ("client_id", &client)],
        None,
    )
    .await;
    assert_eq!(answer.status, 200);
    post_form(
        &h,
        "/oauth2/revoke",
        &[("token", access), ("client_id", &client)],
        None,
    )
    .await
    .error(400, "unsupported_token_type");
    post_form(&h, "/oauth2/revoke", &[("client_id", &client)], None)
        .await
        .error(400, "invalid_request");
    post_form(&h, "/oauth2/revoke", &[("token", refresh)], None)
        .await
        .error(401, "invalid_client");
    post_form(
        &h,
        "/oauth2/revoke",
        &[("token", refresh), ("client_id", "nope")],
        None,
    )
    .await
    .error(401, "invalid_client");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn logout_ends_the_session() {
    let h = Harness::start().await;
    h.user("jade");
    let browser = Browser::new(&h);
    let p = pkce();
    login(&h, &browser, &p, "jade", &[]).await;
    assert!(browser.has_session());
    let client = h.backend.client_id().to_owned();

    let bad = browser
        .get(&format!(
            "/logout?client_id={client}&logout_uri=http%3A%2F%2Fevil.example%2F"
        ))
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.has_id("error"));
    assert!(browser.has_session());
    let bad = browser
        .get(&format!("/logout?client_id=nope&logout_uri={SIGN_OUT}"))
        .await;
    assert_eq!(bad.status, 400);

    let logout_query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &client)
        .append_pair("logout_uri", SIGN_OUT)
        .finish();
    let page = browser.get(&format!("/logout?{logout_query}")).await;
    assert_eq!(page.status, 302);
    assert_eq!(page.location(), SIGN_OUT);
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| {
            c.starts_with(&format!(
                "{}=",
                browser.cookie_name("amplify_local_session")
            ))
        })
        .expect("clearing cookie");
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
    assert!(!browser.has_session());

    // The next authorize shows the form again.
    let page = browser.get(&authorize_path(&h, &pkce(), &[])).await;
    assert_eq!(page.status, 200);
    assert!(page.has_id("login-form"));

    // Cognito's other form: back to the login page with the parameters.
    let relogin = browser
        .get(&format!(
            "/logout?client_id={client}&redirect_uri={}&response_type=code&state=s2",
            url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
        ))
        .await;
    assert_eq!(relogin.status, 302);
    let location = relogin.location().to_owned();
    assert!(location.starts_with("/login?"), "{location}");
    assert!(location.contains("state=s2"));
    h.backend.shutdown().await;
}

#[tokio::test]
async fn session_is_per_browser_and_sso_skips_the_form() {
    let h = Harness::start().await;
    h.user("kim");
    let one = Browser::new(&h);
    let p = pkce();
    login(&h, &one, &p, "kim", &[]).await;
    let cookie = one
        .get(&authorize_path(&h, &pkce(), &[("state", "again")]))
        .await;
    cookie.code("again");
    // Another browser has no session.
    let two = Browser::new(&h);
    let page = two.get(&authorize_path(&h, &pkce(), &[])).await;
    assert_eq!(page.status, 200);
    // An identity_provider forces its page even with a session.
    let page = one
        .get(&authorize_path(
            &h,
            &pkce(),
            &[("identity_provider", "Google")],
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.has_id("consent-form"));
    h.backend.shutdown().await;
}
