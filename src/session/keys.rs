//! Where the issuer's keys come from for the signature pre-check: `--jwks FILE`, the demo's
//! embedded JWKS (for demo tokens), or — unless `--no-fetch` or the demo account — the issuer
//! itself through a [`KeySource`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::Failure;
use crate::account::demo;
use crate::keys::{Fetch, KeySource};
use crate::token::verify::{Evidence, KeySet, verify};
use crate::token::{Environment, InputKind, Origin, Token};

/// What the flags say about keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyOptions {
    /// `--jwks FILE`: a JWKS, or a discovery + JWKS bundle.
    pub jwks: Option<PathBuf>,
    /// `--no-fetch`: never ask the issuer.
    pub no_fetch: bool,
}

/// The keys a session verifies with, fetched at most once per issuer (again once when a `kid`
/// is not found: the issuer may have rotated).
pub(super) struct Keys {
    pub(super) options: KeyOptions,
    pub(super) source: Option<Arc<dyn KeySource>>,
    file: Mutex<Option<KeySet>>,
    fetched: Mutex<HashMap<String, Fetched>>,
}

#[derive(Clone)]
struct Fetched {
    fetch: Fetch,
    refetched: bool,
}

impl Keys {
    pub(super) fn new(options: KeyOptions, source: Option<Arc<dyn KeySource>>) -> Keys {
        Keys {
            options,
            source,
            file: Mutex::new(None),
            fetched: Mutex::new(HashMap::new()),
        }
    }

    /// The `--jwks` file, read once; errors name the file.
    fn file(&self, env: &dyn Environment) -> Result<Option<KeySet>, Failure> {
        let Some(path) = &self.options.jwks else {
            return Ok(None);
        };
        let mut cached = self.file.lock().map_err(|_| poisoned())?;
        if let Some(set) = cached.as_ref() {
            return Ok(Some(set.clone()));
        }
        let text = super::files::read_text(path, InputKind::Jwks, env)?;
        let set = KeySet::parse(&text).map_err(|e| {
            Failure::bad_input(
                "bad-jwks",
                format!("the JWKS file {} cannot be used: {e}", path.display()),
            )
        })?;
        *cached = Some(set.clone());
        Ok(Some(set))
    }

    /// The signature check for `token` (from `origin`), or `None` when no keys are at hand.
    pub(super) async fn verification(
        &self,
        token: &Token,
        origin: &Origin,
        demo_session: bool,
        env: &(dyn Environment + Send + Sync),
    ) -> Result<Option<Evidence>, Failure> {
        if let Some(set) = self.file(env)? {
            return Ok(Some(verify(token, &set).into()));
        }
        if matches!(origin, Origin::Demo(_)) {
            let set = KeySet::parse(demo::JWKS).map_err(|e| {
                Failure::failed("demo-failed", format!("assets/demo/jwks.json: {e}"))
            })?;
            return Ok(Some(verify(token, &set).into()));
        }
        // The demo stays offline: its issuers are made up.
        let (Some(source), false) = (&self.source, self.options.no_fetch || demo_session) else {
            return Ok(None);
        };
        let Some(issuer) = token.issuer() else {
            return Ok(None);
        };
        let kid = token
            .header()
            .get("kid")
            .and_then(serde_json::Value::as_str);
        let known = self
            .fetched
            .lock()
            .map_err(|_| poisoned())?
            .get(issuer)
            .cloned();
        let fetched = match known {
            Some(fetched) => {
                let stale = !fetched.refetched
                    && matches!((&fetched.fetch.keys, kid), (Ok(set), Some(kid)) if !set.has_kid(kid));
                if stale {
                    self.fetch(source.as_ref(), issuer, true).await?
                } else {
                    fetched
                }
            }
            None => {
                let first = self.fetch(source.as_ref(), issuer, false).await?;
                let missing =
                    matches!((&first.fetch.keys, kid), (Ok(set), Some(kid)) if !set.has_kid(kid));
                if missing {
                    self.fetch(source.as_ref(), issuer, true).await?
                } else {
                    first
                }
            }
        };
        let Fetch { keys, served } = fetched.fetch;
        let verification = match keys {
            Ok(set) => verify(token, &set),
            Err(error) => error.verification(),
        };
        Ok(Some(Evidence {
            verification,
            served,
        }))
    }

    /// What fetching `issuer`'s keys gave, from the cache when this session fetched them
    /// already (the signature check and setup's thumbprint check share one fetch); `None`
    /// when the session does not fetch.
    pub(super) async fn fetched(
        &self,
        issuer: &str,
        demo_session: bool,
    ) -> Result<Option<Fetch>, Failure> {
        let (Some(source), false) = (&self.source, self.options.no_fetch || demo_session) else {
            return Ok(None);
        };
        let known = self
            .fetched
            .lock()
            .map_err(|_| poisoned())?
            .get(issuer)
            .cloned();
        let fetched = match known {
            Some(fetched) => fetched,
            None => self.fetch(source.as_ref(), issuer, false).await?,
        };
        Ok(Some(fetched.fetch))
    }

    async fn fetch(
        &self,
        source: &dyn KeySource,
        issuer: &str,
        refetched: bool,
    ) -> Result<Fetched, Failure> {
        let fetched = Fetched {
            fetch: source.fetch(issuer).await,
            refetched,
        };
        self.fetched
            .lock()
            .map_err(|_| poisoned())?
            .insert(issuer.to_owned(), fetched.clone());
        Ok(fetched)
    }
}

fn poisoned() -> Failure {
    Failure::failed(
        "keys-failed",
        "the key cache is unusable after an earlier failure",
    )
}
