//! Following other nodes' writes: a thread with a connection of its own runs
//! `LISTEN lucid_changes` and hands each notification (sent by the triggers of migrations 4
//! and 5) to the caller as a [`StorageChange`].
//!
//! When the connection breaks, the thread reconnects once a second and then reports
//! [`StorageChange::Resync`]: notifications sent while it was away are lost, so the caller
//! re-reads what it follows (its fallback polling covers the gap). The thread stops when the
//! storage is dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lucid_storage::{ChangeListener, Result, StorageChange, StorageError};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};

/// The channel the triggers notify on.
pub(crate) const CHANNEL: &str = "lucid_changes";

/// How often the thread looks up from waiting to see whether the storage was dropped.
const STOP_CHECK: Duration = Duration::from_millis(500);
/// After this many quiet waits (about 30 s) the thread checks that the server still answers.
const PING_TURNS: u32 = 60;
/// How long it waits between reconnection attempts.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// Starts following: connects and listens now (so an unreachable database is an error here,
/// not a silent absence of changes), then delivers changes on a thread of its own until
/// `alive` turns false.
pub(crate) fn follow(
    config: &postgres::Config,
    display: &str,
    alive: Arc<AtomicBool>,
    on_change: ChangeListener,
) -> Result<()> {
    let client = listen(config).map_err(|error| {
        StorageError::Backend(format!("cannot listen for changes on {display}: {error}"))
    })?;
    let (config, display) = (config.clone(), display.to_string());
    std::thread::Builder::new()
        .name("lucid-pg-changes".into())
        .spawn(move || run(client, &config, &display, &alive, &on_change))
        .map_err(|error| {
            StorageError::Backend(format!("cannot start the change listener: {error}"))
        })?;
    Ok(())
}

fn listen(config: &postgres::Config) -> std::result::Result<Client, postgres::Error> {
    let mut client = config.connect(NoTls)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    Ok(client)
}

fn run(
    mut client: Client,
    config: &postgres::Config,
    database: &str,
    alive: &AtomicBool,
    on_change: &ChangeListener,
) {
    while alive.load(Ordering::SeqCst) {
        match deliver(&mut client, alive, on_change) {
            Ok(()) => return,
            Err(error) => {
                tracing::warn!(%database, %error, "lost the change listener's connection; streams fall back to polling until it is back");
            }
        }
        client = loop {
            if !alive.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(RECONNECT_DELAY);
            match listen(config) {
                Ok(client) => break client,
                Err(error) => {
                    tracing::debug!(%database, %error, "the change listener cannot reconnect yet");
                }
            }
        };
        tracing::info!(%database, "the change listener is back");
        on_change(StorageChange::Resync);
    }
}

/// Delivers notifications until the storage is dropped (`Ok`) or the connection breaks.
fn deliver(
    client: &mut Client,
    alive: &AtomicBool,
    on_change: &ChangeListener,
) -> std::result::Result<(), postgres::Error> {
    let mut quiet_turns = 0u32;
    while alive.load(Ordering::SeqCst) {
        {
            let mut notifications = client.notifications();
            let mut waiting = notifications.timeout_iter(STOP_CHECK);
            while let Some(notification) = waiting.next()? {
                quiet_turns = 0;
                if let Some(change) = parse(notification.payload()) {
                    on_change(change);
                }
            }
        }
        // A closed connection ends the wait like a timeout does: ask the server something, so
        // a dead connection is an error (and a reconnect) rather than silence forever.
        quiet_turns += 1;
        if client.is_closed() || quiet_turns >= PING_TURNS {
            quiet_turns = 0;
            client.simple_query("SELECT 1")?;
        }
    }
    Ok(())
}

/// The change a trigger's payload names.
fn parse(payload: &str) -> Option<StorageChange> {
    match payload.split_once(':') {
        Some(("s", session)) if !session.is_empty() => {
            Some(StorageChange::SessionChanged(session.to_string()))
        }
        Some(("d", dream)) if !dream.is_empty() => {
            Some(StorageChange::DreamQueued(dream.to_string()))
        }
        Some(("k", key)) if !key.is_empty() => Some(StorageChange::KeyRevoked(key.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_name_sessions_and_dreams() {
        assert_eq!(
            parse("s:sesn_1"),
            Some(StorageChange::SessionChanged("sesn_1".into()))
        );
        assert_eq!(
            parse("d:drm_1"),
            Some(StorageChange::DreamQueued("drm_1".into()))
        );
        assert_eq!(
            parse("k:apikey_1"),
            Some(StorageChange::KeyRevoked("apikey_1".into()))
        );
        assert_eq!(parse("s:"), None);
        assert_eq!(parse("x:1"), None);
        assert_eq!(parse("garbage"), None);
    }
}
