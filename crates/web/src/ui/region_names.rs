//! Region codes shown as names (`371402001` → 德城区 新华街道), looked up once per page.

use super::form::Opt;
use app::{Actor, App};
use std::collections::HashMap;

#[derive(Default)]
pub struct RegionNames {
    known: HashMap<String, Option<String>>,
}

impl RegionNames {
    /// The name of one region, if the registry has it.
    pub async fn name(&mut self, app: &App, code: &str) -> Option<String> {
        if let Some(known) = self.known.get(code) {
            return known.clone();
        }
        let name = app.region(code).await.ok().flatten().map(|r| r.name);
        self.known.insert(code.to_string(), name.clone());
        name
    }

    /// The region and its parent, the way people say where someone lives ("新华街道 幸福社区");
    /// the code itself when the registry does not know it.
    pub async fn short_path(&mut self, app: &App, code: &str) -> String {
        let Ok(parsed) = region::RegionCode::parse(code) else {
            return code.to_string();
        };
        let mut parts = Vec::new();
        if let Some(parent) = parsed
            .parent()
            .filter(|p| p.level() >= region::Level::County)
        {
            if let Some(name) = self.name(app, parent.prefix()).await {
                parts.push(name);
            }
        }
        match self.name(app, parsed.prefix()).await {
            Some(name) => parts.push(name),
            None => return parsed.display_code(),
        }
        parts.join(" ")
    }

    /// The whole chain from the province down.
    pub async fn full_path(&mut self, app: &App, code: &str) -> String {
        let Ok(parsed) = region::RegionCode::parse(code) else {
            return code.to_string();
        };
        let mut parts = Vec::new();
        for c in parsed.ancestors_and_self() {
            if let Some(name) = self.name(app, c.prefix()).await {
                parts.push(name);
            }
        }
        if parts.is_empty() {
            parsed.display_code()
        } else {
            parts.join(" ")
        }
    }
}

/// Regions to filter by: the caller's own region (or the top of the tree), descending while
/// there is only one child, then that region and its children; first the blank choice `any`.
pub async fn filter_options(app: &App, actor: &Actor, current: &str, any: &str) -> Vec<Opt> {
    let mut options = Vec::new();
    let mut root = actor.region_root().map(|c| c.prefix().to_string());
    let mut root_name = match &root {
        Some(code) => app.region(code).await.ok().flatten().map(|r| r.name),
        None => None,
    };
    // Province, city, county, township, village: at most five levels to descend.
    for depth in 0..5 {
        let Ok(children) = app.region_children(actor, root.as_deref()).await else {
            break;
        };
        if children.len() == 1 && depth < 4 {
            root = Some(children[0].code.clone());
            root_name = Some(children[0].name.clone());
            continue;
        }
        if let (Some(code), Some(name)) = (&root, &root_name) {
            options.push(Opt::new(display(code), name.clone(), current));
        }
        let indent = if root.is_some() { "\u{3000}" } else { "" };
        for child in children.into_iter().take(500) {
            options.push(Opt::new(
                display(&child.code),
                format!("{indent}{}", child.name),
                current,
            ));
        }
        break;
    }
    // A region chosen elsewhere (a chart's bar, a link) stays visible as the selection.
    if !current.is_empty() && !options.iter().any(|o| o.selected) {
        let name = RegionNames::default().short_path(app, current).await;
        options.push(Opt::new(current, name, current));
    }
    options.insert(0, Opt::new("", any, ""));
    options
}

/// Regions for a form's datalist: the caller's part of the tree, down to villages when there
/// are not too many.
pub async fn datalist(app: &App, actor: &Actor) -> Vec<Opt> {
    let root = actor.region_root().map(|c| c.prefix().to_string());
    let mut frontier: Vec<(Option<String>, String)> = vec![(root.clone(), String::new())];
    if let Some(code) = &root {
        if let Ok(Some(r)) = app.region(code).await {
            frontier = vec![(Some(r.code), r.name)];
        }
    }
    let mut options = Vec::new();
    while let Some((code, path)) = frontier.pop() {
        if options.len() >= 1500 {
            break;
        }
        if let Some(code) = &code {
            if !path.is_empty() {
                options.push(Opt::new(display(code), path.clone(), ""));
            }
        }
        if code.as_ref().is_some_and(|c| c.len() >= 12) {
            continue; // villages have no children
        }
        let Ok(children) = app.region_children(actor, code.as_deref()).await else {
            continue;
        };
        for child in children.into_iter().rev() {
            let child_path = if path.is_empty() {
                child.name.clone()
            } else {
                format!("{path} {}", child.name)
            };
            frontier.push((Some(child.code), child_path));
        }
    }
    options.sort_by(|a, b| a.value.cmp(&b.value));
    options
}

fn display(code: &str) -> String {
    region::RegionCode::parse(code)
        .map(|c| c.display_code())
        .unwrap_or_else(|_| code.to_string())
}
