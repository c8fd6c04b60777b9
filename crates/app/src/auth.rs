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

/// Failed sign-ins within a sliding window, counted so that wrong passwords slow whoever sends
/// them and never lock the account's owner out: a client address is refused a while for one
/// account after [`MAX_FAILURES`] on it, and for every account after
/// [`MAX_FAILURES_PER_ADDRESS`]; an account attacked from many addresses answers ever more slowly
/// ([`account_delay`]) but still lets the right password in. Each attempt counts as failed from
/// the moment it is let through, so that concurrent guesses cannot slip past the count.
///
/// Pure in-memory state: a restart forgets it, which only gives an attacker one more window.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<FailureCount, Vec<DateTime<Utc>>>>,
}

/// What a failure is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FailureCount {
    AddressOnAccount { address: String, account: String },
    Address(String),
    Account(String),
}

/// A sign-in attempt the limiter let through: counted as failed until
/// [`LoginLimiter::succeeded`]; the caller waits `delay` before checking the password.
#[derive(Debug)]
pub struct Attempt {
    address: String,
    account: String,
    at: DateTime<Utc>,
    pub delay: std::time::Duration,
}

/// Failed attempts from one address on one account before that pair is refused for the rest of
/// the window.
pub const MAX_FAILURES: usize = 5;
/// Failed attempts per client address on any accounts: higher, since a whole hospital may share
/// one address.
pub const MAX_FAILURES_PER_ADDRESS: usize = 30;
pub const FAILURE_WINDOW_SECS: i64 = 300;
/// The longest an attempt on a much-attacked account waits.
pub const MAX_ACCOUNT_DELAY: std::time::Duration = std::time::Duration::from_secs(2);

/// How long an attempt on an account with `failures` recent failures (from any addresses) waits:
/// nothing for the first [`MAX_FAILURES`], then doubling from a quarter second up to
/// [`MAX_ACCOUNT_DELAY`].
pub fn account_delay(failures: usize) -> std::time::Duration {
    let Some(beyond) = failures.checked_sub(MAX_FAILURES) else {
        return std::time::Duration::ZERO;
    };
    let quarter = std::time::Duration::from_millis(250);
    quarter
        .checked_mul(1 << beyond.min(16))
        .map_or(MAX_ACCOUNT_DELAY, |d| d.min(MAX_ACCOUNT_DELAY))
}

impl LoginLimiter {
    /// Keys beyond which expired counts are dropped.
    const MAX_KEYS: usize = 100_000;

    /// Lets an attempt from `address` on `account` through, or says in how many seconds it may
    /// be tried again.
    pub fn begin(
        &self,
        address: &str,
        account: &str,
        now: DateTime<Utc>,
    ) -> std::result::Result<Attempt, u64> {
        let mut map = self.failures.lock().expect("limiter lock");
        let window_start = now - Duration::seconds(FAILURE_WINDOW_SECS);
        if map.len() > Self::MAX_KEYS {
            map.retain(|_, times| times.last().is_some_and(|t| *t > window_start));
        }
        let keys = Self::counts(address, account);
        for key in &keys {
            if let Some(times) = map.get_mut(key) {
                times.retain(|t| *t > window_start);
            }
        }
        let recent = |key: &FailureCount| map.get(key).map(Vec::as_slice).unwrap_or_default();
        let [on_account_from_address, from_address, on_account] = &keys;
        let limits = [
            (on_account_from_address, MAX_FAILURES),
            (from_address, MAX_FAILURES_PER_ADDRESS),
        ];
        for (key, max) in limits {
            let times = recent(key);
            if times.len() >= max {
                let retry = times[0] + Duration::seconds(FAILURE_WINDOW_SECS) - now;
                return Err(retry.num_seconds().max(1) as u64);
            }
        }
        let delay = account_delay(recent(on_account).len());
        for key in keys {
            map.entry(key).or_default().push(now);
        }
        Ok(Attempt {
            address: address.to_string(),
            account: account.to_string(),
            at: now,
            delay,
        })
    }

    /// The attempt signed in: its address may try this account afresh, and it no longer counts
    /// against the address or the account.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut map = self.failures.lock().expect("limiter lock");
        let [pair, address, account] = Self::counts(&attempt.address, &attempt.account);
        map.remove(&pair);
        for key in [address, account] {
            if let Some(times) = map.get_mut(&key) {
                if let Some(i) = times.iter().position(|t| *t == attempt.at) {
                    times.remove(i);
                }
            }
        }
    }

    fn counts(address: &str, account: &str) -> [FailureCount; 3] {
        [
            FailureCount::AddressOnAccount {
                address: address.to_string(),
                account: account.to_string(),
            },
            FailureCount::Address(address.to_string()),
            FailureCount::Account(account.to_string()),
        ]
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
    /// Checks a username and password, rate-limited by [`LoginLimiter`]; every attempt is
    /// audited. On success a session (cookie) or token (API) is created.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: Option<String>,
        kind: SessionKind,
    ) -> std::result::Result<LoginOk, LoginError> {
        let now = self.now();
        let username = username.trim();
        // Longer names match no account (see below), so they may share one count.
        let account: String = username.to_lowercase().chars().take(65).collect();
        let address = ip.as_deref().unwrap_or("-");
        let attempt = match self.limiter.begin(address, &account, now) {
            Ok(attempt) => attempt,
            Err(retry_after_secs) => {
                let mut conn = self.store.acquire().await?;
                let entry = failed_entry(username, &ip, "rate_limited");
                audit_log::append(&mut conn, entry).await?;
                return Err(LoginError::RateLimited { retry_after_secs });
            }
        };
        // Slows an account attacked from many addresses, before holding a connection.
        tokio::time::sleep(attempt.delay).await;
        let mut conn = self.store.acquire().await?;
        let user = if username.is_empty() || username.len() > 64 {
            None
        } else {
            store::users::by_username(&mut conn, username).await?
        };
        drop(conn);
        // Verify against a fixed hash when the user is unknown so timing does not reveal which
        // usernames exist.
        let hash = user
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.to_string());
        // Argon2 spends tens of milliseconds of CPU: a flood of guesses must not stall the
        // request threads, nor hold database connections meanwhile.
        let password = password.to_string();
        let password_ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .map_err(|e| AppError::Internal(format!("checking a password failed: {e}")))?;
        let user = match user {
            Some(u) if password_ok && u.active == 1 => u,
            _ => {
                let mut conn = self.store.acquire().await?;
                audit_log::append(&mut conn, failed_entry(username, &ip, "wrong_credentials"))
                    .await?;
                return Err(LoginError::WrongCredentials);
            }
        };
        self.limiter.succeeded(attempt);
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

    /// `failures` failed attempts from `address` on `account` at `at`.
    fn fail(
        limiter: &LoginLimiter,
        address: &str,
        account: &str,
        failures: usize,
        at: DateTime<Utc>,
    ) {
        for i in 0..failures {
            assert!(limiter.begin(address, account, at).is_ok(), "attempt {i}");
        }
    }

    #[test]
    fn an_address_is_refused_an_account_after_five_failures_until_the_window_passes() {
        let limiter = LoginLimiter::default();
        let t0 = Utc::now();
        fail(&limiter, "10.0.0.1", "doctor", MAX_FAILURES - 1, t0);
        let last_free = limiter.begin("10.0.0.1", "doctor", t0).unwrap();
        assert_eq!(last_free.delay, std::time::Duration::ZERO);
        let refused = limiter.begin("10.0.0.1", "doctor", t0);
        assert_eq!(refused.unwrap_err(), FAILURE_WINDOW_SECS as u64);
        let almost = t0 + Duration::seconds(FAILURE_WINDOW_SECS - 1);
        assert_eq!(limiter.begin("10.0.0.1", "doctor", almost).unwrap_err(), 1);
        let after = t0 + Duration::seconds(FAILURE_WINDOW_SECS);
        assert!(limiter.begin("10.0.0.1", "doctor", after).is_ok());
    }

    #[test]
    fn the_owner_signs_in_from_another_address_while_the_attacker_is_refused() {
        let limiter = LoginLimiter::default();
        let t0 = Utc::now();
        fail(&limiter, "203.0.113.66", "doctor", MAX_FAILURES, t0);
        assert!(limiter.begin("203.0.113.66", "doctor", t0).is_err());
        let owner = limiter.begin("198.51.100.20", "doctor", t0).unwrap();
        assert!(owner.delay <= MAX_ACCOUNT_DELAY);
        limiter.succeeded(owner);
        // The attacker may still try other accounts, up to the address's own limit.
        assert!(limiter.begin("203.0.113.66", "nurse", t0).is_ok());
    }

    #[test]
    fn an_address_is_refused_every_account_after_thirty_failures() {
        let limiter = LoginLimiter::default();
        let t0 = Utc::now();
        for i in 0..MAX_FAILURES_PER_ADDRESS - 1 {
            fail(&limiter, "10.0.0.1", &format!("user{i}"), 1, t0);
        }
        // The thirtieth is let through; the thirty-first is not, on any account.
        assert!(limiter.begin("10.0.0.1", "user-a", t0).is_ok());
        assert!(limiter.begin("10.0.0.1", "user-b", t0).is_err());
        assert!(limiter.begin("10.0.0.2", "user-b", t0).is_ok());
    }

    #[test]
    fn a_success_lets_its_address_try_the_account_afresh() {
        let limiter = LoginLimiter::default();
        let t0 = Utc::now();
        fail(&limiter, "10.0.0.1", "doctor", MAX_FAILURES - 1, t0);
        let right = limiter.begin("10.0.0.1", "doctor", t0).unwrap();
        limiter.succeeded(right);
        fail(&limiter, "10.0.0.1", "doctor", MAX_FAILURES, t0);
        assert!(limiter.begin("10.0.0.1", "doctor", t0).is_err());
    }

    #[test]
    fn an_account_attacked_from_many_addresses_slows_down_up_to_a_cap() {
        use std::time::Duration as Wait;
        assert_eq!(account_delay(0), Wait::ZERO);
        assert_eq!(account_delay(MAX_FAILURES - 1), Wait::ZERO);
        assert_eq!(account_delay(MAX_FAILURES), Wait::from_millis(250));
        assert_eq!(account_delay(MAX_FAILURES + 2), Wait::from_secs(1));
        assert_eq!(account_delay(MAX_FAILURES + 3), MAX_ACCOUNT_DELAY);
        assert_eq!(account_delay(MAX_FAILURES + 4), MAX_ACCOUNT_DELAY);
        assert_eq!(account_delay(usize::MAX), MAX_ACCOUNT_DELAY);

        let limiter = LoginLimiter::default();
        let t0 = Utc::now();
        for i in 0..MAX_FAILURES {
            fail(&limiter, &format!("10.0.1.{i}"), "doctor", 1, t0);
        }
        let next = limiter.begin("10.0.2.1", "doctor", t0).unwrap();
        assert_eq!(next.delay, Wait::from_millis(250));
        let later = t0 + Duration::seconds(FAILURE_WINDOW_SECS);
        let rested = limiter.begin("10.0.2.1", "doctor", later).unwrap();
        assert_eq!(rested.delay, Wait::ZERO);
    }

    #[test]
    fn password_strength() {
        assert!(check_password_strength("short1").is_err());
        assert!(check_password_strength("alllowercase").is_err());
        assert!(check_password_strength("Longer-pass").is_ok());
        assert!(check_password_strength(&generate_password()).is_ok());
    }
}
