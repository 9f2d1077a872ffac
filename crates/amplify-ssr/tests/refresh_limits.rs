//! Limits on token refreshes: a deadline across all attempts, and a cap on the refresh calls a runner makes at
//! once. A gate in front of amplify-local holds user-pool calls until the test lets them through, so every wait
//! here is on an event, never on the clock; the deadline is crossed on tokio's paused clock.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use amplify_ssr::cognito::CognitoError;
use amplify_ssr::{AuthError, ServerRunner, get_current_user};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use common::{Backend, forward_to};
use tokio::sync::watch;
use tracing_subscriber::layer::{Context, SubscriberExt as _};

/// What the gate has seen so far.
#[derive(Clone, Debug, Default)]
struct Seen {
    /// Calls that reached the gate.
    calls: usize,
    /// Calls the gate holds or is forwarding now.
    in_flight: usize,
    max_in_flight: usize,
    /// Refreshes that found every slot taken and queued for one (counted from the library's debug event).
    queued: usize,
}

struct GateState {
    upstream: String,
    seen: watch::Sender<Seen>,
    open: watch::Sender<bool>,
    /// Calls arriving while this is set are never answered.
    hang: AtomicBool,
}

/// A user-pool endpoint that holds every call until [`Gate::open`], then forwards it to amplify-local.
struct Gate {
    url: String,
    state: Arc<GateState>,
}

impl Gate {
    async fn start(local: &Backend, hang: bool) -> Self {
        let state = Arc::new(GateState {
            upstream: local.backend.base_url(),
            seen: watch::Sender::new(Seen::default()),
            open: watch::Sender::new(false),
            hang: AtomicBool::new(hang),
        });
        let app = axum::Router::new()
            .fallback(pass)
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, state }
    }

    /// Lets held and later calls through (calls that arrived while hanging stay unanswered).
    fn open(&self) {
        self.state.hang.store(false, Ordering::SeqCst);
        self.state.open.send_replace(true);
    }

    fn seen(&self) -> Seen {
        self.state.seen.borrow().clone()
    }

    async fn wait_for(&self, condition: impl FnMut(&Seen) -> bool) -> Seen {
        let mut seen = self.state.seen.subscribe();
        seen.wait_for(condition).await.unwrap().clone()
    }
}

/// Counts a call as in flight for as long as it lives.
struct InFlight<'a>(&'a watch::Sender<Seen>);

impl<'a> InFlight<'a> {
    fn enter(seen: &'a watch::Sender<Seen>) -> Self {
        seen.send_modify(|s| {
            s.calls += 1;
            s.in_flight += 1;
            s.max_in_flight = s.max_in_flight.max(s.in_flight);
        });
        Self(seen)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|s| s.in_flight -= 1);
    }
}

async fn pass(State(state): State<Arc<GateState>>, request: Request) -> Response {
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap();
    let hang = state.hang.load(Ordering::SeqCst);
    let _in_flight = InFlight::enter(&state.seen);
    if hang {
        std::future::pending::<()>().await;
    }
    let mut open = state.open.subscribe();
    open.wait_for(|open| *open).await.unwrap();
    forward_to(&state.upstream, &target, body)
        .await
        .into_response()
}

/// Counts the library's "every refresh slot is taken; waiting for a turn" debug events. It is emitted in the
/// same poll that queues the refresh, so once it is counted the refresh is waiting for a slot.
struct QueueWatch(Arc<GateState>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for QueueWatch {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        if meta.target() == "amplify_ssr::auth::refresh_limits"
            && *meta.level() == tracing::Level::DEBUG
        {
            self.0.seen.send_modify(|s| s.queued += 1);
        }
    }
}

fn has_new_access_token(ctx: &amplify_ssr::ServerContext) -> bool {
    ctx.set_cookie_headers()
        .iter()
        .any(|h| h.to_str().unwrap().contains(".accessToken="))
}

#[tokio::test]
async fn refresh_calls_are_capped_per_runner_and_the_rest_wait_their_turn() {
    const CAP: usize = 2;
    const USERS: usize = 4;
    let local = Backend::start().await;
    let gate = Gate::start(&local, false).await;
    // The test runs on one thread, so this subscriber sees the refresh tasks' events.
    let _subscriber = tracing::subscriber::set_default(
        tracing_subscriber::registry().with(QueueWatch(Arc::clone(&gate.state))),
    );
    let runner = local
        .builder()
        .user_pool_endpoint(&gate.url)
        .max_concurrent_refreshes(CAP)
        // Not under test here: long enough never to end a refresh the gate holds.
        .refresh_timeout(Duration::from_secs(24 * 3600))
        .build()
        .unwrap();
    let mut jars = Vec::new();
    for n in 0..USERS {
        jars.push(local.expired_session(&format!("user{n}")).await);
    }

    let refreshes: Vec<_> = jars
        .iter()
        .map(|jar| {
            let ctx = jar.context(&runner);
            tokio::spawn(async move {
                let user = get_current_user(&ctx).await;
                (user, has_new_access_token(&ctx))
            })
        })
        .collect();

    // Without a cap every call would reach the gate; with one, `CAP` do and the rest queue.
    let at_the_cap = gate
        .wait_for(|s| s.in_flight > CAP || (s.in_flight == CAP && s.queued == USERS - CAP))
        .await;
    assert_eq!(at_the_cap.in_flight, CAP, "{at_the_cap:?}");
    assert_eq!(at_the_cap.calls, CAP, "{at_the_cap:?}");

    gate.open();
    for (n, refresh) in refreshes.into_iter().enumerate() {
        let (user, refreshed) = refresh.await.unwrap();
        assert_eq!(user.unwrap().username, format!("user{n}"));
        assert!(refreshed, "user{n}: new cookies");
    }
    let done = gate.seen();
    assert_eq!(done.calls, USERS, "{done:?}");
    assert_eq!(done.max_in_flight, CAP, "{done:?}");
}

#[tokio::test]
async fn a_hung_user_pool_ends_the_refresh_at_its_deadline_and_a_later_refresh_starts_afresh() {
    // The deadline under test: below every other timer of a refresh (the connect and attempt timeouts), so that
    // it is what ends the hung call; and far above what a refresh takes, however loaded the machine.
    const DEADLINE: Duration = Duration::from_secs(4);
    let local = Backend::start().await;
    let gate = Gate::start(&local, true).await;
    let runner = local
        .builder()
        .user_pool_endpoint(&gate.url)
        // One slot, so an abandoned call that kept its slot would block the next.
        .refresh_timeout(DEADLINE)
        .max_concurrent_refreshes(1)
        .build()
        .unwrap();
    let jar = local.expired_session("hana").await;
    // The runner fetches the JWKS now, on the real clock: only the refresh runs on the paused one.
    let warm = local.user("warm");
    let warm = common::signed_in_jar(&local.runner(), &warm).await;
    get_current_user(&warm.context(&runner)).await.unwrap();

    // Time stands still while anything can run, and jumps to the next timer when nothing can: the hung call
    // reaches its deadline without the test waiting for it.
    tokio::time::pause();
    let ctx = jar.context(&runner);
    let error = get_current_user(&ctx).await.unwrap_err();
    tokio::time::resume();
    assert!(
        error.is_transient() && !error.is_unauthenticated(),
        "{error:?}"
    );
    assert!(
        matches!(
            error,
            AuthError::Cognito(CognitoError::DeadlineExceeded { deadline }) if deadline == DEADLINE
        ),
        "the deadline, not an attempt's own 10 s timeout, ended it: {error:?}"
    );
    assert_eq!(error.name(), "NetworkError");
    assert!(gate.seen().calls <= 1, "no retry within the deadline");
    assert!(
        ctx.set_cookie_headers().is_empty(),
        "the session cookies are kept"
    );

    // The user pool answers again. A refresh stuck on the abandoned call (its result kept, or its slot) would
    // fail; a fresh one reaches the user pool and succeeds.
    let abandoned = gate.seen().calls;
    gate.open();
    let ctx = jar.context(&runner);
    let user = get_current_user(&ctx).await.unwrap();
    assert_eq!(user.username, "hana");
    assert!(has_new_access_token(&ctx));
    assert_eq!(
        gate.seen().calls,
        abandoned + 1,
        "the fresh refresh made its own call"
    );
}

#[test]
fn limits_under_which_no_refresh_could_succeed_are_refused_at_build() {
    let zero_timeout = ServerRunner::builder(amplify_ssr::AmplifyConfig::default())
        .ignore_env()
        .refresh_timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert!(
        zero_timeout.to_string().contains("refresh_timeout"),
        "{zero_timeout}"
    );
    let zero_slots = ServerRunner::builder(amplify_ssr::AmplifyConfig::default())
        .ignore_env()
        .max_concurrent_refreshes(0)
        .build()
        .unwrap_err();
    assert!(
        zero_slots.to_string().contains("max_concurrent_refreshes"),
        "{zero_slots}"
    );
}
