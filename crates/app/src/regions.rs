//! The division tree: readable by everyone signed in; loaded by the demo generator and by
//! `yiyang import regions`.

use crate::{Actor, App, Result};
use access::Action;
pub use store::regions::RegionRow;

impl App {
    pub async fn region_children(
        &self,
        actor: &Actor,
        parent: Option<&str>,
    ) -> Result<Vec<RegionRow>> {
        actor.require(self, Action::ReadRegion).await?;
        let mut conn = self.store.acquire().await?;
        let parent = match parent {
            Some(p) => Some(
                region::RegionCode::parse(p)
                    .map_err(|_| crate::AppError::field("parent", registry::Problem::RegionCode))?,
            ),
            None => None,
        };
        Ok(store::regions::children(&mut conn, parent.as_ref().map(|p| p.prefix())).await?)
    }

    pub async fn region(&self, code: &str) -> Result<Option<RegionRow>> {
        let Ok(code) = region::RegionCode::parse(code) else {
            return Ok(None);
        };
        let mut conn = self.store.acquire().await?;
        Ok(store::regions::get(&mut conn, code.prefix()).await?)
    }

    /// Region names by significant code, for showing codes as names.
    pub async fn region_names(&self) -> Result<std::collections::HashMap<String, String>> {
        let mut conn = self.store.acquire().await?;
        Ok(store::regions::all(&mut conn)
            .await?
            .into_iter()
            .map(|r| (r.code, r.name))
            .collect())
    }

    /// Adds or renames regions (parents must come first or already exist).
    pub async fn upsert_regions(&self, regions: &[region::Region]) -> Result<usize> {
        let mut tx = self.store.begin().await?;
        let mut known = std::collections::HashSet::new();
        for r in regions {
            if let Some(parent) = r.code.parent() {
                let present = known.contains(parent.prefix())
                    || store::regions::get(&mut tx, parent.prefix())
                        .await?
                        .is_some();
                if !present {
                    return Err(crate::AppError::field(
                        "code",
                        registry::Problem::Invalid {
                            zh: format!("{} 的上级区划 {} 不存在", r.code, parent),
                            en: format!("the parent {} of {} is not known", parent, r.code),
                        },
                    ));
                }
            }
            known.insert(r.code.prefix().to_string());
            store::regions::upsert(&mut tx, r).await?;
        }
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(regions.len())
    }
}
