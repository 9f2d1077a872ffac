//! Every sign-in step end to end, through the library, against amplify-local: `sign_in` returns the next step
//! and writes the sealed step cookie, `confirm_sign_in` on a later request (a new context from the browser's
//! cookies) continues it.

mod common;

use amplify_local::{MfaFactor, MfaMode};
use amplify_ssr::auth::{
    ConfirmSignInInput, MfaPreference, MfaType, NoSignInReason, SignInNextStep,
};
use amplify_ssr::{AuthError, ServerRunner, SignInInput, SignInOutcome};
use common::{Backend, Jar, PASSWORD, signed_in_jar, totp};
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
    // Two different copies of the step cookie (one planted by a sibling host): neither is continued, and
    // nothing is written.
    // The other copy is a genuine step cookie of another sign-in.
    let mut attacker = Jar::default();
    let planted = sign_in(
        &runner,
        &mut attacker,
        SignInInput::new("max", "Temp-passw0rd!"),
    )
    .await;
    assert_eq!(
        planted.sign_in_step(),
        "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
    );
    assert_ne!(attacker.cookies[STEP_COOKIE], sealed);
    let mut headers = jar.headers();
    let both = format!(
        "{}; {STEP_COOKIE}={}",
        headers[http::header::COOKIE].to_str().unwrap(),
        attacker.cookies[STEP_COOKIE]
    );
    headers.insert(http::header::COOKIE, both.parse().unwrap());
    let ctx = runner.context(&headers);
    let error = amplify_ssr::confirm_sign_in(&ctx, ConfirmSignInInput::new("New-passw0rd!"))
        .await
        .expect_err("disputed");
    assert!(
        matches!(
            error,
            AuthError::NoSignInInProgress(NoSignInReason::Disputed)
        ),
        "{error}"
    );
    assert!(ctx.set_cookie_headers().is_empty(), "no cookie is touched");

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

async fn mfa_backend(mode: MfaMode, factors: &[MfaFactor]) -> Backend {
    let factors = factors.to_vec();
    Backend::start_with(move |options| {
        options.mfa = mode;
        options.mfa_factors = factors;
    })
    .await
}

/// The code an authenticator app shows now, by the backend's clock.
fn app_code(local: &Backend, secret: &str) -> String {
    totp(secret, local.backend.clock().now())
}

fn with_phone(local: &Backend, username: &str) -> String {
    local
        .backend
        .create_user(
            username,
            PASSWORD,
            &[
                ("email", &format!("{username}@example.com")),
                ("phone_number", "+15555550123"),
            ],
        )
        .expect("create user");
    username.to_owned()
}

#[tokio::test]
async fn required_totp_is_set_up_during_sign_in_and_asked_for_afterwards() {
    let local = mfa_backend(MfaMode::Required, &[MfaFactor::Totp]).await;
    let runner = local.runner();
    let username = local.user("tia");
    let mut jar = Jar::default();
    let outcome = sign_in(&runner, &mut jar, SignInInput::new(&username, PASSWORD)).await;
    let Some(SignInNextStep::ContinueSignInWithTotpSetup { totp_setup_details }) =
        outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(totp_setup_details.username, username);
    let secret = totp_setup_details.shared_secret.secret().to_owned();
    let uri = totp_setup_details.setup_uri("Demo App");
    assert!(
        uri.starts_with("otpauth://totp/Demo%20App:tia?secret=")
            && uri.ends_with("&issuer=Demo%20App"),
        "{uri}"
    );

    // A wrong code is refused and can be corrected.
    let right = app_code(&local, &secret);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let refused = confirm(&runner, &mut jar, ConfirmSignInInput::new(wrong))
        .await
        .expect_err("wrong code");
    assert!(
        matches!(
            refused.name(),
            "CodeMismatchException" | "EnableSoftwareTokenMFAException"
        ) || matches!(refused, AuthError::TotpVerificationFailed),
        "{refused:?}"
    );
    assert!(jar.cookies.contains_key(STEP_COOKIE));

    let outcome = confirm(
        &runner,
        &mut jar,
        ConfirmSignInInput::new(app_code(&local, &secret)).with_friendly_device_name("phone"),
    )
    .await
    .expect("TOTP set up");
    assert!(outcome.is_signed_in(), "{outcome:?}");
    assert!(!jar.cookies.contains_key(STEP_COOKIE));
    assert_eq!(
        current_username(&runner, &jar).await.as_deref(),
        Some("tia")
    );
    assert_eq!(
        local.backend.totp_secret("tia").as_deref(),
        Some(secret.as_str())
    );

    // The next sign-in asks for the app's code; a code works once, so the next one is 30 seconds later.
    local
        .backend
        .advance_clock(std::time::Duration::from_secs(30));
    let mut next = Jar::default();
    let outcome = sign_in(&runner, &mut next, SignInInput::new(&username, PASSWORD)).await;
    assert!(
        matches!(
            outcome.next_step(),
            Some(SignInNextStep::ConfirmSignInWithTotpCode)
        ),
        "{outcome:?}"
    );
    let outcome = confirm(
        &runner,
        &mut next,
        ConfirmSignInInput::new(app_code(&local, &secret)),
    )
    .await
    .unwrap();
    assert!(outcome.is_signed_in(), "{outcome:?}");
    let prefs = amplify_ssr::auth::fetch_mfa_preference(&next.context(&runner))
        .await
        .unwrap();
    assert!(prefs.enabled.contains(&MfaType::Totp), "{prefs:?}");
}

#[tokio::test]
async fn email_mfa_is_set_up_with_the_address_then_a_code() {
    let local = mfa_backend(MfaMode::Required, &[MfaFactor::Email]).await;
    let runner = local.runner();
    let username = local.user("eve");
    let mut jar = Jar::default();
    let outcome = sign_in(&runner, &mut jar, SignInInput::new(&username, PASSWORD)).await;
    assert_eq!(outcome.sign_in_step(), "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP");
    let outcome = confirm(
        &runner,
        &mut jar,
        ConfirmSignInInput::new("eve@example.com"),
    )
    .await
    .expect("email set up");
    let Some(SignInNextStep::ConfirmSignInWithEmailCode {
        code_delivery_details,
    }) = outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        code_delivery_details.delivery_medium.as_deref(),
        Some("EMAIL")
    );
    let code = local.backend.mfa_code(&username).expect("an email code");
    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new(code))
        .await
        .unwrap();
    assert!(outcome.is_signed_in(), "{outcome:?}");
    assert_eq!(
        current_username(&runner, &jar).await.as_deref(),
        Some("eve")
    );
}

#[tokio::test]
async fn a_choice_of_setups_leads_to_the_one_chosen() {
    let local = mfa_backend(MfaMode::Required, &[MfaFactor::Totp, MfaFactor::Email]).await;
    let runner = local.runner();
    let username = local.user("sam");
    let mut jar = Jar::default();
    let outcome = sign_in(&runner, &mut jar, SignInInput::new(&username, PASSWORD)).await;
    let Some(SignInNextStep::ContinueSignInWithMfaSetupSelection { allowed_mfa_types }) =
        outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(allowed_mfa_types, &[MfaType::Totp, MfaType::Email]);
    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new("TOTP"))
        .await
        .unwrap();
    let Some(SignInNextStep::ContinueSignInWithTotpSetup { totp_setup_details }) =
        outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    let code = app_code(&local, totp_setup_details.shared_secret.secret());
    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new(code))
        .await
        .unwrap();
    assert!(outcome.is_signed_in(), "{outcome:?}");
}

#[tokio::test]
async fn an_sms_code_completes_the_sign_in_and_a_wrong_one_can_be_corrected() {
    let local = mfa_backend(MfaMode::Required, &[MfaFactor::Sms]).await;
    let runner = local.runner();
    let username = with_phone(&local, "sol");
    let mut jar = Jar::default();
    let outcome = sign_in(&runner, &mut jar, SignInInput::new(&username, PASSWORD)).await;
    let Some(SignInNextStep::ConfirmSignInWithSmsCode {
        code_delivery_details,
    }) = outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        code_delivery_details.delivery_medium.as_deref(),
        Some("SMS")
    );
    let code = local.backend.mfa_code(&username).expect("an SMS code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = confirm(&runner, &mut jar, ConfirmSignInInput::new(wrong))
        .await
        .expect_err("wrong code");
    assert_eq!(refused.name(), "CodeMismatchException");
    assert!(jar.cookies.contains_key(STEP_COOKIE), "the step is kept");
    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new(code))
        .await
        .unwrap();
    assert!(outcome.is_signed_in(), "{outcome:?}");
    assert!(!jar.cookies.contains_key(STEP_COOKIE));
}

#[tokio::test]
async fn a_step_cookie_replayed_after_its_answer_is_refused_by_cognito_and_cleared() {
    let local = mfa_backend(MfaMode::Required, &[MfaFactor::Sms]).await;
    let runner = local.runner();
    let username = with_phone(&local, "ray");
    let mut jar = Jar::default();
    sign_in(&runner, &mut jar, SignInInput::new(&username, PASSWORD)).await;
    // The step cookie as it was before the answer (copied by someone else, or an old response replayed).
    let sealed = jar.cookies[STEP_COOKIE].clone();
    let code = local.backend.mfa_code(&username).expect("an SMS code");
    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new(&code))
        .await
        .unwrap();
    assert!(outcome.is_signed_in(), "{outcome:?}");

    // Replayed alone: Cognito's session was used up by the answer.
    let mut replayed = Jar::default();
    replayed
        .cookies
        .insert(STEP_COOKIE.to_owned(), sealed.clone());
    let ctx = replayed.context(&runner);
    let error = amplify_ssr::confirm_sign_in(&ctx, ConfirmSignInInput::new(&code))
        .await
        .expect_err("the session was used");
    assert_eq!(error.name(), "NotAuthorizedException", "{error}");
    let written = ctx.set_cookie_headers();
    assert_eq!(written.len(), 1, "{written:?}");
    replayed.apply(&written);
    assert!(replayed.cookies.is_empty(), "{:?}", replayed.cookies);
    assert_eq!(current_username(&runner, &replayed).await, None);

    // Replayed beside the session it already made: refused and cleared, and that session stays.
    jar.cookies.insert(STEP_COOKIE.to_owned(), sealed);
    let error = confirm(&runner, &mut jar, ConfirmSignInInput::new(&code))
        .await
        .expect_err("the session was used");
    assert_eq!(error.name(), "NotAuthorizedException", "{error}");
    assert!(!jar.cookies.contains_key(STEP_COOKIE));
    assert_eq!(
        current_username(&runner, &jar).await.as_deref(),
        Some(username.as_str())
    );
}

#[tokio::test]
async fn a_user_with_several_factors_selects_one() {
    let local = mfa_backend(MfaMode::Optional, &[MfaFactor::Sms, MfaFactor::Email]).await;
    let runner = local.runner();
    let username = with_phone(&local, "val");
    // Signed in without MFA (none enabled yet), the user enables SMS and email, preferring neither.
    let jar = signed_in_jar(&runner, &username).await;
    amplify_ssr::auth::update_mfa_preference(
        &jar.context(&runner),
        amplify_ssr::auth::UpdateMfaPreferenceInput::default()
            .sms(MfaPreference::Enabled)
            .email(MfaPreference::Enabled),
    )
    .await
    .expect("preferences saved");
    let prefs = amplify_ssr::auth::fetch_mfa_preference(&jar.context(&runner))
        .await
        .unwrap();
    assert_eq!(prefs.enabled, [MfaType::Sms, MfaType::Email]);
    assert_eq!(prefs.preferred, None);

    let mut jar = Jar::default();
    let outcome = sign_in(&runner, &mut jar, SignInInput::new(&username, PASSWORD)).await;
    let Some(SignInNextStep::ContinueSignInWithMfaSelection { allowed_mfa_types }) =
        outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(allowed_mfa_types, &[MfaType::Sms, MfaType::Email]);
    let refused = confirm(&runner, &mut jar, ConfirmSignInInput::new("TOTP"))
        .await
        .expect_err("not offered");
    assert!(matches!(
        refused,
        AuthError::InvalidChallengeResponse { .. }
    ));
    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new("EMAIL"))
        .await
        .unwrap();
    assert_eq!(outcome.sign_in_step(), "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    let code = local.backend.mfa_code(&username).expect("an email code");
    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new(code))
        .await
        .unwrap();
    assert!(outcome.is_signed_in(), "{outcome:?}");

    // With a preference, the preferred factor is asked for directly.
    amplify_ssr::auth::update_mfa_preference(
        &jar.context(&runner),
        amplify_ssr::auth::UpdateMfaPreferenceInput::default().sms(MfaPreference::Preferred),
    )
    .await
    .unwrap();
    let prefs = amplify_ssr::auth::fetch_mfa_preference(&jar.context(&runner))
        .await
        .unwrap();
    assert_eq!(prefs.preferred, Some(MfaType::Sms));
    let mut again = Jar::default();
    let outcome = sign_in(&runner, &mut again, SignInInput::new(&username, PASSWORD)).await;
    assert_eq!(outcome.sign_in_step(), "CONFIRM_SIGN_IN_WITH_SMS_CODE");
}

#[tokio::test]
async fn a_custom_challenge_is_answered_with_confirm_sign_in() {
    let local = Backend::start().await;
    let runner = local.runner();
    let username = local.user("cal");
    let mut jar = Jar::default();
    let outcome = sign_in(&runner, &mut jar, SignInInput::custom_auth(&username)).await;
    let Some(SignInNextStep::ConfirmSignInWithCustomChallenge { additional_info }) =
        outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        additional_info.get("USERNAME").map(String::as_str),
        Some("cal")
    );
    let code = local
        .backend
        .mfa_code(&username)
        .expect("the custom challenge's code");
    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new(code))
        .await
        .unwrap();
    assert!(
        matches!(&outcome, SignInOutcome::SignedIn(user) if user.username == "cal"),
        "{outcome:?}"
    );
    let ctx = jar.context(&runner);
    let session = amplify_ssr::fetch_auth_session(&ctx, Default::default())
        .await
        .unwrap();
    let details = session.tokens.unwrap().sign_in_details.unwrap();
    assert_eq!(details.auth_flow_type.as_deref(), Some("CUSTOM_AUTH"));
}

#[tokio::test]
async fn a_step_answered_after_cognitos_session_expired_ends_the_sign_in() {
    let local = mfa_backend(MfaMode::Required, &[MfaFactor::Sms]).await;
    let runner = local.runner();
    let username = with_phone(&local, "ida");
    let mut jar = Jar::default();
    let outcome = sign_in(&runner, &mut jar, SignInInput::new(&username, PASSWORD)).await;
    assert_eq!(outcome.sign_in_step(), "CONFIRM_SIGN_IN_WITH_SMS_CODE");
    let code = local.backend.mfa_code(&username).expect("an SMS code");
    // Cognito's Session lasts 3 minutes (by the backend's injectable clock).
    local
        .backend
        .advance_clock(std::time::Duration::from_secs(181));
    let expired = confirm(&runner, &mut jar, ConfirmSignInInput::new(code))
        .await
        .expect_err("the session has expired");
    assert_eq!(expired.name(), "NotAuthorizedException", "{expired}");
    assert!(
        !jar.cookies.contains_key(STEP_COOKIE),
        "the sign-in is over"
    );
    assert!(jar.ending_with(".accessToken").is_none());
}

#[tokio::test]
async fn missing_required_attributes_are_named_and_sent_with_the_new_password() {
    let local = Backend::start().await;
    let runner = local.runner();
    let response = local
        .admin(
            "AdminCreateUser",
            &json!({
                "UserPoolId": local.backend.user_pool_id(),
                "Username": "noa",
                "TemporaryPassword": "Temp-passw0rd!",
                "MessageAction": "SUPPRESS",
            }),
        )
        .await;
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
    let mut jar = Jar::default();
    let outcome = sign_in(&runner, &mut jar, SignInInput::new("noa", "Temp-passw0rd!")).await;
    let Some(SignInNextStep::ConfirmSignInWithNewPasswordRequired { missing_attributes }) =
        outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert!(
        missing_attributes.iter().any(|a| a == "email"),
        "{missing_attributes:?}"
    );
    let mut input = ConfirmSignInInput::new("New-passw0rd!");
    for name in missing_attributes {
        input = input.with_user_attribute(
            name,
            if name == "email" {
                "noa@example.com"
            } else {
                "Noa"
            },
        );
    }
    let outcome = confirm(&runner, &mut jar, input).await.expect("completed");
    assert!(outcome.is_signed_in(), "{outcome:?}");
    let attributes = amplify_ssr::fetch_user_attributes(&jar.context(&runner))
        .await
        .unwrap();
    assert_eq!(attributes["email"], "noa@example.com");
}
