//! The RS256 signing key: generated once (RSA-2048, aws-lc-rs), stored in
//! the database as PKCS#8, published as a JWK.

use aws_lc_rs::digest;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{self, KeyPair as _, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::LocalError;
use crate::db::Store;

const META_KEY: &str = "signing_key_pkcs8";

/// The signing key pair and its public JWK parameters.
pub(crate) struct SigningKey {
    key_pair: RsaKeyPair,
    kid: String,
    modulus: Vec<u8>,
    exponent: Vec<u8>,
    rng: SystemRandom,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Loads the stored key, or generates and stores one.
    pub(crate) fn load_or_create(store: &Store) -> Result<Self, LocalError> {
        let stored = match store.meta(META_KEY)? {
            Some(stored) => stored,
            None => {
                let generated = RsaKeyPair::generate(KeySize::Rsa2048)
                    .map_err(|_| LocalError::SigningKey("RSA key generation failed"))?;
                let der = generated
                    .as_der()
                    .map_err(|_| LocalError::SigningKey("cannot encode the key as PKCS#8"))?;
                store.meta_insert_or_get(META_KEY, &STANDARD.encode(der.as_ref()))?
            }
        };
        let der = STANDARD
            .decode(stored.as_bytes())
            .map_err(|_| LocalError::SigningKey("stored key is not base64"))?;
        let key_pair = RsaKeyPair::from_pkcs8(&der)
            .map_err(|_| LocalError::SigningKey("stored key is not a valid RSA PKCS#8 key"))?;
        let components = PublicKeyComponents::<Vec<u8>>::from(key_pair.public_key());
        let kid = URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, &components.n));
        Ok(Self {
            key_pair,
            kid,
            modulus: components.n,
            exponent: components.e,
            rng: SystemRandom::new(),
        })
    }

    /// The public key as a JWK.
    pub(crate) fn jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&self.modulus),
            "e": URL_SAFE_NO_PAD.encode(&self.exponent),
        })
    }

    /// Signs a JWT with the given claims.
    pub(crate) fn sign_jwt(&self, claims: &Value) -> Result<String, LocalError> {
        let header = json!({ "kid": self.kid, "alg": "RS256" });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature_bytes = vec![0u8; self.key_pair.public_modulus_len()];
        self.key_pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &self.rng,
                signing_input.as_bytes(),
                &mut signature_bytes,
            )
            .map_err(|_| LocalError::SigningKey("signing failed"))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature_bytes)
        ))
    }

    /// Checks a JWT's RS256 signature and `kid`, returning its claims.
    /// Claim checks (expiry, use, issuer) are the caller's job.
    pub(crate) fn verify_jwt(&self, token: &str) -> Option<serde_json::Map<String, Value>> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if header.get("alg")?.as_str()? != "RS256" || header.get("kid")?.as_str()? != self.kid {
            return None;
        }
        let signature_bytes = URL_SAFE_NO_PAD.decode(sig).ok()?;
        let public = signature::RsaPublicKeyComponents {
            n: &self.modulus,
            e: &self.exponent,
        };
        let signed_len = token.len() - sig.len() - 1;
        public
            .verify(
                &signature::RSA_PKCS1_2048_8192_SHA256,
                &token.as_bytes()[..signed_len],
                &signature_bytes,
            )
            .ok()?;
        match serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()? {
            Value::Object(claims) => Some(claims),
            _ => None,
        }
    }
}
