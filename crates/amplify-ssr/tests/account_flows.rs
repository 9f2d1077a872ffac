//! The account flows end to end, through the library, against amplify-local.

mod common;

use amplify_ssr::auth::{
    ConfirmSignUpInput, SignUpInput, SignUpNextStep, confirm_sign_up, resend_sign_up_code, sign_up,
};
use amplify_ssr::{AuthError, SignInInput};
use common::{Backend, Jar, PASSWORD};
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
            amplify_ssr::auth::reset_password(&ctx, "")
                .await
                .unwrap_err(),
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
        amplify_ssr::auth::update_password(
            &ctx,
            amplify_ssr::auth::UpdatePasswordInput::new(PASSWORD, "Other-passw0rd!"),
        )
        .await
        .unwrap_err(),
        amplify_ssr::auth::update_user_attributes(
            &ctx,
            [("name".to_owned(), "X".to_owned())].into(),
        )
        .await
        .unwrap_err(),
        amplify_ssr::auth::delete_user(&ctx).await.unwrap_err(),
        amplify_ssr::auth::set_up_totp(&ctx).await.unwrap_err(),
        amplify_ssr::auth::fetch_mfa_preference(&ctx)
            .await
            .unwrap_err(),
    ];
    for error in errors {
        assert!(matches!(error, AuthError::UserUnAuthenticated), "{error}");
    }
}
