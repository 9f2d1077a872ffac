//! PKCE (RFC 7636, method `S256`) and the random strings of the flow.

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::secret::PkceVerifier;

/// Length of the PKCE verifier (the RFC's maximum, as upstream).
pub(crate) const VERIFIER_LEN: usize = 128;

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Random bytes at or above this value are rejected so `byte % 62` is uniform (248 = 4 × 62).
const REJECT_FROM: u8 = 248;

/// The operating system's random source failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system random number generator failed")]
pub(crate) struct RandomError;

/// `len` characters drawn uniformly from `[A-Za-z0-9]` with the system CSPRNG (rejection sampling, no modulo
/// bias).
pub(crate) fn random_alphanumeric(len: usize) -> Result<String, RandomError> {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        aws_lc_rs::rand::fill(&mut buf).map_err(|_| RandomError)?;
        for &byte in &buf {
            if out.len() == len {
                break;
            }
            if byte < REJECT_FROM {
                out.push(char::from(ALPHABET[usize::from(byte % 62)]));
            }
        }
    }
    Ok(out)
}

/// A fresh 128-character verifier.
pub(crate) fn new_verifier() -> Result<PkceVerifier, RandomError> {
    random_alphanumeric(VERIFIER_LEN).map(PkceVerifier::new)
}

/// The `S256` challenge: `base64url(SHA-256(verifier))` without padding (43 characters).
pub(crate) fn challenge(verifier: &PkceVerifier) -> String {
    URL_SAFE_NO_PAD.encode(digest(&SHA256, verifier.secret().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_shape() {
        let v = new_verifier().unwrap();
        assert_eq!(v.secret().len(), VERIFIER_LEN);
        assert!(v.secret().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(v, new_verifier().unwrap());
    }

    #[test]
    fn rfc7636_appendix_b_vector() {
        let v = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(challenge(&v), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn roughly_uniform() {
        let text = random_alphanumeric(62 * 400).unwrap();
        let mut counts = [0u32; 62];
        for b in text.bytes() {
            let i = ALPHABET.iter().position(|&a| a == b).unwrap();
            counts[i] += 1;
        }
        // Expected 400 each; a biased generator (byte % 62 without rejection) skews the first 8 letters by ~25%.
        assert!(
            counts.iter().all(|&c| (250..=550).contains(&c)),
            "{counts:?}"
        );
    }
}
