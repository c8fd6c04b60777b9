//! Live alert streams (server-sent events) shared by the board (`/alerts/stream`) and the API
//! (`/api/v1/alerts/stream`): each carries the notices of alerts in the viewer's scope, checks
//! every minute that the viewer's session still stands (signed out, expired or deactivated: the
//! stream ends), ends after five minutes so clients reconnect with a fresh check, and ends at
//! once when the server shuts down.

use app::monitoring::LiveAlert;
use app::Actor;
use app::App;
use axum::response::sse::Event;
use futures_util::stream::Stream;
use std::convert::Infallible;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::RecvError;

/// How often an open stream checks that its session still stands.
const SESSION_CHECK: Duration = Duration::from_secs(60);
/// A stream ends after this long and the client opens a new one (so that a server shutting
/// down waits for no stream longer than this, and scopes are read again).
const STREAM_LIFETIME: Duration = Duration::from_secs(300);

/// Set once the server is shutting down: every open stream ends at once, so that a board left
/// open does not hold a graceful shutdown for the rest of its stream's life.
static CLOSING: std::sync::LazyLock<tokio::sync::watch::Sender<bool>> =
    std::sync::LazyLock::new(|| tokio::sync::watch::channel(false).0);

/// Ends every open live stream (call when the server starts shutting down).
pub fn end_streams() {
    CLOSING.send_replace(true);
}

struct Watch<F> {
    app: App,
    closing: tokio::sync::watch::Receiver<bool>,
    receiver: tokio::sync::broadcast::Receiver<LiveAlert>,
    actor: Actor,
    token: String,
    checked: Instant,
    ends: Instant,
    greeted: bool,
    event_of: F,
}

/// The notices of alerts `actor` may see, as `event_of` words them; a `refresh` event when
/// notices were dropped because the client fell behind.
pub fn alert_events<F>(
    app: &App,
    actor: Actor,
    token: String,
    event_of: F,
) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: Fn(&LiveAlert) -> Event + Send + Sync + 'static,
{
    let now = Instant::now();
    let watch = Watch {
        receiver: app.subscribe_alerts(),
        closing: CLOSING.subscribe(),
        app: app.clone(),
        actor,
        token,
        checked: now,
        ends: now + STREAM_LIFETIME,
        greeted: false,
        event_of,
    };
    futures_util::stream::unfold(watch, next_event)
}

async fn next_event<F>(mut w: Watch<F>) -> Option<(Result<Event, Infallible>, Watch<F>)>
where
    F: Fn(&LiveAlert) -> Event,
{
    if !w.greeted {
        w.greeted = true;
        let hello = Event::default()
            .retry(Duration::from_secs(3))
            .comment("live");
        return Some((Ok(hello), w));
    }
    loop {
        let now = Instant::now();
        if now >= w.ends || *w.closing.borrow() {
            return None;
        }
        if now.duration_since(w.checked) >= SESSION_CHECK {
            if w.app.authenticate(&w.token, None).await.is_err() {
                return None;
            }
            w.checked = now;
        }
        let wait = SESSION_CHECK.min(w.ends - now);
        let received = tokio::select! {
            r = tokio::time::timeout(wait, w.receiver.recv()) => r,
            _ = w.closing.changed() => return None,
        };
        match received {
            Err(_) => continue,
            Ok(Ok(notice)) if notice.visible_to(&w.actor) => {
                let event = (w.event_of)(&notice);
                return Some((Ok(event), w));
            }
            Ok(Ok(_)) => continue,
            Ok(Err(RecvError::Lagged(_))) => {
                return Some((Ok(Event::default().event("refresh").data("{}")), w));
            }
            Ok(Err(RecvError::Closed)) => return None,
        }
    }
}
