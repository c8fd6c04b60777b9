//! The home page: counts of the records in the caller's scope.

use crate::{Actor, App, Result};
use access::{Action, Scope};
use store::elders::ElderCounts;

#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    pub counts: ElderCounts,
    /// (code, name, records) one level below the caller's region, for the bar chart.
    pub by_region: Vec<(String, String, i64)>,
    /// (age band start, men, women) in five-year bands from 60, for the pyramid.
    pub age_bands: Vec<(i32, i64, i64)>,
    pub organizations: i64,
    /// Living elders per current care level (自理/半失能/失能), in that order; unassessed
    /// elders are not counted.
    pub care_levels: Vec<(assessment::SelfCareLevel, i64)>,
}

impl App {
    pub async fn dashboard(&self, actor: &Actor) -> Result<Dashboard> {
        let authorized = actor.reads_for(self, Action::ReadDashboard).await?;
        let mut conn = self.store.acquire().await?;
        let counts = store::elders::counts(&mut conn, &authorized).await?;
        let names = self.region_names().await?;
        let parent = match &actor.scope {
            Scope::Region(code) => Some(code.prefix().to_string()),
            _ => {
                // Everyone else: the region that holds most of their records' regions.
                let top: Vec<&String> = names.keys().filter(|k| k.len() == 6).collect();
                if top.len() == 1 {
                    Some(top[0].clone())
                } else {
                    names.keys().filter(|k| k.len() == 4).min().cloned()
                }
            }
        };
        let mut by_region = Vec::new();
        if let Some(parent) = parent {
            let child_digits = region::Level::from_digits(parent.len())
                .and_then(|l| l.child())
                .map(|l| l.digits());
            if let Some(digits) = child_digits {
                for (code, n) in
                    store::elders::counts_by_child_region(&mut conn, &authorized, &parent, digits)
                        .await?
                {
                    let name = names.get(&code).cloned().unwrap_or_else(|| code.clone());
                    by_region.push((code, name, n));
                }
            }
        }
        let this_year = chrono::Datelike::year(&crate::today(self.now()));
        let mut bands: Vec<(i32, i64, i64)> = (60..=100).step_by(5).map(|a| (a, 0, 0)).collect();
        for (year, sex, n) in store::elders::birth_years(&mut conn, &authorized).await? {
            let Ok(year) = year.parse::<i32>() else {
                continue;
            };
            let age = this_year - year;
            if age < 60 {
                continue;
            }
            let index = (((age - 60) / 5) as usize).min(bands.len() - 1);
            if sex == "male" {
                bands[index].1 += n
            } else {
                bands[index].2 += n
            }
        }
        let (_, organizations) = store::orgs::list(
            &mut conn,
            &store::orgs::OrgFilter {
                region_prefix: actor.scope.region_filter().map(|c| c.prefix().to_string()),
                limit: 1,
                ..Default::default()
            },
        )
        .await?;
        let stored = store::assessments::care_level_counts(&mut conn, &authorized).await?;
        let care_levels = assessment::SelfCareLevel::ALL
            .into_iter()
            .map(|level| {
                let n = stored
                    .iter()
                    .find(|(code, _)| code == level.code())
                    .map_or(0, |(_, n)| *n);
                (level, n)
            })
            .collect();
        Ok(Dashboard {
            care_levels,
            counts,
            by_region,
            age_bands: bands,
            organizations,
        })
    }
}
