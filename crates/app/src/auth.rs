//! Sign-in, sessions and bearer tokens, password hashing (argon2id), login rate limiting, and
//! the [`Actor`] every use case receives.

use crate::audit_log::{self, Audit};
use crate::{App, AppError, Result};
use access::scope::Placement;
use access::{Action, AuditAction, AuditOutcome, Role, Scope};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use store::audit::AuditEntry;
use store::{Authorized, Grantee};

/// The signed-in caller of a use case: who, in which role, with which data scope, from where.
/// Only `app` makes one (sign-in, bearer tokens, the system's own accounts) and its fields are
/// private, so no other crate can widen a caller's scope or change their role.
#[derive(Debug, Clone)]
pub struct Actor {
    pub(crate) user_id: String,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) role: Role,
    pub(crate) scope: Scope,
    pub(crate) org_id: Option<String>,
    pub(crate) region_code: Option<String>,
    pub(crate) elder_id: Option<String>,
    pub(crate) ip: Option<String>,
    /// The session's CSRF token (empty for bearer tokens, which need none).
    pub(crate) csrf_token: String,
}

impl Actor {
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The caller's organization (staff).
    pub fn org_id(&self) -> Option<&str> {
        self.org_id.as_deref()
    }

    /// The region on the caller's account (supervisors, county assessors).
    pub fn region_code(&self) -> Option<&str> {
        self.region_code.as_deref()
    }

    /// The elder whose record a family account follows.
    pub fn elder_id(&self) -> Option<&str> {
        self.elder_id.as_deref()
    }

    /// The session's CSRF token; empty for bearer tokens.
    pub fn csrf_token(&self) -> &str {
        &self.csrf_token
    }

    /// The region a supervisor's or county assessor's pages start from (their scope's root).
    pub fn region_root(&self) -> Option<&region::RegionCode> {
        self.scope.region_filter()
    }

    /// Refuses (and audits the refusal) unless the role may do `action`.
    pub async fn require(&self, app: &App, action: Action) -> Result<()> {
        if self.role.may(action) {
            Ok(())
        } else {
            Err(app
                .denied(self, &format!("{action:?}"), None, AppError::Forbidden)
                .await)
        }
    }

    pub fn may(&self, action: Action) -> bool {
        self.role.may(action)
    }

    /// What this caller may read at `now`: their data scope, widened by the record grants to
    /// them or their organization in force at that moment.
    pub(crate) fn reads(&self, now: DateTime<Utc>) -> Authorized {
        let grantee = Grantee {
            user_id: self.user_id.clone(),
            organization_id: self.org_id.clone(),
        };
        Authorized::new(self.scope.clone(), Some(grantee), now)
    }

    /// What this caller may change: their data scope alone (a grant lets one read a record,
    /// never edit it).
    pub(crate) fn writes(&self, now: DateTime<Utc>) -> Authorized {
        Authorized::new(self.scope.clone(), None, now)
    }

    /// [`Actor::reads`] now, once the role may do `action` (else the refusal, audited): how a
    /// read use case starts.
    pub(crate) async fn reads_for(&self, app: &App, action: Action) -> Result<Authorized> {
        let authorized = self.reads(app.now());
        self.require(app, action).await?;
        Ok(authorized)
    }

    /// [`Actor::writes`] now, once the role may do `action`: how a write use case starts.
    pub(crate) async fn writes_for(&self, app: &App, action: Action) -> Result<Authorized> {
        let authorized = self.writes(app.now());
        self.require(app, action).await?;
        Ok(authorized)
    }
}

/// The platform's own jobs (ingest, escalation, sweeps, imports' bookkeeping): every record,
/// no grants. Only use cases that have authorized their trigger (a device credential, the
/// broker, a schedule) use it.
pub(crate) fn system_access(now: DateTime<Utc>) -> Authorized {
    Authorized::new(Scope::Everything, None, now)
}

/// How long this process trusts a session it read without reading it again. Another server
/// process on the same database sees a logout, a deactivation or a change of role this late at
/// most; this process sees its own at once.
pub const SESSION_CACHE_TTL: Duration = Duration::seconds(15);
/// Sessions held at most; past it the cache starts afresh (the next requests read the database).
const SESSION_CACHE_MAX: usize = 100_000;

/// Live sessions by token hash, each with the actor it stands for and until when it is trusted.
#[derive(Default)]
pub(crate) struct SessionCache {
    held: Mutex<HeldSessions>,
}

#[derive(Default)]
struct HeldSessions {
    sessions: HashMap<String, (Actor, DateTime<Utc>)>,
    /// Counts the forgettings, so that a session read from the database before one is not kept
    /// after it (the read may have seen the user before the change).
    forgotten: u64,
}

impl SessionCache {
    fn held(&self) -> std::sync::MutexGuard<'_, HeldSessions> {
        self.held.lock().expect("session cache lock")
    }

    /// The cached actor of `hash` if it is still trusted at `now`; else the mark to hand to
    /// [`SessionCache::keep`] after reading the session from the database.
    fn live(&self, hash: &str, now: DateTime<Utc>) -> Result<Actor, u64> {
        let held = self.held();
        match held.sessions.get(hash) {
            Some((actor, until)) if *until > now => Ok(actor.clone()),
            _ => Err(held.forgotten),
        }
    }

    fn keep(&self, read_after: u64, hash: String, actor: Actor, until: DateTime<Utc>) {
        let mut held = self.held();
        if held.forgotten != read_after {
            return;
        }
        if held.sessions.len() >= SESSION_CACHE_MAX {
            held.sessions.clear();
        }
        held.sessions.insert(hash, (actor, until));
    }

    fn forget(&self, hash: &str) {
        let mut held = self.held();
        held.forgotten += 1;
        held.sessions.remove(hash);
    }

    fn forget_user(&self, user_id: &str) {
        let mut held = self.held();
        held.forgotten += 1;
        held.sessions
            .retain(|_, (actor, _)| actor.user_id != user_id);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A browser session cookie; forms must carry its CSRF token.
    Cookie,
    /// An API bearer token.
    Bearer,
}

impl SessionKind {
    fn code(self) -> &'static str {
        match self {
            SessionKind::Cookie => "cookie",
            SessionKind::Bearer => "bearer",
        }
    }

    fn lifetime(self) -> Duration {
        match self {
            SessionKind::Cookie => Duration::hours(12),
            SessionKind::Bearer => Duration::days(30),
        }
    }
}

#[derive(Debug)]
pub struct LoginOk {
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("too many failed attempts")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0}")]
    App(#[from] AppError),
}

impl From<store::StoreError> for LoginError {
    fn from(e: store::StoreError) -> LoginError {
        LoginError::App(e.into())
    }
}

/// Failed logins per username and per client address within a sliding window. Pure in-memory
/// state: a restart forgets it, which only gives an attacker one more window.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<DateTime<Utc>>>>,
}

/// Failed attempts per username before it is locked for the rest of the window.
pub const MAX_FAILURES: usize = 5;
/// Failed attempts per client address: higher, since a whole hospital may share one address.
pub const MAX_FAILURES_PER_ADDRESS: usize = 30;
pub const FAILURE_WINDOW_SECS: i64 = 300;

impl LoginLimiter {
    /// Seconds until `key` may try again, if it has `max_failures` failures in the window.
    pub fn locked_for(&self, key: &str, max_failures: usize, now: DateTime<Utc>) -> Option<u64> {
        let mut map = self.failures.lock().expect("limiter lock");
        let window_start = now - Duration::seconds(FAILURE_WINDOW_SECS);
        let entries = map.get_mut(key)?;
        entries.retain(|t| *t > window_start);
        if entries.len() >= max_failures {
            let oldest = entries[0];
            let retry = (oldest + Duration::seconds(FAILURE_WINDOW_SECS) - now)
                .num_seconds()
                .max(1);
            Some(retry as u64)
        } else {
            None
        }
    }

    pub fn record_failure(&self, key: &str, now: DateTime<Utc>) {
        let mut map = self.failures.lock().expect("limiter lock");
        if map.len() > 100_000 {
            map.clear();
        }
        map.entry(key.to_string()).or_default().push(now);
    }

    pub fn clear(&self, key: &str) {
        self.failures.lock().expect("limiter lock").remove(key);
    }
}

pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Refuses passwords a person would guess first.
pub fn check_password_strength(password: &str) -> std::result::Result<(), registry::Problem> {
    let long_enough = password.chars().count() >= 8;
    let kinds = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    if long_enough && kinds >= 2 && password.chars().count() <= 128 {
        Ok(())
    } else {
        Err(registry::Problem::Invalid {
            zh: "密码至少 8 位，且包含字母、数字、符号中的两类".into(),
            en: "at least 8 characters with two of: letters, digits, symbols".into(),
        })
    }
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A readable generated password (no 0/O/1/l confusion).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 14];
    rand::rng().fill_bytes(&mut bytes);
    let body: String = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}-{}7", &body[..5], &body[5..10], &body[10..])
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn actor_from_row(
    user: store::users::UserRow,
    ip: Option<String>,
    csrf_token: String,
) -> Result<Actor> {
    let role = user.role;
    let placement = Placement {
        region: user
            .region_code
            .as_deref()
            .and_then(|c| region::RegionCode::parse(c).ok()),
        organization_id: user.org_id.clone(),
        elder_id: user.elder_id.clone(),
    };
    Ok(Actor {
        scope: Scope::for_user(role, &placement),
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        role,
        org_id: user.org_id,
        region_code: user.region_code,
        elder_id: user.elder_id,
        ip,
        csrf_token,
    })
}

impl App {
    /// Checks a username and password, rate-limited per username and per address; every attempt
    /// is audited. On success a session (cookie) or token (API) is created.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: Option<String>,
        kind: SessionKind,
    ) -> std::result::Result<LoginOk, LoginError> {
        let now = self.now();
        let username = username.trim();
        let user_key = format!("user:{}", username.to_lowercase());
        let ip_key = format!("ip:{}", ip.as_deref().unwrap_or("-"));
        let locked = self
            .limiter
            .locked_for(&user_key, MAX_FAILURES, now)
            .or(self
                .limiter
                .locked_for(&ip_key, MAX_FAILURES_PER_ADDRESS, now));
        let mut conn = self.store.acquire().await?;
        if let Some(retry_after_secs) = locked {
            let entry = failed_entry(username, &ip, "rate_limited");
            audit_log::append(&mut conn, entry).await?;
            return Err(LoginError::RateLimited { retry_after_secs });
        }
        let user = if username.is_empty() || username.len() > 64 {
            None
        } else {
            store::users::by_username(&mut conn, username).await?
        };
        // Verify against a fixed hash when the user is unknown so timing does not reveal which
        // usernames exist.
        let hash = user
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.to_string());
        let password_ok = verify_password(password, &hash);
        let user = match user {
            Some(u) if password_ok && u.active == 1 => u,
            _ => {
                self.limiter.record_failure(&user_key, now);
                self.limiter.record_failure(&ip_key, now);
                audit_log::append(&mut conn, failed_entry(username, &ip, "wrong_credentials"))
                    .await?;
                return Err(LoginError::WrongCredentials);
            }
        };
        self.limiter.clear(&user_key);
        let token = random_token();
        let csrf_token = if kind == SessionKind::Cookie {
            random_token()
        } else {
            String::new()
        };
        let mut tx = self.store.begin().await?;
        store::sessions::insert(
            &mut tx,
            &token_hash(&token),
            &user.id,
            kind.code(),
            &csrf_token,
            now + kind.lifetime(),
        )
        .await?;
        let actor = actor_from_row(user, ip, csrf_token.clone())?;
        Audit::new(&actor, AuditAction::Login)
            .detail(kind.code())
            .commit(tx)
            .await?;
        Ok(LoginOk {
            token,
            csrf_token,
            actor,
        })
    }

    /// The actor behind a session cookie or bearer token, if it is live. A session read from
    /// the database is kept in this process for at most [`SESSION_CACHE_TTL`] (and never past
    /// its expiry); logout and changes to the user forget it here at once.
    pub async fn authenticate(&self, token: &str, ip: Option<String>) -> Result<Actor> {
        if token.is_empty() || token.len() > 128 {
            return Err(AppError::Unauthenticated);
        }
        let now = self.now();
        let hash = token_hash(token);
        let read_after = match self.sessions.live(&hash, now) {
            Ok(actor) => return Ok(Actor { ip, ..actor }),
            Err(read_after) => read_after,
        };
        let mut conn = self.store.acquire().await?;
        let session = store::sessions::get(&mut conn, &hash, now)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let user = store::users::by_id(&mut conn, &session.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if user.active != 1 {
            return Err(AppError::Unauthenticated);
        }
        let actor = actor_from_row(user, None, session.csrf_token)?;
        let expires_at = store::parse_time(&session.expires_at)?;
        let until = expires_at.min(now + SESSION_CACHE_TTL);
        self.sessions.keep(read_after, hash, actor.clone(), until);
        Ok(Actor { ip, ..actor })
    }

    pub async fn logout(&self, actor: &Actor, token: &str) -> Result<()> {
        let hash = token_hash(token);
        let mut tx = self.store.begin().await?;
        store::sessions::delete(&mut tx, &hash).await?;
        Audit::new(actor, AuditAction::Logout).commit(tx).await?;
        self.sessions.forget(&hash);
        Ok(())
    }

    /// Forgets the sessions of `user_id` this process holds, so that a change to the user
    /// (role, scope, password, deactivation) applies to their next request.
    pub(crate) fn forget_sessions_of(&self, user_id: &str) {
        self.sessions.forget_user(user_id);
    }

    /// Removes sessions past their expiry; returns how many.
    pub async fn expire_sessions(&self) -> Result<u64> {
        let mut conn = self.store.acquire().await?;
        Ok(store::sessions::delete_expired(&mut conn, self.now()).await?)
    }

    /// Creates the `admin` account on first start. Returns the generated password when none was
    /// given, so the caller can print it once.
    pub async fn ensure_admin(&self, password: Option<String>) -> Result<Option<String>> {
        let mut conn = self.store.acquire().await?;
        if store::users::by_username(&mut conn, "admin")
            .await?
            .is_some()
        {
            return Ok(None);
        }
        let (password, generated) = match password.filter(|p| !p.is_empty()) {
            Some(p) => (p, false),
            None => (generate_password(), true),
        };
        let fields = store::users::UserFields {
            username: "admin".into(),
            display_name: "系统管理员".into(),
            role: Role::Admin.code().into(),
            active: true,
            ..Default::default()
        };
        store::users::insert(&mut conn, &fields, &hash_password(&password)?).await?;
        Ok(generated.then_some(password))
    }
}

fn failed_entry(username: &str, ip: &Option<String>, why: &str) -> AuditEntry {
    AuditEntry {
        username: Some(username.chars().take(64).collect()),
        action: AuditAction::LoginFailed.code().into(),
        ip: ip.clone(),
        outcome: AuditOutcome::Denied.code().into(),
        detail: Some(why.into()),
        ..Default::default()
    }
}

/// argon2id hash of a random password nobody knows.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Jc4IJ8ZrP9gO3y3bS0mF8b4y5xIvv9E7o1nNQTu6hA";

impl App {
    /// The actor for a command-line task run as `username` (which must exist and be active).
    pub async fn system_actor(&self, username: &str) -> Result<Actor> {
        let mut conn = self.store.acquire().await?;
        let user = store::users::by_username(&mut conn, username)
            .await?
            .filter(|u| u.active == 1)
            .ok_or_else(|| AppError::Internal(format!("no active user {username}")))?;
        actor_from_row(user, Some("cli".into()), String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("Secret-123").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("Secret-123", &hash));
        assert!(!verify_password("secret-123", &hash));
        assert!(!verify_password("Secret-123", "garbage"));
        assert!(!verify_password("anything", DUMMY_HASH));
    }

    #[test]
    fn limiter_locks_after_five_failures_and_unlocks_after_the_window() {
        let limiter = LoginLimiter::default();
        let t0 = Utc::now();
        for i in 0..MAX_FAILURES {
            assert_eq!(
                limiter.locked_for("k", MAX_FAILURES, t0),
                None,
                "attempt {i}"
            );
            limiter.record_failure("k", t0);
        }
        assert!(limiter.locked_for("k", MAX_FAILURES, t0).is_some());
        assert!(limiter.locked_for("other", MAX_FAILURES, t0).is_none());
        assert_eq!(
            limiter.locked_for(
                "k",
                MAX_FAILURES,
                t0 + Duration::seconds(FAILURE_WINDOW_SECS + 1)
            ),
            None
        );
    }

    #[test]
    fn password_strength() {
        assert!(check_password_strength("short1").is_err());
        assert!(check_password_strength("alllowercase").is_err());
        assert!(check_password_strength("Longer-pass").is_ok());
        assert!(check_password_strength(&generate_password()).is_ok());
    }
}
