//! The synthetic demo county: plausible people, valid identity numbers, realistic ages and
//! prevalence, institutions, staff and the demo users. Deterministic for a seed. Only synthetic
//! data, ever: names are drawn at random from common characters, identity numbers are composed
//! from invented sequence numbers (with a valid check character), phone numbers are random
//! digits, addresses and most place names are invented.
//!
//! The distributions make the demo look like a Chinese county; they are rounded approximations,
//! not statistics:
//! - age structure of the 60+ population and women's share by age: 2020 national census
//!   (第七次全国人口普查), 5-year groups, smoothed to fall steadily with age;
//! - hypertension (I10): China Hypertension Survey 2012–2015 (Wang Z. et al., Circulation 2018)
//!   and the 2020 Report on Chronic Diseases and Nutrition of Chinese Residents: about half of
//!   people 60+, rising with age;
//! - type 2 diabetes (E11.9): Li Y. et al., BMJ 2020 (2017 national survey): about one in five;
//! - coronary heart disease (I25.1) and stroke sequelae (I69.3): Report on Cardiovascular Health
//!   and Diseases in China 2022, rising with age;
//! - COPD (J44.9): recorded diagnoses, well below the spirometry prevalence of the China
//!   Pulmonary Health study (Wang C. et al., Lancet 2018);
//! - dementia (F03): Jia L. et al., Lancet Public Health 2020 (about 6% of 60+, roughly doubling
//!   every five years of age);
//! - disability, special categories, living situation and insurance: the fourth sample survey on
//!   the living conditions of older people (第四次中国城乡老年人生活状况抽样调查, 2015) and the
//!   shares issue 2 asks for;
//! - surnames: household-registration surname report of the Ministry of Public Security (2020).

use access::Role;
use app::{App, AppError, Result};
use chrono::{Months, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use registry::organization::{OrgInput, OrgService, ValidOrg};
use registry::{ElderInput, OrgGrade, OrgKind, Sex};
use std::sync::Arc;
use std::time::Instant;
use store::elders::ElderColumns;

pub mod devices;

pub const DEFAULT_ELDERS: usize = 20_000;

/// `--elders` scales the region by adding counties: about one per this many elders.
pub const ELDERS_PER_COUNTY: usize = 20_000;

/// Elders generated at a time and handed to the writer.
const BATCH: usize = 20_000;

/// Elders per transaction. Each commit writes every index page it touched, and identity
/// numbers and names arrive in random order and touch most of them: on SQLite, five commits
/// per 100,000 records instead of one took a tenth longer and doubled the time spent writing.
const ROWS_PER_TRANSACTION: usize = 100_000;

/// The password hash of staff accounts that are not demo logins: it is not a PHC string, so it
/// never verifies and nobody can sign in as them.
const NO_LOGIN: &str = "!";

/// The usernames of the demo logins, all with the one demo password.
pub const DEMO_USERS: [&str; 7] = [
    "supervisor",
    "doctor",
    "nurse",
    "caregiver",
    "assessor",
    "assessor2",
    "family",
];

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub elders: usize,
    pub seed: u64,
    /// Password of the demo users; generated (and returned) when None.
    pub password: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    pub elders: usize,
    pub organizations: usize,
    pub regions: usize,
    pub users: usize,
    pub seconds: f64,
    pub generated_password: Option<String>,
}

/// Fills the database with the demo region. `progress` is called with the number of elders
/// stored so far.
///
/// Refuses a database that already holds elder records or the demo users: the demo fills an
/// empty database and is never mixed with real records.
pub async fn generate(
    app: &App,
    options: &DemoOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<DemoSummary> {
    let started = Instant::now();
    let now = app.now();
    let today = app::today(now);
    // Marks an empty database (or refuses one with records and no marker) before the first
    // write, so that no record of the demo ever lies in an unmarked database.
    app.mark_demo_database().await?;
    let store = app.demo_store().await?;
    let authorized = app.demo_authorized().await?;
    refuse_unless_empty(app, &store).await?;

    let plan = Arc::new(Plan::new(options.elders, options.seed, today)?);
    let (password, generated_password) = match options.password.clone().filter(|p| !p.is_empty()) {
        Some(p) => (p, None),
        None => {
            let p = app::auth::generate_password();
            (p.clone(), Some(p))
        }
    };
    // Hashed once (argon2 is slow on purpose) and shared by every demo login.
    let hash = tokio::task::spawn_blocking(move || app::auth::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;

    let mut tx = store.begin().await?;
    for r in plan.regions()? {
        store::regions::upsert(&mut tx, &r).await?;
    }
    let mut organizations = 0;
    let mut users = 0;
    for county in &plan.counties {
        for org in &county.orgs {
            store::orgs::insert(&mut tx, &org.valid, Some(org.id.clone())).await?;
            organizations += 1;
        }
    }
    for staff in plan.staff() {
        store::users::insert(&mut tx, &staff, NO_LOGIN).await?;
        users += 1;
    }
    tx.commit().await.map_err(store::StoreError::from)?;

    let family_elder = store_elders((&store, &authorized), &plan, now, progress).await?;
    let family_elder = family_elder.ok_or_else(|| {
        AppError::Internal("no living elder is managed by the first health centre".into())
    })?;

    let mut tx = store.begin().await?;
    for user in plan.demo_users(&family_elder.0, &family_elder.1) {
        store::users::insert(&mut tx, &user, &hash).await?;
        users += 1;
    }
    let entry = store::audit::AuditEntry {
        username: Some("demo".into()),
        action: access::AuditAction::ElderImport.code().into(),
        outcome: "ok".into(),
        detail: Some(format!(
            "demo generator: {} elders, seed {}",
            options.elders, options.seed
        )),
        ..Default::default()
    };
    app::audit_log::commit(tx, entry).await?;
    seed_assessments(app, &store, options.seed, now).await?;
    devices::seed(app, &store, options.seed, now).await?;

    Ok(DemoSummary {
        elders: options.elders,
        organizations,
        regions: plan.region_count(),
        users,
        seconds: started.elapsed().as_secs_f64(),
        generated_password,
    })
}

async fn refuse_unless_empty(app: &App, store: &store::Store) -> Result<()> {
    if !app.is_empty().await? {
        return Err(AppError::Internal(
            "the database already holds elder records; the demo generator only fills an empty \
             database"
                .into(),
        ));
    }
    let mut conn = store.acquire().await?;
    for username in DEMO_USERS {
        if store::users::by_username(&mut conn, username)
            .await?
            .is_some()
        {
            return Err(AppError::Internal(format!(
                "user {username} already exists; the demo generator only fills an empty database"
            )));
        }
    }
    Ok(())
}

/// Generates the people on a blocking thread while this task stores the previous batch, so that
/// the two cores work side by side. Returns the (id, name) of a living elder managed by the
/// demo doctor's health centre, for the `family` login.
async fn store_elders(
    (store, authorized): (&store::Store, &store::Authorized),
    plan: &Arc<Plan>,
    now: chrono::DateTime<chrono::Utc>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Option<(String, String)>> {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Result<Vec<ElderColumns>>>(2);
    let generator_plan = Arc::clone(plan);
    let generator = tokio::task::spawn_blocking(move || {
        let mut people = People::new(&generator_plan);
        let today = generator_plan.today;
        loop {
            let mut batch = Vec::with_capacity(BATCH);
            let mut failed = None;
            while batch.len() < BATCH {
                match people.next() {
                    None => break,
                    Some(Ok(input)) => match input.validate(today) {
                        Ok(valid) => batch.push(ElderColumns::from_valid(&valid)),
                        Err(errors) => {
                            failed = Some(AppError::Invalid(errors));
                            break;
                        }
                    },
                    Some(Err(e)) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            // In name order, each batch's inserts into the name and initials indexes walk
            // those trees forward instead of at random (about a sixth faster on SQLite).
            batch.sort_by(|a, b| a.name.cmp(&b.name));
            let done = batch.is_empty();
            if let Some(error) = failed {
                let _ = sender.blocking_send(Err(error));
                return;
            }
            if done || sender.blocking_send(Ok(batch)).is_err() {
                return;
            }
        }
    });

    let doctor_org = plan.doctor_org_id();
    let mut family = None;
    let mut stored = 0u64;
    let mut load = store::elders::BulkLoad::start(store, authorized).await?;
    let mut uncommitted = 0;
    while let Some(batch) = receiver.recv().await {
        let batch = batch?;
        let ids = load.insert(&batch, now).await.map_err(|e| match e {
            store::StoreError::Conflict(detail) => AppError::Internal(format!(
                "an identity number of the demo data is already stored ({detail}); \
                 generate into an empty database"
            )),
            other => other.into(),
        })?;
        if family.is_none() {
            family = batch
                .iter()
                .zip(&ids)
                .find(|(e, _)| {
                    e.status == "alive" && e.responsible_org_id.as_deref() == Some(doctor_org)
                })
                .map(|(e, id)| (id.clone(), e.name.clone()));
        }
        stored += batch.len() as u64;
        uncommitted += batch.len();
        if uncommitted >= ROWS_PER_TRANSACTION {
            load.commit().await?;
            uncommitted = 0;
            progress(stored);
        }
    }
    load.finish().await?;
    if uncommitted > 0 {
        progress(stored);
    }
    generator
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(family)
}

// ---------------------------------------------------------------------------------------------
// Distributions

/// 5-year age groups of the 60+ population: (lowest age, share, women's share). The last group
/// runs to 105. After the 2020 census, smoothed so that each group is smaller than the one
/// before; 80+ is about 14% of people 60+, as in the census.
const AGE_GROUPS: [(u32, f64, f64); 9] = [
    (60, 30.0, 0.49),
    (65, 26.0, 0.50),
    (70, 18.0, 0.51),
    (75, 12.0, 0.53),
    (80, 7.5, 0.56),
    (85, 4.3, 0.60),
    (90, 1.6, 0.65),
    (95, 0.45, 0.70),
    (100, 0.05, 0.75),
];
pub const MIN_AGE: u32 = 60;
pub const MAX_AGE: u32 = 105;

/// Chronic conditions (ICD-10) and their prevalence in each age group of [`AGE_GROUPS`].
/// Over all ages: hypertension ≈ 53%, diabetes ≈ 20%, CHD ≈ 6%, stroke sequelae ≈ 4%, recorded
/// COPD ≈ 7%, dementia ≈ 5%.
const CONDITIONS: [(&str, [f64; 9]); 6] = [
    (
        "I10",
        [0.45, 0.52, 0.57, 0.60, 0.62, 0.62, 0.62, 0.60, 0.60],
    ),
    (
        "E11.9",
        [0.18, 0.20, 0.22, 0.22, 0.20, 0.18, 0.16, 0.14, 0.12],
    ),
    (
        "I25.1",
        [0.03, 0.05, 0.07, 0.09, 0.11, 0.12, 0.12, 0.12, 0.12],
    ),
    (
        "I69.3",
        [0.02, 0.03, 0.045, 0.06, 0.07, 0.08, 0.08, 0.08, 0.08],
    ),
    (
        "J44.9",
        [0.04, 0.06, 0.08, 0.10, 0.12, 0.13, 0.13, 0.13, 0.13],
    ),
    (
        "F03",
        [0.015, 0.03, 0.05, 0.09, 0.14, 0.22, 0.30, 0.35, 0.40],
    ),
];

/// Disabled (失能) and semi-disabled (半失能) by age group: about 4% and 9% over all ages.
const DISABLED: [f64; 9] = [0.015, 0.025, 0.04, 0.06, 0.09, 0.14, 0.22, 0.30, 0.35];
const SEMI_DISABLED: [f64; 9] = [0.04, 0.06, 0.09, 0.12, 0.17, 0.22, 0.25, 0.25, 0.25];

/// Categories that do not depend on age, with their shares.
const OTHER_CATEGORIES: [(&str, f64); 4] = [
    ("dibao", 0.04),
    ("tekun", 0.01),
    ("family_planning_special", 0.005),
    ("poverty_registered", 0.02),
];

const LIVING: [(&str, f64); 4] = [
    ("alone", 12.0),
    ("empty_nest", 40.0),
    ("with_family", 44.0),
    ("institution", 4.0),
];

const INSURANCE: [(&str, f64); 4] = [
    ("urban_rural_resident", 75.0),
    ("urban_employee", 23.0),
    ("none", 1.0),
    ("commercial", 1.0),
];

const LTC_INSURANCE: f64 = 0.25;
const HAS_PHONE: f64 = 0.75;
const DECEASED: f64 = 0.02;
const MOVED_AWAY: f64 = 0.01;

/// Who is called when something happens, and how often each relation is the one on file.
const RELATIONS: [(&str, f64); 8] = [
    ("儿子", 35.0),
    ("女儿", 30.0),
    ("配偶", 15.0),
    ("儿媳", 7.0),
    ("女婿", 5.0),
    ("孙子", 3.0),
    ("孙女", 2.0),
    ("侄子", 3.0),
];

/// The most common surnames with their approximate share (per 10,000 people).
const SURNAMES: [(&str, f64); 100] = [
    ("王", 725.0),
    ("李", 719.0),
    ("张", 683.0),
    ("刘", 538.0),
    ("陈", 453.0),
    ("杨", 308.0),
    ("黄", 223.0),
    ("赵", 216.0),
    ("吴", 205.0),
    ("周", 201.0),
    ("徐", 167.0),
    ("孙", 154.0),
    ("马", 146.0),
    ("朱", 130.0),
    ("胡", 130.0),
    ("郭", 116.0),
    ("何", 114.0),
    ("高", 108.0),
    ("林", 107.0),
    ("罗", 98.0),
    ("郑", 96.0),
    ("梁", 89.0),
    ("谢", 81.0),
    ("宋", 76.0),
    ("唐", 76.0),
    ("许", 73.0),
    ("韩", 71.0),
    ("冯", 69.0),
    ("邓", 67.0),
    ("曹", 66.0),
    ("彭", 64.0),
    ("曾", 62.0),
    ("肖", 60.0),
    ("田", 59.0),
    ("董", 58.0),
    ("袁", 55.0),
    ("潘", 53.0),
    ("于", 52.0),
    ("蒋", 51.0),
    ("蔡", 50.0),
    ("余", 49.0),
    ("杜", 48.0),
    ("叶", 47.0),
    ("程", 47.0),
    ("苏", 46.0),
    ("魏", 44.0),
    ("吕", 43.0),
    ("丁", 42.0),
    ("任", 41.0),
    ("沈", 40.0),
    ("姚", 39.0),
    ("卢", 38.0),
    ("姜", 37.0),
    ("崔", 36.0),
    ("钟", 35.0),
    ("谭", 34.0),
    ("陆", 33.0),
    ("汪", 32.0),
    ("范", 31.0),
    ("金", 30.0),
    ("石", 30.0),
    ("廖", 29.0),
    ("贾", 29.0),
    ("夏", 28.0),
    ("韦", 28.0),
    ("付", 27.0),
    ("方", 27.0),
    ("白", 26.0),
    ("邹", 26.0),
    ("孟", 25.0),
    ("熊", 25.0),
    ("秦", 24.0),
    ("邱", 24.0),
    ("江", 23.0),
    ("尹", 23.0),
    ("薛", 22.0),
    ("闫", 22.0),
    ("段", 21.0),
    ("雷", 21.0),
    ("侯", 20.0),
    ("龙", 20.0),
    ("史", 20.0),
    ("陶", 19.0),
    ("黎", 19.0),
    ("贺", 18.0),
    ("顾", 18.0),
    ("毛", 18.0),
    ("郝", 17.0),
    ("龚", 17.0),
    ("邵", 16.0),
    ("万", 16.0),
    ("钱", 16.0),
    ("严", 15.0),
    ("武", 15.0),
    ("戴", 15.0),
    ("孔", 14.0),
    ("汤", 13.0),
    ("欧阳", 4.0),
    ("上官", 1.0),
    ("司马", 1.0),
];

/// Given-name characters common among people born 1920–1966, by sex and position.
const MALE_FIRST: &str = "建国志德文明玉长福永春金宝树学庆振世家光俊荣兴洪立忠守广清";
const MALE_SECOND: &str = "国军华明林山生田成才平安祥贵发海江荣义忠顺和胜民东强武全亮杰";
const FEMALE_FIRST: &str = "秀桂玉凤淑素美金兰翠春月丽彩爱巧瑞";
const FEMALE_SECOND: &str = "英兰珍芳华荣梅琴霞云香莲芝花菊萍芬娥凤娟敏";
/// Given names of the children's generation (contacts and staff).
const YOUNG_MALE: &str = "伟强磊军勇涛斌杰鹏超亮刚明辉波华建飞宇浩鑫峰";
const YOUNG_FEMALE: &str = "丽娟敏静燕艳霞芳红梅玲婷洁萍莉颖倩晶琳慧蕾";
/// Share of one-character given names among the elders.
const SINGLE_GIVEN_NAME: f64 = 0.2;

/// Items with cumulative weights, sampled by a binary search.
struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<f64>,
}

impl<T: Copy> Weighted<T> {
    fn new(pairs: impl IntoIterator<Item = (T, f64)>) -> Weighted<T> {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0.0;
        for (item, weight) in pairs {
            total += weight;
            items.push(item);
            cumulative.push(total);
        }
        Weighted { items, cumulative }
    }

    fn sample(&self, rng: &mut impl Rng) -> T {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.random::<f64>() * total;
        let i = self.cumulative.partition_point(|c| *c <= x);
        self.items[i.min(self.items.len() - 1)]
    }
}

/// The lookup tables a person is drawn from, built once per run.
struct Tables {
    surnames: Weighted<&'static str>,
    age_groups: Weighted<usize>,
    living: Weighted<&'static str>,
    insurance: Weighted<&'static str>,
    relations: Weighted<&'static str>,
    male_first: Vec<char>,
    male_second: Vec<char>,
    female_first: Vec<char>,
    female_second: Vec<char>,
    young_male: Vec<char>,
    young_female: Vec<char>,
}

impl Tables {
    fn new() -> Tables {
        Tables {
            surnames: Weighted::new(SURNAMES),
            age_groups: Weighted::new(AGE_GROUPS.iter().enumerate().map(|(i, g)| (i, g.1))),
            living: Weighted::new(LIVING),
            insurance: Weighted::new(INSURANCE),
            relations: Weighted::new(RELATIONS),
            male_first: MALE_FIRST.chars().collect(),
            male_second: MALE_SECOND.chars().collect(),
            female_first: FEMALE_FIRST.chars().collect(),
            female_second: FEMALE_SECOND.chars().collect(),
            young_male: YOUNG_MALE.chars().collect(),
            young_female: YOUNG_FEMALE.chars().collect(),
        }
    }

    /// An elder's name: a surname by frequency and a one- or two-character given name.
    fn elder_name(&self, rng: &mut impl Rng, sex: Sex) -> String {
        let surname = self.surnames.sample(rng);
        let (first, second) = match sex {
            Sex::Male => (&self.male_first, &self.male_second),
            Sex::Female => (&self.female_first, &self.female_second),
        };
        let mut name = String::with_capacity(12);
        name.push_str(surname);
        if rng.random_bool(SINGLE_GIVEN_NAME) {
            name.push(pick(rng, second));
        } else {
            name.push(pick(rng, first));
            name.push(pick(rng, second));
        }
        name
    }

    /// A name of the children's generation; `surname` when the family name is known.
    fn young_name(&self, rng: &mut impl Rng, surname: Option<&str>, sex: Sex) -> String {
        let chars = match sex {
            Sex::Male => &self.young_male,
            Sex::Female => &self.young_female,
        };
        let mut name = String::with_capacity(12);
        name.push_str(surname.unwrap_or_else(|| self.surnames.sample(rng)));
        let first = pick(rng, chars);
        name.push(first);
        if rng.random_bool(0.6) {
            let second = pick(rng, chars);
            if second != first {
                name.push(second);
            }
        }
        name
    }
}

fn pick<T: Copy>(rng: &mut impl Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// Index of the age group `age` falls in.
fn age_group(age: u32) -> usize {
    AGE_GROUPS
        .iter()
        .rposition(|g| age >= g.0)
        .unwrap_or_default()
}

/// An age from the pyramid: a group by its share, then a year within it.
fn sample_age(rng: &mut impl Rng, tables: &Tables) -> u32 {
    let group = tables.age_groups.sample(rng);
    let low = AGE_GROUPS[group].0;
    let high = AGE_GROUPS.get(group + 1).map_or(MAX_AGE, |next| next.0 - 1);
    rng.random_range(low..=high)
}

fn sample_sex(rng: &mut impl Rng, age: u32) -> Sex {
    if rng.random_bool(AGE_GROUPS[age_group(age)].2) {
        Sex::Female
    } else {
        Sex::Male
    }
}

/// A birth date that makes the person exactly `age` on `today`.
fn birth_date(rng: &mut impl Rng, today: NaiveDate, age: u32) -> NaiveDate {
    let latest = years_before(today, age);
    let earliest = years_before(today, age + 1) + chrono::Duration::days(1);
    let span = (latest - earliest).num_days();
    earliest + chrono::Duration::days(rng.random_range(0..=span))
}

/// The same day `years` earlier (29 February becomes 28 February).
fn years_before(day: NaiveDate, years: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(12 * years))
        .expect("dates after 1900")
}

/// A random mainland mobile number. Random digits: no number here is anyone's on purpose.
fn mobile(rng: &mut impl Rng) -> String {
    const SECOND: &[u8] = b"3333355578889";
    let mut phone = String::with_capacity(11);
    phone.push('1');
    phone.push(pick(rng, SECOND) as char);
    for _ in 0..9 {
        phone.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
    phone
}

// ---------------------------------------------------------------------------------------------
// The region: counties, townships, villages

/// Dezhou's counties with their public division codes (GB/T 2260): the default county is the
/// first; larger runs add the others before inventing more.
const DEZHOU_COUNTIES: [(&str, &str); 11] = [
    ("371402", "德城区"),
    ("371403", "陵城区"),
    ("371422", "宁津县"),
    ("371423", "庆云县"),
    ("371424", "临邑县"),
    ("371425", "齐河县"),
    ("371426", "平原县"),
    ("371427", "夏津县"),
    ("371428", "武城县"),
    ("371481", "乐陵市"),
    ("371482", "禹城市"),
];

/// Invented cities inside Shandong take codes 3751–3799, twenty counties each (codes 21–40).
const INVENTED_CITY_BASE: usize = 51;
const COUNTIES_PER_INVENTED_CITY: usize = 20;
const MAX_COUNTIES: usize = DEZHOU_COUNTIES.len() + (100 - INVENTED_CITY_BASE) * 20;

const STREET_NAMES: [&str; 20] = [
    "新华",
    "新湖",
    "天衢",
    "广川",
    "运河",
    "宋官屯",
    "长河",
    "解放",
    "人民",
    "建设",
    "胜利",
    "和平",
    "文昌",
    "东风",
    "西城",
    "南关",
    "北园",
    "迎宾",
    "振华",
    "康宁",
];
const TOWN_NAMES: [&str; 40] = [
    "黄河涯",
    "二屯",
    "赵虎",
    "抬头寺",
    "郑家寨",
    "丁庄",
    "神头",
    "前孙",
    "边临",
    "义渡口",
    "宋家",
    "于集",
    "郑店",
    "孟寺",
    "柴胡店",
    "张习桥",
    "大黄庄",
    "保店",
    "长庄",
    "刘营伍",
    "杨安",
    "徽王",
    "安仁",
    "马腰务",
    "相衙",
    "大宗家",
    "时集",
    "孙寺",
    "恩城",
    "王打卦",
    "腰站",
    "坊子",
    "前曹",
    "王凤楼",
    "张大庄",
    "杨集",
    "胡官屯",
    "潘店",
    "老城",
    "辛店",
];
const COMMUNITY_NAMES: [&str; 24] = [
    "幸福", "和谐", "康宁", "锦华", "鑫源", "阳光", "新城", "福园", "东方", "滨河", "文化", "建设",
    "光明", "花园", "振兴", "明珠", "湖滨", "金桥", "丽景", "朝阳", "银座", "世纪", "育才", "长青",
];
const VILLAGE_PATTERNS: [(&str, &str); 8] = [
    ("", "家庄"),
    ("", "庄"),
    ("", "集"),
    ("", "官屯"),
    ("", "家寨"),
    ("", "营"),
    ("东", "庄"),
    ("前", "家"),
];
const ROADS: [&str; 10] = [
    "人民路",
    "建设路",
    "解放路",
    "新华路",
    "东风路",
    "迎宾大道",
    "湖滨路",
    "文化路",
    "振华路",
    "康宁街",
];
const BRANDS: [&str; 10] = [
    "颐和",
    "康乐",
    "福寿",
    "夕阳红",
    "松鹤",
    "乐福",
    "安康",
    "祥和",
    "慈恩",
    "颐康",
];

#[derive(Debug, Clone)]
pub struct Village {
    pub code: String,
    pub name: String,
    pub elders: usize,
}

#[derive(Debug, Clone)]
pub struct Township {
    pub code: String,
    pub name: String,
    /// A street office (街道) with communities, rather than a town with villages.
    pub urban: bool,
    pub villages: Vec<Village>,
    /// Index in the county's organizations of the health centre that manages its elders.
    pub health_centre: usize,
}

#[derive(Debug, Clone)]
pub struct County {
    pub city: (String, String),
    pub code: String,
    pub name: String,
    pub townships: Vec<Township>,
    pub orgs: Vec<PlannedOrg>,
    pub elders: usize,
    /// Shuffles identity-number sequences so that they do not all start at 001.
    id_offset: usize,
}

/// What an organization is for in the demo: decides its staff and who lives there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgRole {
    CountyHospital,
    TcmHospital,
    HealthCentre,
    NursingHome,
    DayCare,
    HappinessHome,
    Combined,
    NursingHospital,
    RehabilitationHospital,
    Hospice,
}

#[derive(Debug, Clone)]
pub struct PlannedOrg {
    pub id: String,
    pub role: OrgRole,
    pub valid: ValidOrg,
}

/// Everything but the people: the division tree, organizations and staff.
pub struct Plan {
    pub today: NaiveDate,
    pub seed: u64,
    pub counties: Vec<County>,
}

/// Random streams: each part of the plan draws from its own, so that changing how (say)
/// organizations are drawn does not change the people.
const STREAM_REGIONS: u64 = 1;
const STREAM_ORGS: u64 = 2;
const STREAM_PEOPLE: u64 = 3;
const STREAM_STAFF: u64 = 4;

fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// How many counties `elders` fill: about one per [`ELDERS_PER_COUNTY`].
pub fn county_count(elders: usize) -> usize {
    ((elders + ELDERS_PER_COUNTY / 2) / ELDERS_PER_COUNTY).clamp(1, MAX_COUNTIES)
}

/// (city code, city name, county code, county name) of the n-th county (from 0).
fn county_identity(n: usize) -> (String, String, String, String) {
    if let Some((code, name)) = DEZHOU_COUNTIES.get(n) {
        return (
            "3714".into(),
            "德州市".into(),
            code.to_string(),
            name.to_string(),
        );
    }
    let k = n - DEZHOU_COUNTIES.len();
    let city = INVENTED_CITY_BASE + k / COUNTIES_PER_INVENTED_CITY;
    let county = 21 + k % COUNTIES_PER_INVENTED_CITY;
    (
        format!("37{city}"),
        format!("示范市{}", city - INVENTED_CITY_BASE + 1),
        format!("37{city}{county}"),
        format!("示范县{}", n + 1),
    )
}

impl Plan {
    pub fn new(elders: usize, seed: u64, today: NaiveDate) -> Result<Plan> {
        let mut rng = stream(seed, STREAM_REGIONS);
        let mut org_rng = stream(seed, STREAM_ORGS);
        let count = county_count(elders);
        let mut counties = Vec::with_capacity(count);
        for n in 0..count {
            let share = elders / count + usize::from(n < elders % count);
            let mut county = plan_county(&mut rng, n, share);
            county.orgs = plan_orgs(&mut org_rng, &mut county)?;
            counties.push(county);
        }
        Ok(Plan {
            today,
            seed,
            counties,
        })
    }

    /// Every region, parents before children.
    pub fn regions(&self) -> Result<Vec<region::Region>> {
        let mut rows: Vec<(&str, &str)> = vec![("37", "山东省")];
        for county in &self.counties {
            if !rows.iter().any(|r| r.0 == county.city.0) {
                rows.push((&county.city.0, &county.city.1));
            }
        }
        for county in &self.counties {
            rows.push((&county.code, &county.name));
        }
        for county in &self.counties {
            for township in &county.townships {
                rows.push((&township.code, &township.name));
            }
        }
        for county in &self.counties {
            for township in &county.townships {
                for village in &township.villages {
                    rows.push((&village.code, &village.name));
                }
            }
        }
        rows.into_iter()
            .map(|(code, name)| {
                Ok(region::Region {
                    code: region::RegionCode::parse(code)
                        .map_err(|e| AppError::Internal(format!("demo region {code}: {e}")))?,
                    name: name.to_string(),
                })
            })
            .collect()
    }

    pub fn region_count(&self) -> usize {
        let mut cities: Vec<&str> = self.counties.iter().map(|c| c.city.0.as_str()).collect();
        cities.dedup();
        1 + cities.len()
            + self
                .counties
                .iter()
                .map(|c| {
                    1 + c.townships.len()
                        + c.townships.iter().map(|t| t.villages.len()).sum::<usize>()
                })
                .sum::<usize>()
    }

    fn first_county(&self) -> &County {
        &self.counties[0]
    }

    fn first_org(&self, role: OrgRole) -> &PlannedOrg {
        self.first_county()
            .orgs
            .iter()
            .find(|o| o.role == role)
            .expect("every county has one of each planned role")
    }

    /// The health centre of the first township: where the demo doctor and nurse work.
    pub fn doctor_org_id(&self) -> &str {
        let county = self.first_county();
        &county.orgs[county.townships[0].health_centre].id
    }

    /// Staff accounts of every organization (no login: their password hash never verifies).
    pub fn staff(&self) -> Vec<store::users::UserFields> {
        let mut rng = stream(self.seed, STREAM_STAFF);
        let tables = Tables::new();
        let mut users = Vec::new();
        for county in &self.counties {
            for (i, org) in county.orgs.iter().enumerate() {
                for (n, role) in staff_roles(org).iter().enumerate() {
                    let men = if *role == Role::Doctor { 0.6 } else { 0.25 };
                    let sex = if rng.random_bool(men) {
                        Sex::Male
                    } else {
                        Sex::Female
                    };
                    let trained = rng.random_bool(0.8);
                    let days_ago = rng.random_range(0..730);
                    users.push(store::users::UserFields {
                        username: format!("s{}.{i:02}.{n}", county.code),
                        display_name: tables.young_name(&mut rng, None, sex),
                        role: role.code().to_string(),
                        org_id: Some(org.id.clone()),
                        region_code: None,
                        elder_id: None,
                        phone: rng.random_bool(0.7).then(|| mobile(&mut rng)),
                        active: true,
                        caregiver_certified: *role == Role::Caregiver && rng.random_bool(0.55),
                        trained_on: trained.then(|| {
                            (self.today - chrono::Duration::days(days_ago))
                                .format("%Y-%m-%d")
                                .to_string()
                        }),
                    });
                }
            }
        }
        users
    }

    /// The demo logins; `family` is linked to the given elder.
    pub fn demo_users(
        &self,
        family_elder_id: &str,
        family_elder_name: &str,
    ) -> Vec<store::users::UserFields> {
        let county = self.first_county();
        let doctor_org = self.doctor_org_id().to_string();
        let assessment = self
            .counties
            .first()
            .and_then(|c| {
                c.orgs
                    .iter()
                    .find(|o| o.valid.services.contains(&OrgService::AssessmentCentre))
            })
            .map(|o| o.id.clone());
        let care_home = self.first_org(OrgRole::NursingHome).id.clone();
        let user = |username: &str, display: String, role: Role| store::users::UserFields {
            username: username.into(),
            display_name: display,
            role: role.code().into(),
            active: true,
            ..Default::default()
        };
        let mut supervisor = user(
            "supervisor",
            format!("{}卫生健康局（演示）", county.name),
            Role::Supervisor,
        );
        supervisor.region_code = Some(county.code.clone());
        let mut doctor = user("doctor", "演示医生".into(), Role::Doctor);
        doctor.org_id = Some(doctor_org.clone());
        doctor.trained_on = Some(self.today.format("%Y-%m-%d").to_string());
        let mut nurse = user("nurse", "演示护士".into(), Role::Nurse);
        nurse.org_id = Some(doctor_org);
        let mut caregiver = user("caregiver", "演示护理员".into(), Role::Caregiver);
        caregiver.org_id = Some(care_home);
        caregiver.caregiver_certified = true;
        let mut assessor = user("assessor", "演示评估员".into(), Role::Assessor);
        assessor.org_id = assessment.clone();
        assessor.region_code = Some(county.code.clone());
        // GB/T 42195 and the long-term-care grade are taken by two assessors together.
        let mut assessor2 = user("assessor2", "演示评估员二".into(), Role::Assessor);
        assessor2.org_id = assessment;
        assessor2.region_code = Some(county.code.clone());
        let mut family = user("family", format!("{family_elder_name}的家属"), Role::Family);
        family.elder_id = Some(family_elder_id.to_string());
        vec![
            supervisor, doctor, nurse, caregiver, assessor, assessor2, family,
        ]
    }
}

/// Splits `total` in proportion to `weights` (largest remainders get the leftovers).
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| {
        let ra = exact[*a] - counts[*a] as f64;
        let rb = exact[*b] - counts[*b] as f64;
        rb.total_cmp(&ra).then(a.cmp(b))
    });
    let mut left = total - counts.iter().sum::<usize>();
    for i in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    counts
}

fn plan_county(rng: &mut ChaCha8Rng, n: usize, elders: usize) -> County {
    let (city_code, city_name, code, name) = county_identity(n);
    let townships_total = rng.random_range(8..=12usize);
    // Districts (区) are mostly urban; counties (县, 市) have a few street offices around the seat.
    let streets = if name.ends_with('区') {
        rng.random_range(4..=6usize)
    } else {
        rng.random_range(2..=3usize)
    };
    let mut street_names = STREET_NAMES.to_vec();
    street_names.shuffle(rng);
    let mut town_names = TOWN_NAMES.to_vec();
    town_names.shuffle(rng);
    let mut townships = Vec::with_capacity(townships_total);
    let mut weights = Vec::new();
    let bases = (street_names.iter().take(streets).map(|s| (true, *s)))
        .chain(town_names.iter().map(|t| (false, *t)))
        .take(townships_total);
    for (t, (urban, base)) in bases.enumerate() {
        // GB/T 10114: 001–099 street offices, 100–199 towns, 200–399 townships (乡).
        let (number, name) = if urban {
            (t + 1, format!("{base}街道"))
        } else if t + 1 == townships_total && rng.random_bool(0.3) {
            (201, format!("{base}乡"))
        } else {
            (101 + t - streets, format!("{base}镇"))
        };
        let code = format!("{code}{number:03}");
        let villages = plan_villages(rng, &code, urban, &mut weights);
        townships.push(Township {
            code,
            name,
            urban,
            villages,
            health_centre: 0,
        });
    }
    let counts = apportion(elders, &weights);
    let mut counts = counts.into_iter();
    for township in &mut townships {
        for village in &mut township.villages {
            village.elders = counts.next().unwrap_or(0);
        }
    }
    County {
        city: (city_code, city_name),
        code,
        name,
        townships,
        orgs: Vec::new(),
        elders,
        id_offset: rng.random_range(0..SEQUENCES_PER_SEX),
    }
}

/// Communities (codes 001–099, 社区居委会) under a street office, villages (200–399, 村委会)
/// under a town; `weights` gets each one's relative number of elders.
fn plan_villages(
    rng: &mut ChaCha8Rng,
    township_code: &str,
    urban: bool,
    weights: &mut Vec<f64>,
) -> Vec<Village> {
    let mut villages = Vec::new();
    if urban {
        let mut names = COMMUNITY_NAMES.to_vec();
        names.shuffle(rng);
        let count = rng.random_range(5..=9usize);
        for (i, name) in names.into_iter().take(count).enumerate() {
            villages.push(Village {
                code: format!("{township_code}{:03}", i + 1),
                name: format!("{name}社区"),
                elders: 0,
            });
            // A community is larger than a village.
            weights.push(1.6 * rng.random_range(0.6..1.4));
        }
    } else {
        let count = rng.random_range(10..=18usize);
        let mut used: Vec<String> = Vec::with_capacity(count);
        while used.len() < count {
            let (head, tail) = VILLAGE_PATTERNS[rng.random_range(0..VILLAGE_PATTERNS.len())];
            let surname = SURNAMES[rng.random_range(0..30)].0;
            let name = format!("{head}{surname}{tail}村");
            if !used.contains(&name) {
                used.push(name);
            }
        }
        for (i, name) in used.into_iter().enumerate() {
            villages.push(Village {
                code: format!("{township_code}{:03}", 201 + i),
                name,
                elders: 0,
            });
            weights.push(rng.random_range(0.6..1.4));
        }
    }
    villages
}

// ---------------------------------------------------------------------------------------------
// Organizations

struct OrgDraft {
    role: OrgRole,
    name: String,
    kind: OrgKind,
    grade: Option<OrgGrade>,
    operator: &'static str,
    region: String,
    /// medical, elderly-care, nursing-type, hospice, home
    beds: [i64; 5],
    services: Vec<OrgService>,
}

impl OrgDraft {
    fn new(role: OrgRole, name: String, kind: OrgKind, region: &str) -> OrgDraft {
        OrgDraft {
            role,
            name,
            kind,
            grade: None,
            operator: "government",
            region: region.to_string(),
            beds: [0; 5],
            services: Vec::new(),
        }
    }
}

/// Elderly-care beds with a realistic nursing-type (护理型) share of 20–60%.
fn care_beds(rng: &mut ChaCha8Rng, low: i64, high: i64) -> (i64, i64) {
    let beds = rng.random_range(low..=high);
    let nursing = (beds as f64 * rng.random_range(0.2..0.6)).round() as i64;
    (beds, nursing)
}

/// About thirty organizations per county, with the facts supervision counts (green channels,
/// clinics, geriatrics departments, nursing-type beds, an assessment centre, combined
/// institutions of 200+ beds).
fn plan_orgs(rng: &mut ChaCha8Rng, county: &mut County) -> Result<Vec<PlannedOrg>> {
    use OrgService::*;
    let seat = county.townships[0].code.clone();
    let cn = county.name.clone();
    let mut drafts = Vec::new();

    let mut hospital = OrgDraft::new(
        OrgRole::CountyHospital,
        format!("{cn}人民医院"),
        OrgKind::GeneralHospital,
        &seat,
    );
    hospital.grade = Some(OrgGrade::Second);
    hospital.beds = [rng.random_range(400..=800), 0, 0, 0, 0];
    hospital.services = vec![
        GreenChannel,
        GeriatricsDept,
        RehabDept,
        MedicalServices,
        AssessmentCentre,
    ];
    if rng.random_bool(0.6) {
        hospital.services.push(HospiceCare);
        hospital.beds[3] = rng.random_range(4..=12);
    }
    drafts.push(hospital);

    let mut tcm = OrgDraft::new(
        OrgRole::TcmHospital,
        format!("{cn}中医院"),
        OrgKind::TcmHospital,
        &seat,
    );
    tcm.grade = Some(OrgGrade::Second);
    tcm.beds = [rng.random_range(200..=400), 0, 0, 0, 0];
    tcm.services = vec![GreenChannel, TcmServices, RehabDept, MedicalServices];
    if rng.random_bool(0.5) {
        tcm.services.push(GeriatricsDept);
    }
    drafts.push(tcm);

    for (t, township) in county.townships.iter_mut().enumerate() {
        township.health_centre = drafts.len();
        let short = township.name.trim_end_matches(['街', '道', '镇', '乡']);
        let (name, kind) = if township.urban {
            (
                format!("{}社区卫生服务中心", township.name),
                OrgKind::CommunityHealthCentre,
            )
        } else {
            (format!("{short}镇卫生院"), OrgKind::TownshipHealthCentre)
        };
        let name = if !township.urban && township.name.ends_with('乡') {
            format!("{short}乡卫生院")
        } else {
            name
        };
        let mut centre = OrgDraft::new(OrgRole::HealthCentre, name, kind, &township.code);
        centre.grade = Some(OrgGrade::First);
        centre.beds[0] = if township.urban {
            rng.random_range(0..=20)
        } else {
            rng.random_range(20..=60)
        };
        centre.beds[4] = rng.random_range(0..=30);
        centre.services = vec![TcmServices, MedicalServices];
        // Most, not all: the indicators have something to find.
        if t == 0 || rng.random_bool(0.85) {
            centre.services.push(GreenChannel);
        }
        if rng.random_bool(0.4) {
            centre.services.push(RehabDept);
        }
        drafts.push(centre);
    }

    // Nursing homes: the county welfare centre, town homes (敬老院) and private homes.
    let mut welfare = OrgDraft::new(
        OrgRole::NursingHome,
        format!("{cn}社会福利中心"),
        OrgKind::NursingHome,
        &seat,
    );
    let (beds, nursing) = care_beds(rng, 200, 400);
    welfare.beds = [0, beds, nursing, 0, 0];
    welfare.services = vec![InHouseClinic, MedicalServices];
    drafts.push(welfare);
    let rural: Vec<&Township> = county.townships.iter().filter(|t| !t.urban).collect();
    let homes = rng.random_range(3..=4usize).min(rural.len());
    for township in rural.iter().take(homes) {
        let short = township.name.trim_end_matches(['镇', '乡']);
        let mut home = OrgDraft::new(
            OrgRole::NursingHome,
            format!("{short}敬老院"),
            OrgKind::NursingHome,
            &township.code,
        );
        let (beds, nursing) = care_beds(rng, 40, 120);
        home.beds = [0, beds, nursing, 0, 0];
        add_care_services(rng, &mut home);
        drafts.push(home);
    }
    let mut brands = BRANDS.to_vec();
    brands.shuffle(rng);
    let private_homes = rng.random_range(2..=3usize);
    for brand in brands.iter().take(private_homes) {
        let township = &county.townships[rng.random_range(0..county.townships.len())];
        let suffix = if rng.random_bool(0.5) {
            "养老院"
        } else {
            "老年公寓"
        };
        let mut home = OrgDraft::new(
            OrgRole::NursingHome,
            format!("{cn}{brand}{suffix}"),
            OrgKind::NursingHome,
            &township.code,
        );
        home.operator = if rng.random_bool(0.5) {
            "private"
        } else {
            "public_private"
        };
        let (beds, nursing) = care_beds(rng, 60, 200);
        home.beds = [0, beds, nursing, 0, 0];
        add_care_services(rng, &mut home);
        drafts.push(home);
    }

    // Day-care centres in urban communities, happiness homes in villages.
    let communities: Vec<&Village> = county
        .townships
        .iter()
        .filter(|t| t.urban)
        .flat_map(|t| &t.villages)
        .collect();
    let day_care = rng.random_range(3..=5usize).min(communities.len());
    for i in 0..day_care {
        let community = communities[(i * 7) % communities.len()];
        let mut centre = OrgDraft::new(
            OrgRole::DayCare,
            format!("{}日间照料中心", community.name),
            OrgKind::DayCareCentre,
            &community.code,
        );
        centre.beds = [0, rng.random_range(10..=30), 0, 0, 0];
        if rng.random_bool(0.3) {
            centre.services.push(MedicalServices);
        }
        drafts.push(centre);
    }
    let villages: Vec<&Village> = county
        .townships
        .iter()
        .filter(|t| !t.urban)
        .flat_map(|t| &t.villages)
        .collect();
    let happiness = rng.random_range(4..=6usize).min(villages.len());
    for i in 0..happiness {
        let village = villages[(i * 11 + 3) % villages.len()];
        let mut home = OrgDraft::new(
            OrgRole::HappinessHome,
            format!("{}农村幸福院", village.name),
            OrgKind::RuralHappinessHome,
            &village.code,
        );
        home.beds = [0, rng.random_range(5..=20), 0, 0, 0];
        drafts.push(home);
    }

    // Two combined institutions (医养结合), the first with 200+ beds.
    for (i, (low, high)) in [(220, 320), (80, 180)].into_iter().enumerate() {
        let township = &county.townships[i.min(county.townships.len() - 1)];
        let name = if i == 0 {
            format!("{cn}医养结合服务中心")
        } else {
            format!("{cn}{}康养中心", brands[private_homes])
        };
        let mut combined =
            OrgDraft::new(OrgRole::Combined, name, OrgKind::Combined, &township.code);
        combined.operator = if i == 0 { "government" } else { "private" };
        let (beds, _) = care_beds(rng, low, high);
        let nursing = (beds as f64 * rng.random_range(0.5..0.7)).round() as i64;
        combined.beds = [rng.random_range(30..=80), beds, nursing, 0, 0];
        combined.services = vec![InHouseClinic, MedicalServices, RehabDept];
        if i == 0 {
            combined.services.push(HospiceCare);
            combined.beds[3] = rng.random_range(6..=12);
        }
        drafts.push(combined);
    }

    let mut nursing_hospital = OrgDraft::new(
        OrgRole::NursingHospital,
        format!("{cn}护理院"),
        OrgKind::NursingHospital,
        &seat,
    );
    nursing_hospital.beds = [rng.random_range(60..=150), 0, 0, 0, 0];
    nursing_hospital.services = vec![MedicalServices, RehabDept];
    drafts.push(nursing_hospital);

    // A rehabilitation hospital or a hospice in some counties (both in the demo county).
    let first = county.code == DEZHOU_COUNTIES[0].0;
    if first || rng.random_bool(0.5) {
        let mut rehab = OrgDraft::new(
            OrgRole::RehabilitationHospital,
            format!("{cn}康复医院"),
            OrgKind::RehabilitationHospital,
            &seat,
        );
        rehab.grade = Some(OrgGrade::First);
        rehab.beds = [rng.random_range(50..=120), 0, 0, 0, 0];
        rehab.services = vec![MedicalServices, RehabDept, GreenChannel];
        drafts.push(rehab);
    }
    if first || rng.random_bool(0.3) {
        let mut hospice = OrgDraft::new(
            OrgRole::Hospice,
            format!("{cn}安宁疗护中心"),
            OrgKind::Hospice,
            &seat,
        );
        let beds = rng.random_range(10..=30);
        hospice.beds = [beds, 0, 0, beds, 0];
        hospice.services = vec![MedicalServices, HospiceCare];
        drafts.push(hospice);
    }

    let mut orgs = Vec::with_capacity(drafts.len());
    for (n, draft) in drafts.into_iter().enumerate() {
        let input = org_input(rng, &county.code, &county.townships, n, &draft);
        let valid = input.validate().map_err(AppError::Invalid)?;
        orgs.push(PlannedOrg {
            id: store::new_id(),
            role: draft.role,
            valid,
        });
    }
    Ok(orgs)
}

/// Clinics and medical services of an elderly-care home: homes of 100+ beds must have a clinic
/// (Jiangsu opinions; the district plan) and most do; smaller ones often cooperate with the
/// health centre instead.
fn add_care_services(rng: &mut ChaCha8Rng, home: &mut OrgDraft) {
    let clinic = if home.beds[1] >= 100 {
        rng.random_bool(0.85)
    } else {
        rng.random_bool(0.35)
    };
    if clinic {
        home.services.push(OrgService::InHouseClinic);
    }
    if clinic || rng.random_bool(0.6) {
        home.services.push(OrgService::MedicalServices);
    }
}

fn org_input(
    rng: &mut ChaCha8Rng,
    county_code: &str,
    townships: &[Township],
    n: usize,
    draft: &OrgDraft,
) -> OrgInput {
    let category = draft.kind.category();
    let medical = category != registry::OrgCategory::ElderlyCare;
    let elderly = category != registry::OrgCategory::Medical;
    let township = townships
        .iter()
        .find(|t| draft.region.starts_with(&t.code))
        .map_or("", |t| t.name.as_str());
    let address = format!(
        "{township}{}{}号",
        ROADS[rng.random_range(0..ROADS.len())],
        rng.random_range(1..=300)
    );
    let phone = format!("0534-{}", rng.random_range(2_000_000..=2_999_999));
    OrgInput {
        name: Some(draft.name.clone()),
        kind: Some(draft.kind.code().into()),
        grade: draft.grade.map(|g| g.code().into()),
        operator: Some(draft.operator.into()),
        region_code: Some(draft.region.clone()),
        address: Some(address),
        phone: Some(phone),
        medical_licence: medical.then(|| format!("PDY{county_code}{n:04}")),
        elderly_care_licence: elderly.then(|| format!("YL{county_code}{n:04}")),
        beds: draft.beds.map(|b| Some(b.to_string())),
        services: draft
            .services
            .iter()
            .map(|s| s.code().to_string())
            .collect(),
    }
}

/// A few staff per organization, by what it does.
fn staff_roles(org: &PlannedOrg) -> &'static [Role] {
    use Role::*;
    match org.role {
        OrgRole::CountyHospital | OrgRole::TcmHospital => {
            &[Doctor, Doctor, Doctor, Nurse, Nurse, Nurse]
        }
        OrgRole::HealthCentre => &[Doctor, Doctor, Doctor, Nurse, Nurse],
        OrgRole::NursingHospital | OrgRole::RehabilitationHospital | OrgRole::Hospice => {
            &[Doctor, Nurse, Nurse, Caregiver]
        }
        OrgRole::NursingHome => &[InstitutionAdmin, Nurse, Caregiver, Caregiver, Caregiver],
        OrgRole::Combined => &[
            InstitutionAdmin,
            Doctor,
            Doctor,
            Nurse,
            Nurse,
            Caregiver,
            Caregiver,
            Caregiver,
        ],
        OrgRole::DayCare => &[Caregiver, Caregiver],
        OrgRole::HappinessHome => &[Caregiver],
    }
}

// ---------------------------------------------------------------------------------------------
// People

/// Identity-number sequences per (county, birth date, sex): odd for men, even for women
/// (GB 11643-1999, 4.2.3), 499 of each.
const SEQUENCES_PER_SEX: usize = 499;
/// Birth dates are counted from this many years before today (older than anyone generated).
const DATE_SPAN_YEARS: u32 = MAX_AGE + 2;

/// The people of the plan, county by county, village by village. Every identity number is
/// unique: a counter per (county, birth date, sex) picks the sequence number.
pub struct People<'a> {
    plan: &'a Plan,
    tables: Tables,
    rng: ChaCha8Rng,
    /// (county, township, village) of every village that has people, in order.
    villages: Vec<(usize, usize, usize)>,
    /// Index in `villages` of the current one, and how many people it still needs.
    cursor: usize,
    left_in_village: usize,
    county: usize,
    township: usize,
    village: usize,
    /// Sequences used so far in the current county, by (days since `epoch`) * 2 + sex.
    used: Vec<u16>,
    epoch: NaiveDate,
    /// Residential organizations of the current county (indices) by their elderly-care beds.
    residences: Option<Weighted<usize>>,
}

impl<'a> People<'a> {
    pub fn new(plan: &'a Plan) -> People<'a> {
        let mut villages = Vec::new();
        for (c, county) in plan.counties.iter().enumerate() {
            for (t, township) in county.townships.iter().enumerate() {
                for (v, village) in township.villages.iter().enumerate() {
                    if village.elders > 0 {
                        villages.push((c, t, v));
                    }
                }
            }
        }
        People {
            plan,
            tables: Tables::new(),
            rng: stream(plan.seed, STREAM_PEOPLE),
            villages,
            cursor: 0,
            left_in_village: 0,
            county: usize::MAX,
            township: 0,
            village: 0,
            used: vec![0; (DATE_SPAN_YEARS as usize + 1) * 366 * 2],
            epoch: years_before(plan.today, DATE_SPAN_YEARS),
            residences: None,
        }
    }

    /// Moves to the next village when the current one is full; false at the end.
    fn advance(&mut self) -> bool {
        if self.left_in_village > 0 {
            return true;
        }
        let Some(&(c, t, v)) = self.villages.get(self.cursor) else {
            return false;
        };
        self.cursor += 1;
        if c != self.county {
            self.county = c;
            self.enter_county();
        }
        self.township = t;
        self.village = v;
        self.left_in_village = self.plan.counties[c].townships[t].villages[v].elders;
        true
    }

    fn enter_county(&mut self) {
        self.used.fill(0);
        let county = &self.plan.counties[self.county];
        let homes: Vec<(usize, f64)> = county
            .orgs
            .iter()
            .enumerate()
            .filter(|(_, o)| matches!(o.role, OrgRole::NursingHome | OrgRole::Combined))
            .map(|(i, o)| (i, o.valid.beds.elderly_care.max(1) as f64))
            .collect();
        self.residences = (!homes.is_empty()).then(|| Weighted::new(homes));
    }

    fn person(&mut self) -> Result<ElderInput> {
        let county = &self.plan.counties[self.county];
        let township = &county.townships[self.township];
        let village = &township.villages[self.village];
        let tables = &self.tables;
        let rng = &mut self.rng;

        let age = sample_age(rng, tables);
        let group = age_group(age);
        let sex = sample_sex(rng, age);
        let birth = birth_date(rng, self.plan.today, age);
        let slot = (birth - self.epoch).num_days() as usize * 2 + usize::from(sex == Sex::Female);
        let k = usize::from(self.used[slot]);
        if k >= SEQUENCES_PER_SEX {
            return Err(AppError::Internal(format!(
                "more than {SEQUENCES_PER_SEX} demo elders of one sex born on {birth} in county {}",
                county.code
            )));
        }
        self.used[slot] += 1;
        // A fixed stride (coprime with 499) spreads the sequence numbers.
        let v = (k * 37 + county.id_offset) % SEQUENCES_PER_SEX;
        let sequence = match sex {
            Sex::Male => 2 * v + 1,
            Sex::Female => 2 * v + 2,
        };
        let id_number = registry::IdNumber::compose(&county.code, birth, sequence as u16, sex);

        let name = tables.elder_name(rng, sex);
        let mut conditions = Vec::new();
        for (code, by_group) in CONDITIONS {
            if rng.random_bool(by_group[group]) {
                conditions.push(code.to_string());
            }
        }
        let mut categories = Vec::new();
        let u: f64 = rng.random();
        if u < DISABLED[group] {
            categories.push("disabled".to_string());
        } else if u < DISABLED[group] + SEMI_DISABLED[group] {
            categories.push("semi_disabled".to_string());
        }
        for (code, share) in OTHER_CATEGORIES {
            if rng.random_bool(share) {
                categories.push(code.to_string());
            }
        }
        let living = tables.living.sample(rng);
        let residence = match (&self.residences, living == "institution") {
            (Some(homes), true) => Some(county.orgs[homes.sample(rng)].id.clone()),
            _ => None,
        };
        let insurance = tables.insurance.sample(rng);
        let ltc = rng.random_bool(LTC_INSURANCE);
        let x: f64 = rng.random();
        let status = if x < DECEASED {
            "deceased"
        } else if x < DECEASED + MOVED_AWAY {
            "moved_away"
        } else {
            "alive"
        };
        let phone = rng.random_bool(HAS_PHONE).then(|| mobile(rng));
        let address = if township.urban {
            format!(
                "{}{}{}号楼{}单元{}{:02}",
                township.name,
                village.name,
                rng.random_range(1..=30),
                rng.random_range(1..=4),
                rng.random_range(1..=7),
                rng.random_range(1..=2)
            )
        } else {
            format!(
                "{}{}{}号",
                township.name,
                village.name,
                rng.random_range(1..=300)
            )
        };
        let surname = surname_of(&name);
        let contact_count = if rng.random_bool(0.6) { 1 } else { 2 };
        let mut contacts = Vec::with_capacity(contact_count);
        for _ in 0..contact_count {
            let relation = tables.relations.sample(rng);
            let (family_name, contact_sex) = match relation {
                "儿子" | "孙子" | "侄子" => (Some(surname), Sex::Male),
                "女儿" | "孙女" => (Some(surname), Sex::Female),
                "配偶" => (
                    None,
                    match sex {
                        Sex::Male => Sex::Female,
                        Sex::Female => Sex::Male,
                    },
                ),
                "儿媳" => (None, Sex::Female),
                _ => (None, Sex::Male),
            };
            let contact_name = if relation == "配偶" {
                tables.elder_name(rng, contact_sex)
            } else {
                tables.young_name(rng, family_name, contact_sex)
            };
            contacts.push((
                Some(contact_name),
                Some(relation.to_string()),
                Some(mobile(rng)),
            ));
        }

        Ok(ElderInput {
            name: Some(name),
            id_number: Some(id_number.as_str().to_string()),
            sex: None,
            birth_date: None,
            phone,
            address: Some(address),
            region_code: Some(village.code.clone()),
            living_situation: Some(living.to_string()),
            special_categories: categories,
            medical_insurance: Some(insurance.to_string()),
            ltc_insurance: Some(ltc),
            chronic_conditions: conditions,
            status: Some(status.to_string()),
            contacts,
            responsible_org_id: Some(county.orgs[township.health_centre].id.clone()),
            residence_org_id: residence,
        })
    }
}

/// The surname of a generated name: the two-character ones are in the table.
fn surname_of(name: &str) -> &str {
    SURNAMES
        .iter()
        .map(|s| s.0)
        .find(|s| s.chars().count() == 2 && name.starts_with(s))
        .unwrap_or_else(|| {
            let end = name.chars().next().map_or(0, char::len_utf8);
            &name[..end]
        })
}

impl Iterator for People<'_> {
    type Item = Result<ElderInput>;

    fn next(&mut self) -> Option<Result<ElderInput>> {
        if !self.advance() {
            return None;
        }
        self.left_in_village -= 1;
        Some(self.person())
    }
}

/// Elders given a demo GB/T 42195 assessment (the rest have none yet, as in a county that has
/// just opened its assessment centre).
const DEMO_ASSESSED: usize = 1500;

/// Synthetic assessments so that the worklist, the elder pages and the counts have something to
/// show: GB/T 42195 for a sample of living elders, dated over the last 14 months (so some are
/// due or overdue), confirmed by the two demo assessors; a few awaiting confirmation and a few
/// reassessment requests. Answers are drawn so that dependence grows with age; every result is
/// scored by the real instrument.
async fn seed_assessments(
    app: &App,
    store: &store::Store,
    seed: u64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let today = app::today(now);
    let mut rng = stream(seed, 77);
    let authorized = app.demo_authorized().await?;
    let mut tx = store.begin().await?;
    let user = |name: &str| name.to_string();
    let mut ids = Vec::new();
    for name in ["assessor", "assessor2", "doctor"] {
        let row = store::users::by_username(&mut tx, &user(name))
            .await?
            .ok_or_else(|| AppError::Internal(format!("demo user {name} missing")))?;
        ids.push((row.id, row.display_name, row.org_id));
    }
    let candidates = store::assessments::living_elders_sample(&mut tx, &authorized, 20_000).await?;
    let instrument = assessment::catalog()
        .get("gbt42195_2022")
        .ok_or_else(|| AppError::Internal("GB/T 42195 missing from the catalogue".into()))?;
    let settings = app.assessment_settings();
    let step = (candidates.len() / DEMO_ASSESSED).max(1);
    for (n, (elder_id, birth, region_code, residence)) in candidates
        .iter()
        .step_by(step)
        .take(DEMO_ASSESSED)
        .enumerate()
    {
        let age = NaiveDate::parse_from_str(birth, "%Y-%m-%d")
            .map(|b| registry::elder::age_on(b, today))
            .unwrap_or(70);
        // Most younger elders are fully able; the share falls with age and is low in care
        // homes. The others lose a step on each item with a chance that grows with age.
        let able = (0.75 - (f64::from(age) - 65.0) / 40.0).clamp(0.05, 0.75)
            * if residence.is_some() { 0.3 } else { 1.0 };
        let frailty = if rng.random::<f64>() < able {
            0.0
        } else {
            ((f64::from(age) - 60.0) / 45.0).clamp(0.05, 0.9)
                * if residence.is_some() { 1.6 } else { 1.0 }
        };
        let mut answers = serde_json::Map::new();
        for item in &instrument.items {
            let scores = item.scores();
            let mut index = 0;
            while index + 1 < scores.len() && rng.random::<f64>() < frailty {
                index += 1;
            }
            answers.insert(item.id.clone(), scores[index].into());
        }
        if rng.random::<f64>() < 0.04 * frailty * 4.0 {
            answers.insert("dementia_or_mental_disorder".into(), true.into());
        }
        let outcome = assessment::score(instrument, &answers, &settings.rules, today)
            .map_err(|e| AppError::Internal(format!("demo answers refused: {e:?}")))?;
        let assessed_on = today - chrono::Duration::days(rng.random_range(3..425));
        let awaiting = n % 300 == 7;
        let new = store::assessments::NewAssessment {
            elder_id: elder_id.clone(),
            instrument_id: instrument.id.clone(),
            instrument_version: instrument.version.clone(),
            assessed_on: assessed_on.to_string(),
            place: pick_place(&mut rng, residence.is_some()).into(),
            reason: "initial".into(),
            org_id: ids[0].2.clone(),
            region_code: region_code.clone(),
            answers: serde_json::Value::Object(answers).to_string(),
            result: app::assessments::outcome_json(&outcome).to_string(),
            total: outcome.total,
            grade: outcome.grade,
            band: outcome.band.clone(),
            provisional: false,
            // Confirmed below by the second demo assessor unless left waiting.
            status: "awaiting_confirmation".into(),
            assessor_id: ids[0].0.clone(),
            assessor_name: ids[0].1.clone(),
            note: None,
            next_due_on: app::assessments::next_due(instrument, assessed_on).map(|d| d.to_string()),
        };
        let id = store::assessments::insert(&mut tx, &authorized, &new, now).await?;
        if awaiting {
            continue;
        }
        store::assessments::confirm(&mut tx, &authorized, &id, &ids[1].0, &ids[1].1, now).await?;
        app.apply_demo_assessment(&mut tx, &new, &id, now).await?;
        if n % 250 == 11 {
            store::assessments::insert_request(
                &mut tx,
                &authorized,
                elder_id,
                &instrument.id,
                "家属反映近两周跌倒两次，行动能力明显下降",
                (&ids[2].0, &ids[2].1),
                now,
            )
            .await?;
        }
    }
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

fn pick_place(rng: &mut ChaCha8Rng, resident: bool) -> &'static str {
    if resident {
        "institution"
    } else if rng.random::<f64>() < 0.6 {
        "home"
    } else {
        "centre"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use registry::{IdNumber, SpecialCategory, ValidElder};
    use std::collections::HashSet;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn people(elders: usize, seed: u64) -> Vec<ValidElder> {
        let plan = Plan::new(elders, seed, today()).unwrap();
        People::new(&plan)
            .map(|p| p.unwrap().validate(today()).unwrap())
            .collect()
    }

    fn share(people: &[ValidElder], test: impl Fn(&ValidElder) -> bool) -> f64 {
        people.iter().filter(|p| test(p)).count() as f64 / people.len() as f64
    }

    fn age(p: &ValidElder) -> i32 {
        registry::elder::age_on(p.birth_date, today())
    }

    #[test]
    fn the_same_seed_gives_the_same_people() {
        let fingerprint = |people: &[ValidElder]| -> Vec<String> {
            people
                .iter()
                .take(100)
                .map(|p| {
                    format!(
                        "{} {} {:?} {:?} {:?}",
                        p.name,
                        p.id_number.as_str(),
                        p.chronic_conditions,
                        p.address,
                        p.contacts
                    )
                })
                .collect()
        };
        let a = people(500, 7);
        let b = people(500, 7);
        let c = people(500, 8);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }

    #[test]
    fn exactly_the_requested_number_of_people_with_unique_valid_identity_numbers() {
        let people = people(20_000, 2026);
        assert_eq!(people.len(), 20_000);
        let mut seen = HashSet::new();
        for p in &people {
            let parsed = IdNumber::parse(p.id_number.as_str(), today()).unwrap();
            assert_eq!(parsed.address_code(), "371402");
            assert!(seen.insert(p.id_number.as_str().to_string()), "unique");
            let a = age(p);
            assert!((MIN_AGE as i32..=MAX_AGE as i32).contains(&a), "age {a}");
        }
    }

    #[test]
    fn ages_follow_a_pyramid_and_women_outnumber_men_when_old() {
        let people = people(20_000, 2026);
        let in_range = |low: i32, high: i32| share(&people, |p| (low..=high).contains(&age(p)));
        let groups: Vec<f64> = (0..9).map(|g| in_range(60 + 5 * g, 64 + 5 * g)).collect();
        assert!(groups[0] > 0.27, "most are 60–64: {groups:?}");
        for pair in groups.windows(2) {
            assert!(pair[0] > pair[1], "steadily fewer: {groups:?}");
        }
        let eighty_plus = share(&people, |p| {
            p.special_categories.contains(&SpecialCategory::Aged80Plus)
        });
        assert!((0.11..0.17).contains(&eighty_plus), "80+ {eighty_plus}");
        let old: Vec<&ValidElder> = people.iter().filter(|p| age(p) >= 85).collect();
        let women = old.iter().filter(|p| p.sex == Sex::Female).count();
        assert!(women * 100 > old.len() * 55, "{women} of {}", old.len());
    }

    #[test]
    fn chronic_conditions_and_categories_have_realistic_shares() {
        let people = people(20_000, 2026);
        let has = |code: &'static str| {
            move |p: &ValidElder| p.chronic_conditions.iter().any(|c| c == code)
        };
        let check = |what: &str, got: f64, low: f64, high: f64| {
            assert!((low..=high).contains(&got), "{what}: {got}");
        };
        check("hypertension", share(&people, has("I10")), 0.50, 0.56);
        check("diabetes", share(&people, has("E11.9")), 0.17, 0.23);
        check("dementia", share(&people, has("F03")), 0.03, 0.08);
        let category = |c: SpecialCategory| move |p: &ValidElder| p.special_categories.contains(&c);
        check(
            "disabled",
            share(&people, category(SpecialCategory::Disabled)),
            0.03,
            0.055,
        );
        check(
            "semi-disabled",
            share(&people, category(SpecialCategory::SemiDisabled)),
            0.07,
            0.11,
        );
        check(
            "dibao",
            share(&people, category(SpecialCategory::Dibao)),
            0.03,
            0.05,
        );
        let living =
            |l: registry::LivingSituation| move |p: &ValidElder| p.living_situation == Some(l);
        check(
            "alone",
            share(&people, living(registry::LivingSituation::Alone)),
            0.10,
            0.14,
        );
        check(
            "institution",
            share(&people, living(registry::LivingSituation::Institution)),
            0.03,
            0.05,
        );
        check("phone", share(&people, |p| p.phone.is_some()), 0.72, 0.78);
        check(
            "alive",
            share(&people, |p| p.status == registry::ElderStatus::Alive),
            0.96,
            0.98,
        );
        // Dementia rises with age.
        let old: Vec<ValidElder> = people.iter().filter(|p| age(p) >= 85).cloned().collect();
        let young: Vec<ValidElder> = people.iter().filter(|p| age(p) < 65).cloned().collect();
        assert!(share(&old, has("F03")) > 4.0 * share(&young, has("F03")));
    }

    #[test]
    fn everyone_has_a_village_a_health_centre_and_family_to_call() {
        let plan = Plan::new(3_000, 1, today()).unwrap();
        let county = &plan.counties[0];
        let centres: HashSet<&str> = county
            .townships
            .iter()
            .map(|t| county.orgs[t.health_centre].id.as_str())
            .collect();
        let homes: HashSet<&str> = county
            .orgs
            .iter()
            .filter(|o| matches!(o.role, OrgRole::NursingHome | OrgRole::Combined))
            .map(|o| o.id.as_str())
            .collect();
        for p in People::new(&plan) {
            let p = p.unwrap().validate(today()).unwrap();
            assert_eq!(p.region_code.as_ref().unwrap().prefix().len(), 12);
            assert!(centres.contains(p.responsible_org_id.as_deref().unwrap()));
            assert_eq!(
                p.residence_org_id.is_some(),
                p.living_situation == Some(registry::LivingSituation::Institution)
            );
            if let Some(home) = &p.residence_org_id {
                assert!(homes.contains(home.as_str()));
            }
            assert!((1..=2).contains(&p.contacts.len()));
            let name_chars = p.name.chars().count();
            assert!((2..=4).contains(&name_chars), "{}", p.name);
            assert!(p
                .address
                .as_deref()
                .unwrap()
                .ends_with(|c: char| c.is_ascii_digit() || c == '号'));
        }
    }

    #[test]
    fn names_use_common_surnames_and_initials() {
        let tables = Tables::new();
        let mut rng = stream(3, STREAM_PEOPLE);
        let mut wang = 0;
        for _ in 0..10_000 {
            let name = tables.elder_name(&mut rng, Sex::Female);
            assert!(SURNAMES.iter().any(|s| name.starts_with(s.0)));
            let initials = registry::initials::pinyin_initials(&name);
            assert_eq!(initials.len(), name.chars().count(), "{name} → {initials}");
            wang += usize::from(surname_of(&name) == "王");
        }
        // 王 is about 7% of the table's weight.
        assert!((500..1000).contains(&wang), "{wang}");
    }

    #[test]
    fn counties_scale_with_the_number_of_elders() {
        assert_eq!(county_count(0), 1);
        assert_eq!(county_count(3_000), 1);
        assert_eq!(county_count(20_000), 1);
        assert_eq!(county_count(45_000), 2);
        assert_eq!(county_count(1_000_000), 50);
        let plan = Plan::new(1_000_000, 2026, today()).unwrap();
        assert_eq!(plan.counties.len(), 50);
        assert_eq!(plan.counties[0].code, "371402");
        assert_eq!(plan.counties[10].name, "禹城市");
        assert_eq!(plan.counties[11].code, "375121");
        assert_eq!(plan.counties[11].name, "示范县12");
        assert_eq!(
            plan.counties.iter().map(|c| c.elders).sum::<usize>(),
            1_000_000
        );
        let regions = plan.regions().unwrap();
        assert_eq!(regions.len(), plan.region_count());
        let codes: HashSet<&str> = regions.iter().map(|r| r.code.prefix()).collect();
        assert_eq!(codes.len(), regions.len(), "codes are unique");
        for r in &regions {
            if let Some(parent) = r.code.parent() {
                assert!(codes.contains(parent.prefix()), "parent of {}", r.code);
            }
        }
        for county in &plan.counties {
            assert!((8..=12).contains(&county.townships.len()));
            let villages: usize = county.townships.iter().map(|t| t.villages.len()).sum();
            let elders: usize = county
                .townships
                .iter()
                .flat_map(|t| &t.villages)
                .map(|v| v.elders)
                .sum();
            assert!(villages > 50);
            assert_eq!(elders, county.elders);
        }
    }

    #[test]
    fn each_county_has_the_institutions_the_policies_count() {
        let plan = Plan::new(200_000, 2026, today()).unwrap();
        for county in &plan.counties {
            let orgs = &county.orgs;
            assert!((25..=40).contains(&orgs.len()), "{} orgs", orgs.len());
            let of = |kind: OrgKind| orgs.iter().filter(|o| o.valid.kind == kind).count();
            assert_eq!(of(OrgKind::GeneralHospital), 1);
            assert_eq!(of(OrgKind::TcmHospital), 1);
            assert_eq!(
                of(OrgKind::CommunityHealthCentre) + of(OrgKind::TownshipHealthCentre),
                county.townships.len()
            );
            assert_eq!(of(OrgKind::Combined), 2);
            assert!(orgs
                .iter()
                .any(|o| o.valid.kind == OrgKind::Combined && o.valid.beds.elderly_care >= 200));
            assert!(of(OrgKind::NursingHome) >= 4);
            assert_eq!(
                orgs.iter()
                    .filter(|o| o.valid.services.contains(&OrgService::AssessmentCentre))
                    .count(),
                1
            );
            for org in orgs {
                let beds = org.valid.beds;
                if org.valid.kind == OrgKind::NursingHome {
                    let share = beds.nursing as f64 / beds.elderly_care as f64;
                    assert!((0.2..=0.6).contains(&share), "{share}");
                }
                assert!(region::RegionCode::parse(org.valid.region_code.prefix())
                    .is_ok_and(|r| r.prefix().starts_with(&county.code)));
            }
            for township in &county.townships {
                let centre = &orgs[township.health_centre];
                assert!(centre.valid.kind.is_primary_care());
                assert_eq!(centre.valid.region_code.prefix(), township.code);
                assert!(centre.valid.services.contains(&OrgService::TcmServices));
            }
        }
    }

    #[test]
    fn staff_cannot_sign_in_and_demo_users_are_placed() {
        let plan = Plan::new(3_000, 2026, today()).unwrap();
        let staff = plan.staff();
        assert!(staff.len() > 60);
        let names: HashSet<&str> = staff.iter().map(|s| s.username.as_str()).collect();
        assert_eq!(names.len(), staff.len(), "usernames are unique");
        assert!(!app::auth::verify_password("", NO_LOGIN));
        let caregivers: Vec<_> = staff.iter().filter(|s| s.role == "caregiver").collect();
        let certified = caregivers.iter().filter(|s| s.caregiver_certified).count();
        assert!(certified * 100 >= caregivers.len() * 35 && certified < caregivers.len());
        let users = plan.demo_users("elder-1", "王秀英");
        let usernames: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(usernames, DEMO_USERS);
        let doctor = &users[1];
        assert_eq!(doctor.org_id.as_deref(), Some(plan.doctor_org_id()));
        assert_eq!(users[0].region_code.as_deref(), Some("371402"));
        assert_eq!(users[4].region_code.as_deref(), Some("371402"));
        assert_eq!(users[5].region_code.as_deref(), Some("371402"));
        assert_eq!(users[5].role, "assessor");
        assert_eq!(users[6].elder_id.as_deref(), Some("elder-1"));
    }

    #[test]
    fn apportion_keeps_the_total() {
        assert_eq!(apportion(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(apportion(0, &[1.0, 2.0]), vec![0, 0]);
        assert_eq!(apportion(7, &[1.0, 2.5, 0.5]).iter().sum::<usize>(), 7);
    }

    #[test]
    fn birth_dates_give_exactly_the_sampled_age() {
        let mut rng = stream(1, 1);
        for day in [
            today(),
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap(),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        ] {
            for age in [60, 61, 80, 104, 105] {
                for _ in 0..200 {
                    let birth = birth_date(&mut rng, day, age);
                    assert_eq!(registry::elder::age_on(birth, day), age as i32);
                }
            }
        }
    }
}
