//! Cross-check: the independent `aws-cognito-srp` client (crates.io) signs in
//! against this crate's server side. Both sides agreeing is evidence that
//! our group, padding, HKDF and signature rules match Cognito's.

use amplify_srp::{PasswordClaim, ServerChallenge, SrpError, SrpVerifier, pool_name};
use aws_cognito_srp::{SrpClient as IndependentClient, User, UserAuthenticationParameters};

const POOL_ID: &str = "us-east-1_AbCdEf123";
const USER_ID: &str = "3b4f0b44-1c1f-4c43-9a55-2f0c0a1d9e11";
const PASSWORD: &str = "Pa55word!Example";
const SECRET_BLOCK: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

fn attempt(registered_password: &str, typed_password: &str) -> Result<(), SrpError> {
    let pool = pool_name(POOL_ID).expect("pool name");
    let verifier = SrpVerifier::create(pool, USER_ID, registered_password)?;
    let server = ServerChallenge::start(&verifier)?;

    let client =
        IndependentClient::new(User::new(POOL_ID, USER_ID, typed_password), "client", None);
    let UserAuthenticationParameters { a, .. } = client.get_auth_parameters();
    let response = client
        .verify(
            SECRET_BLOCK,
            USER_ID,
            &verifier.salt_hex(),
            &server.public_b_hex(),
        )
        .expect("independent client computes a claim");

    server.verify(
        &verifier,
        &PasswordClaim {
            pool_name: pool,
            user_id_for_srp: USER_ID,
            srp_a_hex: &a,
            secret_block_b64: &response.password_claim_secret_block,
            timestamp: &response.timestamp,
            signature_b64: &response.password_claim_signature,
        },
    )
}

#[test]
fn independent_client_signs_in_against_our_server() {
    // Run a few exchanges: random a, b and salt exercise the padding rules
    // (values whose top bit is set get a leading zero byte).
    for _ in 0..8 {
        assert_eq!(attempt(PASSWORD, PASSWORD), Ok(()));
    }
}

#[test]
fn independent_client_with_wrong_password_is_rejected() {
    assert_eq!(
        attempt(PASSWORD, "Wrong-password1"),
        Err(SrpError::SignatureMismatch)
    );
}
