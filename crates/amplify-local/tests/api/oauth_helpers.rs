//! Helpers for the managed-login / OAuth tests: a tiny browser (cookie jar,
//! no redirects), PKCE values and token endpoint calls.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;

use crate::helpers::{Harness, PASSWORD};

pub(crate) const CALLBACK: &str = "http://localhost:3000/api/auth/sign-in-callback";
pub(crate) const SIGN_OUT: &str = "http://localhost:3000/api/auth/sign-out-callback";

/// A response as a browser sees it.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: String,
}

impl Page {
    pub(crate) fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no Location; status {} body {}", self.status, self.body))
    }

    /// The query parameters of the Location header.
    pub(crate) fn location_params(&self) -> HashMap<String, String> {
        let location = self.location();
        let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
        url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    /// Asserts a 302 back to `base` with a code and the state; returns the code.
    #[track_caller]
    pub(crate) fn code(&self, state: &str) -> String {
        assert_eq!(self.status, 302, "body: {}", self.body);
        assert!(self.location().starts_with(CALLBACK), "{}", self.location());
        let params = self.location_params();
        assert_eq!(params.get("state").map(String::as_str), Some(state));
        params.get("code").expect("code").clone()
    }

    pub(crate) fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// Whether the page has an element with this id.
    pub(crate) fn has_id(&self, id: &str) -> bool {
        self.body.contains(&format!("id=\"{id}\""))
    }

    /// The `value` of the input with this id.
    pub(crate) fn input_value(&self, id: &str) -> String {
        let start = self
            .body
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no #{id} in {}", self.body));
        let tag_end = start + self.body[start..].find('>').expect("tag end");
        let tag = &self.body[start..tag_end];
        let value = tag.split("value=\"").nth(1).expect("value attribute");
        unescape(value.split('"').next().expect("value"))
    }

    /// The `value` of the (first) input with this name.
    pub(crate) fn input_value_by_name(&self, name: &str) -> String {
        let start = self
            .body
            .find(&format!("name=\"{name}\""))
            .unwrap_or_else(|| panic!("no input {name} in {}", self.body));
        let tag_end = start + self.body[start..].find('>').expect("tag end");
        let tag = &self.body[start..tag_end];
        let value = tag.split("value=\"").nth(1).expect("value attribute");
        unescape(value.split('"').next().expect("value"))
    }

    /// The text content of the element with this id (no nested tags).
    pub(crate) fn text_of(&self, id: &str) -> String {
        let start = self
            .body
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no #{id} in {}", self.body));
        let content = &self.body[start..];
        let content = &content[content.find('>').expect(">") + 1..];
        unescape(&content[..content.find('<').expect("<")])
    }

    /// The opening tags in the body, in order (attribute values are escaped,
    /// so they hold no `>`).
    fn tags(&self) -> impl Iterator<Item = &str> {
        self.body
            .split('<')
            .skip(1)
            .filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag))
    }

    /// The opening tag of the element with this id (without `<` and `>`).
    pub(crate) fn tag_of(&self, id: &str) -> &str {
        let needle = format!(" id=\"{id}\"");
        self.tags()
            .find(|tag| tag.contains(&needle))
            .unwrap_or_else(|| panic!("no #{id} in {}", self.body))
    }

    /// The ids of the elements with `autofocus`, in order (a browser focuses
    /// the first).
    pub(crate) fn autofocused(&self) -> Vec<String> {
        self.tags()
            .filter(|tag| tag.split(' ').any(|attribute| attribute == "autofocus"))
            .map(|tag| {
                tag.split(" id=\"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .unwrap_or("(no id)")
                    .to_owned()
            })
            .collect()
    }

    /// The ids of the visible inputs (not `type="hidden"`), in order.
    pub(crate) fn visible_inputs(&self) -> Vec<String> {
        self.tags()
            .filter(|tag| tag.starts_with("input ") && !tag.contains("type=\"hidden\""))
            .filter_map(|tag| tag.split(" id=\"").nth(1)?.split('"').next())
            .map(str::to_owned)
            .collect()
    }

    /// The text a reader sees: the body's text without tags and attributes.
    pub(crate) fn visible_text(&self) -> String {
        let body = self.body.split_once("<body>").map_or("", |(_, b)| b);
        let text: String = body
            .split('<')
            .map(|part| part.split_once('>').map_or(part, |(_, text)| text))
            .collect();
        unescape(&text)
    }

    /// Asserts that the page shows its error as a form with an error should:
    /// `#error` is announced and has focus on load, comes before the inputs,
    /// and every visible input is marked invalid and described by it.
    #[track_caller]
    pub(crate) fn assert_error_has_focus(&self) {
        assert_eq!(self.autofocused(), ["error"], "{}", self.body);
        let error = self.tag_of("error");
        assert!(error.contains("role=\"alert\""), "{error}");
        assert!(error.contains("tabindex=\"-1\""), "{error}");
        let error_at = self.body.find(" id=\"error\"").expect("#error");
        for id in self.visible_inputs() {
            let tag = self.tag_of(&id);
            assert!(tag.contains("aria-invalid=\"true\""), "{tag}");
            assert!(tag.contains("aria-describedby=\"error\""), "{tag}");
            let at = self.body.find(&format!(" id=\"{id}\"")).expect("input");
            assert!(error_at < at, "#error comes before #{id}");
        }
    }
}

/// Undoes the page's HTML escaping.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The authorize parameters a form carries (used to load a form page).
const AUTHORIZE_PARAMS: [&str; 9] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "lang",
];

/// A browser: keeps cookies, does not follow redirects.
pub(crate) struct Browser {
    http: reqwest::Client,
    base: String,
    port: u16,
    cookies: Mutex<HashMap<String, String>>,
}

impl Browser {
    pub(crate) fn new(h: &Harness) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: h.backend.base_url(),
            port: url::Url::parse(&h.backend.base_url())
                .expect("base url")
                .port()
                .expect("port"),
            cookies: Mutex::new(HashMap::new()),
        }
    }

    fn cookie_header(&self) -> String {
        let jar = self.cookies.lock().expect("jar");
        jar.iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(crate) fn has_cookie(&self, name: &str) -> bool {
        self.cookies.lock().expect("jar").contains_key(name)
    }

    /// A cookie's value.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().expect("jar").get(name).cloned()
    }

    /// The name of one of amplify-local's cookies: `<prefix>_<port>`.
    pub(crate) fn cookie_name(&self, prefix: &str) -> String {
        format!("{prefix}_{}", self.port)
    }

    /// Whether the browser has a managed-login session cookie.
    pub(crate) fn has_session(&self) -> bool {
        self.has_cookie(&self.cookie_name("amplify_local_session"))
    }

    /// The anti-CSRF cookie's value.
    pub(crate) fn csrf(&self) -> Option<String> {
        self.cookie(&self.cookie_name("amplify_local_csrf"))
    }

    async fn finish(&self, response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        for value in headers.get_all("set-cookie") {
            let value = value.to_str().expect("ascii cookie");
            let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
            let (name, cookie_value) = pair.split_once('=').expect("name=value");
            let mut jar = self.cookies.lock().expect("jar");
            if attributes.to_ascii_lowercase().contains("max-age=0") || cookie_value.is_empty() {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_owned(), cookie_value.to_owned());
            }
        }
        let body = response.text().await.expect("body");
        Page {
            status,
            headers,
            body,
        }
    }

    /// GET a path (with query) on the backend.
    pub(crate) async fn get(&self, path: &str) -> Page {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let response = self
            .http
            .get(url)
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.finish(response).await
    }

    /// POST a form to a path on the backend the way a browser submits a
    /// page's form: with the `_csrf` field matching its anti-CSRF cookie
    /// (when it has none yet, it first loads the sign-up page for the
    /// form's authorize parameters, as a user would have loaded a form).
    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        if form.iter().any(|(name, _)| *name == "_csrf") {
            return self.post_with(path, form, &[]).await;
        }
        if self.csrf().is_none() {
            let params: Vec<(String, String)> = form
                .iter()
                .filter(|(name, _)| AUTHORIZE_PARAMS.contains(name))
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect();
            self.get(&format!("/signup?{}", query(&params))).await;
        }
        let token = self.csrf().unwrap_or_default();
        let mut form = form.to_vec();
        form.push(("_csrf", &token));
        self.post_with(path, &form, &[]).await
    }

    /// POST a form as given (no `_csrf` added), with extra headers.
    pub(crate) async fn post_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("POST");
        self.finish(response).await
    }
}

/// A PKCE verifier and its S256 challenge.
pub(crate) struct Pkce {
    pub(crate) verifier: String,
    pub(crate) challenge: String,
}

pub(crate) fn pkce() -> Pkce {
    let mut bytes = [0u8; 48];
    aws_lc_rs::rand::fill(&mut bytes).expect("random");
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

/// The authorize parameters the amplify adapter sends.
pub(crate) fn authorize_params(
    client_id: &str,
    pkce: &Pkce,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = vec![
        ("redirect_uri".into(), CALLBACK.into()),
        ("response_type".into(), "code".into()),
        ("client_id".into(), client_id.into()),
        (
            "scope".into(),
            "openid email profile aws.cognito.signin.user.admin".into(),
        ),
        ("state".into(), "st-123".into()),
        ("code_challenge".into(), pkce.challenge.clone()),
        ("code_challenge_method".into(), "S256".into()),
    ];
    for (name, value) in extra {
        params.retain(|(n, _)| n != name);
        if !value.is_empty() {
            params.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    params
}

/// Authorize parameters as form fields.
pub(crate) fn form_of(params: &[(String, String)]) -> Vec<(&str, &str)> {
    params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

pub(crate) fn query(params: &[(String, String)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

/// The authorize URL path for the public client.
pub(crate) fn authorize_path(h: &Harness, pkce: &Pkce, extra: &[(&str, &str)]) -> String {
    format!(
        "/oauth2/authorize?{}",
        query(&authorize_params(h.backend.client_id(), pkce, extra))
    )
}

/// Submits the managed sign-up form (with the default authorize
/// parameters) in this browser.
pub(crate) async fn sign_up_page(
    h: &Harness,
    browser: &Browser,
    username: &str,
    email: &str,
    password: &str,
) -> Page {
    sign_up_page_in(h, browser, "en", (username, email, password)).await
}

/// [`sign_up_page`] in a language (`lang`).
pub(crate) async fn sign_up_page_in(
    h: &Harness,
    browser: &Browser,
    lang: &str,
    (username, email, password): (&str, &str, &str),
) -> Page {
    let params = authorize_params(h.backend.client_id(), &pkce(), &[("lang", lang)]);
    let mut form = form_of(&params);
    form.extend([
        ("username", username),
        ("email", email),
        ("password", password),
    ]);
    browser.post("/signup", &form).await
}

/// Signs in through the login form; returns the code.
pub(crate) async fn login(
    h: &Harness,
    browser: &Browser,
    pkce: &Pkce,
    username: &str,
    extra: &[(&str, &str)],
) -> String {
    let page = browser.get(&authorize_path(h, pkce, extra)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has_id("login-form"));
    let params = authorize_params(h.backend.client_id(), pkce, extra);
    let mut form: Vec<(&str, &str)> = params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    form.push(("username", username));
    form.push(("password", PASSWORD));
    let state = params
        .iter()
        .find(|(n, _)| n == "state")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    browser.post("/login", &form).await.code(&state)
}

/// An answer of the token or revocation endpoint.
#[derive(Debug)]
pub(crate) struct TokenAnswer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) text: String,
    pub(crate) body: Value,
}

impl TokenAnswer {
    #[track_caller]
    pub(crate) fn ok(self) -> Value {
        assert_eq!(self.status, 200, "{}", self.text);
        self.body
    }

    #[track_caller]
    pub(crate) fn error(&self, status: u16, error: &str) {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.body["error"], error, "{}", self.text);
        assert!(self.body["error_description"].is_string(), "{}", self.text);
    }
}

/// POSTs a form to an OAuth endpoint, optionally with Basic client auth.
pub(crate) async fn post_form(
    h: &Harness,
    path: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> TokenAnswer {
    let mut request = h
        .http
        .post(format!("{}{path}", h.backend.base_url()))
        .form(form);
    if let Some((id, secret)) = basic {
        request = request.header(
            "authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
        );
    }
    let response = request.send().await.expect("POST");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("text");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    TokenAnswer {
        status,
        headers,
        text,
        body,
    }
}

/// Exchanges a code for the public client.
pub(crate) async fn exchange(h: &Harness, code: &str, verifier: &str) -> TokenAnswer {
    post_form(
        h,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", h.backend.client_id()),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ],
        None,
    )
    .await
}

/// GET /oauth2/userInfo with a bearer token.
pub(crate) async fn userinfo(
    h: &Harness,
    token: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = h
        .http
        .get(format!("{}/oauth2/userInfo", h.backend.base_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("userinfo");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}
