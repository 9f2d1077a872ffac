//! Every sign-in step end to end, through the library, against amplify-local: `sign_in` returns the next step
//! and writes the sealed step cookie, `confirm_sign_in` on a later request (a new context from the browser's
//! cookies) continues it.

mod common;

use amplify_ssr::auth::{ConfirmSignInInput, NoSignInReason, SignInNextStep};
use amplify_ssr::{AuthError, ServerRunner, SignInInput, SignInOutcome};
use common::totp::{totp, totp_raw};
use common::{Backend, Jar, PASSWORD, signed_in_jar};
use serde_json::json;

const STEP_COOKIE: &str = "__Host-amplify-ssr.sign-in-step";

/// Runs `sign_in` in a request carrying `jar`'s cookies and applies the response's cookies.
async fn sign_in(runner: &ServerRunner, jar: &mut Jar, input: SignInInput) -> SignInOutcome {
    let ctx = jar.context(runner);
    let outcome = amplify_ssr::sign_in(&ctx, input)
        .await
        .expect("sign-in answers");
    jar.apply(&ctx.set_cookie_headers());
    outcome
}

/// Runs `confirm_sign_in` in a request carrying `jar`'s cookies and applies the response's cookies.
async fn confirm(
    runner: &ServerRunner,
    jar: &mut Jar,
    input: ConfirmSignInInput,
) -> Result<SignInOutcome, AuthError> {
    let ctx = jar.context(runner);
    let result = amplify_ssr::confirm_sign_in(&ctx, input).await;
    jar.apply(&ctx.set_cookie_headers());
    result
}

async fn current_username(runner: &ServerRunner, jar: &Jar) -> Option<String> {
    amplify_ssr::get_current_user(&jar.context(runner))
        .await
        .ok()
        .map(|user| user.username)
}

/// An administrator creates `username` with a temporary password, as Cognito's console does.
async fn create_with_temporary_password(local: &Backend, username: &str, temporary: &str) {
    let response = local
        .admin(
            "AdminCreateUser",
            &json!({
                "UserPoolId": local.backend.user_pool_id(),
                "Username": username,
                "TemporaryPassword": temporary,
                "MessageAction": "SUPPRESS",
                "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}],
            }),
        )
        .await;
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
}

#[test]
fn the_totp_helper_matches_rfc_6238s_sha1_vectors() {
    // RFC 6238, appendix B: the 20-byte ASCII key, 8 digits, T0 = 0, X = 30.
    let key = b"12345678901234567890";
    for (time, code) in [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ] {
        assert_eq!(totp_raw(key, time, 8), code, "T = {time}");
    }
    // The same key in base32, as Cognito's SecretCode carries it, gives the 6-digit tail.
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(59);
    assert_eq!(totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", at), "287082");
}

#[tokio::test]
async fn a_new_password_required_sign_in_completes_with_confirm_sign_in() {
    let local = Backend::start().await;
    let runner = local.runner();
    create_with_temporary_password(&local, "kim", "Temp-passw0rd!").await;
    let mut jar = Jar::default();

    let outcome = sign_in(&runner, &mut jar, SignInInput::new("kim", "Temp-passw0rd!")).await;
    let Some(SignInNextStep::ConfirmSignInWithNewPasswordRequired { missing_attributes }) =
        outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert!(missing_attributes.is_empty(), "{missing_attributes:?}");
    assert!(jar.cookies.contains_key(STEP_COOKIE), "{:?}", jar.cookies);
    assert!(
        jar.ending_with(".accessToken").is_none(),
        "not signed in yet"
    );
    assert_eq!(current_username(&runner, &jar).await, None);

    let outcome = confirm(
        &runner,
        &mut jar,
        ConfirmSignInInput::new("New-passw0rd!").with_user_attribute("name", "Kim Doe"),
    )
    .await
    .expect("the new password is accepted");
    assert!(
        matches!(&outcome, SignInOutcome::SignedIn(user) if user.username == "kim"),
        "{outcome:?}"
    );
    assert!(
        !jar.cookies.contains_key(STEP_COOKIE),
        "the step cookie is cleared"
    );
    assert_eq!(
        current_username(&runner, &jar).await.as_deref(),
        Some("kim")
    );
    let attributes = amplify_ssr::fetch_user_attributes(&jar.context(&runner))
        .await
        .unwrap();
    assert_eq!(attributes["name"], "Kim Doe");

    // The step cannot be answered twice, and the new password signs in directly.
    let again = confirm(
        &runner,
        &mut jar,
        ConfirmSignInInput::new("Other-passw0rd!"),
    )
    .await
    .expect_err("the sign-in is over");
    assert!(matches!(
        again,
        AuthError::NoSignInInProgress(NoSignInReason::Missing)
    ));
    let mut fresh = Jar::default();
    let outcome = sign_in(
        &runner,
        &mut fresh,
        SignInInput::new("kim", "New-passw0rd!"),
    )
    .await;
    assert!(outcome.is_signed_in(), "{outcome:?}");
}

#[tokio::test]
async fn a_broken_or_foreign_step_cookie_continues_nothing_and_leaves_the_session_alone() {
    let local = Backend::start().await;
    let runner = local.runner();
    let signed_in = local.user("lee");
    create_with_temporary_password(&local, "max", "Temp-passw0rd!").await;
    // Lee is signed in; someone starts a sign-in as Max in the same browser.
    let mut jar = signed_in_jar(&runner, &signed_in).await;
    let outcome = sign_in(&runner, &mut jar, SignInInput::new("max", "Temp-passw0rd!")).await;
    assert_eq!(
        outcome.sign_in_step(),
        "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
    );
    let sealed = jar.cookies[STEP_COOKIE].clone();

    let mut cases = Vec::new();
    let mut flipped = sealed.clone().into_bytes();
    let middle = flipped.len() / 2;
    flipped[middle] = if flipped[middle] == b'A' { b'B' } else { b'A' };
    cases.push((String::from_utf8(flipped).unwrap(), NoSignInReason::Invalid));
    cases.push((
        sealed[..sealed.len() - 10].to_owned(),
        NoSignInReason::Invalid,
    ));
    cases.push(("v1.".to_owned(), NoSignInReason::Invalid));
    for (value, reason) in cases {
        let mut broken = jar.clone();
        broken.cookies.insert(STEP_COOKIE.to_owned(), value);
        let ctx = broken.context(&runner);
        let error = amplify_ssr::confirm_sign_in(&ctx, ConfirmSignInInput::new("New-passw0rd!"))
            .await
            .expect_err("nothing to continue");
        assert!(
            matches!(error, AuthError::NoSignInInProgress(r) if r == reason),
            "{error}"
        );
        assert_eq!(error.name(), "SignInException");
        assert!(ctx.set_cookie_headers().is_empty(), "no cookie is touched");
    }
    // Another instance without the shared key cannot open it either.
    let other = local
        .builder()
        .cookie_encryption_key(amplify_ssr::secret::CookieEncryptionKey::from_bytes(
            [9; 32],
        ))
        .build()
        .unwrap();
    let error = confirm(
        &other,
        &mut jar.clone(),
        ConfirmSignInInput::new("New-passw0rd!"),
    )
    .await
    .expect_err("foreign key");
    assert!(matches!(
        error,
        AuthError::NoSignInInProgress(NoSignInReason::Invalid)
    ));
    assert_eq!(
        current_username(&runner, &jar).await.as_deref(),
        Some("lee")
    );

    // Instances sharing a key continue each other's sign-ins, and the new session replaces Lee's.
    let key = amplify_ssr::secret::CookieEncryptionKey::from_bytes([4; 32]);
    let first = local
        .builder()
        .cookie_encryption_key(key.clone())
        .build()
        .unwrap();
    let second = local.builder().cookie_encryption_key(key).build().unwrap();
    let mut shared = Jar::default();
    create_with_temporary_password(&local, "ned", "Temp-passw0rd!").await;
    sign_in(
        &first,
        &mut shared,
        SignInInput::new("ned", "Temp-passw0rd!"),
    )
    .await;
    let outcome = confirm(
        &second,
        &mut shared,
        ConfirmSignInInput::new("New-passw0rd!"),
    )
    .await
    .expect("continued on the other instance");
    assert!(outcome.is_signed_in());
    assert_eq!(
        current_username(&first, &shared).await.as_deref(),
        Some("ned")
    );
}

#[tokio::test]
async fn an_unconfirmed_user_gets_the_confirm_sign_up_step() {
    let local = Backend::start().await;
    let runner = local.runner();
    let ctx = runner.context(&http::HeaderMap::new());
    amplify_ssr::auth::sign_up(
        &ctx,
        amplify_ssr::auth::SignUpInput::new("uma", PASSWORD)
            .with_user_attribute("email", "uma@example.com"),
    )
    .await
    .unwrap();
    let mut jar = Jar::default();
    let outcome = sign_in(&runner, &mut jar, SignInInput::new("uma", PASSWORD)).await;
    assert!(
        matches!(outcome.next_step(), Some(SignInNextStep::ConfirmSignUp)),
        "{outcome:?}"
    );
    assert!(jar.cookies.is_empty(), "{:?}", jar.cookies);
}
