//! The SRP group (RFC 3526 3072-bit MODP prime, generator 2) and the
//! hash-derived values shared by both sides: k, u and x.

use std::sync::LazyLock;

use aws_lc_rs::digest;
use num_bigint::BigUint;

use crate::encoding::padded_bytes;

/// RFC 3526 group 15 (3072-bit MODP) prime, as used by Cognito.
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D",
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D",
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9",
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64",
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B",
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31",
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// The group parameters with the derived multiplier k.
#[derive(Debug)]
pub(crate) struct Group {
    /// The safe prime modulus N.
    pub(crate) n: BigUint,
    /// The generator g = 2.
    pub(crate) g: BigUint,
    /// The multiplier k = H(pad(N) ‖ pad(g)).
    pub(crate) k: BigUint,
}

/// The single group Cognito uses.
pub(crate) static GROUP: LazyLock<Group> = LazyLock::new(|| {
    let n = match BigUint::parse_bytes(N_HEX.as_bytes(), 16) {
        Some(n) => n,
        // The constant above is a literal; this arm is unreachable in practice.
        None => BigUint::from(0u32),
    };
    let g = BigUint::from(2u32);
    let k = hash_to_int(&[&padded_bytes(&n), &padded_bytes(&g)]);
    Group { n, g, k }
});

/// SHA-256 over the concatenation of `parts`.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for part in parts {
        ctx.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// SHA-256 over the concatenation of `parts`, read as a big-endian integer.
pub(crate) fn hash_to_int(parts: &[&[u8]]) -> BigUint {
    BigUint::from_bytes_be(&sha256(parts))
}

/// u = H(pad(A) ‖ pad(B)).
pub(crate) fn scrambling_parameter(a_pub: &BigUint, b_pub: &BigUint) -> BigUint {
    hash_to_int(&[&padded_bytes(a_pub), &padded_bytes(b_pub)])
}

/// x = H(pad(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)).
pub(crate) fn private_key(
    pool_name: &str,
    user_id_for_srp: &str,
    password: &str,
    salt: &BigUint,
) -> BigUint {
    let identity = sha256(&[
        pool_name.as_bytes(),
        user_id_for_srp.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    hash_to_int(&[&padded_bytes(salt), &identity])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_is_the_3072_bit_prime() {
        assert_eq!(GROUP.n.bits(), 3072);
        assert_eq!(GROUP.g, BigUint::from(2u32));
        assert!(GROUP.k > BigUint::from(0u32));
    }
}
