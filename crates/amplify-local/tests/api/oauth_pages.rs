//! Managed-login pages: sign-up and confirm, simulated federated providers,
//! languages, the confidential client, app origins and discovery.

use std::process::Command;

use amplify_local::{LocalBackend, LocalError, LocalOptions};
use serde_json::json;

use crate::helpers::{Harness, PASSWORD, claims, serve_binary};
use crate::oauth_helpers::{
    Browser, CALLBACK, authorize_params, authorize_path, exchange, form_of, pkce, post_form, query,
};

#[tokio::test]
async fn sign_up_and_confirm_through_the_pages() {
    let h = Harness::start().await;
    let browser = Browser::new(&h);
    let p = pkce();
    let params = authorize_params(h.backend.client_id(), &p, &[]);
    let page = browser.get(&format!("/signup?{}", query(&params))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>Sign up</h1>"));
    for id in ["signup-form", "username", "email", "password", "sign-up"] {
        assert!(page.has_id(id), "#{id}");
    }
    // The pool's usernames are not email addresses (amplify_outputs.json says
    // so), so the form asks for both; the username has focus.
    assert_eq!(
        h.backend.outputs()["auth"]["username_attributes"],
        json!([])
    );
    assert_eq!(page.visible_inputs(), ["username", "email", "password"]);
    assert_eq!(page.autofocused(), ["username"]);
    assert!(!page.visible_text().contains(h.backend.client_id()));

    let mut form = form_of(&params);
    form.extend([
        ("username", "lena"),
        ("email", "lena@example.com"),
        ("password", "weak"),
    ]);
    let page = browser.post("/signup", &form).await;
    assert_eq!(page.status, 400);
    assert!(page.text_of("error").contains("at least 8 characters"));
    page.assert_error_has_focus();
    assert_eq!(page.input_value("username"), "lena");
    assert_eq!(page.input_value("email"), "lena@example.com");

    let mut form = form_of(&params);
    form.extend([
        ("username", "lena"),
        ("email", "lena@example.com"),
        ("password", PASSWORD),
    ]);
    let page = browser.post("/signup", &form).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for id in ["confirm-form", "confirmation-code", "code", "confirm"] {
        assert!(page.has_id(id), "#{id}");
    }
    assert_eq!(page.autofocused(), ["code"]);
    let shown = page.text_of("confirmation-code");
    assert_eq!(Some(shown.clone()), h.backend.confirmation_code("lena"));
    assert!(page.body.contains("<code id=\"confirmation-code\">"));

    // Signing up again with the same name fails on the page.
    let page = browser.post("/signup", &form).await;
    assert_eq!(page.status, 400);
    assert!(page.text_of("error").contains("already exists"));

    // Signing in before confirming gets a clear message.
    let mut login_form = form_of(&params);
    login_form.extend([("username", "lena"), ("password", PASSWORD)]);
    let page = browser.post("/login", &login_form).await;
    assert_eq!(page.status, 400);
    assert!(page.text_of("error").contains("not confirmed"));

    let mut confirm = form_of(&params);
    confirm.extend([("username", "lena"), ("code", "000000x")]);
    let page = browser.post("/confirm", &confirm).await;
    assert_eq!(page.status, 400);
    assert_eq!(
        page.text_of("error"),
        "Invalid verification code provided, please try again."
    );
    page.assert_error_has_focus();
    assert_eq!(page.text_of("confirmation-code"), shown);

    let mut confirm = form_of(&params);
    confirm.extend([("username", "lena"), ("code", shown.as_str())]);
    let page = browser.post("/confirm", &confirm).await;
    let code = page.code("st-123");
    assert!(browser.has_session());
    let tokens = exchange(&h, &code, &p.verifier).await.ok();
    let id = claims(tokens["id_token"].as_str().expect("id"));
    assert_eq!(id["cognito:username"], "lena");
    assert_eq!(id["email_verified"], true);
    let user = h
        .admin(
            "AdminGetUser",
            json!({ "UserPoolId": h.backend.user_pool_id(), "Username": "lena" }),
        )
        .await
        .ok();
    assert_eq!(user["UserStatus"], "CONFIRMED");
    // The password works through the API too.
    h.sign_in("lena").await;
    h.backend.shutdown().await;
}

#[tokio::test]
async fn email_usernames_sign_up_asks_only_for_the_email() {
    let h = Harness::start_with(|options| options.with_email_usernames(true)).await;
    let browser = Browser::new(&h);
    let p = pkce();
    let params = authorize_params(h.backend.client_id(), &p, &[]);
    let page = browser.get(&format!("/signup?{}", query(&params))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.has_id("username"));
    assert_eq!(page.visible_inputs(), ["email", "password"]);
    assert_eq!(page.autofocused(), ["email"]);
    assert!(page.body.contains("<label for=\"email\">Email</label>"));

    let mut form = form_of(&params);
    form.extend([("email", "lena"), ("password", PASSWORD)]);
    let page = browser.post("/signup", &form).await;
    assert_eq!(page.status, 400);
    assert_eq!(page.text_of("error"), "Please enter a valid email address.");
    assert_eq!(page.visible_inputs(), ["email", "password"]);
    assert_eq!(page.input_value("email"), "lena");

    // A username field sent anyway is ignored: the email is the username.
    let mut form = form_of(&params);
    form.extend([
        ("username", "someone-else"),
        ("email", "lena@example.com"),
        ("password", PASSWORD),
    ]);
    let page = browser.post("/signup", &form).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.input_value_by_name("username"), "lena@example.com");
    assert_eq!(h.backend.confirmation_code("someone-else"), None);
    let shown = page.text_of("confirmation-code");
    assert_eq!(
        Some(shown.clone()),
        h.backend.confirmation_code("lena@example.com")
    );

    let mut confirm = form_of(&params);
    confirm.extend([("username", "lena@example.com"), ("code", shown.as_str())]);
    let page = browser.post("/confirm", &confirm).await;
    let code = page.code("st-123");
    let tokens = exchange(&h, &code, &p.verifier).await.ok();
    let id = claims(tokens["id_token"].as_str().expect("id"));
    // Cognito would name the user with a generated id; amplify-local keeps the email.
    assert_eq!(id["cognito:username"], "lena@example.com");
    assert_eq!(id["email"], "lena@example.com");

    // The login form asks for the email.
    let page = Browser::new(&h)
        .get(&authorize_path(&h, &pkce(), &[]))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("<label for=\"username\">Email</label><input id=\"username\" name=\"username\" type=\"email\""),
        "{}",
        page.body
    );
    // So does "Forgot your password?".
    let page = Browser::new(&h)
        .get(&format!("/forgotPassword?{}", query(&params)))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.text_of("forgot-note").contains("email address"));
    assert!(
        page.body
            .contains("<label for=\"username\">Email</label><input id=\"username\" name=\"username\" type=\"email\""),
        "{}",
        page.body
    );
    h.backend.shutdown().await;
}

#[tokio::test]
async fn plain_usernames_login_form_asks_for_the_username() {
    let h = Harness::start().await;
    let page = Browser::new(&h)
        .get(&authorize_path(&h, &pkce(), &[]))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("<label for=\"username\">Username</label><input id=\"username\" name=\"username\" type=\"text\""),
        "{}",
        page.body
    );
    h.backend.shutdown().await;
}

#[tokio::test]
async fn simulated_google_sign_in_creates_and_reuses_a_federated_user() {
    let h = Harness::start().await;
    let p = pkce();
    let extra = [("identity_provider", "Google")];
    let params = authorize_params(h.backend.client_id(), &p, &extra);

    let mut usernames = Vec::new();
    for _ in 0..2 {
        let browser = Browser::new(&h);
        let page = browser.get(&authorize_path(&h, &p, &extra)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for id in ["consent-form", "email", "name", "continue", "provider"] {
            assert!(page.has_id(id), "#{id}");
        }
        assert_eq!(page.text_of("provider"), "Google");
        assert!(page.body.contains("simulated by amplify-local"));
        // One heading, naming the provider; said once.
        assert_eq!(page.body.matches("<h1").count(), 1);
        assert!(
            page.body
                .contains("<h1>Sign in with <span id=\"provider\">Google</span></h1>"),
            "{}",
            page.body
        );
        let text = page.visible_text();
        assert_eq!(text.matches("Sign in with Google").count(), 1, "{text}");
        assert_eq!(text.matches("simulated by amplify-local").count(), 1);
        assert!(!text.contains(h.backend.client_id()));
        // Both fields are filled in: the first has focus.
        assert_eq!(page.autofocused(), ["email"]);
        assert_eq!(page.input_value("email"), "jane.doe@gmail.com");
        assert_eq!(page.input_value("name"), "Jane Doe");

        let mut form = form_of(&params);
        form.extend([("email", "jane.doe@gmail.com"), ("name", "Jane Doe")]);
        let page = browser.post("/oauth2/idpresponse", &form).await;
        let code = page.code("st-123");
        let tokens = exchange(&h, &code, &p.verifier).await.ok();
        let id = claims(tokens["id_token"].as_str().expect("id"));
        let username = id["cognito:username"]
            .as_str()
            .expect("username")
            .to_owned();
        let user_id = username.strip_prefix("Google_").expect("Google_ prefix");
        assert!(user_id.len() >= 10 && user_id.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(id["email"], "jane.doe@gmail.com");
        assert_eq!(id["name"], "Jane Doe");
        assert_eq!(
            id["cognito:groups"],
            json!([format!("{}_Google", h.backend.user_pool_id())])
        );
        let identity = &id["identities"][0];
        assert_eq!(identity["providerName"], "Google");
        assert_eq!(identity["providerType"], "Google");
        assert_eq!(identity["userId"], user_id);
        assert_eq!(identity["primary"], "true");
        assert!(identity["issuer"].is_null());
        assert!(identity["dateCreated"].is_string());
        let access = claims(tokens["access_token"].as_str().expect("a"));
        assert_eq!(access["cognito:groups"], id["cognito:groups"]);
        usernames.push((username, id["sub"].clone()));
    }
    assert_eq!(usernames[0], usernames[1]);

    let user = h
        .admin(
            "AdminGetUser",
            json!({ "UserPoolId": h.backend.user_pool_id(), "Username": usernames[0].0 }),
        )
        .await
        .ok();
    assert_eq!(user["UserStatus"], "EXTERNAL_PROVIDER");
    // Federated users have no password.
    h.password_auth(&usernames[0].0, PASSWORD)
        .await
        .assert_error("NotAuthorizedException");

    // A different email is a different user; a bad email is refused.
    let browser = Browser::new(&h);
    let mut form = form_of(&params);
    form.extend([("email", "not-an-email"), ("name", "X")]);
    let page = browser.post("/oauth2/idpresponse", &form).await;
    assert_eq!(page.status, 400);
    assert!(page.has_id("error"));
    page.assert_error_has_focus();
    assert_eq!(page.body.matches("<h1").count(), 1);
    let mut form = form_of(&params);
    form.extend([("email", "john@gmail.com"), ("name", "John")]);
    let code = browser
        .post("/oauth2/idpresponse", &form)
        .await
        .code("st-123");
    let tokens = exchange(&h, &code, &p.verifier).await.ok();
    assert_ne!(
        claims(tokens["id_token"].as_str().expect("id"))["cognito:username"],
        usernames[0].0.as_str()
    );
    h.backend.shutdown().await;
}

#[tokio::test]
async fn other_providers_and_configured_oidc_names() {
    let h = Harness::start_with(|o| o.with_oidc_provider("Okta")).await;
    let browser = Browser::new(&h);
    for (provider, shown) in [
        ("Facebook", "Facebook"),
        ("SignInWithApple", "Apple"),
        ("LoginWithAmazon", "Amazon"),
        ("Okta", "Okta"),
    ] {
        let page = browser
            .get(&authorize_path(
                &h,
                &pkce(),
                &[("identity_provider", provider)],
            ))
            .await;
        assert_eq!(page.status, 200, "{provider}");
        assert_eq!(page.text_of("provider"), shown);
    }
    let p = pkce();
    let extra = [("identity_provider", "Okta")];
    let mut form = authorize_params(h.backend.client_id(), &p, &extra);
    form.push(("email".into(), "x@corp.example".into()));
    form.push(("name".into(), "X".into()));
    let code = browser
        .post("/oauth2/idpresponse", &form_of(&form))
        .await
        .code("st-123");
    let id = claims(
        exchange(&h, &code, &p.verifier).await.ok()["id_token"]
            .as_str()
            .expect("id"),
    );
    assert!(
        id["cognito:username"]
            .as_str()
            .expect("u")
            .starts_with("Okta_")
    );
    assert_eq!(id["identities"][0]["providerType"], "OIDC");
    // COGNITO means the login form.
    let page = browser
        .get(&authorize_path(
            &h,
            &pkce(),
            &[("identity_provider", "COGNITO")],
        ))
        .await;
    assert!(page.has_id("login-form") || page.status == 302);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn pages_are_localised() {
    let h = Harness::start().await;
    h.user("mia");
    let browser = Browser::new(&h);
    for (lang, heading, button) in [
        ("fr", "Connexion", "Se connecter"),
        ("de", "Anmelden", "Anmelden"),
        ("es", "Iniciar sesión", "Iniciar sesión"),
        ("ja", "サインイン", "サインイン"),
        ("xx", "Sign in", "Sign in"),
    ] {
        let page = browser
            .get(&authorize_path(&h, &pkce(), &[("lang", lang)]))
            .await;
        assert_eq!(page.status, 200);
        let tag = if lang == "xx" { "en" } else { lang };
        assert!(
            page.body.contains(&format!("<html lang=\"{tag}\">")),
            "{lang}"
        );
        assert!(page.body.contains(&format!("<h1>{heading}</h1>")), "{lang}");
        assert_eq!(page.text_of("sign-in"), button, "{lang}");
        assert!(
            page.body
                .contains(&format!("name=\"lang\" value=\"{lang}\""))
        );
        assert!(
            page.body.contains(&format!("lang={lang}")),
            "links carry lang"
        );
    }
    // Errors and other pages too.
    let p = pkce();
    let mut form = authorize_params(h.backend.client_id(), &p, &[("lang", "fr")]);
    form.push(("username".into(), "mia".into()));
    form.push(("password".into(), "Wrong-passw0rd".into()));
    let page = browser.post("/login", &form_of(&form)).await;
    assert_eq!(page.status, 400);
    assert_eq!(
        page.text_of("error"),
        "Nom d'utilisateur ou mot de passe incorrect."
    );
    let params = authorize_params(h.backend.client_id(), &p, &[("lang", "de")]);
    let page = browser.get(&format!("/signup?{}", query(&params))).await;
    assert!(page.body.contains("<h1>Registrieren</h1>"));
    let page = browser
        .get(&authorize_path(
            &h,
            &p,
            &[("lang", "es"), ("identity_provider", "Google")],
        ))
        .await;
    assert!(page.body.contains("simulado por amplify-local"));
    assert_eq!(page.text_of("continue"), "Continuar");
    let page = browser
        .get(&authorize_path(
            &h,
            &p,
            &[("lang", "ja"), ("client_id", "nope")],
        ))
        .await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("<html lang=\"ja\">"));
    h.backend.shutdown().await;
}

#[tokio::test]
async fn confidential_client_uses_client_secret_basic() {
    let h = Harness::start_with(|o| o.with_confidential_client(true)).await;
    h.user("nina");
    let (id, secret) = h
        .backend
        .confidential_client()
        .expect("confidential client");
    assert_ne!(id, h.backend.client_id());
    assert_eq!(secret.len(), 52);
    let browser = Browser::new(&h);
    // PKCE is optional for the confidential client.
    let mut params = authorize_params(&id, &pkce(), &[]);
    params.retain(|(n, _)| n != "code_challenge" && n != "code_challenge_method");
    let page = browser
        .get(&format!("/oauth2/authorize?{}", query(&params)))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut form = form_of(&params);
    form.extend([("username", "nina"), ("password", PASSWORD)]);
    let code = browser.post("/login", &form).await.code("st-123");
    let exchange_form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    post_form(&h, "/oauth2/token", &exchange_form, Some((&id, "wrong")))
        .await
        .error(401, "invalid_client");
    let without_auth = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("client_id", id.as_str()),
    ];
    let answer = post_form(&h, "/oauth2/token", &without_auth, None).await;
    answer.error(401, "invalid_client");
    assert!(answer.headers.contains_key("www-authenticate"));
    let tokens = post_form(&h, "/oauth2/token", &exchange_form, Some((&id, &secret)))
        .await
        .ok();
    let access = claims(tokens["access_token"].as_str().expect("a"));
    assert_eq!(access["client_id"], id.as_str());
    assert_eq!(
        claims(tokens["id_token"].as_str().expect("id"))["aud"],
        id.as_str()
    );
    h.get_user(tokens["access_token"].as_str().expect("a"))
        .await
        .ok();
    let refresh = tokens["refresh_token"].as_str().expect("r");
    // The public client cannot use the confidential client's refresh token.
    post_form(
        &h,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", h.backend.client_id()),
            ("refresh_token", refresh),
        ],
        None,
    )
    .await
    .error(400, "invalid_grant");
    // client_secret_post works as well.
    post_form(
        &h,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("refresh_token", refresh),
        ],
        None,
    )
    .await
    .ok();
    post_form(
        &h,
        "/oauth2/revoke",
        &[("token", refresh)],
        Some((&id, "wrong")),
    )
    .await
    .error(401, "invalid_client");
    let answer = post_form(
        &h,
        "/oauth2/revoke",
        &[("token", refresh)],
        Some((&id, &secret)),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    post_form(
        &h,
        "/oauth2/token",
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        Some((&id, &secret)),
    )
    .await
    .error(400, "invalid_grant");

    // The client and its secret persist across restarts.
    let dir = h.dir;
    h.backend.shutdown().await;
    let again = LocalBackend::start(LocalOptions::new(dir.path()).with_confidential_client(true))
        .await
        .expect("restart");
    assert_eq!(again.confidential_client(), Some((id, secret)));
    again.shutdown().await;
    let off = LocalBackend::start(LocalOptions::new(dir.path()))
        .await
        .expect("restart");
    assert_eq!(off.confidential_client(), None);
    off.shutdown().await;
}

#[tokio::test]
async fn app_origins_define_the_callback_urls() {
    let h = Harness::start_with(|o| {
        o.with_app_origins(["http://app.test:8080", "https://app.example.com"])
    })
    .await;
    let outputs = h.backend.outputs();
    let oauth = &outputs["auth"]["oauth"];
    let port = h
        .backend
        .base_url()
        .rsplit(':')
        .next()
        .expect("port")
        .to_owned();
    assert_eq!(oauth["domain"], format!("127.0.0.1:{port}"));
    assert_eq!(oauth["response_type"], "code");
    assert_eq!(
        oauth["redirect_sign_in_uri"],
        json!([
            "http://app.test:8080/api/auth/sign-in-callback",
            "https://app.example.com/api/auth/sign-in-callback"
        ])
    );
    assert_eq!(
        oauth["redirect_sign_out_uri"],
        json!([
            "http://app.test:8080/api/auth/sign-out-callback",
            "https://app.example.com/api/auth/sign-out-callback"
        ])
    );
    assert_eq!(
        oauth["identity_providers"],
        json!([
            "GOOGLE",
            "FACEBOOK",
            "SIGN_IN_WITH_APPLE",
            "LOGIN_WITH_AMAZON"
        ])
    );
    assert_eq!(
        oauth["scopes"],
        json!([
            "openid",
            "email",
            "profile",
            "phone",
            "aws.cognito.signin.user.admin"
        ])
    );
    assert_eq!(
        outputs["custom"]["amplify_ssr"]["endpoints"]["oauth"],
        h.backend.base_url()
    );
    // The default origins are no longer registered.
    let browser = Browser::new(&h);
    let page = browser.get(&authorize_path(&h, &pkce(), &[])).await;
    assert_eq!(page.status, 400);
    let p = pkce();
    let page = browser
        .get(&authorize_path(
            &h,
            &p,
            &[(
                "redirect_uri",
                "http://app.test:8080/api/auth/sign-in-callback",
            )],
        ))
        .await;
    assert_eq!(page.status, 200);
    h.backend.shutdown().await;

    for bad in [
        "http://localhost:3000/",
        "localhost:3000",
        "ftp://x",
        "http://x/app",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let error = LocalBackend::start(LocalOptions::new(dir.path()).with_app_origins([bad]))
            .await
            .expect_err(bad);
        assert!(
            matches!(error, LocalError::InvalidAppOrigin { .. }),
            "{error}"
        );
        assert!(error.to_string().contains(bad));
    }
}

#[tokio::test]
async fn cli_registers_app_origins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outputs = dir.path().join("amplify_outputs.json");
    let bad = Command::new(env!("CARGO_BIN_EXE_amplify-local"))
        .args(["--port", "0", "--app-origin", "http://localhost:3000/"])
        .arg("--data")
        .arg(dir.path().join("data"))
        .arg("--outputs")
        .arg(&outputs)
        .output()
        .expect("run");
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("invalid app origin"), "{stderr}");

    let child = serve_binary(
        &dir.path().join("data"),
        &outputs,
        &[
            "--app-origin",
            "http://localhost:5173",
            "--app-origin",
            "https://dev.example.com",
        ],
    )
    .await;
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs).expect("outputs written"))
            .expect("outputs JSON");
    drop(child);
    assert_eq!(
        written["auth"]["oauth"]["redirect_sign_in_uri"],
        json!([
            "http://localhost:5173/api/auth/sign-in-callback",
            "https://dev.example.com/api/auth/sign-in-callback"
        ])
    );
}

#[tokio::test]
async fn email_usernames_flag_is_written_to_the_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outputs = dir.path().join("amplify_outputs.json");
    let child = serve_binary(&dir.path().join("data"), &outputs, &["--email-usernames"]).await;
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs).expect("outputs written"))
            .expect("outputs JSON");
    drop(child);
    assert_eq!(written["auth"]["username_attributes"], json!(["email"]));
}

#[tokio::test]
async fn openid_configuration_at_the_root() {
    let h = Harness::start().await;
    let base = h.backend.base_url();
    let config: serde_json::Value = h
        .http
        .get(format!("{base}/.well-known/openid-configuration"))
        .send()
        .await
        .expect("config")
        .json()
        .await
        .expect("json");
    assert_eq!(config["issuer"], h.backend.issuer());
    assert_eq!(
        config["authorization_endpoint"],
        format!("{base}/oauth2/authorize")
    );
    assert_eq!(config["token_endpoint"], format!("{base}/oauth2/token"));
    assert_eq!(
        config["userinfo_endpoint"],
        format!("{base}/oauth2/userInfo")
    );
    assert_eq!(
        config["revocation_endpoint"],
        format!("{base}/oauth2/revoke")
    );
    assert_eq!(config["end_session_endpoint"], format!("{base}/logout"));
    assert_eq!(
        config["jwks_uri"],
        format!("{base}/{}/.well-known/jwks.json", h.backend.user_pool_id())
    );
    assert_eq!(config["response_types_supported"], json!(["code"]));
    assert_eq!(config["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        config["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(
        config["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic", "client_secret_post", "none"])
    );
    assert_eq!(
        config["grant_types_supported"],
        json!(["authorization_code", "refresh_token"])
    );
    let pool: serde_json::Value = h
        .http
        .get(format!(
            "{base}/{}/.well-known/openid-configuration",
            h.backend.user_pool_id()
        ))
        .send()
        .await
        .expect("config")
        .json()
        .await
        .expect("json");
    assert_eq!(pool, config);
    h.backend.shutdown().await;
}
