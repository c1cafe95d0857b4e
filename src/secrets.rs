//! Where passwords are kept: the operating system's credential store (the Windows Credential
//! Manager, the Linux Secret Service) through the `keyring` crate, behind a small trait so tests
//! use one in memory. Where no store answers, the caller keeps the password in its own file.
//! [`Secret`] is a password held in memory: it never prints.
//! Nothing here prints or logs a password.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

/// The name entries are filed under in the OS store.
const SERVICE: &str = "smdr-monitor";

/// A password that never shows: `Debug` and `Display` print `********`, and it is skipped
/// by nothing but the config file itself.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The password itself: only for building the login frame.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "********"
        })
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// This system has no credential store this build can use.
    #[error("this system has no credential store this program can use")]
    Unsupported,
    /// There is a store, but it does not answer (no D-Bus session, no Secret Service running,
    /// locked and not unlocked).
    #[error("{store} cannot be reached: {source}")]
    Unavailable { store: &'static str, source: Cause },
    /// The store answered with an error.
    #[error("{store} failed: {source}")]
    Failed { store: &'static str, source: Cause },
}

/// A store of secrets by key.
pub trait CredentialStore: Send + Sync {
    /// The store as a technician knows it: "the Windows Credential Manager".
    fn name(&self) -> &'static str;
    /// The secret under `key`, `None` when there is none.
    fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    fn set(&self, key: &str, secret: &str) -> Result<(), StoreError>;
    /// Removes `key`; a key that is not there is not an error.
    fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// A handle on the store passwords go to; cheap to clone.
#[derive(Clone)]
pub struct Passwords(Arc<dyn CredentialStore>);

impl fmt::Debug for Passwords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Passwords({})", self.0.name())
    }
}

impl Passwords {
    /// The operating system's store.
    pub fn system() -> Self {
        Self(Arc::new(OsStore))
    }

    /// A store in memory, for tests: what is set can be read back while the handle lives.
    pub fn in_memory() -> Self {
        Self(Arc::new(MemoryStore::default()))
    }

    /// A store that never answers, as on a system without one (tests of the fallback).
    pub fn unavailable() -> Self {
        Self(Arc::new(NoStore))
    }

    pub fn new(store: Arc<dyn CredentialStore>) -> Self {
        Self(store)
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Whether the store answers now; why not, when it does not.
    pub fn check(&self) -> Result<(), StoreError> {
        self.0.get("availability check").map(|_| ())
    }

    pub fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.get(key)
    }

    pub fn set(&self, key: &str, secret: &str) -> Result<(), StoreError> {
        self.0.set(key, secret)
    }

    pub fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(key)
    }
}

#[derive(Default)]
struct MemoryStore(Mutex<HashMap<String, String>>);

impl CredentialStore for MemoryStore {
    fn name(&self) -> &'static str {
        "the test credential store"
    }

    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.lock().get(key).cloned())
    }

    fn set(&self, key: &str, secret: &str) -> Result<(), StoreError> {
        self.lock().insert(key.to_string(), secret.to_string());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.lock().remove(key);
        Ok(())
    }
}

impl MemoryStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        crate::sync::lock(&self.0)
    }
}

struct NoStore;

impl CredentialStore for NoStore {
    fn name(&self) -> &'static str {
        "no credential store"
    }

    fn get(&self, _key: &str) -> Result<Option<String>, StoreError> {
        Err(StoreError::Unsupported)
    }

    fn set(&self, _key: &str, _secret: &str) -> Result<(), StoreError> {
        Err(StoreError::Unsupported)
    }

    fn delete(&self, _key: &str) -> Result<(), StoreError> {
        Err(StoreError::Unsupported)
    }
}

/// The OS store through `keyring` (built with a native store on Linux and Windows only).
struct OsStore;

#[cfg(any(target_os = "linux", windows))]
impl OsStore {
    const NAME: &'static str = if cfg!(windows) {
        "the Windows Credential Manager"
    } else {
        "the Secret Service (the desktop's keyring)"
    };

    fn entry(key: &str) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(SERVICE, key).map_err(Self::error)
    }

    fn error(e: keyring::Error) -> StoreError {
        let store = Self::NAME;
        match e {
            keyring::Error::PlatformFailure(source) | keyring::Error::NoStorageAccess(source) => {
                StoreError::Unavailable { store, source }
            }
            other => StoreError::Failed {
                store,
                source: Box::new(other),
            },
        }
    }
}

#[cfg(any(target_os = "linux", windows))]
impl CredentialStore for OsStore {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        match Self::entry(key)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(Self::error(e)),
        }
    }

    fn set(&self, key: &str, secret: &str) -> Result<(), StoreError> {
        Self::entry(key)?.set_password(secret).map_err(Self::error)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        match Self::entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(Self::error(e)),
        }
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
impl CredentialStore for OsStore {
    fn name(&self) -> &'static str {
        NoStore.name()
    }

    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        NoStore.get(key)
    }

    fn set(&self, key: &str, secret: &str) -> Result<(), StoreError> {
        NoStore.set(key, secret)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        NoStore.delete(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_keeps_and_forgets_and_no_store_says_why() {
        let p = Passwords::in_memory();
        assert!(p.check().is_ok());
        assert_eq!(p.get("site:HQ").unwrap(), None);
        p.set("site:HQ", "1234").unwrap();
        assert_eq!(p.clone().get("site:HQ").unwrap().as_deref(), Some("1234"));
        p.delete("site:HQ").unwrap();
        p.delete("site:HQ").unwrap();
        assert_eq!(p.get("site:HQ").unwrap(), None);
        let none = Passwords::unavailable();
        let e = none.check().unwrap_err();
        assert_eq!(
            e.to_string(),
            "this system has no credential store this program can use"
        );
        assert!(none.set("site:HQ", "1234").is_err());
        assert_eq!(format!("{none:?}"), "Passwords(no credential store)");
    }
}
