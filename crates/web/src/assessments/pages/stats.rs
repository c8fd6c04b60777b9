//! Counts for supervision.

use super::*;

#[derive(Deserialize, Default)]
pub struct StatsParams {
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) instrument: Option<String>,
}

pub struct StatsRow {
    pub label: String,
    pub href: String,
    pub counts: Vec<String>,
    pub total: String,
}

#[derive(Template)]
#[template(path = "assessments/stats.html")]
pub(crate) struct StatsPage {
    pub(crate) ui: Ui,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) regions: Vec<Opt>,
    pub(crate) instruments: Vec<Opt>,
    pub(crate) instrument_name: String,
    pub(crate) scope_name: String,
    pub(crate) series: Vec<String>,
    pub(crate) chart: StackedBars,
    pub(crate) rows: Vec<StatsRow>,
    pub(crate) totals: Vec<String>,
    pub(crate) total: String,
    pub(crate) errors: FormErrors,
}

/// `GET /assessments/stats`: final assessments per sub-region and grade over a period.
pub async fn stats(
    State(state): State<WebState>,
    session: Session,
    Filters(params): Filters<StatsParams>,
) -> PageResult {
    let lang = session.lang;
    let today = today(&state);
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
    let mut problems = Vec::new();
    let mut date = |field: &str, given: &str, default: NaiveDate| {
        if given.is_empty() {
            return default;
        }
        NaiveDate::parse_from_str(given, "%Y-%m-%d").unwrap_or_else(|_| {
            problems.push(FieldError::new(field, Problem::Date));
            default
        })
    };
    let from_text = text(&params.from);
    let to_text = text(&params.to);
    let from = date("from", &from_text, today - chrono::Duration::days(365));
    let to = date("to", &to_text, today);
    let region_text = text(&params.region);
    let region = if region_text.is_empty() {
        None
    } else {
        match region::RegionCode::parse(&region_text) {
            Ok(code) => Some(code),
            Err(_) => {
                problems.push(FieldError::new("region", Problem::RegionCode));
                None
            }
        }
    };
    let graded: Vec<&Instrument> = assessment::catalog()
        .instruments
        .iter()
        .filter(|i| i.recordable && (!i.bands.is_empty() || !i.levels.is_empty()))
        .collect();
    let chosen_id = Some(text(&params.instrument))
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| GBT.to_string());
    let chosen = match graded.iter().find(|i| i.id == chosen_id) {
        Some(i) => *i,
        None => {
            problems.push(FieldError::new(
                "instrument",
                Problem::OneOf {
                    allowed: graded.iter().map(|i| i.id.as_str()).collect(),
                },
            ));
            graded
                .iter()
                .find(|i| i.id == GBT)
                .copied()
                .unwrap_or(graded[0])
        }
    };
    let errors = FormErrors::from_error(
        &AppError::Invalid(problems),
        lang,
        ["from", "to", "region", "instrument"]
            .map(String::from)
            .to_vec(),
        |f| match f {
            "from" => t(lang, "开始日期").into(),
            "to" => t(lang, "结束日期").into(),
            "region" => t(lang, "区划").into(),
            _ => t(lang, "量表").into(),
        },
    );
    // Without a chosen region, the sub-regions of the user's own.
    let prefix = region
        .as_ref()
        .or(session.actor.region_root())
        .map(|r| r.prefix().to_string());
    let rows = state
        .app
        .assessment_counts(&session.actor, from, to, prefix.as_deref())
        .await
        .or_page(&session)?;
    let group_len = app::assessments::child_prefix_len(prefix.as_deref());
    let grouped = app::assessments::roll_up(&rows, group_len);
    // The parts of each bar: the instrument's grades in order, then results without one.
    let bands: Vec<&assessment::Band> = if chosen.levels.is_empty() {
        chosen.bands.iter().collect()
    } else {
        chosen.levels.iter().collect()
    };
    let mut series: Vec<String> = bands
        .iter()
        .map(|b| {
            let name = short_name(lang.pick(&b.name_zh, &b.name_en));
            match b.grade {
                Some(g) if chosen.id == GBT => format!("{g} {name}"),
                _ => name,
            }
        })
        .collect();
    let other = series.len();
    let mut counts: BTreeMap<Option<String>, Vec<i64>> = BTreeMap::new();
    for row in grouped.iter().filter(|r| r.instrument_id == chosen.id) {
        let at = row
            .band
            .as_deref()
            .and_then(|b| bands.iter().position(|x| x.code == b))
            .unwrap_or(other);
        let line = counts
            .entry(row.region_code.clone())
            .or_insert_with(|| vec![0; other + 1]);
        line[at] += row.n;
    }
    let has_other = counts.values().any(|c| c[other] > 0);
    if has_other {
        series.push(t(lang, "未分级").into());
    }
    let width = series.len();
    let mut names = RegionNames::default();
    let mut chart_rows = Vec::new();
    let mut table = Vec::new();
    let mut totals = vec![0i64; width];
    for (code, line) in counts {
        let line: Vec<i64> = line.into_iter().take(width).collect();
        let (label, href) = match &code {
            Some(code) => {
                let display = region::display_code_of(code);
                let label = names
                    .name(&state.app, code)
                    .await
                    .unwrap_or_else(|| display.clone());
                let href = if code.len() < 12 {
                    format!(
                        "/assessments/stats?{}",
                        query(&[
                            ("from", &from.to_string()),
                            ("to", &to.to_string()),
                            ("region", &display),
                            ("instrument", &chosen.id),
                        ])
                    )
                } else {
                    String::new()
                };
                (label, href)
            }
            None => (t(lang, "未填区划").to_string(), String::new()),
        };
        for (i, n) in line.iter().enumerate() {
            totals[i] += n;
        }
        table.push(StatsRow {
            label: label.clone(),
            href: href.clone(),
            counts: line.iter().map(|n| thousands(*n)).collect(),
            total: thousands(line.iter().sum()),
        });
        chart_rows.push((label, Some(href).filter(|h| !h.is_empty()), line));
    }
    let scope_name = match &region {
        Some(code) => names.full_path(&state.app, code.prefix()).await,
        None => match session.actor.region_root() {
            Some(code) => names.full_path(&state.app, code.prefix()).await,
            None => t(lang, "全部辖区").to_string(),
        },
    };
    let page = StatsPage {
        ui: session.ui(Section::Assessments),
        from: from.to_string(),
        to: to.to_string(),
        regions: region_names::filter_options(
            &state.app,
            &session.actor,
            &region_text,
            t(lang, "不限"),
        )
        .await,
        instruments: graded
            .iter()
            .map(|i| Opt::new(i.id.clone(), i.name(lang), &chosen.id))
            .collect(),
        instrument_name: chosen.name(lang).to_string(),
        scope_name,
        chart: StackedBars::new(&series, chart_rows),
        series,
        total: thousands(totals.iter().sum()),
        totals: totals.iter().map(|n| thousands(*n)).collect(),
        rows: table,
        errors,
    };
    Ok(render(StatusCode::OK, &page))
}
