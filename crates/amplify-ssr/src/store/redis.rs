//! [`RedisStore`]: the [`SharedStore`] on Redis or Valkey, through the `redis` crate's tokio connection manager
//! (one multiplexed connection that reconnects by itself) and one pub/sub connection for revocations.
//!
//! How it uses Redis: see [`RedisStore`].

use std::fmt;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt as _;
use redis::AsyncCommands as _;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;
use tracing::Instrument as _;

use super::{
    DEFAULT_PREFIX, DEFAULT_TIMEOUT, Revocation, RevocationSink, SharedStore, StoreError,
    StoreFuture, hex,
};

/// Releases a lease only for its owner.
const RELEASE: &str = r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
/// The release script, hashed once (its SHA-1 names it to `EVALSHA`).
static RELEASE_SCRIPT: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(RELEASE));

/// The longest pause between two reconnection attempts of the revocation watcher.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(2);

/// A [`SharedStore`] on Redis or Valkey. `redis://` and `rediss://` (TLS, with the `redis-tls` feature) URLs, with
/// `user:password@` for auth and `/db` for the database.
///
/// * Values: `SET key value PX ttl`; leases: `SET key owner NX PX ttl`, released by a Lua script that deletes the
///   key only while it still holds the owner's random token.
/// * Revocations: a sorted set `<prefix>revoked` (member: hex session hash, score: until) and a channel of the
///   same name. Publishing adds to the set, trims what has expired and publishes `hex:until` in one transaction.
///   A watcher subscribes first and then loads the set, so nothing published in between is missed; when the
///   subscription drops it reconnects with backoff and loads the set again.
/// * Every operation is bounded by the store's timeout (also set as the connection and response timeouts).
/// * The watcher stops at the first revocation after its runner was dropped (runners usually live as long as
///   the process).
pub struct RedisStore {
    client: redis::Client,
    prefix: String,
    timeout: Duration,
    manager: OnceCell<ConnectionManager>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password: only where it points.
        let info = self.client.get_connection_info();
        f.debug_struct("RedisStore")
            .field("addr", &info.addr().to_string())
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store on the server at `url`, with the default prefix (`amplify-ssr:`) and timeout (250 ms). No
    /// connection is made here: the first operation connects (and a failed connection is retried by the next).
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidUrl`] when the URL cannot be parsed (or asks for TLS without the `redis-tls`
    /// feature).
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
        Ok(Self {
            client,
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            manager: OnceCell::new(),
        })
    }

    /// Prefixes every key with `prefix` (several applications on one server each need their own).
    #[must_use]
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        prefix.clone_into(&mut self.prefix);
        self
    }

    /// Bounds every operation by `timeout`.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn revoked_key(&self) -> String {
        self.key("revoked")
    }

    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_max_delay(MAX_RECONNECT_DELAY);
        self.manager
            .get_or_try_init(|| async {
                self.client
                    .get_connection_manager_with_config(config)
                    .await
                    .map_err(unavailable)
            })
            .await
            .cloned()
    }

    /// Runs `op` on a connection within the timeout.
    async fn run<T>(
        &self,
        op: impl AsyncFnOnce(ConnectionManager) -> redis::RedisResult<T>,
    ) -> Result<T, StoreError> {
        let work = async {
            let connection = self.connection().await?;
            op(connection).await.map_err(unavailable)
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| StoreError::TimedOut(self.timeout))?
    }
}

fn unavailable(error: redis::RedisError) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn unix_now() -> i64 {
    crate::jwt::unix_seconds(SystemTime::now())
}

/// A revocation from its pub/sub form, `hex:until`; `None` for anything else.
fn parse_revocation(text: &str) -> Option<Revocation> {
    let (session, until) = text.split_once(':')?;
    Some(Revocation::new(parse_hex(session)?, until.parse().ok()?))
}

fn parse_hex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

impl SharedStore for RedisStore {
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        let key = self.key(key);
        Box::pin(async move {
            self.run(async move |mut c| c.get::<_, Option<Vec<u8>>>(&key).await)
                .instrument(tracing::debug_span!("amplify_ssr.store.get"))
                .await
        })
    }

    fn put<'a>(&'a self, key: &'a str, value: Vec<u8>, ttl: Duration) -> StoreFuture<'a, ()> {
        let key = self.key(key);
        Box::pin(async move {
            self.run(async move |mut c| {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(value)
                    .arg("PX")
                    .arg(millis(ttl))
                    .query_async::<()>(&mut c)
                    .await
            })
            .instrument(tracing::debug_span!("amplify_ssr.store.put"))
            .await
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        let key = self.key(key);
        Box::pin(async move {
            self.run(async move |mut c| c.del::<_, ()>(&key).await)
                .instrument(tracing::debug_span!("amplify_ssr.store.delete"))
                .await
        })
    }

    fn try_lease<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        let key = self.key(key);
        Box::pin(async move {
            self.run(async move |mut c| {
                let set: Option<String> = redis::cmd("SET")
                    .arg(&key)
                    .arg(owner)
                    .arg("NX")
                    .arg("PX")
                    .arg(millis(ttl))
                    .query_async(&mut c)
                    .await?;
                Ok(set.is_some())
            })
            .instrument(tracing::debug_span!("amplify_ssr.store.lease"))
            .await
        })
    }

    fn release_lease<'a>(&'a self, key: &'a str, owner: &'a str) -> StoreFuture<'a, ()> {
        let key = self.key(key);
        Box::pin(async move {
            self.run(async move |mut c| {
                RELEASE_SCRIPT
                    .key(&key)
                    .arg(owner)
                    .invoke_async::<i64>(&mut c)
                    .await
                    .map(drop)
            })
            .instrument(tracing::debug_span!("amplify_ssr.store.release"))
            .await
        })
    }

    fn publish_revocation(&self, revocation: Revocation) -> StoreFuture<'_, ()> {
        let set = self.revoked_key();
        Box::pin(async move {
            let member = hex(&revocation.session);
            let message = format!("{member}:{}", revocation.until);
            self.run(async move |mut c| {
                redis::pipe()
                    .atomic()
                    .zadd(&set, &member, revocation.until)
                    .ignore()
                    .zrembyscore(&set, "-inf", unix_now())
                    .ignore()
                    .publish(&set, &message)
                    .ignore()
                    .query_async::<()>(&mut c)
                    .await
            })
            .instrument(tracing::debug_span!("amplify_ssr.store.publish_revocation"))
            .await
        })
    }

    fn connect(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            tokio::time::timeout(self.timeout, self.connection())
                .await
                .map_err(|_| StoreError::TimedOut(self.timeout))?
                .map(drop)
        })
    }

    fn timeout(&self) -> Duration {
        self.timeout
    }

    fn watch_revocations(&self, sink: RevocationSink) {
        let client = self.client.clone();
        let set = self.revoked_key();
        let timeout = self.timeout;
        tokio::spawn(
            async move {
                let mut delay = Duration::from_millis(50);
                loop {
                    match watch_once(&client, &set, timeout, &sink).await {
                        Ok(Watch::Stopped) => return,
                        Ok(Watch::Dropped) => {
                            tracing::warn!("the revocation subscription dropped; reconnecting");
                            delay = Duration::from_millis(50);
                        }
                        Err(error) => {
                            tracing::debug!(%error, "the revocation watcher cannot reach the store");
                        }
                    }
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(MAX_RECONNECT_DELAY);
                }
            }
            .instrument(tracing::info_span!("amplify_ssr.store.watch_revocations")),
        );
    }
}

enum Watch {
    /// The sink no longer listens.
    Stopped,
    /// The subscription ended (connection lost).
    Dropped,
}

async fn watch_once(
    client: &redis::Client,
    set: &str,
    timeout: Duration,
    sink: &RevocationSink,
) -> Result<Watch, StoreError> {
    let bounded = |what| StoreError::TimedOut(what);
    let mut pubsub = tokio::time::timeout(timeout, client.get_async_pubsub())
        .await
        .map_err(|_| bounded(timeout))?
        .map_err(unavailable)?;
    tokio::time::timeout(timeout, pubsub.subscribe(set))
        .await
        .map_err(|_| bounded(timeout))?
        .map_err(unavailable)?;
    // Subscribed first: whatever is published from now on arrives below, and the set holds what came before.
    let mut connection = tokio::time::timeout(timeout, client.get_multiplexed_async_connection())
        .await
        .map_err(|_| bounded(timeout))?
        .map_err(unavailable)?;
    let live: Vec<(String, i64)> = tokio::time::timeout(
        timeout,
        connection.zrangebyscore_withscores(set, unix_now(), "+inf"),
    )
    .await
    .map_err(|_| bounded(timeout))?
    .map_err(unavailable)?;
    drop(connection);
    tracing::info!(live = live.len(), "watching the shared revocations");
    for (member, until) in live {
        if let Some(session) = parse_hex(&member)
            && !sink(Revocation::new(session, until))
        {
            return Ok(Watch::Stopped);
        }
    }
    let mut messages = pubsub.into_on_message();
    while let Some(message) = messages.next().await {
        let Ok(text) = message.get_payload::<String>() else {
            continue;
        };
        match parse_revocation(&text) {
            Some(revocation) => {
                if !sink(revocation) {
                    return Ok(Watch::Stopped);
                }
            }
            None => tracing::warn!("ignored a malformed message on the revocation channel"),
        }
    }
    Ok(Watch::Dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revocation_messages_parse_strictly() {
        let session = [0xab; 32];
        let text = format!("{}:1700", hex(&session));
        assert_eq!(
            parse_revocation(&text),
            Some(Revocation::new(session, 1700))
        );
        assert_eq!(parse_revocation("ab:1700"), None);
        assert_eq!(parse_revocation(&format!("{}:x", hex(&session))), None);
        assert_eq!(parse_revocation(&"é".repeat(32)), None);
    }

    #[test]
    fn debug_hides_the_password() {
        let store = RedisStore::open("redis://user:hunter2@127.0.0.1:6390/0").unwrap();
        let printed = format!("{store:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(RedisStore::open("not a url").is_err());
    }
}
