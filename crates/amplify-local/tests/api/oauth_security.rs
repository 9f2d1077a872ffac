//! Managed login's defences: sign-up confirmation bound to the browser that
//! signed up, login-CSRF protection of every form, PKCE downgrade, code
//! replay by another client, cookie attributes and userinfo scopes.

use serde_json::json;

use crate::helpers::{Harness, PASSWORD};
use crate::oauth_helpers::{
    Browser, CALLBACK, Page, authorize_params, authorize_path, exchange, form_of, login, pkce,
    post_form, query, userinfo,
};

/// The `Set-Cookie` header of a cookie (by name).
fn set_cookie(page: &Page, name: &str) -> Option<String> {
    page.set_cookies()
        .into_iter()
        .find(|cookie| cookie.starts_with(&format!("{name}=")))
}

/// Signs `username` up in `browser`; returns the confirm page.
async fn sign_up(h: &Harness, browser: &Browser, username: &str) -> Page {
    let params = authorize_params(h.backend.client_id(), &pkce(), &[]);
    let page = browser.get(&format!("/signup?{}", query(&params))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let email = format!("{username}@example.com");
    let mut form = form_of(&params);
    form.extend([
        ("username", username),
        ("email", email.as_str()),
        ("password", PASSWORD),
    ]);
    let page = browser.post("/signup", &form).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page
}

async fn user_status(h: &Harness, username: &str) -> String {
    h.admin(
        "AdminGetUser",
        json!({ "UserPoolId": h.backend.user_pool_id(), "Username": username }),
    )
    .await
    .ok()["UserStatus"]
        .as_str()
        .expect("status")
        .to_owned()
}

#[tokio::test]
async fn confirm_page_of_another_browser_shows_no_code_and_does_not_sign_in() {
    let h = Harness::start().await;
    let owner = Browser::new(&h);
    sign_up(&h, &owner, "lena").await;
    let code = h.backend.confirmation_code("lena").expect("pending code");

    // Another browser, even one bound to its own sign-up, sees no code.
    let other = Browser::new(&h);
    sign_up(&h, &other, "mark").await;
    let p = pkce();
    let params = authorize_params(h.backend.client_id(), &p, &[]);
    for typed in ["", "000000x"] {
        let mut confirm = form_of(&params);
        confirm.extend([("username", "lena"), ("code", typed)]);
        let page = other.post("/confirm", &confirm).await;
        assert_eq!(page.status, 400, "{typed:?}: {}", page.body);
        assert!(page.has_id("confirm-form"));
        assert!(!page.has_id("confirmation-code"), "{}", page.body);
        assert!(!page.body.contains(&code));
    }
    // The right code confirms the account but only leads to the login form.
    let mut confirm = form_of(&params);
    confirm.extend([("username", "lena"), ("code", code.as_str())]);
    let page = other.post("/confirm", &confirm).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.headers.get("location").is_none());
    assert!(page.has_id("login-form"));
    assert!(page.has_id("notice"));
    assert_eq!(page.input_value("username"), "lena");
    assert!(!other.has_session());
    assert!(
        page.set_cookies()
            .iter()
            .all(|c| !c.starts_with(&other.cookie_name("amplify_local_session"))),
        "{:?}",
        page.set_cookies()
    );
    assert_eq!(user_status(&h, "lena").await, "CONFIRMED");
    // ... where the password signs in.
    let mut form = form_of(&params);
    form.extend([("username", "lena"), ("password", PASSWORD)]);
    let code = other.post("/login", &form).await.code("st-123");
    exchange(&h, &code, &p.verifier).await.ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn sign_up_then_confirm_signs_in_in_the_same_browser() {
    let h = Harness::start().await;
    let browser = Browser::new(&h);
    let page = sign_up(&h, &browser, "nora").await;
    let binding = browser.cookie_name("amplify_local_signup");
    let cookie = set_cookie(&page, &binding).expect("binding cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/confirm", "Max-Age="] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let shown = page.text_of("confirmation-code");
    assert_eq!(Some(shown.clone()), h.backend.confirmation_code("nora"));

    let p = pkce();
    let params = authorize_params(h.backend.client_id(), &p, &[]);
    let mut confirm = form_of(&params);
    confirm.extend([("username", "nora"), ("code", "000000x")]);
    let page = browser.post("/confirm", &confirm).await;
    assert_eq!(page.status, 400);
    assert_eq!(page.text_of("confirmation-code"), shown);

    let mut confirm = form_of(&params);
    confirm.extend([("username", "nora"), ("code", shown.as_str())]);
    let page = browser.post("/confirm", &confirm).await;
    let code = page.code("st-123");
    assert!(browser.has_session());
    let cleared = set_cookie(&page, &binding).expect("binding cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(!browser.has_cookie(&binding));
    exchange(&h, &code, &p.verifier).await.ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn form_posts_without_the_csrf_token_are_refused() {
    let h = Harness::start().await;
    h.user("olga");
    let browser = Browser::new(&h);
    let p = pkce();
    let page = browser.get(&authorize_path(&h, &p, &[])).await;
    assert_eq!(page.status, 200);
    let token = browser.csrf().expect("csrf cookie");
    assert_eq!(page.input_value_by_name("_csrf"), token);
    let cookie = set_cookie(&page, &browser.cookie_name("amplify_local_csrf")).expect("cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));

    let params = authorize_params(h.backend.client_id(), &p, &[]);
    let mut login_form = form_of(&params);
    login_form.extend([("username", "olga"), ("password", PASSWORD)]);
    let wrong = "A".repeat(43);
    for csrf in [None, Some(""), Some(wrong.as_str())] {
        let mut form = login_form.clone();
        if let Some(csrf) = csrf {
            form.push(("_csrf", csrf));
        }
        let page = browser.post_with("/login", &form, &[]).await;
        assert_eq!(page.status, 403, "{csrf:?}: {}", page.body);
        assert!(page.headers.get("location").is_none());
        assert!(page.has_id("login-form"));
        assert!(page.text_of("error").contains("Please try again"));
        assert!(!browser.has_session());
        // The refused page carries a fresh token that works.
        let fresh = browser.csrf().expect("fresh token");
        assert_eq!(page.input_value_by_name("_csrf"), fresh);
    }
    // A token without its cookie is refused too.
    let lone = Browser::new(&h);
    let mut form = login_form.clone();
    form.push(("_csrf", &token));
    let page = lone.post_with("/login", &form, &[]).await;
    assert_eq!(page.status, 403);
    assert!(!lone.has_session());

    // Sign-up, confirm and the consent page are protected the same way.
    let mut signup = form_of(&params);
    signup.extend([
        ("username", "pia"),
        ("email", "pia@example.com"),
        ("password", PASSWORD),
        ("_csrf", wrong.as_str()),
    ]);
    let page = browser.post_with("/signup", &signup, &[]).await;
    assert_eq!(page.status, 403);
    assert!(page.has_id("signup-form"));
    assert_eq!(h.backend.confirmation_code("pia"), None);
    let answer = h
        .admin(
            "AdminGetUser",
            json!({ "UserPoolId": h.backend.user_pool_id(), "Username": "pia" }),
        )
        .await;
    answer.assert_error("UserNotFoundException");

    let owner = Browser::new(&h);
    sign_up(&h, &owner, "quinn").await;
    let code = h.backend.confirmation_code("quinn").expect("code");
    let mut confirm = form_of(&params);
    confirm.extend([
        ("username", "quinn"),
        ("code", code.as_str()),
        ("_csrf", wrong.as_str()),
    ]);
    let page = owner.post_with("/confirm", &confirm, &[]).await;
    assert_eq!(page.status, 403);
    assert!(page.has_id("confirm-form"));
    assert!(!owner.has_session());
    assert_eq!(user_status(&h, "quinn").await, "UNCONFIRMED");

    let google = authorize_params(
        h.backend.client_id(),
        &p,
        &[("identity_provider", "Google")],
    );
    let mut consent = form_of(&google);
    consent.extend([
        ("email", "jane@gmail.com"),
        ("name", "Jane"),
        ("_csrf", wrong.as_str()),
    ]);
    let page = browser
        .post_with("/oauth2/idpresponse", &consent, &[])
        .await;
    assert_eq!(page.status, 403);
    assert!(page.has_id("consent-form"));
    assert!(!browser.has_session());

    // With the token, the same login works.
    let code = browser.post("/login", &login_form).await.code("st-123");
    assert!(browser.has_session());
    exchange(&h, &code, &p.verifier).await.ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn cross_site_form_posts_are_refused() {
    let h = Harness::start().await;
    h.user("rita");
    let browser = Browser::new(&h);
    let p = pkce();
    browser.get(&authorize_path(&h, &p, &[])).await;
    let params = authorize_params(h.backend.client_id(), &p, &[]);
    let form_with = |token: &str| {
        let mut form: Vec<(String, String)> = params.clone();
        for (name, value) in [
            ("username", "rita"),
            ("password", PASSWORD),
            ("_csrf", token),
        ] {
            form.push((name.to_owned(), value.to_owned()));
        }
        form
    };
    let host = h
        .backend
        .base_url()
        .trim_start_matches("http://")
        .to_owned();
    let other_port = "http://127.0.0.1:1".to_owned();
    for headers in [
        vec![("sec-fetch-site", "cross-site")],
        vec![
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://evil.example"),
        ],
        // Another port of this host is "same-site" but not this server.
        vec![
            ("sec-fetch-site", "same-site"),
            ("origin", other_port.as_str()),
        ],
        vec![("origin", "null")],
    ] {
        // A valid token does not help a cross-site post.
        let form = form_with(&browser.csrf().expect("csrf cookie"));
        let page = browser.post_with("/login", &form_of(&form), &headers).await;
        assert_eq!(page.status, 403, "{headers:?}");
        assert!(page.has_id("error"));
        assert!(!browser.has_session(), "{headers:?}");
    }
    let origin = format!("http://{host}");
    let form = form_with(&browser.csrf().expect("csrf cookie"));
    let page = browser
        .post_with(
            "/login",
            &form_of(&form),
            &[
                ("sec-fetch-site", "same-origin"),
                ("origin", origin.as_str()),
            ],
        )
        .await;
    page.code("st-123");
    assert!(browser.has_session());
    h.backend.shutdown().await;
}

#[tokio::test]
async fn session_cookie_attributes() {
    let h = Harness::start().await;
    h.user("sara");
    let browser = Browser::new(&h);
    let p = pkce();
    browser.get(&authorize_path(&h, &p, &[])).await;
    let params = authorize_params(h.backend.client_id(), &p, &[]);
    let mut form = form_of(&params);
    form.extend([("username", "sara"), ("password", PASSWORD)]);
    let page = browser.post("/login", &form).await;
    page.code("st-123");
    let port = h
        .backend
        .base_url()
        .rsplit(':')
        .next()
        .expect("port")
        .to_owned();
    let name = format!("amplify_local_session_{port}");
    let cookie = set_cookie(&page, &name).expect("session cookie");
    let attributes: Vec<&str> = cookie.split(';').skip(1).map(str::trim).collect();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=3600"] {
        assert!(attributes.contains(&attribute), "{cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert!(
        page.set_cookies()
            .iter()
            .all(|c| !c.starts_with("amplify_local_session=")),
        "the unsuffixed name is gone"
    );
    h.backend.shutdown().await;
}

#[tokio::test]
async fn pkce_downgrade_is_refused() {
    let h = Harness::start_with(|o| o.with_confidential_client(true)).await;
    h.user("tina");
    let (id, secret) = h.backend.confidential_client().expect("confidential");
    let browser = Browser::new(&h);
    let mut params = authorize_params(&id, &pkce(), &[]);
    params.retain(|(n, _)| n != "code_challenge" && n != "code_challenge_method");
    let page = browser
        .get(&format!("/oauth2/authorize?{}", query(&params)))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut form = form_of(&params);
    form.extend([("username", "tina"), ("password", PASSWORD)]);
    let code = browser.post("/login", &form).await.code("st-123");
    let verifier = pkce().verifier;
    let answer = post_form(
        &h,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier.as_str()),
        ],
        Some((&id, &secret)),
    )
    .await;
    answer.error(400, "invalid_grant");
    assert!(answer.text.contains("code_challenge"), "{}", answer.text);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn a_code_presented_by_another_client_is_neither_used_nor_revoking() {
    let h = Harness::start_with(|o| o.with_confidential_client(true)).await;
    h.user("uma");
    let (id, secret) = h.backend.confidential_client().expect("confidential");
    let browser = Browser::new(&h);
    let p = pkce();
    let code = login(&h, &browser, &p, "uma", &[]).await;
    let steal = |code: String| {
        let h = &h;
        let (id, secret, verifier) = (id.clone(), secret.clone(), p.verifier.clone());
        async move {
            post_form(
                h,
                "/oauth2/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", CALLBACK),
                    ("code_verifier", verifier.as_str()),
                ],
                Some((&id, &secret)),
            )
            .await
        }
    };
    // Before the legitimate exchange: refused, and the code still works.
    steal(code.clone()).await.error(400, "invalid_grant");
    let tokens = exchange(&h, &code, &p.verifier).await.ok();
    let access = tokens["access_token"].as_str().expect("access").to_owned();
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    // After it: refused, and the legitimate tokens stay valid.
    steal(code.clone()).await.error(400, "invalid_grant");
    h.get_user(&access).await.ok();
    post_form(
        &h,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", h.backend.client_id()),
            ("refresh_token", refresh.as_str()),
        ],
        None,
    )
    .await
    .ok();
    // A replay by the code's own client still revokes them.
    exchange(&h, &code, &p.verifier)
        .await
        .error(400, "invalid_grant");
    h.get_user(&access)
        .await
        .assert_error("NotAuthorizedException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn userinfo_releases_only_the_granted_scopes_claims() {
    let h = Harness::start().await;
    h.backend
        .create_user(
            "vera",
            PASSWORD,
            &[
                ("email", "vera@example.com"),
                ("email_verified", "true"),
                ("phone_number", "+15555550100"),
                ("phone_number_verified", "true"),
                ("name", "Vera"),
                ("custom:team", "blue"),
            ],
        )
        .expect("user");
    let email = ["email", "email_verified"];
    let phone = ["phone_number", "phone_number_verified"];
    let profile = ["name", "custom:team"];
    for (scope, released) in [
        ("openid", vec![]),
        ("openid aws.cognito.signin.user.admin", vec![]),
        ("openid email", email.to_vec()),
        ("openid email aws.cognito.signin.user.admin", email.to_vec()),
        ("openid phone", phone.to_vec()),
        ("openid profile", profile.to_vec()),
        (
            "openid email phone profile",
            [email, phone, profile].concat(),
        ),
    ] {
        let browser = Browser::new(&h);
        let p = pkce();
        let code = login(&h, &browser, &p, "vera", &[("scope", scope)]).await;
        let tokens = exchange(&h, &code, &p.verifier).await.ok();
        let (status, _, body) = userinfo(&h, tokens["access_token"].as_str()).await;
        assert_eq!(status, 200, "{scope}: {body}");
        assert_eq!(body["username"], "vera");
        assert!(body["sub"].is_string());
        for claim in [email, phone, profile].concat() {
            assert_eq!(
                body.get(claim).is_some(),
                released.contains(&claim),
                "{scope}: {claim} in {body}"
            );
        }
    }
    h.backend.shutdown().await;
}
