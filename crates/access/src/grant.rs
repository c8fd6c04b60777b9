//! Record grants as rules: what a request to let someone read one elder's record must say, and
//! for how long it may last. A grant widens a reader's scope by one record; it never lets anyone
//! change the record, and it ends at its `until` or when revoked, whichever comes first.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use registry::{FieldError, Problem};

/// The longest a single grant may run: a long referral or a year of shared care. Longer
/// sharing is a change of responsible organization, not a grant.
pub const MAX_DAYS: i64 = 366;
/// The reason is shown to the elder's family and in the audit log: a sentence, not an essay.
pub const MAX_REASON_CHARS: usize = 200;

/// A grant request as it arrives: exactly one grantee, a reason and an end.
#[derive(Debug, Clone, Default)]
pub struct GrantRequest {
    pub organization_id: Option<String>,
    pub user_id: Option<String>,
    pub reason: Option<String>,
    /// RFC 3339 time, or a date `YYYY-MM-DD` meaning the end of that day in Asia/Shanghai.
    pub until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grantee {
    Organization(String),
    User(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidGrant {
    pub grantee: Grantee,
    pub reason: String,
    pub until: DateTime<Utc>,
}

impl GrantRequest {
    /// Checks the request at `now`; every problem is named by its field.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ValidGrant, Vec<FieldError>> {
        let mut errors = Vec::new();
        let present = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        let grantee = match (present(&self.organization_id), present(&self.user_id)) {
            (Some(org), None) => Some(Grantee::Organization(org)),
            (None, Some(user)) => Some(Grantee::User(user)),
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(
                    "user_id",
                    Problem::Invalid {
                        zh: "机构与用户只能二选一".into(),
                        en: "give either organization_id or user_id, not both".into(),
                    },
                ));
                None
            }
            (None, None) => {
                errors.push(FieldError::new("organization_id", Problem::Required));
                None
            }
        };
        let reason = match present(&self.reason) {
            None => {
                errors.push(FieldError::new("reason", Problem::Required));
                None
            }
            Some(r) if r.chars().count() > MAX_REASON_CHARS => {
                errors.push(FieldError::new(
                    "reason",
                    Problem::TooLong {
                        max: MAX_REASON_CHARS,
                    },
                ));
                None
            }
            Some(r) if r.chars().any(char::is_control) => {
                errors.push(FieldError::new("reason", Problem::ControlCharacters));
                None
            }
            Some(r) => Some(r),
        };
        let until = match present(&self.until).map(|t| parse_until(&t)) {
            None => {
                errors.push(FieldError::new("until", Problem::Required));
                None
            }
            Some(None) => {
                errors.push(FieldError::new(
                    "until",
                    Problem::Invalid {
                        zh: "须为日期（YYYY-MM-DD）或 RFC 3339 时间".into(),
                        en: "must be a date (YYYY-MM-DD) or an RFC 3339 time".into(),
                    },
                ));
                None
            }
            Some(Some(t)) if t <= now => {
                errors.push(FieldError::new(
                    "until",
                    Problem::Invalid {
                        zh: "须晚于当前时间".into(),
                        en: "must be in the future".into(),
                    },
                ));
                None
            }
            Some(Some(t)) if t > now + Duration::days(MAX_DAYS) => {
                errors.push(FieldError::new(
                    "until",
                    Problem::Invalid {
                        zh: format!("授权期限最长 {MAX_DAYS} 天"),
                        en: format!("a grant lasts at most {MAX_DAYS} days"),
                    },
                ));
                None
            }
            Some(Some(t)) => Some(t),
        };
        match (grantee, reason, until) {
            (Some(grantee), Some(reason), Some(until)) if errors.is_empty() => Ok(ValidGrant {
                grantee,
                reason,
                until,
            }),
            _ => Err(errors),
        }
    }
}

/// `until` as a time: RFC 3339, or a date meaning the end of that day (24:00) in Asia/Shanghai.
fn parse_until(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let shanghai = chrono::FixedOffset::east_opt(8 * 3600)?;
    let midnight = date.succ_opt()?.and_time(NaiveTime::MIN);
    shanghai
        .from_local_datetime(&midnight)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-03T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn request(org: Option<&str>, user: Option<&str>, reason: &str, until: &str) -> GrantRequest {
        GrantRequest {
            organization_id: org.map(str::to_string),
            user_id: user.map(str::to_string),
            reason: Some(reason.to_string()),
            until: Some(until.to_string()),
        }
    }

    fn fields(r: Result<ValidGrant, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_date_means_the_end_of_that_day_in_shanghai() {
        let g = request(Some("o"), None, "转诊", "2026-12-10")
            .validate(now())
            .unwrap();
        assert_eq!(g.until.to_rfc3339(), "2026-12-10T16:00:00+00:00");
        assert_eq!(g.grantee, Grantee::Organization("o".into()));
    }

    #[test]
    fn exactly_one_grantee() {
        let both = request(Some("o"), Some("u"), "会诊", "2026-12-10");
        assert_eq!(fields(both.validate(now())), ["user_id"]);
        let none = request(None, None, "会诊", "2026-12-10");
        assert_eq!(fields(none.validate(now())), ["organization_id"]);
        let user = request(None, Some(" u "), "会诊", "2026-12-10");
        assert_eq!(
            user.validate(now()).unwrap().grantee,
            Grantee::User("u".into())
        );
    }

    #[test]
    fn until_must_be_future_and_within_the_limit() {
        // One second after now is the earliest end; now itself is refused.
        assert!(request(Some("o"), None, "r", "2026-12-03T08:00:01Z")
            .validate(now())
            .is_ok());
        let at_now = request(Some("o"), None, "r", "2026-12-03T08:00:00Z");
        assert_eq!(fields(at_now.validate(now())), ["until"]);
        // Exactly MAX_DAYS is allowed, one second more is not.
        let limit = now() + Duration::days(MAX_DAYS);
        assert!(request(Some("o"), None, "r", &limit.to_rfc3339())
            .validate(now())
            .is_ok());
        let over = limit + Duration::seconds(1);
        let too_long = request(Some("o"), None, "r", &over.to_rfc3339());
        assert_eq!(fields(too_long.validate(now())), ["until"]);
        let garbage = request(Some("o"), None, "r", "next week");
        assert_eq!(fields(garbage.validate(now())), ["until"]);
    }

    #[test]
    fn reason_is_required_short_and_printable() {
        assert_eq!(
            fields(request(Some("o"), None, "  ", "2026-12-10").validate(now())),
            ["reason"]
        );
        let long = "转".repeat(MAX_REASON_CHARS + 1);
        assert_eq!(
            fields(request(Some("o"), None, &long, "2026-12-10").validate(now())),
            ["reason"]
        );
        let exact = "转".repeat(MAX_REASON_CHARS);
        assert!(request(Some("o"), None, &exact, "2026-12-10")
            .validate(now())
            .is_ok());
        assert_eq!(
            fields(request(Some("o"), None, "a\u{7}b", "2026-12-10").validate(now())),
            ["reason"]
        );
    }
}
