//! The site's secret key (signs CSRF tokens and other values we hand out), and random
//! tokens whose hashes we store.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    pub fn from_text(text: &str) -> Self {
        SecretKey(text.as_bytes().to_vec())
    }

    /// The configured key, else the one stored in `data_dir/secret.key`, else a new one
    /// written there (readable by the owner only).
    pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> std::io::Result<Self> {
        if let Some(k) = configured {
            return Ok(Self::from_text(k));
        }
        let path = data_dir.join("secret.key");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let existing = existing.trim();
            if existing.len() >= 32 {
                return Ok(Self::from_text(existing));
            }
        }
        std::fs::create_dir_all(data_dir)?;
        let key = random_token(48);
        write_private(&path, &key)?;
        Ok(Self::from_text(&key))
    }

    /// HMAC-SHA256 of `message` under this key, URL-safe base64.
    pub fn sign(&self, message: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length works");
        mac.update(message);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Checks a signature made by [`SecretKey::sign`] in constant time.
    pub fn verify(&self, message: &[u8], signature: &str) -> bool {
        let Ok(sig) = URL_SAFE_NO_PAD.decode(signature) else { return false };
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length works");
        mac.update(message);
        mac.verify_slice(&sig).is_ok()
    }
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

/// A random URL-safe token carrying `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// The hash under which a token is stored, so a leaked table does not leak live tokens.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_the_same_key_and_message() {
        let k = SecretKey::from_text("0123456789abcdef0123456789abcdef");
        let sig = k.sign(b"hello");
        assert!(k.verify(b"hello", &sig));
        assert!(!k.verify(b"hullo", &sig));
        assert!(!SecretKey::from_text("another key that is long enough!!").verify(b"hello", &sig));
        assert!(!k.verify(b"hello", "garbage!"));
    }

    #[test]
    fn a_generated_key_is_kept_in_the_data_folder() {
        let dir = std::env::temp_dir().join(format!("shn-secret-{}", random_token(6)));
        let a = SecretKey::load_or_create(None, &dir).unwrap();
        let b = SecretKey::load_or_create(None, &dir).unwrap();
        assert_eq!(a.sign(b"x"), b.sign(b"x"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
