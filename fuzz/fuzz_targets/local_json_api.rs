//! amplify-local's JSON 1.1 API on `POST /`: the `X-Amz-Target` dispatch of the user pool and the identity pool,
//! each operation's request decoding, and the handlers behind it, driven through the router without a socket.
//!
//! Input: one byte choosing the `X-Amz-Target` (from the operations below, or an unknown one), then the body.
//! The backend has a confirmed user (`fuzz-user`) and keeps its state across inputs. Placeholders such as
//! `$CLIENT_ID` in the body are replaced by the backend's ids (`Harness::expand`).
//!
//! Bad input must get a Cognito-shaped 4xx (`{"__type": …, "message": …}`), never a 500 or a panic.
#![no_main]

use amplify_fuzz::Harness;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const TARGETS: &[&str] = &[
    "AWSCognitoIdentityProviderService.SignUp",
    "AWSCognitoIdentityProviderService.ConfirmSignUp",
    "AWSCognitoIdentityProviderService.ResendConfirmationCode",
    "AWSCognitoIdentityProviderService.AdminCreateUser",
    "AWSCognitoIdentityProviderService.AdminSetUserPassword",
    "AWSCognitoIdentityProviderService.AdminConfirmSignUp",
    "AWSCognitoIdentityProviderService.AdminGetUser",
    "AWSCognitoIdentityProviderService.InitiateAuth",
    "AWSCognitoIdentityProviderService.RespondToAuthChallenge",
    "AWSCognitoIdentityProviderService.GetTokensFromRefreshToken",
    "AWSCognitoIdentityProviderService.RevokeToken",
    "AWSCognitoIdentityProviderService.GetUser",
    "AWSCognitoIdentityProviderService.GlobalSignOut",
    "AWSCognitoIdentityService.GetId",
    "AWSCognitoIdentityService.GetCredentialsForIdentity",
    "AWSCognitoIdentityProviderService.NoSuchOperation",
    "AWSCognitoIdentityService.NoSuchOperation",
    "NoSuchService.GetUser",
];

fuzz_target!(|data: &[u8]| {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let target = TARGETS[usize::from(choice) % TARGETS.len()];
    let harness = Harness::get();
    let (status, answer) = harness.json_api(target, &harness.expand(body));
    assert!(
        status.is_success() || status.is_client_error(),
        "{target}: {status} {answer}"
    );
    if !status.is_success() {
        assert!(
            answer.get("__type").and_then(Value::as_str).is_some(),
            "{target}: an error without __type: {status} {answer}"
        );
    }
});
