//! Who is told when nobody acknowledges an alert in time: first the elder's family-doctor team,
//! then the family contact, then an emergency (120) dispatch record. Each step has its own
//! delay counted from the moment the alert opened; how far the chain goes depends on the
//! severity (a bed exit never calls an ambulance). Pure: times are arguments.

use crate::rule::Severity;
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// SMS/WeChat to the doctors and nurses of the elder's responsible organization.
    Team,
    /// SMS to the elder's first contact with a phone number.
    Family,
    /// An emergency (120) dispatch record with the elder's address.
    Dispatch,
}

impl Step {
    pub const ALL: [Step; 3] = [Step::Team, Step::Family, Step::Dispatch];

    pub fn code(self) -> &'static str {
        match self {
            Step::Team => "team",
            Step::Family => "family",
            Step::Dispatch => "dispatch",
        }
    }

    /// The step's number on the alert (`escalation_level`): 1, 2, 3.
    pub fn level(self) -> i64 {
        match self {
            Step::Team => 1,
            Step::Family => 2,
            Step::Dispatch => 3,
        }
    }
}

/// Minutes from the alert's opening to each step, as the deployment configures them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub team_minutes: i64,
    pub family_minutes: i64,
    pub dispatch_minutes: i64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            team_minutes: 5,
            family_minutes: 15,
            dispatch_minutes: 30,
        }
    }
}

impl Policy {
    /// `(field, why)` for each setting that cannot be used: each delay at least 0, at most a
    /// day, and never before the previous step.
    pub fn check(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        for (field, minutes) in [
            ("team_minutes", self.team_minutes),
            ("family_minutes", self.family_minutes),
            ("dispatch_minutes", self.dispatch_minutes),
        ] {
            if !(0..=1440).contains(&minutes) {
                problems.push((field, "must be between 0 and 1440 minutes".to_string()));
            }
        }
        if self.family_minutes < self.team_minutes {
            problems.push((
                "family_minutes",
                "must not be before team_minutes".to_string(),
            ));
        }
        if self.dispatch_minutes < self.family_minutes {
            problems.push((
                "dispatch_minutes",
                "must not be before family_minutes".to_string(),
            ));
        }
        problems
    }

    fn minutes(&self, step: Step) -> i64 {
        match step {
            Step::Team => self.team_minutes,
            Step::Family => self.family_minutes,
            Step::Dispatch => self.dispatch_minutes,
        }
    }

    /// When `step` is due for an alert opened at `opened_at`.
    pub fn due_at(&self, step: Step, opened_at: DateTime<Utc>) -> DateTime<Utc> {
        opened_at + Duration::minutes(self.minutes(step))
    }
}

/// The last step an alert of `severity` may reach: warnings stop at the team, urgent alerts at
/// the family, critical ones (crisis pressure, severe hypoglycaemia, a fall, SOS) go on to 120.
pub fn last_step(severity: Severity) -> Option<Step> {
    match severity {
        Severity::Info => None,
        Severity::Warning => Some(Step::Team),
        Severity::Urgent => Some(Step::Family),
        Severity::Critical => Some(Step::Dispatch),
    }
}

/// The step after `done` (the highest step taken so far, `None` before the first) for an
/// unacknowledged alert of `severity`.
pub fn next_step(severity: Severity, done: Option<Step>) -> Option<Step> {
    let last = last_step(severity)?;
    let next = match done {
        None => Step::Team,
        Some(Step::Team) => Step::Family,
        Some(Step::Family) => Step::Dispatch,
        Some(Step::Dispatch) => return None,
    };
    (next <= last).then_some(next)
}

/// The step with `level` (1, 2, 3), `None` for 0 (no step taken yet).
pub fn step_of_level(level: i64) -> Option<Step> {
    Step::ALL.into_iter().find(|s| s.level() == level)
}

/// Every step due at `now` for an unacknowledged alert, in order: a job that was down for an
/// hour catches up on all of them at once rather than one per run.
pub fn due_steps(
    severity: Severity,
    done: Option<Step>,
    opened_at: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut done = done;
    while let Some(step) = next_step(severity, done) {
        if policy.due_at(step, opened_at) > now {
            break;
        }
        steps.push(step);
        done = Some(step);
    }
    steps
}

/// When the next step after `done` falls due, if there is one.
pub fn next_due_at(
    severity: Severity,
    done: Option<Step>,
    opened_at: DateTime<Utc>,
    policy: &Policy,
) -> Option<DateTime<Utc>> {
    next_step(severity, done).map(|s| policy.due_at(s, opened_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::minutes(minutes)
    }

    fn check(severity: Severity, done: Option<Step>, minutes: i64, expected: &[Step]) {
        let steps = due_steps(severity, done, at(0), at(minutes), &Policy::default());
        assert_eq!(
            steps, expected,
            "{severity:?} after {done:?} at +{minutes} min"
        );
    }

    #[test]
    fn critical_alerts_walk_the_whole_chain_on_schedule() {
        use Step::*;
        check(Severity::Critical, None, 4, &[]);
        check(Severity::Critical, None, 5, &[Team]);
        check(Severity::Critical, Some(Team), 14, &[]);
        check(Severity::Critical, Some(Team), 15, &[Family]);
        check(Severity::Critical, Some(Family), 29, &[]);
        check(Severity::Critical, Some(Family), 30, &[Dispatch]);
        check(Severity::Critical, Some(Dispatch), 600, &[]);
        // A job that was down catches up in order.
        check(Severity::Critical, None, 45, &[Team, Family, Dispatch]);
    }

    #[test]
    fn lesser_severities_stop_earlier() {
        use Step::*;
        check(Severity::Warning, None, 600, &[Team]);
        check(Severity::Urgent, None, 600, &[Team, Family]);
        check(Severity::Info, None, 600, &[]);
        assert_eq!(last_step(Severity::Urgent), Some(Family));
    }

    #[test]
    fn next_due_time_follows_the_policy() {
        let policy = Policy {
            team_minutes: 0,
            family_minutes: 2,
            dispatch_minutes: 3,
        };
        assert!(policy.check().is_empty());
        assert_eq!(
            next_due_at(Severity::Critical, None, at(0), &policy),
            Some(at(0))
        );
        assert_eq!(
            next_due_at(Severity::Critical, Some(Step::Family), at(0), &policy),
            Some(at(3))
        );
        assert_eq!(
            next_due_at(Severity::Warning, Some(Step::Team), at(0), &policy),
            None
        );
        assert_eq!(step_of_level(0), None);
        assert_eq!(step_of_level(2), Some(Step::Family));
    }

    #[test]
    fn policies_out_of_order_are_refused() {
        let policy = Policy {
            team_minutes: 10,
            family_minutes: 5,
            dispatch_minutes: 2000,
        };
        let fields: Vec<&str> = policy.check().iter().map(|p| p.0).collect();
        assert_eq!(fields, ["dispatch_minutes", "family_minutes"]);
    }
}
