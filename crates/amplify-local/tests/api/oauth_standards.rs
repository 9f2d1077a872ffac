//! An independent standards check: the `oauth2` crate (5.x, without its
//! reqwest 0.12 feature) runs the authorization-code + PKCE (S256)
//! exchange, a refresh and a revocation against amplify-local, over a small
//! `AsyncHttpClient` built on reqwest 0.13.

use std::future::Future;
use std::pin::Pin;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse,
    PkceCodeChallenge, RedirectUrl, RevocationUrl, Scope, StandardRevocableToken, TokenResponse,
    TokenUrl,
};

use crate::helpers::{Harness, PASSWORD, claims};
use crate::oauth_helpers::{Browser, CALLBACK};

/// A transport error of the test HTTP client.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct TransportError(String);

type Pending = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send>>;

/// `oauth2`'s async HTTP client over reqwest 0.13. oauth2 insists on an
/// https revocation URL (RFC 7009); amplify-local serves plain http on
/// 127.0.0.1, so this transport maps `https://127.0.0.1` to `http://`,
/// like a TLS-terminating proxy would.
fn transport(http: reqwest::Client) -> impl Fn(HttpRequest) -> Pending {
    move |request: HttpRequest| {
        let http = http.clone();
        Box::pin(async move {
            let url =
                request
                    .uri()
                    .to_string()
                    .replacen("https://127.0.0.1", "http://127.0.0.1", 1);
            let response = http
                .request(request.method().clone(), url)
                .headers(request.headers().clone())
                .body(request.body().clone())
                .send()
                .await
                .map_err(|e| TransportError(e.to_string()))?;
            let mut builder = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let body = response
                .bytes()
                .await
                .map_err(|e| TransportError(e.to_string()))?;
            builder
                .body(body.to_vec())
                .map_err(|e| TransportError(e.to_string()))
        }) as Pending
    }
}

/// Drives the login form like a browser for an authorize URL built by
/// oauth2; returns the code and the returned state.
async fn browser_login(h: &Harness, auth_url: &url::Url, username: &str) -> (String, String) {
    let browser = Browser::new(h);
    let page = browser.get(auth_url.as_str()).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut form: Vec<(String, String)> = auth_url.query_pairs().into_owned().collect();
    form.push(("username".into(), username.into()));
    form.push(("password".into(), PASSWORD.into()));
    let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let page = browser.post("/login", &form).await;
    assert_eq!(page.status, 302, "{}", page.body);
    let params = page.location_params();
    (params["code"].clone(), params["state"].clone())
}

#[tokio::test]
async fn oauth2_crate_code_pkce_refresh_and_revoke() {
    let h = Harness::start().await;
    h.user("otto");
    let base = h.backend.base_url();
    let http = transport(
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
    );
    let client = BasicClient::new(ClientId::new(h.backend.client_id().to_owned()))
        .set_auth_uri(AuthUrl::new(format!("{base}/oauth2/authorize")).expect("auth url"))
        .set_token_uri(TokenUrl::new(format!("{base}/oauth2/token")).expect("token url"))
        .set_revocation_url(
            RevocationUrl::new(format!(
                "{}/oauth2/revoke",
                base.replacen("http://", "https://", 1)
            ))
            .expect("revocation url"),
        )
        .set_redirect_uri(RedirectUrl::new(CALLBACK.to_owned()).expect("redirect url"));

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    let (code, state) = browser_login(&h, &auth_url, "otto").await;
    assert_eq!(&state, csrf.secret());

    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code exchange");
    assert_eq!(*token.token_type(), oauth2::basic::BasicTokenType::Bearer);
    assert!(token.expires_in().is_some());
    let access = claims(token.access_token().secret());
    assert_eq!(access["username"], "otto");
    assert_eq!(access["scope"], "openid email");
    let refresh = token.refresh_token().expect("refresh token").clone();

    let refreshed = client
        .exchange_refresh_token(&refresh)
        .request_async(&http)
        .await
        .expect("refresh");
    assert_eq!(
        claims(refreshed.access_token().secret())["username"],
        "otto"
    );

    // A wrong verifier is an invalid_grant the crate understands.
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .set_pkce_challenge(challenge)
        .url();
    let (code, _) = browser_login(&h, &auth_url, "otto").await;
    let (_, wrong) = PkceCodeChallenge::new_random_sha256();
    let error = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(wrong)
        .request_async(&http)
        .await
        .expect_err("wrong verifier");
    match error {
        oauth2::RequestTokenError::ServerResponse(response) => {
            assert_eq!(
                *response.error(),
                oauth2::basic::BasicErrorResponseType::InvalidGrant
            );
        }
        other => panic!("unexpected error {other:?}"),
    }

    client
        .revoke_token(StandardRevocableToken::RefreshToken(refresh.clone()))
        .expect("revocation configured")
        .request_async(&http)
        .await
        .expect("revoke");
    client
        .exchange_refresh_token(&refresh)
        .request_async(&http)
        .await
        .expect_err("refresh after revoke");
    h.get_user(token.access_token().secret())
        .await
        .assert_error("NotAuthorizedException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn oauth2_crate_with_the_confidential_client() {
    let h = Harness::start_with(|o| o.with_confidential_client(true)).await;
    h.user("pia");
    let base = h.backend.base_url();
    let (id, secret) = h.backend.confidential_client().expect("confidential");
    let http = transport(reqwest::Client::new());
    let client = BasicClient::new(ClientId::new(id))
        .set_client_secret(ClientSecret::new(secret))
        .set_auth_uri(AuthUrl::new(format!("{base}/oauth2/authorize")).expect("auth url"))
        .set_token_uri(TokenUrl::new(format!("{base}/oauth2/token")).expect("token url"))
        .set_redirect_uri(RedirectUrl::new(CALLBACK.to_owned()).expect("redirect url"));
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .set_pkce_challenge(challenge)
        .url();
    let (code, _) = browser_login(&h, &auth_url, "pia").await;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("exchange with client_secret_basic");
    assert_eq!(claims(token.access_token().secret())["username"], "pia");
    h.backend.shutdown().await;
}
