//! The account flows end to end, through the library, against amplify-local.

mod common;

use amplify_ssr::auth::{
    ConfirmResetPasswordInput, ConfirmSignUpInput, MfaPreference, MfaPreferences, MfaType,
    ResetPasswordNextStep, SignUpInput, SignUpNextStep, UpdateAttributeNextStep,
    UpdateMfaPreferenceInput, UpdatePasswordInput, VerifyTotpSetupInput, confirm_reset_password,
    confirm_sign_up, confirm_user_attribute, delete_user, fetch_mfa_preference,
    resend_sign_up_code, reset_password, send_user_attribute_verification_code, set_up_totp,
    sign_up, update_mfa_preference, update_password, update_user_attributes, verify_totp_setup,
};
use amplify_ssr::secret::ConfirmationCode;
use amplify_ssr::{AuthError, SignInInput};
use common::{Backend, Jar, PASSWORD, signed_in_jar, totp};
use http::HeaderMap;

#[tokio::test]
async fn sign_up_confirm_and_sign_in() {
    let local = Backend::start().await;
    let runner = local.runner();
    let ctx = runner.context(&HeaderMap::new());
    let outcome = sign_up(
        &ctx,
        SignUpInput::new("pat", PASSWORD).with_user_attribute("email", "pat@example.com"),
    )
    .await
    .expect("signed up");
    assert!(!outcome.is_sign_up_complete);
    assert!(
        outcome
            .user_id
            .as_deref()
            .is_some_and(|sub| !sub.is_empty())
    );
    let SignUpNextStep::ConfirmSignUp {
        code_delivery_details,
    } = &outcome.next_step
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(outcome.next_step.sign_up_step(), "CONFIRM_SIGN_UP");
    let details = code_delivery_details.as_ref().expect("delivery details");
    assert_eq!(details.delivery_medium.as_deref(), Some("EMAIL"));
    assert!(ctx.set_cookie_headers().is_empty());

    let taken = sign_up(
        &ctx,
        SignUpInput::new("pat", PASSWORD).with_user_attribute("email", "pat2@example.com"),
    )
    .await
    .expect_err("the username is taken");
    assert_eq!(taken.name(), "UsernameExistsException");

    let first = local.backend.confirmation_code("pat").expect("a code");
    let resent = resend_sign_up_code(&ctx, "pat").await.expect("resent");
    assert_eq!(resent.attribute_name.as_deref(), Some("email"));
    let code = local.backend.confirmation_code("pat").expect("a new code");
    if first != code {
        let stale = confirm_sign_up(&ctx, ConfirmSignUpInput::new("pat", first))
            .await
            .expect_err("the old code was replaced");
        assert_eq!(stale.name(), "CodeMismatchException");
    }
    let wrong = confirm_sign_up(&ctx, ConfirmSignUpInput::new("pat", "000000x"))
        .await
        .expect_err("wrong code");
    assert_eq!(wrong.name(), "CodeMismatchException");
    let done = confirm_sign_up(&ctx, ConfirmSignUpInput::new("pat", code))
        .await
        .expect("confirmed");
    assert!(done.is_sign_up_complete);
    assert_eq!(done.next_step, SignUpNextStep::Done);

    let sign_in_ctx = runner.context(&HeaderMap::new());
    let outcome = amplify_ssr::sign_in(&sign_in_ctx, SignInInput::new("pat", PASSWORD))
        .await
        .unwrap();
    assert!(outcome.is_signed_in(), "{outcome:?}");
    let mut jar = Jar::default();
    jar.apply(&sign_in_ctx.set_cookie_headers());
    assert!(jar.ending_with(".accessToken").is_some());
}

#[tokio::test]
async fn empty_inputs_are_refused_before_any_call() {
    let local = Backend::start().await;
    let runner = local.runner();
    let ctx = runner.context(&HeaderMap::new());
    let before = local.backend.operation_count("SignUp");
    for (error, code) in [
        (
            sign_up(&ctx, SignUpInput::new(" ", PASSWORD))
                .await
                .unwrap_err(),
            "EmptySignUpUsername",
        ),
        (
            sign_up(&ctx, SignUpInput::new("a", "")).await.unwrap_err(),
            "EmptySignUpPassword",
        ),
        (
            confirm_sign_up(&ctx, ConfirmSignUpInput::new("a", ""))
                .await
                .unwrap_err(),
            "EmptyConfirmSignUpCode",
        ),
        (
            resend_sign_up_code(&ctx, "").await.unwrap_err(),
            "EmptySignUpUsername",
        ),
        (
            reset_password(&ctx, "").await.unwrap_err(),
            "EmptyResetPasswordUsername",
        ),
    ] {
        assert!(matches!(error, AuthError::EmptyInput { .. }), "{error}");
        assert_eq!(error.name(), code);
    }
    assert_eq!(local.backend.operation_count("SignUp"), before);
}

#[tokio::test]
async fn signed_in_account_calls_need_a_session() {
    let local = Backend::start().await;
    let runner = local.runner();
    let ctx = runner.context(&HeaderMap::new());
    let errors = [
        update_password(&ctx, UpdatePasswordInput::new(PASSWORD, "Other-passw0rd!"))
            .await
            .unwrap_err(),
        update_user_attributes(&ctx, [("name".to_owned(), "X".to_owned())].into())
            .await
            .unwrap_err(),
        delete_user(&ctx).await.unwrap_err(),
        set_up_totp(&ctx).await.unwrap_err(),
        fetch_mfa_preference(&ctx).await.unwrap_err(),
    ];
    for error in errors {
        assert!(matches!(error, AuthError::UserUnAuthenticated), "{error}");
    }
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_the_code() {
    let local = Backend::start().await;
    let runner = local.runner();
    let ctx = runner.context(&HeaderMap::new());
    // Without a verified address there is nowhere to send the code.
    let unverified = local.user("uri");
    let nowhere = reset_password(&ctx, &unverified)
        .await
        .expect_err("no verified address");
    assert_eq!(nowhere.name(), "InvalidParameterException");
    local
        .backend
        .create_user(
            "rob",
            PASSWORD,
            &[("email", "rob@example.com"), ("email_verified", "true")],
        )
        .expect("create user");
    let username = "rob".to_owned();
    let outcome = reset_password(&ctx, &username).await.expect("code sent");
    assert!(!outcome.is_password_reset);
    let ResetPasswordNextStep::ConfirmResetPasswordWithCode {
        code_delivery_details,
    } = &outcome.next_step
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        code_delivery_details.delivery_medium.as_deref(),
        Some("EMAIL")
    );
    let code = local
        .backend
        .password_reset_code(&username)
        .expect("a reset code");
    let wrong = confirm_reset_password(
        &ctx,
        ConfirmResetPasswordInput::new(&username, "000000x", "Brand-new-passw0rd!"),
    )
    .await
    .expect_err("wrong code");
    assert_eq!(wrong.name(), "CodeMismatchException");
    confirm_reset_password(
        &ctx,
        ConfirmResetPasswordInput::new(&username, code, "Brand-new-passw0rd!"),
    )
    .await
    .expect("reset");
    assert!(ctx.set_cookie_headers().is_empty());

    let old = amplify_ssr::sign_in(
        &runner.context(&HeaderMap::new()),
        SignInInput::new(&username, PASSWORD),
    )
    .await
    .expect_err("the old password is gone");
    assert_eq!(old.name(), "NotAuthorizedException");
    let outcome = amplify_ssr::sign_in(
        &runner.context(&HeaderMap::new()),
        SignInInput::new(&username, "Brand-new-passw0rd!"),
    )
    .await
    .unwrap();
    assert!(outcome.is_signed_in());
}

#[tokio::test]
async fn a_password_change_keeps_the_session() {
    let local = Backend::start().await;
    let runner = local.runner();
    let username = local.user("ann");
    let jar = signed_in_jar(&runner, &username).await;
    let ctx = jar.context(&runner);
    let wrong = update_password(
        &ctx,
        UpdatePasswordInput::new("not-it", "Changed-passw0rd!"),
    )
    .await
    .expect_err("wrong current password");
    assert_eq!(wrong.name(), "NotAuthorizedException");
    update_password(
        &ctx,
        UpdatePasswordInput::new(PASSWORD, "Changed-passw0rd!"),
    )
    .await
    .expect("changed");
    assert!(
        ctx.set_cookie_headers().is_empty(),
        "the session cookies stay"
    );
    let user = amplify_ssr::get_current_user(&jar.context(&runner))
        .await
        .unwrap();
    assert_eq!(user.username, "ann");
    let outcome = amplify_ssr::sign_in(
        &runner.context(&HeaderMap::new()),
        SignInInput::new(&username, "Changed-passw0rd!"),
    )
    .await
    .unwrap();
    assert!(outcome.is_signed_in());
}

#[tokio::test]
async fn attributes_update_directly_or_after_verification() {
    let local = Backend::start().await;
    let runner = local.runner();
    let username = local.user("ivy");
    let jar = signed_in_jar(&runner, &username).await;
    let ctx = jar.context(&runner);
    let outcomes = update_user_attributes(
        &ctx,
        [
            ("name".to_owned(), "Ivy Green".to_owned()),
            ("email".to_owned(), "ivy.new@example.com".to_owned()),
        ]
        .into(),
    )
    .await
    .expect("updated");
    assert_eq!(outcomes["name"].next_step, UpdateAttributeNextStep::Done);
    assert!(outcomes["name"].is_updated);
    let email = &outcomes["email"];
    assert!(!email.is_updated);
    assert_eq!(
        email.next_step.update_attribute_step(),
        "CONFIRM_ATTRIBUTE_WITH_CODE"
    );
    let UpdateAttributeNextStep::ConfirmAttributeWithCode {
        code_delivery_details,
    } = &email.next_step
    else {
        unreachable!()
    };
    assert_eq!(
        code_delivery_details.attribute_name.as_deref(),
        Some("email")
    );

    // A second code replaces the first; the latest one verifies the address.
    let resent = send_user_attribute_verification_code(&ctx, "email")
        .await
        .expect("code sent");
    assert_eq!(resent.attribute_name.as_deref(), Some("email"));
    let code = local
        .backend
        .attribute_verification_code(&username, "email")
        .expect("a verification code");
    let wrong = confirm_user_attribute(&ctx, "email", &ConfirmationCode::new("000000x"))
        .await
        .expect_err("wrong code");
    assert_eq!(wrong.name(), "CodeMismatchException");
    confirm_user_attribute(&ctx, "email", &ConfirmationCode::new(code))
        .await
        .expect("verified");
    let attributes = amplify_ssr::fetch_user_attributes(&jar.context(&runner))
        .await
        .unwrap();
    assert_eq!(attributes["name"], "Ivy Green");
    assert_eq!(attributes["email"], "ivy.new@example.com");
    assert_eq!(attributes["email_verified"], "true");
}

#[tokio::test]
async fn a_deleted_user_is_signed_out_and_gone() {
    let local = Backend::start().await;
    let runner = local.runner();
    let username = local.user("del");
    let mut jar = signed_in_jar(&runner, &username).await;
    let stale = jar.clone();
    let ctx = jar.context(&runner);
    delete_user(&ctx).await.expect("deleted");
    jar.apply(&ctx.set_cookie_headers());
    assert!(
        jar.ending_with(".accessToken").is_none(),
        "{:?}",
        jar.cookies
    );
    assert!(jar.ending_with(".refreshToken").is_none());
    assert!(
        amplify_ssr::get_current_user(&jar.context(&runner))
            .await
            .is_err()
    );
    // The old cookies, replayed, are refused by this runner without asking Cognito.
    let replayed = amplify_ssr::get_current_user(&stale.context(&runner)).await;
    assert!(replayed.is_err(), "{replayed:?}");
    let gone = amplify_ssr::sign_in(
        &runner.context(&HeaderMap::new()),
        SignInInput::new(&username, PASSWORD),
    )
    .await
    .expect_err("no such user");
    assert!(
        matches!(
            gone.name(),
            "NotAuthorizedException" | "UserNotFoundException"
        ),
        "{gone}"
    );
    let read_only = delete_user(&runner.read_only_context(&stale.headers()))
        .await
        .expect_err("cookies cannot be cleared there");
    assert!(matches!(read_only, AuthError::CookiesNotWritable(_)));
}

#[tokio::test]
async fn totp_is_set_up_verified_and_preferred_by_a_signed_in_user() {
    let local = Backend::start_with(|options| {
        options.mfa = amplify_local::MfaMode::Optional;
    })
    .await;
    let runner = local.runner();
    let username = local.user("ola");
    let jar = signed_in_jar(&runner, &username).await;
    let ctx = jar.context(&runner);
    assert_eq!(
        fetch_mfa_preference(&ctx).await.unwrap(),
        MfaPreferences::default()
    );
    let details = set_up_totp(&ctx).await.expect("secret issued");
    assert_eq!(details.username, username);
    let secret = details.shared_secret.secret().to_owned();
    let now = local.backend.clock().now();
    let wrong = if totp(&secret, now) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let refused = verify_totp_setup(&ctx, VerifyTotpSetupInput::new(wrong))
        .await
        .expect_err("wrong code");
    assert!(
        matches!(refused, AuthError::TotpVerificationFailed)
            || matches!(
                refused.name(),
                "CodeMismatchException" | "EnableSoftwareTokenMFAException"
            ),
        "{refused:?}"
    );
    verify_totp_setup(
        &ctx,
        VerifyTotpSetupInput::new(totp(&secret, now)).with_friendly_device_name("laptop"),
    )
    .await
    .expect("verified");
    update_mfa_preference(
        &ctx,
        UpdateMfaPreferenceInput::default().totp(MfaPreference::Preferred),
    )
    .await
    .expect("preferred");
    let prefs = fetch_mfa_preference(&ctx).await.unwrap();
    assert_eq!(prefs.preferred, Some(MfaType::Totp));
    assert_eq!(prefs.enabled, [MfaType::Totp]);

    // Sign-in now asks for the app's code (the next one: a code works once).
    local
        .backend
        .advance_clock(std::time::Duration::from_secs(30));
    let sign_in_ctx = runner.context(&HeaderMap::new());
    let outcome = amplify_ssr::sign_in(&sign_in_ctx, SignInInput::new(&username, PASSWORD))
        .await
        .unwrap();
    assert_eq!(outcome.sign_in_step(), "CONFIRM_SIGN_IN_WITH_TOTP_CODE");
    let mut next = Jar::default();
    next.apply(&sign_in_ctx.set_cookie_headers());
    let confirm_ctx = next.context(&runner);
    let outcome = amplify_ssr::confirm_sign_in(
        &confirm_ctx,
        amplify_ssr::ConfirmSignInInput::new(totp(&secret, local.backend.clock().now())),
    )
    .await
    .unwrap();
    assert!(outcome.is_signed_in());

    update_mfa_preference(
        &ctx,
        UpdateMfaPreferenceInput::default().totp(MfaPreference::Disabled),
    )
    .await
    .expect("disabled");
    assert_eq!(
        fetch_mfa_preference(&ctx).await.unwrap(),
        MfaPreferences::default()
    );
}
