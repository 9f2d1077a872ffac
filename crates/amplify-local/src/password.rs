//! Password policy (Cognito's default) and argon2 hashing.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::ids::fill_random;

/// Argon2id with modest parameters: this is a development server and tests
/// hash many passwords in debug builds. The parameters are stored in each
/// hash, so raising them later keeps old hashes valid.
fn hasher() -> Result<Argon2<'static>, String> {
    let params = Params::new(8 * 1024, 1, 1, None).map_err(|e| e.to_string())?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Checks Cognito's default policy: at least 8 characters, with an upper-case
/// letter, a lower-case letter, a digit and a symbol. Returns the reason in
/// Cognito's wording on failure.
pub(crate) fn check_policy(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 8 {
        return Err("Password not long enough");
    }
    if password.chars().count() > 256 {
        return Err("Password is too long");
    }
    if !password.chars().any(char::is_lowercase) {
        return Err("Password must have lowercase characters");
    }
    if !password.chars().any(char::is_uppercase) {
        return Err("Password must have uppercase characters");
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        return Err("Password must have numeric characters");
    }
    if !password
        .chars()
        .any(|c| c.is_ascii_punctuation() || c == ' ')
    {
        return Err("Password must have symbol characters");
    }
    Ok(())
}

/// Hashes a password to a PHC string.
pub(crate) fn hash(password: &str) -> Result<String, String> {
    let mut salt_bytes = [0u8; 16];
    fill_random(&mut salt_bytes).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| e.to_string())?;
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// Verifies a password against a stored PHC string; a malformed stored hash
/// simply fails verification.
pub(crate) fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_matches_cognito_default() {
        assert!(check_policy("Passw0rd!").is_ok());
        assert_eq!(check_policy("Pa0!"), Err("Password not long enough"));
        assert!(check_policy("password0!").is_err());
        assert!(check_policy("PASSWORD0!").is_err());
        assert!(check_policy("Password!!").is_err());
        assert!(check_policy("Password00").is_err());
    }

    #[test]
    fn hash_round_trip() {
        let stored = hash("Passw0rd!").expect("hash");
        assert!(verify("Passw0rd!", &stored));
        assert!(!verify("Passw0rd?", &stored));
        assert!(!verify("Passw0rd!", "not a hash"));
    }
}
