//! Stand-ins for unknown users, so that no answer tells whether a username
//! exists: a stable SRP salt and verifier derived from the username and a
//! server secret kept in the data directory (a real user's salt is stable
//! too), and a password hash to check passwords against (a real user's
//! check costs a hash).

use std::sync::OnceLock;

use amplify_srp::SrpVerifier;
use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::LocalError;
use crate::db::Store;
use crate::ids;

/// The meta key of the persisted decoy secret.
const SECRET_META: &str = "decoy_secret";
/// Bytes in an SRP salt (as amplify-srp makes them).
const SALT_BYTES: usize = 16;
/// Bytes in a decoy verifier (the group's 3072-bit size).
const VERIFIER_BYTES: usize = 384;

/// Derives the decoys from the server secret.
pub(crate) struct Decoys {
    key: hmac::Key,
}

impl std::fmt::Debug for Decoys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoys").finish_non_exhaustive()
    }
}

impl Decoys {
    /// Loads the server secret, creating it on first start.
    pub(crate) fn load(store: &Store) -> Result<Self, LocalError> {
        let secret = match store.meta(SECRET_META)? {
            Some(secret) => secret,
            None => {
                let fresh = ids::opaque_token(32)
                    .map_err(|e| LocalError::PasswordMaterial(e.to_string()))?;
                store.meta_insert_or_get(SECRET_META, &fresh)?
            }
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(&secret)
            .map_err(|_| LocalError::CorruptData("the decoy secret is not base64url".to_owned()))?;
        Ok(Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, &bytes),
        })
    }

    /// `len` bytes derived from the secret, a purpose and a username.
    fn derive(&self, purpose: &str, username: &str, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len);
        let mut block = 0u32;
        while out.len() < len {
            let mut context = hmac::Context::with_key(&self.key);
            for part in [
                purpose.as_bytes(),
                &block.to_be_bytes(),
                username.as_bytes(),
            ] {
                context.update(&u64::try_from(part.len()).unwrap_or(u64::MAX).to_be_bytes());
                context.update(part);
            }
            out.extend_from_slice(context.sign().as_ref());
            block += 1;
        }
        out.truncate(len);
        out
    }

    /// The SRP salt and verifier an unknown user seems to have: the same for
    /// every call with this username, different between usernames, and
    /// shaped like a real user's.
    pub(crate) fn srp_verifier(&self, username: &str) -> Result<SrpVerifier, LocalError> {
        let hex = |bytes: Vec<u8>| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        SrpVerifier::from_hex(
            &hex(self.derive("srp-salt", username, SALT_BYTES)),
            &hex(self.derive("srp-verifier", username, VERIFIER_BYTES)),
        )
        .map_err(|e| LocalError::PasswordMaterial(e.to_string()))
    }
}

/// A password hash nobody knows the password of, made like users' hashes:
/// checking a password against it costs what checking a real one does.
pub(crate) fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        ids::opaque_token(32)
            .map_err(|e| e.to_string())
            .and_then(|unknown| crate::password::hash(&unknown))
            .unwrap_or_else(|error| {
                tracing::error!(%error, "cannot make the decoy password hash");
                String::new()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoys(secret: &[u8]) -> Decoys {
        Decoys {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        }
    }

    #[test]
    fn decoy_salts_are_stable_per_name_and_shaped_like_real_ones() {
        let decoys = decoys(b"a server secret");
        let salt = |name: &str| decoys.srp_verifier(name).expect("verifier").salt_hex();
        assert_eq!(salt("ghost"), salt("ghost"));
        assert_ne!(salt("ghost"), salt("ghost2"));
        assert_ne!(
            salt("ghost"),
            self::decoys(b"another secret")
                .srp_verifier("ghost")
                .expect("verifier")
                .salt_hex()
        );
        // Real salts are 16 random bytes in amplify-srp's padded hex: 34
        // digits when the top bit is set, 32 (or fewer) otherwise.
        let real: Vec<String> = (0..32)
            .map(|_| {
                SrpVerifier::create("pool", "user", "Passw0rd!")
                    .expect("verifier")
                    .salt_hex()
            })
            .collect();
        let decoy: Vec<String> = (0..64).map(|i| salt(&format!("user-{i}"))).collect();
        let lengths = |salts: &[String]| {
            salts
                .iter()
                .map(String::len)
                .collect::<std::collections::BTreeSet<_>>()
        };
        for salts in [&real, &decoy] {
            assert!(lengths(salts).is_subset(&(20..=34).step_by(2).collect()));
            assert!(lengths(salts).contains(&32) && lengths(salts).contains(&34));
            for salt in salts {
                assert!(
                    salt.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                );
                // The padding byte is there exactly when the first byte of the number has its top bit set (a
                // random salt may begin with zero bytes, so the length alone does not tell).
                let (padded, first) = match salt.strip_prefix("00") {
                    Some(rest) => (true, rest.as_bytes().first().copied()),
                    None => (false, salt.as_bytes().first().copied()),
                };
                assert_eq!(padded, first.is_some_and(|digit| digit >= b'8'), "{salt}");
                assert!(salt.len() <= 34 && (!padded || salt.len() > 2), "{salt}");
            }
        }
    }
}
