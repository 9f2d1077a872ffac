//! The crate's one AES-256-GCM sealing: the sign-in step cookie ([`crate::auth`]'s challenge cookie) and the
//! entries of a shared store ([`crate::store`]) are sealed here, with the runner's [`CookieEncryptionKey`].
//!
//! A sealed value is the 96-bit random nonce, the ciphertext and the tag. The associated data is a
//! domain-separation label followed by the caller's binding parts (app client, cookie name, store key), each
//! length-prefixed: a value sealed for one purpose or one key does not open for another, even with the same key.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};

use crate::secret::CookieEncryptionKey;

/// Seals and opens values with one key.
pub(crate) struct Sealer {
    key: RandomizedNonceKey,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealer").finish_non_exhaustive()
    }
}

/// The associated data: `label` and `parts`, each length-prefixed.
fn associated_data(label: &str, parts: &[&str]) -> Vec<u8> {
    let len = label.len() + parts.iter().map(|part| part.len() + 8).sum::<usize>() + 8;
    let mut aad = Vec::with_capacity(len);
    for part in std::iter::once(&label).chain(parts) {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

impl Sealer {
    pub(crate) fn new(key: &CookieEncryptionKey) -> Self {
        Self {
            // A 32-byte key is always a valid AES-256 key.
            key: RandomizedNonceKey::new(&AES_256_GCM, key.bytes())
                .unwrap_or_else(|_| unreachable!("32 bytes is an AES-256 key")),
        }
    }

    /// Nonce, ciphertext and tag of `plain`, bound to `label` and `parts`; `None` if the cipher fails.
    pub(crate) fn seal(&self, mut plain: Vec<u8>, label: &str, parts: &[&str]) -> Option<Vec<u8>> {
        let nonce = self
            .key
            .seal_in_place_append_tag(Aad::from(associated_data(label, parts)), &mut plain)
            .ok()?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + plain.len());
        sealed.extend_from_slice(nonce.as_ref());
        sealed.extend_from_slice(&plain);
        Some(sealed)
    }

    /// The plaintext of `sealed` if it opens with this key for `label` and `parts`.
    pub(crate) fn open<'a>(
        &self,
        sealed: &'a mut [u8],
        label: &str,
        parts: &[&str],
    ) -> Option<&'a [u8]> {
        if sealed.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at_mut(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(associated_data(label, parts)), ciphertext)
            .ok()?;
        Some(plain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_key_label_and_parts() {
        let sealer = Sealer::new(&CookieEncryptionKey::from_bytes([1; 32]));
        let sealed = sealer
            .seal(b"secret".to_vec(), "label", &["a", "b"])
            .unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(
            sealer.open(&mut sealed.clone(), "label", &["a", "b"]),
            Some(&b"secret"[..])
        );
        assert_eq!(sealer.open(&mut sealed.clone(), "label", &["ab", ""]), None);
        assert_eq!(sealer.open(&mut sealed.clone(), "other", &["a", "b"]), None);
        let other = Sealer::new(&CookieEncryptionKey::from_bytes([2; 32]));
        assert_eq!(other.open(&mut sealed.clone(), "label", &["a", "b"]), None);
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(sealer.open(&mut altered, "label", &["a", "b"]), None);
        assert_eq!(sealer.open(&mut [0u8; 8], "label", &["a", "b"]), None);
    }
}
