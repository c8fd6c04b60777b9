//! Independent tests of the assessment crate against the specification,
//! `shared/standards/README.md` ("README §n" below).
//!
//! The item tables and every expected band/grade here are written out from the README, not read
//! from `instruments.json`: the one place the catalogue is consulted is
//! `catalogue_items_and_scores_match_the_readme`, which checks that the two agree. Answer sets that
//! reach an exact total are built by a small solver over those README tables ([`reach`]); where
//! a total is not reachable (Barthel, Morse steps of 5), the solver proves it and the nearest
//! reachable totals are tested instead.

use assessment::{
    catalog, score, AnswerError, AnswerProblem, Answers, LtcTable, MorseBandSet, Outcome, Rules,
    Stacking, Verdict,
};
use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn obj(value: Value) -> Answers {
    value.as_object().expect("a JSON object").clone()
}

fn run(id: &str, answers: &Answers, rules: &Rules) -> Result<Outcome, Vec<AnswerError>> {
    let instrument = catalog()
        .get(id)
        .unwrap_or_else(|| panic!("instrument {id} is in the catalogue"));
    score(instrument, answers, rules, today())
}

fn ok(id: &str, answers: &Answers, rules: &Rules) -> Outcome {
    match run(id, answers, rules) {
        Ok(outcome) => outcome,
        Err(errors) => panic!("{id}: expected a result for {answers:?}, got {errors:?}"),
    }
}

fn refused(id: &str, answers: &Answers) -> Vec<AnswerError> {
    match run(id, answers, &Rules::default()) {
        Ok(outcome) => panic!("{id}: expected a refusal for {answers:?}, got {outcome:?}"),
        Err(errors) => errors,
    }
}

/// Asserts that `answers` is refused and that one of the errors names `item` with a problem
/// accepted by `problem`.
fn assert_refused(id: &str, answers: &Answers, item: &str, problem: fn(&AnswerProblem) -> bool) {
    let errors = refused(id, answers);
    assert!(
        errors.iter().any(|e| e.item == item && problem(&e.problem)),
        "{id}: expected an error naming {item}, got {errors:?}"
    );
}

fn is_missing(p: &AnswerProblem) -> bool {
    matches!(p, AnswerProblem::Missing)
}
fn is_unknown(p: &AnswerProblem) -> bool {
    matches!(p, AnswerProblem::Unknown)
}
fn is_not_an_option(p: &AnswerProblem) -> bool {
    matches!(p, AnswerProblem::NotAnOption { .. })
}
fn is_wrong_type(p: &AnswerProblem) -> bool {
    matches!(p, AnswerProblem::WrongType { .. })
}
fn is_bad_value(p: &AnswerProblem) -> bool {
    matches!(
        p,
        AnswerProblem::WrongType { .. } | AnswerProblem::NotAnOption { .. }
    )
}
fn is_out_of_range(p: &AnswerProblem) -> bool {
    matches!(p, AnswerProblem::OutOfRange { .. })
}

/// Items of a summed instrument: id and allowed scores (ascending), as the README lists them.
type Items = &'static [(&'static str, &'static [i64])];

const A5: &[i64] = &[0, 1, 2, 3, 4];
const ONE_TO_FOUR: &[i64] = &[1, 2, 3, 4];

/// README §1, Annex B.
const GBT: Items = &[
    ("B1.1", A5),
    ("B1.2", A5),
    ("B1.3", A5),
    ("B1.4", A5),
    ("B1.5", A5),
    ("B1.6", A5),
    ("B1.7", A5),
    ("B1.8", A5),
    ("B2.1", A5),
    ("B2.2", A5),
    ("B2.3", A5),
    ("B2.4", &[0, 1, 2, 3]),
    ("B3.1", A5),
    ("B3.2", A5),
    ("B3.3", A5),
    ("B3.4", A5),
    ("B3.5", A5),
    ("B3.6", A5),
    ("B3.7", &[0, 1]),
    ("B3.8", &[0, 1]),
    ("B3.9", &[0, 1, 2]),
    ("B4.1", &[0, 1, 2]),
    ("B4.2", &[0, 1, 2]),
    ("B4.3", A5),
    ("B4.4", &[0, 1, 2, 3]),
    ("B4.5", A5),
];

/// README §2.
const SELFCARE: Items = &[
    ("meal", &[0, 3, 5]),
    ("grooming", &[0, 1, 3, 7]),
    ("dressing", &[0, 3, 5]),
    ("toileting", &[0, 1, 5, 10]),
    ("activity", &[0, 1, 5, 10]),
];

/// README §4.
const LTC_ADL: Items = &[
    ("adl_feeding", &[0, 5, 10]),
    ("adl_dressing", &[0, 5, 10]),
    ("adl_face_mouth", &[0, 5]),
    ("adl_bowel", &[0, 5, 10]),
    ("adl_bladder", &[0, 5, 10]),
    ("adl_toilet", &[0, 5, 10]),
    ("adl_walking", &[0, 5, 10, 15]),
    ("adl_transfer", &[0, 5, 10, 15]),
    ("adl_stairs", &[0, 5, 10]),
    ("adl_bathing", &[0, 5]),
];
const LTC_COGNITION: Items = &[
    ("cog_time", A5),
    ("cog_person", A5),
    ("cog_place", A5),
    ("cog_memory", A5),
];
const LTC_SENSORY: Items = &[
    ("sen_vision", A5),
    ("sen_hearing", A5),
    ("sen_communication", A5),
];

/// README §5.
const BARTHEL: Items = &[
    ("feeding", &[0, 5, 10]),
    ("bathing", &[0, 5]),
    ("grooming", &[0, 5]),
    ("dressing", &[0, 5, 10]),
    ("bowels", &[0, 5, 10]),
    ("bladder", &[0, 5, 10]),
    ("toilet", &[0, 5, 10]),
    ("transfer", &[0, 5, 10, 15]),
    ("mobility", &[0, 5, 10, 15]),
    ("stairs", &[0, 5, 10]),
];

/// README §7.
const MINICOG: Items = &[("word_recall", &[0, 1, 2, 3]), ("clock_draw", &[0, 2])];
const MORSE: Items = &[
    ("history_of_falling", &[0, 25]),
    ("secondary_diagnosis", &[0, 15]),
    ("ambulatory_aid", &[0, 15, 30]),
    ("iv_therapy", &[0, 20]),
    ("gait", &[0, 10, 20]),
    ("mental_status", &[0, 15]),
];
const BRADEN: Items = &[
    ("sensory_perception", ONE_TO_FOUR),
    ("moisture", ONE_TO_FOUR),
    ("activity", ONE_TO_FOUR),
    ("mobility", ONE_TO_FOUR),
    ("nutrition", ONE_TO_FOUR),
    ("friction_shear", &[1, 2, 3]),
];
const MNA_WITH_BMI: Items = &[
    ("A_food_intake", &[0, 1, 2]),
    ("B_weight_loss", &[0, 1, 2, 3]),
    ("C_mobility", &[0, 1, 2]),
    ("D_stress_acute", &[0, 2]),
    ("E_neuropsych", &[0, 1, 2]),
    ("F1_bmi", &[0, 1, 2, 3]),
];
const MNA_WITH_CALF: Items = &[
    ("A_food_intake", &[0, 1, 2]),
    ("B_weight_loss", &[0, 1, 2, 3]),
    ("C_mobility", &[0, 1, 2]),
    ("D_stress_acute", &[0, 2]),
    ("E_neuropsych", &[0, 1, 2]),
    ("F2_calf", &[0, 3]),
];

/// GDS-15 items that score 1 for "no" (README §7); the other ten score 1 for "yes".
const GDS_NO_SCORES: [u32; 5] = [1, 5, 7, 11, 13];

/// The totals reachable with `items`, each item taking one of its scores.
fn reachable(items: &[(&str, &[i64])]) -> Vec<BTreeSet<i64>> {
    let n = items.len();
    let mut suffix = vec![BTreeSet::new(); n + 1];
    suffix[n].insert(0);
    for i in (0..n).rev() {
        let next = suffix[i + 1].clone();
        for s in items[i].1 {
            for r in &next {
                suffix[i].insert(s + r);
            }
        }
    }
    suffix
}

/// Item scores that add up to exactly `target` (earlier items as high as possible), or `None`
/// when no combination reaches it.
fn reach(items: &[(&str, &[i64])], target: i64) -> Option<Vec<i64>> {
    let suffix = reachable(items);
    if !suffix[0].contains(&target) {
        return None;
    }
    let mut rest = target;
    let mut out = Vec::new();
    for (i, (_, scores)) in items.iter().enumerate() {
        let s = scores
            .iter()
            .rev()
            .copied()
            .find(|s| suffix[i + 1].contains(&(rest - s)))
            .expect("reachable");
        out.push(s);
        rest -= s;
    }
    Some(out)
}

fn answers_of(items: &[(&str, &[i64])], scores: &[i64]) -> Answers {
    items
        .iter()
        .zip(scores)
        .map(|((id, _), s)| (id.to_string(), json!(s)))
        .collect()
}

fn answers_for_total(items: &[(&str, &[i64])], total: i64) -> Answers {
    let scores = reach(items, total).unwrap_or_else(|| panic!("total {total} is reachable"));
    answers_of(items, &scores)
}

fn max_answers(items: &[(&str, &[i64])]) -> Answers {
    let scores: Vec<i64> = items.iter().map(|(_, s)| *s.last().unwrap()).collect();
    answers_of(items, &scores)
}

/// The data-driven check of every summed instrument: an answer set reaching exactly `total`
/// scores `total` and lands in `band` (with `grade` for numbered bands).
fn check_total(id: &str, items: Items, total: i64, band: &str, grade: Option<i64>) {
    check_total_with(id, items, total, band, grade, &Rules::default());
}

fn check_total_with(
    id: &str,
    items: Items,
    total: i64,
    band: &str,
    grade: Option<i64>,
    rules: &Rules,
) {
    let answers = answers_for_total(items, total);
    let out = ok(id, &answers, rules);
    assert_eq!(out.total, Some(total), "{id}: total of {answers:?}");
    assert_eq!(
        out.band.as_deref(),
        Some(band),
        "{id}: band at total {total}"
    );
    assert_eq!(out.grade, grade, "{id}: grade at total {total}");
    assert!(out.band_name.is_some(), "{id}: band name at total {total}");
}

fn assert_unreachable(items: Items, totals: impl IntoIterator<Item = i64>) {
    for t in totals {
        assert!(reach(items, t).is_none(), "total {t} should be unreachable");
    }
}

/// ISO 7064 MOD 11-2 check character, computed here from README §9.
fn mod11_2(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const T: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let s: u32 = first17
        .bytes()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    T[(s % 11) as usize]
}

// ---------------------------------------------------------------------------------------------
// The catalogue agrees with the README tables used by these tests
// ---------------------------------------------------------------------------------------------

#[test]
fn catalogue_items_and_scores_match_the_readme() {
    type Table = Vec<(&'static str, &'static [i64])>;
    let mna_items: Table = MNA_WITH_BMI
        .iter()
        .copied()
        .chain(std::iter::once(MNA_WITH_CALF[5]))
        .collect();
    let ltc_items: Table = LTC_ADL
        .iter()
        .chain(LTC_COGNITION)
        .chain(LTC_SENSORY)
        .copied()
        .collect();
    let tables: Vec<(&str, Table)> = vec![
        ("gbt42195_2022", GBT.to_vec()),
        ("selfcare_phs3", SELFCARE.to_vec()),
        ("ltc_disability_2021", ltc_items),
        ("barthel", BARTHEL.to_vec()),
        ("minicog", MINICOG.to_vec()),
        ("morse", MORSE.to_vec()),
        ("braden", BRADEN.to_vec()),
        ("mna_sf", mna_items),
    ];
    for (id, items) in tables {
        let instrument = catalog().get(id).unwrap();
        let ids: Vec<&str> = instrument.items.iter().map(|i| i.id.as_str()).collect();
        let expected: Vec<&str> = items.iter().map(|(i, _)| *i).collect();
        assert_eq!(ids, expected, "{id}: item ids in form order");
        for (item_id, scores) in items {
            let got: BTreeSet<i64> = instrument
                .item(item_id)
                .unwrap()
                .options
                .iter()
                .map(|o| o.score)
                .collect();
            let want: BTreeSet<i64> = scores.iter().copied().collect();
            assert_eq!(got, want, "{id} {item_id}: allowed scores");
        }
    }
    let tcm = catalog().get("tcm_constitution_33").unwrap();
    assert_eq!(tcm.items.len(), 33);
    let gds = catalog().get("gds15").unwrap();
    assert_eq!(gds.items.len(), 15);
    let ad8 = catalog().get("ad8").unwrap();
    assert_eq!(ad8.items.len(), 8);
}

#[test]
fn catalogue_has_the_fifteen_instruments_of_the_readme() {
    for id in [
        "gbt42195_2022",
        "selfcare_phs3",
        "tcm_constitution_33",
        "ltc_disability_2021",
        "barthel",
        "news2",
        "gds15",
        "minicog",
        "ad8",
        "morse",
        "braden",
        "mna_sf",
        "bp_grade_cn",
        "glucose_cn",
        "cn_resident_id",
    ] {
        assert!(catalog().get(id).is_some(), "{id}");
    }
    assert_eq!(catalog().instruments.len(), 15);
}

/// Boundary tests: one named test per total, each a row of data.
macro_rules! total_tests {
    ($($name:ident: $id:expr, $items:expr, $total:expr => $band:expr, $grade:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check_total($id, $items, $total, $band, $grade);
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------------
// README §1 GB/T 42195-2022
// ---------------------------------------------------------------------------------------------

const G: &str = "gbt42195_2022";

total_tests! {
    gbt42195_total_90_is_grade_0_intact: G, GBT, 90 => "intact", Some(0);
    gbt42195_total_89_is_grade_1_mild: G, GBT, 89 => "mild", Some(1);
    gbt42195_total_66_is_grade_1_mild: G, GBT, 66 => "mild", Some(1);
    gbt42195_total_65_is_grade_2_moderate: G, GBT, 65 => "moderate", Some(2);
    gbt42195_total_46_is_grade_2_moderate: G, GBT, 46 => "moderate", Some(2);
    gbt42195_total_45_is_grade_3_severe: G, GBT, 45 => "severe", Some(3);
    gbt42195_total_30_is_grade_3_severe: G, GBT, 30 => "severe", Some(3);
    gbt42195_total_29_is_grade_4_complete: G, GBT, 29 => "complete", Some(4);
    gbt42195_total_0_is_grade_4_complete: G, GBT, 0 => "complete", Some(4);
}

/// GB/T answers reaching `total`, plus the C.4 inputs.
fn gbt(total: i64, extra: Value) -> Answers {
    let mut answers = answers_for_total(GBT, total);
    answers.extend(obj(extra));
    answers
}

fn gbt_grades(total: i64, extra: Value, rules: &Rules) -> (i64, i64) {
    let out = ok(G, &gbt(total, extra), rules);
    (out.initial_grade.unwrap(), out.grade.unwrap())
}

fn per_rule() -> Rules {
    Rules {
        gbt_stacking: Stacking::PerRule,
        ..Rules::default()
    }
}

#[test]
fn gbt42195_initial_grade_equals_final_grade_without_change_rules() {
    for (total, grade) in [
        (90, 0),
        (89, 1),
        (66, 1),
        (65, 2),
        (46, 2),
        (45, 3),
        (30, 3),
        (29, 4),
    ] {
        let out = ok(G, &gbt(total, json!({})), &Rules::default());
        assert_eq!(out.initial_grade, Some(grade), "total {total}");
        assert_eq!(out.grade, Some(grade), "total {total}");
        assert_eq!(out.max_total, Some(90));
    }
}

#[test]
fn gbt42195_subscores_are_the_sums_of_each_domain() {
    let out = ok(G, &max_answers(GBT), &Rules::default());
    let subs: Vec<(String, i64, i64)> = out
        .subscores
        .iter()
        .map(|s| (s.id.clone(), s.score, s.max))
        .collect();
    assert_eq!(
        subs,
        [
            ("B1".to_string(), 32, 32),
            ("B2".to_string(), 15, 15),
            ("B3".to_string(), 28, 28),
            ("B4".to_string(), 15, 15)
        ]
    );
    // A hand-built set with a distinct sum per domain.
    let mut answers = max_answers(GBT);
    answers.insert("B1.1".into(), json!(0)); // B1 = 28
    answers.insert("B2.4".into(), json!(1)); // B2 = 13
    answers.insert("B2.3".into(), json!(2)); // B2 = 11
    answers.insert("B3.7".into(), json!(0)); // B3 = 27
    answers.insert("B3.9".into(), json!(0)); // B3 = 25
    answers.insert("B3.6".into(), json!(1)); // B3 = 22
    answers.insert("B4.4".into(), json!(0)); // B4 = 12
    answers.insert("B4.1".into(), json!(1)); // B4 = 11
    let out = ok(G, &answers, &Rules::default());
    assert_eq!(out.subscore("B1"), Some(28));
    assert_eq!(out.subscore("B2"), Some(11));
    assert_eq!(out.subscore("B3"), Some(22));
    assert_eq!(out.subscore("B4"), Some(11));
    assert_eq!(out.total, Some(28 + 11 + 22 + 11));
}

#[test]
fn gbt42195_subscores_add_up_to_the_total_at_every_boundary() {
    for total in [90, 89, 66, 65, 46, 45, 30, 29, 0] {
        let out = ok(G, &gbt(total, json!({})), &Rules::default());
        let sum: i64 = out.subscores.iter().map(|s| s.score).sum();
        assert_eq!(sum, total);
    }
}

#[test]
fn gbt42195_coma_is_grade_4_even_with_total_90() {
    let out = ok(G, &gbt(90, json!({"coma": true})), &Rules::default());
    assert_eq!(out.total, Some(90));
    assert_eq!(out.initial_grade, Some(0));
    assert_eq!(out.grade, Some(4));
    assert_eq!(out.band.as_deref(), Some("complete"));
}

#[test]
fn gbt42195_coma_is_grade_4_at_every_initial_grade_and_with_other_rules() {
    for total in [90, 66, 46, 30, 0] {
        for rules in [Rules::default(), per_rule()] {
            let (_, grade) = gbt_grades(total, json!({"coma": true}), &rules);
            assert_eq!(grade, 4, "total {total}");
            let (_, grade) = gbt_grades(
                total,
                json!({"coma": true, "dementia_or_mental_disorder": true, "risk_events_30d": 5}),
                &rules,
            );
            assert_eq!(grade, 4, "total {total} with all rules");
        }
    }
}

#[test]
fn gbt42195_coma_false_changes_nothing() {
    assert_eq!(
        gbt_grades(90, json!({"coma": false}), &Rules::default()),
        (0, 0)
    );
    assert_eq!(
        gbt_grades(50, json!({"coma": false}), &Rules::default()),
        (2, 2)
    );
}

#[test]
fn gbt42195_coma_with_b3_9_alert_is_flagged_for_checking() {
    let out = ok(G, &gbt(90, json!({"coma": true})), &Rules::default());
    assert!(out.has_flag("coma_disagrees_with_b3_9"));
    let mut answers = gbt(60, json!({"coma": true}));
    answers.insert("B3.9".into(), json!(0));
    let out = ok(G, &answers, &Rules::default());
    assert!(!out.has_flag("coma_disagrees_with_b3_9"));
    assert_eq!(out.grade, Some(4));
}

#[test]
fn gbt42195_dementia_raises_one_grade() {
    let d = json!({"dementia_or_mental_disorder": true});
    assert_eq!(gbt_grades(90, d.clone(), &Rules::default()), (0, 1));
    assert_eq!(gbt_grades(89, d.clone(), &Rules::default()), (1, 2));
    assert_eq!(gbt_grades(65, d.clone(), &Rules::default()), (2, 3));
    assert_eq!(gbt_grades(45, d.clone(), &Rules::default()), (3, 4));
    let out = ok(G, &gbt(90, d), &Rules::default());
    assert_eq!(out.band.as_deref(), Some("mild"));
}

#[test]
fn gbt42195_dementia_false_changes_nothing() {
    let d = json!({"dementia_or_mental_disorder": false});
    assert_eq!(gbt_grades(90, d, &Rules::default()), (0, 0));
}

#[test]
fn gbt42195_one_risk_event_changes_nothing() {
    for events in [0, 1] {
        let e = json!({ "risk_events_30d": events });
        assert_eq!(gbt_grades(90, e.clone(), &Rules::default()), (0, 0));
        assert_eq!(gbt_grades(50, e, &Rules::default()), (2, 2));
    }
}

#[test]
fn gbt42195_two_risk_events_raise_one_grade() {
    for events in [2, 3, 10] {
        let e = json!({ "risk_events_30d": events });
        assert_eq!(gbt_grades(90, e.clone(), &Rules::default()), (0, 1));
        assert_eq!(gbt_grades(50, e.clone(), &per_rule()), (2, 3));
    }
}

#[test]
fn gbt42195_dementia_and_two_events_raise_one_grade_in_total_by_default() {
    let both = json!({"dementia_or_mental_disorder": true, "risk_events_30d": 2});
    assert_eq!(Rules::default().gbt_stacking, Stacking::OneInTotal);
    assert_eq!(gbt_grades(90, both.clone(), &Rules::default()), (0, 1));
    assert_eq!(gbt_grades(70, both.clone(), &Rules::default()), (1, 2));
    let one_in_total = Rules {
        gbt_stacking: Stacking::OneInTotal,
        ..Rules::default()
    };
    assert_eq!(gbt_grades(50, both, &one_in_total), (2, 3));
}

#[test]
fn gbt42195_dementia_and_two_events_raise_two_grades_per_rule() {
    let both = json!({"dementia_or_mental_disorder": true, "risk_events_30d": 2});
    assert_eq!(gbt_grades(90, both.clone(), &per_rule()), (0, 2));
    assert_eq!(gbt_grades(70, both.clone(), &per_rule()), (1, 3));
    assert_eq!(gbt_grades(50, both, &per_rule()), (2, 4));
}

#[test]
fn gbt42195_grade_never_goes_above_4() {
    let both = json!({"dementia_or_mental_disorder": true, "risk_events_30d": 2});
    for rules in [Rules::default(), per_rule()] {
        assert_eq!(gbt_grades(40, both.clone(), &rules), (3, 4));
        assert_eq!(gbt_grades(20, both.clone(), &rules), (4, 4));
        assert_eq!(
            gbt_grades(20, json!({"dementia_or_mental_disorder": true}), &rules),
            (4, 4)
        );
        assert_eq!(gbt_grades(0, json!({"risk_events_30d": 9}), &rules), (4, 4));
    }
    let out = ok(G, &gbt(40, both), &per_rule());
    assert_eq!(out.band.as_deref(), Some("complete"));
}

#[test]
fn gbt42195_stacking_codes_parse() {
    assert_eq!(Stacking::parse("one_in_total"), Some(Stacking::OneInTotal));
    assert_eq!(Stacking::parse("per_rule"), Some(Stacking::PerRule));
    assert_eq!(Stacking::parse("both"), None);
    assert_eq!(Stacking::PerRule.code(), "per_rule");
}

#[test]
fn gbt42195_every_item_accepts_exactly_its_listed_scores() {
    for (item, scores) in GBT {
        for value in -1..=5 {
            let mut answers = max_answers(GBT);
            answers.insert(item.to_string(), json!(value));
            if scores.contains(&value) {
                let out = ok(G, &answers, &Rules::default());
                let max = *scores.last().unwrap();
                assert_eq!(out.total, Some(90 - max + value), "{item}={value}");
            } else {
                assert_refused(G, &answers, item, is_not_an_option);
            }
        }
    }
}

#[test]
fn gbt42195_stairs_b2_4_takes_only_0_to_3() {
    let mut answers = max_answers(GBT);
    answers.insert("B2.4".into(), json!(4));
    assert_refused(G, &answers, "B2.4", is_not_an_option);
}

#[test]
fn gbt42195_aggression_and_depression_take_only_0_or_1() {
    for item in ["B3.7", "B3.8"] {
        let mut answers = max_answers(GBT);
        answers.insert(item.into(), json!(2));
        assert_refused(G, &answers, item, is_not_an_option);
    }
}

#[test]
fn gbt42195_consciousness_b3_9_takes_only_0_to_2() {
    let mut answers = max_answers(GBT);
    answers.insert("B3.9".into(), json!(3));
    assert_refused(G, &answers, "B3.9", is_not_an_option);
}

#[test]
fn gbt42195_vision_and_hearing_take_only_0_to_2() {
    for item in ["B4.1", "B4.2"] {
        let mut answers = max_answers(GBT);
        answers.insert(item.into(), json!(3));
        assert_refused(G, &answers, item, is_not_an_option);
    }
}

#[test]
fn gbt42195_transport_b4_4_takes_only_0_to_3() {
    let mut answers = max_answers(GBT);
    answers.insert("B4.4".into(), json!(4));
    assert_refused(G, &answers, "B4.4", is_not_an_option);
}

#[test]
fn gbt42195_change_rule_inputs_of_the_wrong_type_are_refused() {
    assert_refused(G, &gbt(90, json!({"coma": "maybe"})), "coma", is_wrong_type);
    assert_refused(
        G,
        &gbt(90, json!({"dementia_or_mental_disorder": [true]})),
        "dementia_or_mental_disorder",
        is_wrong_type,
    );
    assert_refused(
        G,
        &gbt(90, json!({"risk_events_30d": "2"})),
        "risk_events_30d",
        is_wrong_type,
    );
    assert_refused(
        G,
        &gbt(90, json!({"risk_events_30d": -1})),
        "risk_events_30d",
        is_out_of_range,
    );
    assert_refused(
        G,
        &gbt(90, json!({"risk_events_30d": 1.5})),
        "risk_events_30d",
        is_wrong_type,
    );
}

#[test]
fn gbt42195_missing_items_are_all_named_in_form_order() {
    let mut answers = max_answers(GBT);
    answers.remove("B4.5");
    answers.remove("B1.3");
    let errors = refused(G, &answers);
    let items: Vec<&str> = errors.iter().map(|e| e.item.as_str()).collect();
    assert_eq!(items, ["B1.3", "B4.5"]);
    assert!(errors.iter().all(|e| e.problem == AnswerProblem::Missing));
}

// ---------------------------------------------------------------------------------------------
// README §2 Self-care form (higher = more dependent)
// ---------------------------------------------------------------------------------------------

const S: &str = "selfcare_phs3";

total_tests! {
    selfcare_total_0_is_independent: S, SELFCARE, 0 => "independent", None;
    selfcare_total_3_is_independent: S, SELFCARE, 3 => "independent", None;
    selfcare_total_4_is_mild: S, SELFCARE, 4 => "mild", None;
    selfcare_total_8_is_mild: S, SELFCARE, 8 => "mild", None;
    selfcare_total_9_is_moderate: S, SELFCARE, 9 => "moderate", None;
    selfcare_total_18_is_moderate: S, SELFCARE, 18 => "moderate", None;
    selfcare_total_19_is_dependent: S, SELFCARE, 19 => "dependent", None;
    selfcare_total_37_is_dependent: S, SELFCARE, 37 => "dependent", None;
}

#[test]
fn selfcare_every_reachable_total_from_0_to_37_is_banded() {
    // 34 and 36 cannot be reached with the allowed scores (37 minus 1 or 3).
    assert_unreachable(SELFCARE, [34, 36]);
    for total in (0..=37).filter(|t| ![34, 36].contains(t)) {
        let band = match total {
            0..=3 => "independent",
            4..=8 => "mild",
            9..=18 => "moderate",
            _ => "dependent",
        };
        check_total(S, SELFCARE, total, band, None);
    }
}

#[test]
fn selfcare_hand_built_answers_score_as_printed() {
    // 可自理 everywhere except grooming 轻度依赖 (1) and toileting 中度依赖 (5).
    let answers =
        obj(json!({"meal": 0, "grooming": 1, "dressing": 0, "toileting": 5, "activity": 0}));
    let out = ok(S, &answers, &Rules::default());
    assert_eq!(out.total, Some(6));
    assert_eq!(out.band.as_deref(), Some("mild"));
}

#[test]
fn selfcare_disallowed_values_are_refused() {
    for (item, value) in [
        ("meal", 1),
        ("meal", 4),
        ("grooming", 5),
        ("grooming", 2),
        ("dressing", 1),
        ("toileting", 3),
        ("activity", 7),
        ("activity", 11),
    ] {
        let mut answers = max_answers(SELFCARE);
        answers.insert(item.into(), json!(value));
        assert_refused(S, &answers, item, is_not_an_option);
    }
}

// ---------------------------------------------------------------------------------------------
// README §3 TCM constitution, 33 questions
// ---------------------------------------------------------------------------------------------

const T: &str = "tcm_constitution_33";

/// Answers 1 (没有) everywhere except `overrides` (question number, answer).
fn tcm_answers(overrides: &[(u32, i64)]) -> Answers {
    let mut answers: Answers = (1..=33).map(|n| (format!("q{n}"), json!(1))).collect();
    for (n, a) in overrides {
        answers.insert(format!("q{n}"), json!(a));
    }
    answers
}

fn tcm(overrides: &[(u32, i64)]) -> Outcome {
    ok(T, &tcm_answers(overrides), &Rules::default())
}

fn constitution(out: &Outcome, code: &str) -> (i64, Verdict) {
    let c = out
        .constitutions
        .iter()
        .find(|c| c.code == code)
        .unwrap_or_else(|| panic!("constitution {code} in {out:?}"));
    (c.score, c.verdict)
}

/// Biased types with the questions that are not shared with 平和质 (README §3 table).
const BIASED: [(&str, &[u32]); 8] = [
    ("qixu", &[3, 14]),
    ("yangxu", &[11, 12, 29]),
    ("yinxu", &[10, 21, 26, 31]),
    ("tanshi", &[9, 16, 28, 32]),
    ("shire", &[23, 25, 27, 30]),
    ("xueyu", &[19, 22, 24, 33]),
    ("qiyu", &[6, 7, 8]),
    ("tebing", &[15, 17, 18, 20]),
];

/// Overrides that bring biased type `code` from its all-1 score 4 to `target`, using only its
/// questions not shared with 平和质.
fn raise_type(code: &str, target: i64) -> Vec<(u32, i64)> {
    let (_, free) = BIASED.iter().find(|(c, _)| *c == code).unwrap();
    let mut extra = target - 4;
    let mut out = Vec::new();
    for q in *free {
        let add = extra.min(4);
        if add > 0 {
            out.push((*q, 1 + add));
        }
        extra -= add;
    }
    assert_eq!(
        extra, 0,
        "{code} cannot reach {target} without shared questions"
    );
    out
}

#[test]
fn tcm_all_answers_1_is_pinghe_yes_and_every_biased_type_4() {
    let out = tcm(&[]);
    assert_eq!(constitution(&out, "pinghe"), (21, Verdict::Yes));
    for (code, _) in BIASED {
        assert_eq!(constitution(&out, code), (4, Verdict::No), "{code}");
    }
    assert_eq!(out.constitutions.len(), 9);
}

#[test]
fn tcm_question_1_counts_forward_in_pinghe() {
    for a in 1..=5 {
        let out = tcm(&[(1, a)]);
        assert_eq!(constitution(&out, "pinghe").0, a + 20, "q1={a}");
    }
}

#[test]
fn tcm_question_2_is_reversed_in_pinghe_and_forward_in_qixu() {
    for a in 1..=5 {
        let out = tcm(&[(2, a)]);
        assert_eq!(
            constitution(&out, "pinghe").0,
            1 + 5 * 3 + (6 - a),
            "q2={a}"
        );
        assert_eq!(constitution(&out, "qixu").0, 3 + a, "q2={a}");
    }
}

#[test]
fn tcm_question_4_is_reversed_in_pinghe_and_forward_in_qixu() {
    for a in 1..=5 {
        let out = tcm(&[(4, a)]);
        assert_eq!(constitution(&out, "pinghe").0, 16 + (6 - a), "q4={a}");
        assert_eq!(constitution(&out, "qixu").0, 3 + a, "q4={a}");
    }
}

#[test]
fn tcm_question_5_is_reversed_in_pinghe_and_forward_in_qiyu() {
    for a in 1..=5 {
        let out = tcm(&[(5, a)]);
        assert_eq!(constitution(&out, "pinghe").0, 16 + (6 - a), "q5={a}");
        assert_eq!(constitution(&out, "qiyu").0, 3 + a, "q5={a}");
    }
}

#[test]
fn tcm_question_13_is_reversed_in_pinghe_and_forward_in_yangxu() {
    for a in 1..=5 {
        let out = tcm(&[(13, a)]);
        assert_eq!(constitution(&out, "pinghe").0, 16 + (6 - a), "q13={a}");
        assert_eq!(constitution(&out, "yangxu").0, 3 + a, "q13={a}");
    }
}

#[test]
fn tcm_no_other_question_is_reversed() {
    for q in (1..=33u32).filter(|q| ![2, 4, 5, 13].contains(q)) {
        let low = tcm(&[(q, 1)]);
        let high = tcm(&[(q, 5)]);
        for c in &high.constitutions {
            let before = constitution(&low, &c.code).0;
            assert!(c.score >= before, "q{q} lowers {}", c.code);
        }
    }
}

#[test]
fn tcm_biased_type_at_8_is_no_and_pinghe_stays_yes() {
    for (code, _) in BIASED {
        let out = tcm(&raise_type(code, 8));
        assert_eq!(constitution(&out, code), (8, Verdict::No), "{code}");
        assert_eq!(
            constitution(&out, "pinghe"),
            (21, Verdict::Yes),
            "{code} at 8"
        );
    }
}

#[test]
fn tcm_biased_type_at_9_is_tendency_and_pinghe_is_basically() {
    for (code, _) in BIASED {
        let out = tcm(&raise_type(code, 9));
        assert_eq!(constitution(&out, code), (9, Verdict::Tendency), "{code}");
        assert_eq!(
            constitution(&out, "pinghe").1,
            Verdict::Basically,
            "{code} at 9"
        );
    }
}

#[test]
fn tcm_biased_type_at_10_is_tendency_and_pinghe_is_basically() {
    for (code, _) in BIASED {
        let out = tcm(&raise_type(code, 10));
        assert_eq!(constitution(&out, code), (10, Verdict::Tendency), "{code}");
        assert_eq!(
            constitution(&out, "pinghe").1,
            Verdict::Basically,
            "{code} at 10"
        );
    }
}

#[test]
fn tcm_biased_type_at_11_is_yes_and_pinghe_is_no() {
    for (code, _) in BIASED {
        let out = tcm(&raise_type(code, 11));
        assert_eq!(constitution(&out, code), (11, Verdict::Yes), "{code}");
        assert_eq!(constitution(&out, "pinghe").1, Verdict::No, "{code} at 11");
    }
}

#[test]
fn tcm_biased_type_at_20_is_yes() {
    // Needs all four questions at 5, shared ones included.
    let out = tcm(&[(2, 5), (3, 5), (4, 5), (14, 5)]);
    assert_eq!(constitution(&out, "qixu"), (20, Verdict::Yes));
    assert_eq!(constitution(&out, "pinghe").0, 1 + 1 + 1 + 5 + 5);
}

#[test]
fn tcm_pinghe_17_with_others_at_most_8_is_yes() {
    // q1 = 1, q2/q4/q5/q13 = 2 → 1 + 4×4 = 17; qixu 2+1+2+1 = 6, yangxu 5, qiyu 5.
    let out = tcm(&[(2, 2), (4, 2), (5, 2), (13, 2)]);
    assert_eq!(constitution(&out, "pinghe"), (17, Verdict::Yes));
    // q1 = 5 and q2/q4/q5/q13 = 3 → 5 + 4×3 = 17; qixu 3+1+3+1 = 8 (still ≤ 8).
    let out = tcm(&[(1, 5), (2, 3), (4, 3), (5, 3), (13, 3)]);
    assert_eq!(constitution(&out, "pinghe"), (17, Verdict::Yes));
    assert_eq!(constitution(&out, "qixu"), (8, Verdict::No));
}

#[test]
fn tcm_pinghe_16_is_no_even_with_every_other_type_at_most_8() {
    let out = tcm(&[(2, 3), (4, 2), (5, 2), (13, 2)]);
    assert_eq!(constitution(&out, "pinghe"), (16, Verdict::No));
    for (code, _) in BIASED {
        assert_eq!(constitution(&out, code).1, Verdict::No, "{code}");
    }
}

#[test]
fn tcm_pinghe_17_with_another_type_at_9_or_10_is_basically() {
    for target in [9, 10] {
        let mut overrides = vec![(2, 2), (4, 2), (5, 2), (13, 2)];
        overrides.extend(raise_type("xueyu", target));
        let out = tcm(&overrides);
        assert_eq!(constitution(&out, "pinghe"), (17, Verdict::Basically));
    }
}

#[test]
fn tcm_pinghe_17_with_another_type_at_11_is_no() {
    let mut overrides = vec![(2, 2), (4, 2), (5, 2), (13, 2)];
    overrides.extend(raise_type("tebing", 11));
    let out = tcm(&overrides);
    assert_eq!(constitution(&out, "pinghe"), (17, Verdict::No));
}

#[test]
fn tcm_pinghe_16_with_another_type_at_9_is_no() {
    let mut overrides = vec![(2, 3), (4, 2), (5, 2), (13, 2)];
    overrides.extend(raise_type("yinxu", 9));
    let out = tcm(&overrides);
    assert_eq!(constitution(&out, "pinghe"), (16, Verdict::No));
    assert_eq!(constitution(&out, "yinxu"), (9, Verdict::Tendency));
}

#[test]
fn tcm_verdict_strings_are_as_on_the_form() {
    assert_eq!(Verdict::Yes.as_form(), "是");
    assert_eq!(Verdict::Tendency.as_form(), "倾向是");
    assert_eq!(Verdict::Basically.as_form(), "基本是");
    assert_eq!(Verdict::No.as_form(), "否");
    let out = tcm(&raise_type("shire", 10));
    assert_eq!(constitution(&out, "shire").1.as_form(), "倾向是");
    assert_eq!(constitution(&out, "pinghe").1.as_form(), "基本是");
}

#[test]
fn tcm_all_verdicts_no_asks_to_recheck_the_answers() {
    let out = tcm(&[(2, 3), (4, 2), (5, 2), (13, 2)]);
    assert!(out.has_flag("recheck_answers"));
    assert!(!tcm(&[]).has_flag("recheck_answers"));
}

#[test]
fn tcm_yin_and_yang_deficiency_both_yes_asks_to_recheck() {
    let mut overrides = raise_type("yinxu", 11);
    overrides.extend(raise_type("yangxu", 11));
    let out = tcm(&overrides);
    assert_eq!(constitution(&out, "yinxu").1, Verdict::Yes);
    assert_eq!(constitution(&out, "yangxu").1, Verdict::Yes);
    assert!(out.has_flag("recheck_answers"));
}

#[test]
fn tcm_several_types_are_all_recorded_and_the_highest_leads() {
    let mut overrides = raise_type("tanshi", 12);
    overrides.extend(raise_type("shire", 9));
    let out = tcm(&overrides);
    assert_eq!(constitution(&out, "tanshi"), (12, Verdict::Yes));
    assert_eq!(constitution(&out, "shire"), (9, Verdict::Tendency));
    let primary = out.values.iter().find(|(k, _)| k == "primary").unwrap();
    assert_eq!(primary.1, json!(["tanshi"]));
    assert!(!out.has_flag("tie_for_physician"));

    let mut overrides = raise_type("tanshi", 11);
    overrides.extend(raise_type("xueyu", 11));
    let out = tcm(&overrides);
    assert!(out.has_flag("tie_for_physician"));
}

#[test]
fn tcm_missing_any_question_is_refused() {
    for n in 1..=33 {
        let mut answers = tcm_answers(&[]);
        answers.remove(&format!("q{n}"));
        let errors = refused(T, &answers);
        assert_eq!(errors.len(), 1, "q{n}: {errors:?}");
        assert_eq!(errors[0].item, format!("q{n}"));
        assert_eq!(errors[0].problem, AnswerProblem::Missing);
    }
}

#[test]
fn tcm_answers_outside_1_to_5_are_refused() {
    for bad in [0, 6, -1] {
        let mut answers = tcm_answers(&[]);
        answers.insert("q17".into(), json!(bad));
        assert_refused(T, &answers, "q17", is_not_an_option);
    }
}

// ---------------------------------------------------------------------------------------------
// README §4 Long-term-care disability 2021
// ---------------------------------------------------------------------------------------------

const L: &str = "ltc_disability_2021";

fn ltc_answers(adl: i64, cognition: i64, sensory: i64) -> Answers {
    let mut answers = answers_for_total(LTC_ADL, adl);
    answers.extend(answers_for_total(LTC_COGNITION, cognition));
    answers.extend(answers_for_total(LTC_SENSORY, sensory));
    answers
}

/// A TEST TABLE made up for these tests. It is NOT the official table of 医保办发〔2021〕37号
/// (README §4: the official cut-offs and combination table are UNCONFIRMED). The combination is
/// deliberately asymmetric so that reading it transposed would fail.
const TEST_LTC_TABLE: &str = r#"{
  "source": "TEST TABLE for crates/assessment/tests/standards.rs - not official",
  "domain_grades": {
    "adl": [{"grade":0,"min":100,"max":100},{"grade":1,"min":65,"max":99},{"grade":2,"min":45,"max":64},{"grade":3,"min":0,"max":44}],
    "cognition": [{"grade":0,"min":16,"max":16},{"grade":1,"min":12,"max":15},{"grade":2,"min":8,"max":11},{"grade":3,"min":0,"max":7}],
    "sensory": [{"grade":0,"min":12,"max":12},{"grade":1,"min":8,"max":11},{"grade":2,"min":4,"max":7},{"grade":3,"min":0,"max":3}]
  },
  "combination": [[0,0,1,2],[1,1,2,3],[2,3,3,4],[3,4,5,5]]
}"#;
const TEST_COMBINATION: [[i64; 4]; 4] = [[0, 0, 1, 2], [1, 1, 2, 3], [2, 3, 3, 4], [3, 4, 5, 5]];
const LTC_LEVEL_CODES: [&str; 6] = [
    "basically_normal",
    "mild",
    "moderate",
    "severe_1",
    "severe_2",
    "severe_3",
];

fn ltc_rules() -> Rules {
    Rules {
        ltc_table: Some(LtcTable::parse(TEST_LTC_TABLE).expect("test table parses")),
        ..Rules::default()
    }
}

#[test]
fn ltc_domain_totals_are_the_sums_of_each_domain() {
    for (adl, cognition, sensory) in [
        (0, 0, 0),
        (100, 16, 12),
        (55, 9, 5),
        (5, 1, 11),
        (95, 15, 0),
    ] {
        let out = ok(L, &ltc_answers(adl, cognition, sensory), &Rules::default());
        assert_eq!(out.subscore("adl"), Some(adl));
        assert_eq!(out.subscore("cognition"), Some(cognition));
        assert_eq!(out.subscore("sensory"), Some(sensory));
        let maxima: Vec<i64> = out.subscores.iter().map(|s| s.max).collect();
        assert_eq!(maxima, [100, 16, 12]);
    }
}

#[test]
fn ltc_every_domain_total_is_reachable_in_its_range() {
    for adl in (0..=100).step_by(5) {
        assert!(reach(LTC_ADL, adl).is_some(), "adl {adl}");
    }
    assert_unreachable(LTC_ADL, [1, 99, 101]);
    for c in 0..=16 {
        let out = ok(L, &ltc_answers(100, c, 12), &Rules::default());
        assert_eq!(out.subscore("cognition"), Some(c));
    }
    for s in 0..=12 {
        let out = ok(L, &ltc_answers(100, 16, s), &Rules::default());
        assert_eq!(out.subscore("sensory"), Some(s));
    }
}

#[test]
fn ltc_without_a_table_is_provisional_and_has_no_grade() {
    for (adl, c, s) in [(100, 16, 12), (0, 0, 0), (60, 8, 6)] {
        let out = ok(L, &ltc_answers(adl, c, s), &Rules::default());
        assert!(out.provisional);
        assert_eq!(out.grade, None);
        assert_eq!(out.band, None);
        assert!(out.has_flag("level_needs_official_table"));
    }
}

#[test]
fn ltc_with_the_test_table_the_level_follows_adl_grade_and_the_worse_other_domain() {
    // Totals on both sides of each test-table cut-off, by domain grade.
    let adl_by_grade: [&[i64]; 4] = [&[100], &[95, 65], &[60, 45], &[40, 0]];
    let cog_by_grade: [&[i64]; 4] = [&[16], &[15, 12], &[11, 8], &[7, 0]];
    let sen_by_grade: [&[i64]; 4] = [&[12], &[11, 8], &[7, 4], &[3, 0]];
    let rules = ltc_rules();
    for (ag, adls) in adl_by_grade.iter().enumerate() {
        for (cg, cogs) in cog_by_grade.iter().enumerate() {
            for (sg, sens) in sen_by_grade.iter().enumerate() {
                for &adl in *adls {
                    for &c in *cogs {
                        for &s in *sens {
                            let out = ok(L, &ltc_answers(adl, c, s), &rules);
                            let level = TEST_COMBINATION[ag][cg.max(sg)];
                            assert_eq!(
                                out.grade,
                                Some(level),
                                "adl {adl} cognition {c} sensory {s}"
                            );
                            assert_eq!(out.band.as_deref(), Some(LTC_LEVEL_CODES[level as usize]));
                            assert!(!out.provisional);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn ltc_the_worse_of_cognition_and_sensory_is_used_not_the_better() {
    let rules = ltc_rules();
    // ADL grade 0; cognition grade 0, sensory grade 3 → combination[0][3] = 2.
    assert_eq!(ok(L, &ltc_answers(100, 16, 0), &rules).grade, Some(2));
    // ADL grade 0; cognition grade 3, sensory grade 0 → also 2.
    assert_eq!(ok(L, &ltc_answers(100, 0, 12), &rules).grade, Some(2));
    // Asymmetry: ADL grade 1 × other 0 = 1, ADL grade 0 × other 1 = 0.
    assert_eq!(ok(L, &ltc_answers(95, 16, 12), &rules).grade, Some(1));
    assert_eq!(ok(L, &ltc_answers(100, 15, 12), &rules).grade, Some(0));
}

#[test]
fn ltc_test_table_is_labelled_in_the_result() {
    let out = ok(L, &ltc_answers(100, 16, 12), &ltc_rules());
    let source = out
        .values
        .iter()
        .find(|(k, _)| k == "table_source")
        .unwrap();
    assert!(source.1.as_str().unwrap().contains("TEST TABLE"));
}

#[test]
fn ltc_table_with_a_gap_is_refused() {
    let broken = TEST_LTC_TABLE.replace(r#""min":0,"max":44"#, r#""min":0,"max":39"#);
    assert!(LtcTable::parse(&broken).is_err());
    let bad_level = TEST_LTC_TABLE.replace("[3,4,5,5]", "[3,4,5,6]");
    assert!(LtcTable::parse(&bad_level).is_err());
}

#[test]
fn ltc_item_scores_outside_the_options_are_refused() {
    for (item, value) in [
        ("adl_face_mouth", 10),
        ("adl_feeding", 15),
        ("adl_walking", 20),
        ("cog_time", 5),
        ("sen_vision", 7),
        ("adl_bathing", 3),
    ] {
        let mut answers = ltc_answers(100, 16, 12);
        answers.insert(item.into(), json!(value));
        assert_refused(L, &answers, item, is_not_an_option);
    }
}

// ---------------------------------------------------------------------------------------------
// README §5 Barthel Index
// ---------------------------------------------------------------------------------------------

const B: &str = "barthel";

total_tests! {
    barthel_total_100_is_independent: B, BARTHEL, 100 => "none", None;
    // 99 is unreachable (every item is a multiple of 5): 95 is the nearest total below 100.
    barthel_total_95_is_mild: B, BARTHEL, 95 => "mild", None;
    // 61–64 are unreachable: 65 is the lowest reachable total of the 61–99 band.
    barthel_total_65_is_mild: B, BARTHEL, 65 => "mild", None;
    barthel_total_60_is_moderate: B, BARTHEL, 60 => "moderate", None;
    // 41–44 are unreachable: 45 is the lowest reachable total of the 41–60 band.
    barthel_total_45_is_moderate: B, BARTHEL, 45 => "moderate", None;
    barthel_total_40_is_severe: B, BARTHEL, 40 => "severe", None;
    barthel_total_0_is_severe: B, BARTHEL, 0 => "severe", None;
}

#[test]
fn barthel_totals_between_the_multiples_of_5_are_unreachable() {
    assert_unreachable(BARTHEL, [99, 61, 62, 63, 64, 41, 44, 1]);
    for total in (0..=100).step_by(5) {
        assert!(reach(BARTHEL, total).is_some(), "{total}");
    }
}

#[test]
fn barthel_item_scores_outside_the_options_are_refused() {
    for (item, value) in [
        ("bathing", 10),
        ("grooming", 10),
        ("feeding", 15),
        ("transfer", 20),
        ("stairs", 15),
        ("mobility", 7),
    ] {
        let mut answers = max_answers(BARTHEL);
        answers.insert(item.into(), json!(value));
        assert_refused(B, &answers, item, is_not_an_option);
    }
}

// ---------------------------------------------------------------------------------------------
// README §6 NEWS2
// ---------------------------------------------------------------------------------------------

const N: &str = "news2";

/// Vitals that score 0 on every parameter.
fn vitals() -> Answers {
    obj(json!({
        "respiration_rate": 16,
        "spo2": 98,
        "on_oxygen": false,
        "systolic_bp": 120,
        "pulse": 70,
        "consciousness": "alert",
        "temperature": 37.0
    }))
}

fn news2(changes: Value) -> Outcome {
    let mut answers = vitals();
    answers.extend(obj(changes));
    ok(N, &answers, &Rules::default())
}

fn param(out: &Outcome, id: &str) -> i64 {
    out.parameter_scores
        .iter()
        .find(|(p, _)| p == id)
        .unwrap_or_else(|| panic!("parameter {id} in {:?}", out.parameter_scores))
        .1
}

/// Checks a single parameter at each value, the others staying at 0.
fn check_parameter(input: &str, param_id: &str, rows: &[(Value, i64)]) {
    for (value, expected) in rows {
        let out = news2(json!({ input: value }));
        assert_eq!(param(&out, param_id), *expected, "{input} = {value}");
        assert_eq!(out.total, Some(*expected), "{input} = {value}: total");
    }
}

#[test]
fn news2_all_normal_vitals_score_0_low() {
    let out = news2(json!({}));
    assert_eq!(out.total, Some(0));
    assert_eq!(out.band.as_deref(), Some("low"));
    assert_eq!(out.parameter_scores.len(), 7);
}

#[test]
fn news2_respiration_rate_scores_at_every_boundary() {
    check_parameter(
        "respiration_rate",
        "respiration_rate",
        &[
            (json!(0), 3),
            (json!(8), 3),
            (json!(9), 1),
            (json!(11), 1),
            (json!(12), 0),
            (json!(20), 0),
            (json!(21), 2),
            (json!(24), 2),
            (json!(25), 3),
            (json!(60), 3),
        ],
    );
}

#[test]
fn news2_spo2_scale_1_scores_at_every_boundary() {
    check_parameter(
        "spo2",
        "spo2_scale1",
        &[
            (json!(91), 3),
            (json!(92), 2),
            (json!(93), 2),
            (json!(94), 1),
            (json!(95), 1),
            (json!(96), 0),
            (json!(100), 0),
        ],
    );
}

#[test]
fn news2_spo2_scale_1_on_oxygen_adds_2_for_oxygen_only() {
    for (spo2, s) in [(91, 3), (93, 2), (95, 1), (96, 0), (99, 0)] {
        let out = news2(json!({"spo2": spo2, "on_oxygen": true}));
        assert_eq!(param(&out, "spo2_scale1"), s, "spo2 {spo2} on O2");
        assert_eq!(param(&out, "air_or_oxygen"), 2);
        assert_eq!(out.total, Some(s + 2));
    }
    assert_eq!(param(&news2(json!({})), "air_or_oxygen"), 0);
}

#[test]
fn news2_spo2_scale_2_on_air_scores_at_every_boundary() {
    for (spo2, s) in [
        (83, 3),
        (84, 2),
        (85, 2),
        (86, 1),
        (87, 1),
        (88, 0),
        (92, 0),
        (93, 0),
        (97, 0),
        (100, 0),
    ] {
        let out = news2(json!({"spo2": spo2, "spo2_scale": 2, "on_oxygen": false}));
        assert_eq!(param(&out, "spo2_scale2"), s, "scale 2 spo2 {spo2} on air");
        assert_eq!(out.total, Some(s));
        assert!(out.parameter_scores.iter().all(|(p, _)| p != "spo2_scale1"));
    }
}

#[test]
fn news2_spo2_scale_2_on_oxygen_scores_at_every_boundary() {
    for (spo2, s) in [
        (83, 3),
        (84, 2),
        (85, 2),
        (86, 1),
        (87, 1),
        (88, 0),
        (92, 0),
        (93, 1),
        (94, 1),
        (95, 2),
        (96, 2),
        (97, 3),
        (100, 3),
    ] {
        let out = news2(json!({"spo2": spo2, "spo2_scale": "2", "on_oxygen": true}));
        assert_eq!(param(&out, "spo2_scale2"), s, "scale 2 spo2 {spo2} on O2");
        assert_eq!(param(&out, "air_or_oxygen"), 2);
        assert_eq!(out.total, Some(s + 2));
    }
}

#[test]
fn news2_spo2_scale_must_be_1_or_2() {
    let mut answers = vitals();
    answers.insert("spo2_scale".into(), json!(3));
    assert_refused(N, &answers, "spo2_scale", is_not_an_option);
    let out = news2(json!({"spo2_scale": 1, "spo2": 93}));
    assert_eq!(param(&out, "spo2_scale1"), 2);
}

#[test]
fn news2_systolic_bp_scores_at_every_boundary() {
    check_parameter(
        "systolic_bp",
        "systolic_bp",
        &[
            (json!(90), 3),
            (json!(91), 2),
            (json!(100), 2),
            (json!(101), 1),
            (json!(110), 1),
            (json!(111), 0),
            (json!(219), 0),
            (json!(220), 3),
        ],
    );
}

#[test]
fn news2_pulse_scores_at_every_boundary() {
    check_parameter(
        "pulse",
        "pulse",
        &[
            (json!(40), 3),
            (json!(41), 1),
            (json!(50), 1),
            (json!(51), 0),
            (json!(90), 0),
            (json!(91), 1),
            (json!(110), 1),
            (json!(111), 2),
            (json!(130), 2),
            (json!(131), 3),
        ],
    );
}

#[test]
fn news2_consciousness_alert_scores_0_and_cvpu_score_3() {
    check_parameter(
        "consciousness",
        "consciousness",
        &[
            (json!("alert"), 0),
            (json!("new_confusion"), 3),
            (json!("voice"), 3),
            (json!("pain"), 3),
            (json!("unresponsive"), 3),
        ],
    );
    let mut answers = vitals();
    answers.insert("consciousness".into(), json!("asleep"));
    assert_refused(N, &answers, "consciousness", is_not_an_option);
}

#[test]
fn news2_temperature_scores_at_every_boundary() {
    check_parameter(
        "temperature",
        "temperature",
        &[
            (json!(35.0), 3),
            (json!(35.1), 1),
            (json!(36.0), 1),
            (json!(36.1), 0),
            (json!(38.0), 0),
            (json!(38.1), 1),
            (json!(39.0), 1),
            (json!(39.1), 2),
            (json!(41.0), 2),
        ],
    );
}

#[test]
fn news2_temperature_is_rounded_half_up_to_one_decimal_before_scoring() {
    for (raw, rounded, s) in [
        (35.04, 35.0, 3),
        (35.05, 35.1, 1),
        (36.04, 36.0, 1),
        (36.05, 36.1, 0),
        (38.04, 38.0, 0),
        (38.05, 38.1, 1),
        (39.04, 39.0, 1),
        (39.05, 39.1, 2),
    ] {
        let out = news2(json!({ "temperature": raw }));
        assert_eq!(param(&out, "temperature"), s, "temperature {raw}");
        let used = out.values.iter().find(|(k, _)| k == "temperature").unwrap();
        assert_eq!(
            used.1,
            json!(rounded),
            "temperature {raw} rounds to {rounded}"
        );
    }
}

#[test]
fn news2_total_7_is_high() {
    // pulse 131 (3) + RR 21 (2) + SBP 101 (1) + temperature 38.1 (1) = 7
    let out = news2(
        json!({"pulse": 131, "respiration_rate": 21, "systolic_bp": 101, "temperature": 38.1}),
    );
    assert_eq!(out.total, Some(7));
    assert_eq!(out.band.as_deref(), Some("high"));
    // Without any 3: RR 22 (2) + SBP 95 (2) + pulse 115 (2) + temperature 38.5 (1) = 7
    let out = news2(
        json!({"respiration_rate": 22, "systolic_bp": 95, "pulse": 115, "temperature": 38.5}),
    );
    assert_eq!(out.total, Some(7));
    assert_eq!(out.band.as_deref(), Some("high"));
}

#[test]
fn news2_total_6_and_5_are_medium_even_with_a_single_3() {
    let out = news2(json!({"respiration_rate": 22, "systolic_bp": 95, "pulse": 115}));
    assert_eq!(out.total, Some(6));
    assert_eq!(out.band.as_deref(), Some("medium"));
    // consciousness 3 + RR 21 (2) = 5: the 5–6 rule comes before the single-3 rule.
    let out = news2(json!({"consciousness": "voice", "respiration_rate": 21}));
    assert_eq!(out.total, Some(5));
    assert_eq!(out.band.as_deref(), Some("medium"));
}

#[test]
fn news2_single_3_with_total_at_most_4_is_low_medium() {
    let out = news2(json!({"consciousness": "pain"}));
    assert_eq!(out.total, Some(3));
    assert_eq!(out.band.as_deref(), Some("low_medium"));
    // 3 + 1 = 4, still low-medium.
    let out = news2(json!({"spo2": 91, "pulse": 95}));
    assert_eq!(out.total, Some(4));
    assert_eq!(out.band.as_deref(), Some("low_medium"));
}

#[test]
fn news2_total_4_without_a_3_is_low() {
    // RR 22 (2) + SBP 95 (2) = 4
    let out = news2(json!({"respiration_rate": 22, "systolic_bp": 95}));
    assert_eq!(out.total, Some(4));
    assert_eq!(out.band.as_deref(), Some("low"));
    // oxygen alone (2) + SpO2 94 (1) = 3, no single 3
    let out = news2(json!({"on_oxygen": true, "spo2": 94}));
    assert_eq!(out.total, Some(3));
    assert_eq!(out.band.as_deref(), Some("low"));
}

#[test]
fn news2_missing_or_wrong_vitals_are_refused_by_name() {
    for name in [
        "respiration_rate",
        "spo2",
        "on_oxygen",
        "systolic_bp",
        "pulse",
        "consciousness",
        "temperature",
    ] {
        let mut answers = vitals();
        answers.remove(name);
        assert_refused(N, &answers, name, is_missing);
        let mut answers = vitals();
        answers.insert(name.into(), Value::Null);
        assert_refused(N, &answers, name, is_missing);
    }
    let mut answers = vitals();
    answers.insert("pulse".into(), json!("seventy"));
    assert_refused(N, &answers, "pulse", is_wrong_type);
    let mut answers = vitals();
    answers.insert("pulse".into(), json!(72.5));
    assert_refused(N, &answers, "pulse", is_wrong_type);
    let mut answers = vitals();
    answers.insert("spo2".into(), json!(101));
    assert_refused(N, &answers, "spo2", is_out_of_range);
    let mut answers = vitals();
    answers.insert("temperature".into(), json!(50.0));
    assert_refused(N, &answers, "temperature", is_out_of_range);
    let mut answers = vitals();
    answers.insert("temperature".into(), json!("37"));
    assert_refused(N, &answers, "temperature", is_wrong_type);
    let mut answers = vitals();
    answers.insert("heart_rate".into(), json!(70));
    assert_refused(N, &answers, "heart_rate", is_unknown);
}

// ---------------------------------------------------------------------------------------------
// README §7 GDS-15
// ---------------------------------------------------------------------------------------------

const D: &str = "gds15";

/// The answer to GDS item `n` that scores `depressive as i64`.
fn gds_answer(n: u32, depressive: bool) -> &'static str {
    let no_scores = GDS_NO_SCORES.contains(&n);
    match (no_scores, depressive) {
        (true, true) | (false, false) => "no",
        (true, false) | (false, true) => "yes",
    }
}

/// GDS answers where the first `count` items are answered in the depressive direction.
fn gds_answers(count: u32) -> Answers {
    (1..=15)
        .map(|n| (format!("q{n}"), json!(gds_answer(n, n <= count))))
        .collect()
}

fn gds_check(total: u32, band: &str, positive: bool, rules: &Rules) {
    let out = ok(D, &gds_answers(total), rules);
    assert_eq!(out.total, Some(i64::from(total)));
    assert_eq!(out.band.as_deref(), Some(band), "GDS total {total}");
    assert_eq!(
        out.has_flag("screen_positive"),
        positive,
        "GDS total {total}"
    );
}

#[test]
fn gds15_items_1_5_7_11_13_score_1_for_no() {
    for n in 1..=15u32 {
        let mut answers = gds_answers(0);
        answers.insert(format!("q{n}"), json!("no"));
        let expected = i64::from(GDS_NO_SCORES.contains(&n));
        assert_eq!(
            ok(D, &answers, &Rules::default()).total,
            Some(expected),
            "q{n} = no"
        );
        answers.insert(format!("q{n}"), json!("yes"));
        assert_eq!(
            ok(D, &answers, &Rules::default()).total,
            Some(1 - expected),
            "q{n} = yes"
        );
    }
}

#[test]
fn gds15_all_yes_scores_10_and_all_no_scores_5() {
    let yes: Answers = (1..=15).map(|n| (format!("q{n}"), json!("yes"))).collect();
    assert_eq!(ok(D, &yes, &Rules::default()).total, Some(10));
    let no: Answers = (1..=15).map(|n| (format!("q{n}"), json!("no"))).collect();
    assert_eq!(ok(D, &no, &Rules::default()).total, Some(5));
    let booleans: Answers = (1..=15).map(|n| (format!("q{n}"), json!(true))).collect();
    assert_eq!(ok(D, &booleans, &Rules::default()).total, Some(10));
}

#[test]
fn gds15_total_4_is_normal_and_not_positive() {
    gds_check(4, "normal", false, &Rules::default());
    gds_check(0, "normal", false, &Rules::default());
}

#[test]
fn gds15_total_5_is_mild_and_positive_at_the_default_cut_off() {
    assert_eq!(Rules::default().gds_positive_at, 5);
    gds_check(5, "mild", true, &Rules::default());
}

#[test]
fn gds15_total_8_is_mild_and_9_is_moderate() {
    gds_check(8, "mild", true, &Rules::default());
    gds_check(9, "moderate", true, &Rules::default());
}

#[test]
fn gds15_total_11_is_moderate_and_12_is_severe() {
    gds_check(11, "moderate", true, &Rules::default());
    gds_check(12, "severe", true, &Rules::default());
    gds_check(15, "severe", true, &Rules::default());
}

#[test]
fn gds15_with_cut_off_8_total_7_is_not_positive_and_8_is() {
    let rules = Rules {
        gds_positive_at: 8,
        ..Rules::default()
    };
    gds_check(5, "mild", false, &rules);
    gds_check(7, "mild", false, &rules);
    gds_check(8, "mild", true, &rules);
    gds_check(9, "moderate", true, &rules);
}

#[test]
fn gds15_answers_other_than_yes_or_no_are_refused() {
    for bad in [json!("maybe"), json!(2), json!([]), json!({})] {
        let mut answers = gds_answers(0);
        answers.insert("q7".into(), bad);
        assert_refused(D, &answers, "q7", is_bad_value);
    }
}

// ---------------------------------------------------------------------------------------------
// README §7 Mini-Cog
// ---------------------------------------------------------------------------------------------

const M: &str = "minicog";

fn minicog(recall: i64, clock: i64) -> Outcome {
    ok(
        M,
        &obj(json!({"word_recall": recall, "clock_draw": clock})),
        &Rules::default(),
    )
}

#[test]
fn minicog_total_2_is_positive() {
    for (recall, clock) in [(2, 0), (0, 2)] {
        let out = minicog(recall, clock);
        assert_eq!(out.total, Some(2));
        assert_eq!(out.band.as_deref(), Some("positive"));
        assert!(out.has_flag("screen_positive"));
    }
}

#[test]
fn minicog_total_3_is_negative() {
    for (recall, clock) in [(3, 0), (1, 2)] {
        let out = minicog(recall, clock);
        assert_eq!(out.total, Some(3));
        assert_eq!(out.band.as_deref(), Some("negative"));
        assert!(!out.has_flag("screen_positive"));
    }
}

#[test]
fn minicog_every_combination_matches_borson() {
    for recall in 0..=3 {
        for clock in [0, 2] {
            let out = minicog(recall, clock);
            // Borson: no words → positive; 1–2 words with an abnormal clock → positive.
            let positive = recall == 0 || (recall <= 2 && clock == 0);
            assert_eq!(out.total, Some(recall + clock));
            assert_eq!(
                out.band.as_deref() == Some("positive"),
                positive,
                "{recall}+{clock}"
            );
        }
    }
}

#[test]
fn minicog_clock_takes_only_0_or_2_and_recall_0_to_3() {
    assert_refused(
        M,
        &obj(json!({"word_recall": 3, "clock_draw": 1})),
        "clock_draw",
        is_not_an_option,
    );
    assert_refused(
        M,
        &obj(json!({"word_recall": 4, "clock_draw": 2})),
        "word_recall",
        is_not_an_option,
    );
}

// ---------------------------------------------------------------------------------------------
// README §7 AD8
// ---------------------------------------------------------------------------------------------

const A: &str = "ad8";

fn ad8(yes: u32, unknown: u32) -> Answers {
    (1..=8u32)
        .map(|n| {
            let a = if n <= yes {
                "yes"
            } else if n <= yes + unknown {
                "unknown"
            } else {
                "no"
            };
            (format!("q{n}"), json!(a))
        })
        .collect()
}

#[test]
fn ad8_total_1_is_normal() {
    let out = ok(A, &ad8(1, 7), &Rules::default());
    assert_eq!(out.total, Some(1));
    assert_eq!(out.band.as_deref(), Some("normal"));
    assert!(!out.has_flag("screen_positive"));
}

#[test]
fn ad8_total_2_is_impairment_likely() {
    let out = ok(A, &ad8(2, 0), &Rules::default());
    assert_eq!(out.total, Some(2));
    assert_eq!(out.band.as_deref(), Some("impairment_likely"));
    assert!(out.has_flag("screen_positive"));
}

#[test]
fn ad8_unknown_and_no_score_0() {
    assert_eq!(ok(A, &ad8(0, 8), &Rules::default()).total, Some(0));
    assert_eq!(ok(A, &ad8(0, 0), &Rules::default()).total, Some(0));
    assert_eq!(ok(A, &ad8(8, 0), &Rules::default()).total, Some(8));
}

#[test]
fn ad8_answers_other_than_yes_no_unknown_are_refused() {
    let mut answers = ad8(0, 0);
    answers.insert("q3".into(), json!("sometimes"));
    assert_refused(A, &answers, "q3", is_not_an_option);
    let mut answers = ad8(0, 0);
    answers.insert("q3".into(), json!(2));
    assert_refused(A, &answers, "q3", is_not_an_option);
}

// ---------------------------------------------------------------------------------------------
// README §7 Morse Fall Scale
// ---------------------------------------------------------------------------------------------

const F: &str = "morse";

fn morse_rules(set: MorseBandSet) -> Rules {
    Rules {
        morse_bands: set,
        ..Rules::default()
    }
}

/// Checks a Morse total under both band sets: the band follows the configured set and
/// `band_sets` always shows both.
fn morse_check(total: i64, cn_common: &str, morse_original: &str) {
    let answers = answers_for_total(MORSE, total);
    for (set, band) in [
        (MorseBandSet::CnCommon, cn_common),
        (MorseBandSet::MorseOriginal, morse_original),
    ] {
        let out = ok(F, &answers, &morse_rules(set));
        assert_eq!(out.total, Some(total));
        assert_eq!(
            out.band.as_deref(),
            Some(band),
            "total {total} under {set:?}"
        );
        assert_eq!(
            out.band_sets,
            vec![
                ("cn_common".to_string(), cn_common.to_string()),
                ("morse_original".to_string(), morse_original.to_string())
            ],
            "total {total}"
        );
    }
    let default = ok(F, &answers, &Rules::default());
    assert_eq!(
        default.band.as_deref(),
        Some(cn_common),
        "default is cn_common"
    );
}

#[test]
fn morse_totals_off_the_multiples_of_5_are_unreachable() {
    // Every Morse item scores a multiple of 5, so 24, 46 and 51 cannot occur.
    assert_unreachable(MORSE, [24, 46, 51, 1, 124]);
    for total in [0, 20, 25, 45, 50, 55, 125] {
        assert!(reach(MORSE, total).is_some(), "{total}");
    }
}

#[test]
fn morse_total_20_is_low_and_no_risk() {
    // 24 is unreachable: 20 is the nearest total below the 24/25 cut-off.
    morse_check(20, "low", "no_risk");
    morse_check(0, "low", "no_risk");
}

#[test]
fn morse_total_25_is_medium_and_low() {
    morse_check(25, "medium", "low");
}

#[test]
fn morse_total_45_is_medium_and_low() {
    morse_check(45, "medium", "low");
}

#[test]
fn morse_total_50_is_high_in_cn_common_and_low_in_morse_original() {
    // 46 is unreachable: 50 is the nearest total above 45, and the only reachable total where
    // the two sets disagree (README §7).
    morse_check(50, "high", "low");
}

#[test]
fn morse_total_55_is_high_in_both_sets() {
    // 51 is unreachable: 55 is the nearest total above 50.
    morse_check(55, "high", "high");
    morse_check(125, "high", "high");
}

#[test]
fn morse_the_two_sets_disagree_only_at_50() {
    let totals = reachable(MORSE)[0].clone();
    for total in totals {
        let answers = answers_for_total(MORSE, total);
        let out = ok(F, &answers, &Rules::default());
        let cn = &out.band_sets[0].1;
        let original = &out.band_sets[1].1;
        let disagree = cn == "high" && original != "high";
        assert_eq!(disagree, total == 50, "total {total}");
    }
}

#[test]
fn morse_band_set_codes_parse() {
    assert_eq!(
        MorseBandSet::parse("cn_common"),
        Some(MorseBandSet::CnCommon)
    );
    assert_eq!(
        MorseBandSet::parse("morse_original"),
        Some(MorseBandSet::MorseOriginal)
    );
    assert_eq!(MorseBandSet::parse("ts"), None);
    assert_eq!(Rules::default().morse_bands, MorseBandSet::CnCommon);
}

#[test]
fn morse_item_scores_outside_the_options_are_refused() {
    for (item, value) in [
        ("history_of_falling", 15),
        ("ambulatory_aid", 20),
        ("gait", 15),
        ("iv_therapy", 25),
    ] {
        let mut answers = max_answers(MORSE);
        answers.insert(item.into(), json!(value));
        assert_refused(F, &answers, item, is_not_an_option);
    }
}

// ---------------------------------------------------------------------------------------------
// README §7 Braden Scale
// ---------------------------------------------------------------------------------------------

const R: &str = "braden";

total_tests! {
    braden_total_6_is_very_high: R, BRADEN, 6 => "very_high", None;
    braden_total_9_is_very_high: R, BRADEN, 9 => "very_high", None;
    braden_total_10_is_high: R, BRADEN, 10 => "high", None;
    braden_total_12_is_high: R, BRADEN, 12 => "high", None;
    braden_total_13_is_moderate: R, BRADEN, 13 => "moderate", None;
    braden_total_14_is_moderate: R, BRADEN, 14 => "moderate", None;
    braden_total_15_is_mild: R, BRADEN, 15 => "mild", None;
    braden_total_18_is_mild: R, BRADEN, 18 => "mild", None;
    braden_total_19_is_no_risk: R, BRADEN, 19 => "none", None;
    braden_total_23_is_no_risk: R, BRADEN, 23 => "none", None;
}

#[test]
fn braden_worked_example_3_4_2_3_3_3_is_18_mild() {
    let answers = obj(json!({
        "sensory_perception": 3, "moisture": 4, "activity": 2,
        "mobility": 3, "nutrition": 3, "friction_shear": 3
    }));
    let out = ok(R, &answers, &Rules::default());
    assert_eq!(out.total, Some(18));
    assert_eq!(out.band.as_deref(), Some("mild"));
}

#[test]
fn braden_scores_of_0_and_friction_4_are_refused() {
    let mut answers = max_answers(BRADEN);
    answers.insert("friction_shear".into(), json!(4));
    assert_refused(R, &answers, "friction_shear", is_not_an_option);
    let mut answers = max_answers(BRADEN);
    answers.insert("moisture".into(), json!(0));
    assert_refused(R, &answers, "moisture", is_not_an_option);
}

// ---------------------------------------------------------------------------------------------
// README §7 MNA-SF
// ---------------------------------------------------------------------------------------------

const Q: &str = "mna_sf";

total_tests! {
    mna_sf_with_bmi_total_7_is_malnourished: Q, MNA_WITH_BMI, 7 => "malnourished", None;
    mna_sf_with_bmi_total_8_is_at_risk: Q, MNA_WITH_BMI, 8 => "at_risk", None;
    mna_sf_with_bmi_total_11_is_at_risk: Q, MNA_WITH_BMI, 11 => "at_risk", None;
    mna_sf_with_bmi_total_12_is_normal: Q, MNA_WITH_BMI, 12 => "normal", None;
    mna_sf_with_bmi_total_0_is_malnourished: Q, MNA_WITH_BMI, 0 => "malnourished", None;
    mna_sf_with_bmi_total_14_is_normal: Q, MNA_WITH_BMI, 14 => "normal", None;
    mna_sf_with_calf_total_7_is_malnourished: Q, MNA_WITH_CALF, 7 => "malnourished", None;
    mna_sf_with_calf_total_8_is_at_risk: Q, MNA_WITH_CALF, 8 => "at_risk", None;
    mna_sf_with_calf_total_11_is_at_risk: Q, MNA_WITH_CALF, 11 => "at_risk", None;
    mna_sf_with_calf_total_12_is_normal: Q, MNA_WITH_CALF, 12 => "normal", None;
    mna_sf_with_calf_total_14_is_normal: Q, MNA_WITH_CALF, 14 => "normal", None;
}

fn mna_base() -> Answers {
    obj(
        json!({"A_food_intake": 2, "B_weight_loss": 3, "C_mobility": 2, "D_stress_acute": 2, "E_neuropsych": 2}),
    )
}

#[test]
fn mna_sf_f1_bmi_and_f2_calf_each_count() {
    for f1 in 0..=3 {
        let mut answers = mna_base();
        answers.insert("F1_bmi".into(), json!(f1));
        assert_eq!(ok(Q, &answers, &Rules::default()).total, Some(11 + f1));
    }
    for f2 in [0, 3] {
        let mut answers = mna_base();
        answers.insert("F2_calf".into(), json!(f2));
        assert_eq!(ok(Q, &answers, &Rules::default()).total, Some(11 + f2));
    }
}

#[test]
fn mna_sf_both_f1_and_f2_is_refused_on_f2_calf() {
    let mut answers = mna_base();
    answers.insert("F1_bmi".into(), json!(3));
    answers.insert("F2_calf".into(), json!(3));
    let errors = refused(Q, &answers);
    assert!(
        errors.iter().any(|e| e.item == "F2_calf"
            && matches!(&e.problem, AnswerProblem::Conflicts { with } if with == "F1_bmi")),
        "{errors:?}"
    );
}

#[test]
fn mna_sf_neither_f1_nor_f2_is_refused() {
    let errors = refused(Q, &mna_base());
    assert!(errors.iter().any(|e| e.item == "F1_bmi"), "{errors:?}");
    // null counts as not given
    let mut answers = mna_base();
    answers.insert("F1_bmi".into(), Value::Null);
    answers.insert("F2_calf".into(), Value::Null);
    assert!(refused(Q, &answers).iter().any(|e| e.item == "F1_bmi"));
}

#[test]
fn mna_sf_calf_takes_only_0_or_3() {
    let mut answers = mna_base();
    answers.insert("F2_calf".into(), json!(1));
    assert_refused(Q, &answers, "F2_calf", is_not_an_option);
    let mut answers = mna_base();
    answers.insert("F1_bmi".into(), json!(4));
    assert_refused(Q, &answers, "F1_bmi", is_not_an_option);
}

#[test]
fn mna_sf_missing_a_to_e_is_refused() {
    for item in [
        "A_food_intake",
        "B_weight_loss",
        "C_mobility",
        "D_stress_acute",
        "E_neuropsych",
    ] {
        let mut answers = mna_base();
        answers.insert("F1_bmi".into(), json!(2));
        answers.remove(item);
        assert_refused(Q, &answers, item, is_missing);
    }
}

// ---------------------------------------------------------------------------------------------
// README §8 Blood pressure
// ---------------------------------------------------------------------------------------------

const P: &str = "bp_grade_cn";

fn bp(systolic: i64, diastolic: i64) -> Outcome {
    ok(
        P,
        &obj(json!({"systolic": systolic, "diastolic": diastolic})),
        &Rules::default(),
    )
}

fn bp_check(rows: &[(i64, i64, &str, bool)]) {
    for (s, d, band, isolated) in rows {
        let out = bp(*s, *d);
        assert_eq!(out.band.as_deref(), Some(*band), "{s}/{d}");
        assert_eq!(
            out.has_flag("isolated_systolic"),
            *isolated,
            "{s}/{d} isolated"
        );
    }
}

#[test]
fn bp_systolic_edges_119_120_139_140_159_160_179_180() {
    bp_check(&[
        (119, 70, "normal", false),
        (120, 70, "high_normal", false),
        (139, 70, "high_normal", false),
        (140, 70, "grade1", true),
        (159, 70, "grade1", true),
        (160, 70, "grade2", true),
        (179, 70, "grade2", true),
        (180, 70, "grade3", true),
    ]);
}

#[test]
fn bp_diastolic_edges_79_80_89_90_99_100_109_110() {
    bp_check(&[
        (115, 79, "normal", false),
        (115, 80, "high_normal", false),
        (115, 89, "high_normal", false),
        (115, 90, "grade1", false),
        (115, 99, "grade1", false),
        (115, 100, "grade2", false),
        (115, 109, "grade2", false),
        (115, 110, "grade3", false),
    ]);
}

#[test]
fn bp_the_higher_category_wins() {
    bp_check(&[
        (150, 105, "grade2", false),
        (165, 95, "grade2", false),
        (125, 95, "grade1", false),
        (185, 85, "grade3", true),
        (135, 112, "grade3", false),
        (119, 80, "high_normal", false),
    ]);
}

#[test]
fn bp_isolated_systolic_needs_sbp_140_and_dbp_below_90() {
    bp_check(&[
        (140, 89, "grade1", true),
        (140, 90, "grade1", false),
        (139, 89, "high_normal", false),
        (200, 89, "grade3", true),
    ]);
}

#[test]
fn bp_grade_3_raises_the_crisis_flag() {
    assert!(bp(180, 70).has_flag("crisis"));
    assert!(bp(150, 110).has_flag("crisis"));
    assert!(!bp(179, 109).has_flag("crisis"));
}

#[test]
fn bp_category_function_agrees() {
    assert_eq!(assessment::bp_category(119, 79), (0, false));
    assert_eq!(assessment::bp_category(140, 89), (2, true));
    assert_eq!(assessment::bp_category(120, 110), (4, false));
}

#[test]
fn bp_bad_readings_are_refused_by_name() {
    assert_refused(P, &obj(json!({"systolic": 120})), "diastolic", is_missing);
    assert_refused(
        P,
        &obj(json!({"systolic": "120", "diastolic": 80})),
        "systolic",
        is_wrong_type,
    );
    assert_refused(
        P,
        &obj(json!({"systolic": 301, "diastolic": 80})),
        "systolic",
        is_out_of_range,
    );
    // Implementation rule (README silent): a diastolic not below the systolic is refused.
    assert_refused(
        P,
        &obj(json!({"systolic": 90, "diastolic": 90})),
        "diastolic",
        |p| matches!(p, AnswerProblem::Invalid { .. }),
    );
}

// ---------------------------------------------------------------------------------------------
// README §8 Glucose
// ---------------------------------------------------------------------------------------------

const U: &str = "glucose_cn";

fn glucose(context: &str, value: f64, diabetic: Option<bool>) -> Outcome {
    let mut answers = obj(json!({"context": context, "mmol_l": value}));
    if let Some(d) = diabetic {
        answers.insert("diabetic".into(), json!(d));
    }
    ok(U, &answers, &Rules::default())
}

fn glucose_check(
    context: &str,
    value: f64,
    diabetic: Option<bool>,
    band: &str,
    grade: Option<i64>,
) {
    let out = glucose(context, value, diabetic);
    assert_eq!(
        out.band.as_deref(),
        Some(band),
        "{context} {value} diabetic {diabetic:?}"
    );
    assert_eq!(out.grade, grade, "{context} {value} diabetic {diabetic:?}");
}

#[test]
fn glucose_in_diabetes_2_9_is_level_2_and_3_0_is_level_1() {
    glucose_check("random", 2.9, Some(true), "hypoglycaemia_level2", Some(2));
    glucose_check("random", 3.0, Some(true), "hypoglycaemia_level1", Some(1));
}

#[test]
fn glucose_in_diabetes_3_8_is_level_1_and_3_9_is_not_low() {
    glucose_check("random", 3.8, Some(true), "hypoglycaemia_level1", Some(1));
    glucose_check("random", 3.9, Some(true), "normal", None);
    glucose_check("fasting", 3.9, Some(true), "normal", None);
}

#[test]
fn glucose_without_diabetes_2_7_is_low_and_2_8_is_not() {
    glucose_check("random", 2.7, Some(false), "hypoglycaemia", None);
    glucose_check("fasting", 2.8, Some(false), "normal", None);
    // 3.0–3.8 is no hypoglycaemia without diabetes.
    glucose_check("fasting", 3.5, Some(false), "normal", None);
}

#[test]
fn glucose_diabetes_not_stated_uses_the_diabetic_thresholds() {
    // README §8 does not say; the implementation alerts on the diabetic thresholds.
    glucose_check("random", 2.9, None, "hypoglycaemia_level2", Some(2));
    glucose_check("random", 3.8, None, "hypoglycaemia_level1", Some(1));
}

#[test]
fn glucose_fasting_6_0_is_normal_and_6_1_is_impaired() {
    glucose_check("fasting", 6.0, None, "normal", None);
    glucose_check("fasting", 6.1, None, "ifg", None);
}

#[test]
fn glucose_fasting_6_9_is_impaired_and_7_0_is_diabetic_range() {
    glucose_check("fasting", 6.9, None, "ifg", None);
    glucose_check("fasting", 7.0, None, "dm_range", None);
}

#[test]
fn glucose_2h_7_7_is_normal_and_7_8_is_impaired_tolerance() {
    glucose_check("postprandial_2h", 7.7, None, "normal", None);
    glucose_check("postprandial_2h", 7.8, None, "igt", None);
}

#[test]
fn glucose_2h_11_0_is_impaired_tolerance_and_11_1_is_diabetic_range() {
    glucose_check("postprandial_2h", 11.0, None, "igt", None);
    glucose_check("postprandial_2h", 11.1, None, "dm_range", None);
}

#[test]
fn glucose_random_11_0_is_normal_and_11_1_is_diabetic_range() {
    glucose_check("random", 11.0, None, "normal", None);
    glucose_check("random", 11.1, None, "dm_range", None);
}

#[test]
fn glucose_bad_inputs_are_refused_by_name() {
    assert_refused(U, &obj(json!({"mmol_l": 5.0})), "context", is_missing);
    assert_refused(
        U,
        &obj(json!({"context": "bedtime", "mmol_l": 5.0})),
        "context",
        is_not_an_option,
    );
    assert_refused(
        U,
        &obj(json!({"context": "fasting", "mmol_l": "5.0"})),
        "mmol_l",
        is_wrong_type,
    );
    assert_refused(
        U,
        &obj(json!({"context": "fasting", "mmol_l": 0.1})),
        "mmol_l",
        is_out_of_range,
    );
    assert_refused(
        U,
        &obj(json!({"context": "fasting", "mmol_l": 5.0, "diabetic": "sometimes"})),
        "diabetic",
        is_wrong_type,
    );
}

// ---------------------------------------------------------------------------------------------
// README §9 Resident identity number
// ---------------------------------------------------------------------------------------------

const I: &str = "cn_resident_id";

fn id_check(number: &str) -> assessment::IdCheck {
    ok(I, &obj(json!({ "id_number": number })), &Rules::default())
        .id_check
        .expect("an id check")
}

#[test]
fn resident_id_published_example_1949_female_is_valid() {
    let c = id_check("11010519491231002X");
    assert!(c.valid, "{c:?}");
    assert_eq!(c.birth_date.as_deref(), Some("1949-12-31"));
    assert_eq!(c.sex.as_deref(), Some("female"));
    assert_eq!(c.region_code.as_deref(), Some("110105"));
    assert_eq!(c.upgraded, None);
    assert_eq!(c.reason, None);
}

#[test]
fn resident_id_published_example_1880_male_is_valid() {
    let c = id_check("440524188001010014");
    assert!(c.valid, "{c:?}");
    assert_eq!(c.birth_date.as_deref(), Some("1880-01-01"));
    assert_eq!(c.sex.as_deref(), Some("male"));
    assert_eq!(c.region_code.as_deref(), Some("440524"));
}

#[test]
fn resident_id_check_character_is_iso_7064_mod_11_2() {
    assert_eq!(mod11_2("11010519491231002"), 'X');
    assert_eq!(mod11_2("44052418800101001"), '4');
}

#[test]
fn resident_id_wrong_check_digit_is_invalid() {
    for wrong in [
        "110105194912310021",
        "11010519491231002Y",
        "440524188001010015",
    ] {
        let c = id_check(wrong);
        assert!(!c.valid, "{wrong}");
        assert!(c.reason.is_some(), "{wrong}");
        assert_eq!(c.birth_date, None);
    }
}

#[test]
fn resident_id_impossible_date_is_invalid_even_with_the_right_check_character() {
    for first17 in [
        "11010519490230002",
        "11010519491332002",
        "11010520010229002",
    ] {
        let number = format!("{first17}{}", mod11_2(first17));
        let c = id_check(&number);
        assert!(!c.valid, "{number}");
        assert!(c.reason.is_some());
    }
}

#[test]
fn resident_id_lower_case_x_is_read_as_x() {
    // README §9: the standard writes X in upper case; the checker accepts a typed lower-case x.
    let c = id_check("11010519491231002x");
    assert!(c.valid, "{c:?}");
    assert_eq!(c.birth_date.as_deref(), Some("1949-12-31"));
    assert_eq!(c.sex.as_deref(), Some("female"));
}

#[test]
fn resident_id_15_digit_number_is_upgraded() {
    let c = id_check("110105491231002");
    assert!(c.valid, "{c:?}");
    assert_eq!(c.upgraded.as_deref(), Some("11010519491231002X"));
    assert_eq!(c.birth_date.as_deref(), Some("1949-12-31"));
}

#[test]
fn resident_id_wrong_length_and_future_birth_are_invalid() {
    assert!(!id_check("11010519491231002").valid);
    assert!(!id_check("1101051949123100").valid);
    let first17 = "11010520300101002";
    assert!(!id_check(&format!("{first17}{}", mod11_2(first17))).valid);
}

#[test]
fn resident_id_missing_or_not_text_is_refused() {
    assert_refused(I, &obj(json!({})), "id_number", is_missing);
    assert_refused(
        I,
        &obj(json!({"id_number": 110105194912310021u64})),
        "id_number",
        is_wrong_type,
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input, across every instrument with items
// ---------------------------------------------------------------------------------------------

/// A valid answer set of every instrument.
fn valid_answers(id: &str) -> Answers {
    match id {
        "gbt42195_2022" => max_answers(GBT),
        "selfcare_phs3" => max_answers(SELFCARE),
        "tcm_constitution_33" => tcm_answers(&[]),
        "ltc_disability_2021" => ltc_answers(100, 16, 12),
        "barthel" => max_answers(BARTHEL),
        "news2" => vitals(),
        "gds15" => gds_answers(3),
        "minicog" => max_answers(MINICOG),
        "ad8" => ad8(1, 1),
        "morse" => max_answers(MORSE),
        "braden" => max_answers(BRADEN),
        "mna_sf" => max_answers(MNA_WITH_BMI),
        "bp_grade_cn" => obj(json!({"systolic": 120, "diastolic": 80})),
        "glucose_cn" => obj(json!({"context": "fasting", "mmol_l": 5.0})),
        "cn_resident_id" => obj(json!({"id_number": "11010519491231002X"})),
        other => panic!("no valid answers for {other}"),
    }
}

fn all_ids() -> Vec<&'static str> {
    catalog()
        .instruments
        .iter()
        .map(|i| i.id.as_str())
        .collect()
}

/// Instruments answered by items, with an item to break in each.
const ITEM_INSTRUMENTS: [(&str, &str); 11] = [
    ("gbt42195_2022", "B2.4"),
    ("selfcare_phs3", "grooming"),
    ("tcm_constitution_33", "q13"),
    ("ltc_disability_2021", "cog_memory"),
    ("barthel", "transfer"),
    ("gds15", "q5"),
    ("minicog", "clock_draw"),
    ("ad8", "q8"),
    ("morse", "gait"),
    ("braden", "friction_shear"),
    ("mna_sf", "C_mobility"),
];

#[test]
fn every_instrument_scores_its_valid_answers() {
    for id in all_ids() {
        ok(id, &valid_answers(id), &Rules::default());
    }
}

#[test]
fn bad_input_unknown_item_key_is_refused_by_name() {
    for id in all_ids() {
        let mut answers = valid_answers(id);
        answers.insert("B9.9_not_an_item".into(), json!(1));
        let errors = refused(id, &answers);
        assert!(
            errors
                .iter()
                .any(|e| e.item == "B9.9_not_an_item" && e.problem == AnswerProblem::Unknown),
            "{id}: {errors:?}"
        );
    }
}

#[test]
fn bad_input_missing_item_is_refused_by_name() {
    for (id, item) in ITEM_INSTRUMENTS {
        let mut answers = valid_answers(id);
        answers.remove(item);
        assert_refused(id, &answers, item, is_missing);
    }
}

#[test]
fn bad_input_null_is_treated_as_missing() {
    for (id, item) in ITEM_INSTRUMENTS {
        let mut answers = valid_answers(id);
        answers.insert(item.into(), Value::Null);
        assert_refused(id, &answers, item, is_missing);
    }
}

#[test]
fn bad_input_value_not_an_option_is_refused_by_name() {
    for (id, item) in ITEM_INSTRUMENTS {
        let mut answers = valid_answers(id);
        answers.insert(item.into(), json!(99));
        assert_refused(id, &answers, item, is_not_an_option);
        answers.insert(item.into(), json!(-1));
        assert_refused(id, &answers, item, is_not_an_option);
    }
}

#[test]
fn bad_input_string_array_and_object_are_refused_by_name() {
    for (id, item) in ITEM_INSTRUMENTS {
        for bad in [
            json!("3"),
            json!("three"),
            json!([1]),
            json!({"score": 1}),
            json!(true),
        ] {
            let mut answers = valid_answers(id);
            answers.insert(item.into(), bad.clone());
            // yes/no items accept true; everything else is refused.
            if bad == json!(true) && matches!(id, "gds15" | "ad8") {
                continue;
            }
            assert_refused(id, &answers, item, is_bad_value);
        }
    }
}

#[test]
fn bad_input_score_items_report_a_wrong_type_for_text() {
    for (id, item) in ITEM_INSTRUMENTS {
        if matches!(id, "gds15" | "ad8") {
            continue;
        }
        let mut answers = valid_answers(id);
        answers.insert(item.into(), json!("3"));
        assert_refused(id, &answers, item, is_wrong_type);
    }
}

#[test]
fn bad_input_float_3_5_is_refused_by_name() {
    for (id, item) in ITEM_INSTRUMENTS {
        let mut answers = valid_answers(id);
        answers.insert(item.into(), json!(3.5));
        assert_refused(id, &answers, item, is_bad_value);
        answers.insert(item.into(), json!(0.5));
        assert_refused(id, &answers, item, is_bad_value);
    }
}

#[test]
fn bad_input_errors_carry_the_item_name_of_the_form() {
    let mut answers = max_answers(GBT);
    answers.insert("B2.4".into(), json!(4));
    let errors = refused(G, &answers);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].item, "B2.4");
    assert_eq!(errors[0].item_name_zh, "上下楼梯");
    assert!(!errors[0].item_name_en.is_empty());
}

#[test]
fn bad_input_several_errors_are_all_reported() {
    let mut answers = max_answers(BARTHEL);
    answers.remove("feeding");
    answers.insert("stairs".into(), json!(15));
    answers.insert("bladder".into(), json!("ten"));
    answers.insert("extra".into(), json!(0));
    let errors = refused(B, &answers);
    let named: Vec<(&str, &AnswerProblem)> = errors
        .iter()
        .map(|e| (e.item.as_str(), &e.problem))
        .collect();
    assert_eq!(named.len(), 4, "{named:?}");
    assert_eq!(named[0].0, "extra");
    assert_eq!(named[1], ("feeding", &AnswerProblem::Missing));
    assert_eq!(named[2].0, "bladder");
    assert_eq!(named[3].0, "stairs");
}

#[test]
fn bad_input_empty_answers_name_every_required_item() {
    let errors = refused(S, &Answers::new());
    let items: Vec<&str> = errors.iter().map(|e| e.item.as_str()).collect();
    assert_eq!(
        items,
        ["meal", "grooming", "dressing", "toileting", "activity"]
    );
}

// ---------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------

/// Summed instruments with their README item tables and total ranges.
const SUMMED: [(&str, Items, i64, i64); 8] = [
    ("gbt42195_2022", GBT, 0, 90),
    ("selfcare_phs3", SELFCARE, 0, 37),
    ("barthel", BARTHEL, 0, 100),
    ("minicog", MINICOG, 0, 5),
    ("morse", MORSE, 0, 125),
    ("braden", BRADEN, 6, 23),
    ("mna_sf", MNA_WITH_BMI, 0, 14),
    ("mna_sf", MNA_WITH_CALF, 0, 14),
];

fn pick(items: Items, picks: &[prop::sample::Index]) -> Vec<i64> {
    items
        .iter()
        .zip(picks)
        .map(|((_, scores), i)| *i.get(scores))
        .collect()
}

fn gbt_rank(out: &Outcome) -> i64 {
    out.grade.unwrap()
}

fn rank(band: &str, order: &[&str]) -> usize {
    order
        .iter()
        .position(|b| *b == band)
        .unwrap_or_else(|| panic!("band {band} not in {order:?}"))
}

const SELFCARE_ORDER: [&str; 4] = ["independent", "mild", "moderate", "dependent"];
const BARTHEL_ORDER: [&str; 4] = ["none", "mild", "moderate", "severe"];
const BRADEN_ORDER: [&str; 5] = ["none", "mild", "moderate", "high", "very_high"];
const MORSE_CN_ORDER: [&str; 3] = ["low", "medium", "high"];
const MORSE_ORIGINAL_ORDER: [&str; 3] = ["no_risk", "low", "high"];

/// Any JSON value, nested a little.
fn garbage() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-10i64..130).prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        (-1000.0f64..1000.0).prop_map(Value::from),
        "\\PC{0,24}".prop_map(Value::String),
        prop::sample::select(vec![
            "yes",
            "no",
            "unknown",
            "是",
            "否",
            "alert",
            "voice",
            "1",
            "2",
            "fasting",
            "postprandial_2h",
            "random",
            "11010519491231002X",
            "110105491231002",
            "4.0",
            " X ",
            "",
            "１２３",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z0-9._]{0,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every item id and input name of every instrument, plus a few strangers.
fn known_keys() -> Vec<String> {
    let mut keys: Vec<String> = catalog()
        .instruments
        .iter()
        .flat_map(|i| {
            i.items
                .iter()
                .map(|it| it.id.clone())
                .chain(i.inputs.iter().map(|input| input.name.to_string()))
        })
        .collect();
    keys.extend(["", " ", "q0", "q34", "B1.10", "__proto__"].map(String::from));
    keys.sort();
    keys.dedup();
    keys
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(known_keys()),
        1 => "\\PC{0,10}",
    ]
}

struct Vitals {
    rr: i64,
    spo2: i64,
    scale2: bool,
    oxygen: bool,
    sbp: i64,
    pulse: i64,
    alert: bool,
    /// Temperature in hundredths of a degree, as typed.
    temp_hundredths: i64,
}

/// NEWS2 from the README §6 chart, written independently of the crate.
fn news2_reference(v: &Vitals) -> (i64, &'static str) {
    let rr = match v.rr {
        ..=8 => 3,
        9..=11 => 1,
        12..=20 => 0,
        21..=24 => 2,
        _ => 3,
    };
    let spo2 = if v.scale2 {
        match (v.spo2, v.oxygen) {
            (..=83, _) => 3,
            (84..=85, _) => 2,
            (86..=87, _) => 1,
            (88..=92, _) => 0,
            (_, false) => 0,
            (93..=94, true) => 1,
            (95..=96, true) => 2,
            (_, true) => 3,
        }
    } else {
        match v.spo2 {
            ..=91 => 3,
            92..=93 => 2,
            94..=95 => 1,
            _ => 0,
        }
    };
    let air = if v.oxygen { 2 } else { 0 };
    let sbp = match v.sbp {
        ..=90 => 3,
        91..=100 => 2,
        101..=110 => 1,
        111..=219 => 0,
        _ => 3,
    };
    let pulse = match v.pulse {
        ..=40 => 3,
        41..=50 => 1,
        51..=90 => 0,
        91..=110 => 1,
        111..=130 => 2,
        _ => 3,
    };
    let consciousness = if v.alert { 0 } else { 3 };
    // Round half up to tenths.
    let tenths = (v.temp_hundredths + 5) / 10;
    let temp = match tenths {
        ..=350 => 3,
        351..=360 => 1,
        361..=380 => 0,
        381..=390 => 1,
        _ => 2,
    };
    let scores = [rr, spo2, air, sbp, pulse, consciousness, temp];
    let total: i64 = scores.iter().sum();
    let band = if total >= 7 {
        "high"
    } else if total >= 5 {
        "medium"
    } else if scores.contains(&3) {
        "low_medium"
    } else {
        "low"
    };
    (total, band)
}

/// Blood-pressure category from the README §8 table, written independently of the crate.
fn bp_reference(s: i64, d: i64) -> (&'static str, bool) {
    let codes = ["normal", "high_normal", "grade1", "grade2", "grade3"];
    let by_s = [120, 140, 160, 180].iter().filter(|c| s >= **c).count();
    let by_d = [80, 90, 100, 110].iter().filter(|c| d >= **c).count();
    (codes[by_s.max(by_d)], s >= 140 && d < 90)
}

/// Glucose category from README §8, on tenths of mmol/L.
fn glucose_reference(context: &str, tenths: i64, diabetic: Option<bool>) -> &'static str {
    if diabetic != Some(false) && tenths < 30 {
        "hypoglycaemia_level2"
    } else if diabetic != Some(false) && tenths < 39 {
        "hypoglycaemia_level1"
    } else if diabetic == Some(false) && tenths < 28 {
        "hypoglycaemia"
    } else {
        match context {
            "fasting" if tenths >= 70 => "dm_range",
            "fasting" if tenths >= 61 => "ifg",
            "postprandial_2h" if tenths >= 111 => "dm_range",
            "postprandial_2h" if tenths >= 78 => "igt",
            "random" if tenths >= 111 => "dm_range",
            _ => "normal",
        }
    }
}

proptest! {
    // No regression files in the source tree: a failure prints its minimal input instead.
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn prop_every_summed_instrument_scores_random_valid_answers_within_its_range(
        which in 0..SUMMED.len(),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 26),
    ) {
        let (id, items, min, max) = SUMMED[which];
        let scores = pick(items, &picks);
        let out = ok(id, &answers_of(items, &scores), &Rules::default());
        let total = out.total.unwrap();
        prop_assert_eq!(total, scores.iter().sum::<i64>());
        prop_assert!((min..=max).contains(&total), "{} total {}", id, total);
        prop_assert!(out.band.is_some());
    }

    #[test]
    fn prop_gds15_random_answers_count_the_depressive_ones(
        depressive in prop::collection::vec(any::<bool>(), 15),
        booleans in any::<bool>(),
    ) {
        let answers: Answers = depressive
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let n = i as u32 + 1;
                let a = gds_answer(n, *d);
                let v = if booleans { json!(a == "yes") } else { json!(a) };
                (format!("q{n}"), v)
            })
            .collect();
        let out = ok(D, &answers, &Rules::default());
        let expected = depressive.iter().filter(|d| **d).count() as i64;
        prop_assert_eq!(out.total, Some(expected));
        prop_assert!((0..=15).contains(&expected));
        prop_assert_eq!(out.has_flag("screen_positive"), expected >= 5);
    }

    #[test]
    fn prop_ad8_random_answers_count_the_changes(answers in prop::collection::vec(0usize..3, 8)) {
        let map: Answers = answers
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("q{}", i + 1), json!(["yes", "no", "unknown"][*a])))
            .collect();
        let out = ok(A, &map, &Rules::default());
        let expected = answers.iter().filter(|a| **a == 0).count() as i64;
        prop_assert_eq!(out.total, Some(expected));
        prop_assert_eq!(out.band.as_deref(), Some(if expected >= 2 { "impairment_likely" } else { "normal" }));
    }

    #[test]
    fn prop_tcm_random_answers_follow_the_judgement_table(answers in prop::collection::vec(1i64..=5, 33)) {
        let overrides: Vec<(u32, i64)> = answers.iter().enumerate().map(|(i, a)| (i as u32 + 1, *a)).collect();
        let out = tcm(&overrides);
        let q = |n: usize| answers[n - 1];
        let pinghe = q(1) + (6 - q(2)) + (6 - q(4)) + (6 - q(5)) + (6 - q(13));
        let types: [(&str, [usize; 4]); 8] = [
            ("qixu", [2, 3, 4, 14]),
            ("yangxu", [11, 12, 13, 29]),
            ("yinxu", [10, 21, 26, 31]),
            ("tanshi", [9, 16, 28, 32]),
            ("shire", [23, 25, 27, 30]),
            ("xueyu", [19, 22, 24, 33]),
            ("qiyu", [5, 6, 7, 8]),
            ("tebing", [15, 17, 18, 20]),
        ];
        let mut worst = 0;
        for (code, qs) in types {
            let s: i64 = qs.iter().map(|n| q(*n)).sum();
            worst = worst.max(s);
            let verdict = if s >= 11 { Verdict::Yes } else if s >= 9 { Verdict::Tendency } else { Verdict::No };
            prop_assert_eq!(constitution(&out, code), (s, verdict));
            prop_assert!((4..=20).contains(&s));
        }
        let verdict = if pinghe >= 17 && worst <= 8 {
            Verdict::Yes
        } else if pinghe >= 17 && worst <= 10 {
            Verdict::Basically
        } else {
            Verdict::No
        };
        prop_assert_eq!(constitution(&out, "pinghe"), (pinghe, verdict));
        prop_assert!((5..=25).contains(&pinghe));
    }

    #[test]
    fn prop_ltc_random_answers_give_domain_totals_in_range(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 17),
    ) {
        let adl = pick(LTC_ADL, &picks[..10]);
        let cog = pick(LTC_COGNITION, &picks[10..14]);
        let sen = pick(LTC_SENSORY, &picks[14..]);
        let mut answers = answers_of(LTC_ADL, &adl);
        answers.extend(answers_of(LTC_COGNITION, &cog));
        answers.extend(answers_of(LTC_SENSORY, &sen));
        let out = ok(L, &answers, &Rules::default());
        prop_assert_eq!(out.subscore("adl"), Some(adl.iter().sum()));
        prop_assert_eq!(out.subscore("cognition"), Some(cog.iter().sum()));
        prop_assert_eq!(out.subscore("sensory"), Some(sen.iter().sum()));
        prop_assert!(out.provisional);
        prop_assert_eq!(out.grade, None);
        let with_table = ok(L, &answers, &ltc_rules());
        prop_assert!((0..=5).contains(&with_table.grade.unwrap()));
    }

    #[test]
    fn prop_gbt42195_lowering_any_item_never_gives_a_better_grade(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 26),
        item in 0..GBT.len(),
        lower_to in any::<prop::sample::Index>(),
        coma in any::<bool>(),
        dementia in any::<bool>(),
        events in 0i64..4,
        per_rule_stacking in any::<bool>(),
    ) {
        let rules = if per_rule_stacking { per_rule() } else { Rules::default() };
        let extra = json!({"coma": coma, "dementia_or_mental_disorder": dementia, "risk_events_30d": events});
        let scores = pick(GBT, &picks);
        let mut answers = answers_of(GBT, &scores);
        answers.extend(obj(extra.clone()));
        let before = ok(G, &answers, &rules);

        let current = scores[item];
        let lower: Vec<i64> = GBT[item].1.iter().copied().filter(|s| *s <= current).collect();
        let new = *lower_to.get(&lower);
        let mut lowered = scores.clone();
        lowered[item] = new;
        let mut answers = answers_of(GBT, &lowered);
        answers.extend(obj(extra));
        let after = ok(G, &answers, &rules);

        prop_assert!(after.initial_grade >= before.initial_grade);
        prop_assert!(gbt_rank(&after) >= gbt_rank(&before),
            "{} {} -> {}: grade {:?} -> {:?}", GBT[item].0, current, new, before.grade, after.grade);
        prop_assert!(after.grade.unwrap() >= after.initial_grade.unwrap());
        prop_assert!(after.grade.unwrap() <= 4);
    }

    #[test]
    fn prop_gbt42195_change_rules_never_improve_the_grade(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 26),
        coma in any::<bool>(),
        dementia in any::<bool>(),
        events in 0i64..4,
        per_rule_stacking in any::<bool>(),
    ) {
        let rules = if per_rule_stacking { per_rule() } else { Rules::default() };
        let scores = pick(GBT, &picks);
        let total: i64 = scores.iter().sum();
        let initial = match total { 90 => 0, 66..=89 => 1, 46..=65 => 2, 30..=45 => 3, _ => 4 };
        let raises = i64::from(dementia) + i64::from(events >= 2);
        let raise = if per_rule_stacking { raises } else { raises.min(1) };
        let expected = if coma { 4 } else { (initial + raise).min(4) };
        let mut answers = answers_of(GBT, &scores);
        answers.extend(obj(json!({"coma": coma, "dementia_or_mental_disorder": dementia, "risk_events_30d": events})));
        let out = ok(G, &answers, &rules);
        prop_assert_eq!(out.initial_grade, Some(initial));
        prop_assert_eq!(out.grade, Some(expected));
    }

    #[test]
    fn prop_selfcare_raising_an_item_never_gives_a_better_band(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 5),
        item in 0..SELFCARE.len(),
        raise_to in any::<prop::sample::Index>(),
    ) {
        let scores = pick(SELFCARE, &picks);
        let before = ok(S, &answers_of(SELFCARE, &scores), &Rules::default());
        let higher: Vec<i64> = SELFCARE[item].1.iter().copied().filter(|s| *s >= scores[item]).collect();
        let mut raised = scores.clone();
        raised[item] = *raise_to.get(&higher);
        let after = ok(S, &answers_of(SELFCARE, &raised), &Rules::default());
        prop_assert!(rank(after.band.as_deref().unwrap(), &SELFCARE_ORDER)
            >= rank(before.band.as_deref().unwrap(), &SELFCARE_ORDER));
    }

    #[test]
    fn prop_barthel_lowering_an_item_never_gives_a_better_band(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 10),
        item in 0..BARTHEL.len(),
        lower_to in any::<prop::sample::Index>(),
    ) {
        let scores = pick(BARTHEL, &picks);
        let before = ok(B, &answers_of(BARTHEL, &scores), &Rules::default());
        let lower: Vec<i64> = BARTHEL[item].1.iter().copied().filter(|s| *s <= scores[item]).collect();
        let mut lowered = scores.clone();
        lowered[item] = *lower_to.get(&lower);
        let after = ok(B, &answers_of(BARTHEL, &lowered), &Rules::default());
        prop_assert!(rank(after.band.as_deref().unwrap(), &BARTHEL_ORDER)
            >= rank(before.band.as_deref().unwrap(), &BARTHEL_ORDER));
    }

    #[test]
    fn prop_braden_lowering_an_item_never_gives_a_lower_risk(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 6),
        item in 0..BRADEN.len(),
        lower_to in any::<prop::sample::Index>(),
    ) {
        let scores = pick(BRADEN, &picks);
        let before = ok(R, &answers_of(BRADEN, &scores), &Rules::default());
        let lower: Vec<i64> = BRADEN[item].1.iter().copied().filter(|s| *s <= scores[item]).collect();
        let mut lowered = scores.clone();
        lowered[item] = *lower_to.get(&lower);
        let after = ok(R, &answers_of(BRADEN, &lowered), &Rules::default());
        prop_assert!(rank(after.band.as_deref().unwrap(), &BRADEN_ORDER)
            >= rank(before.band.as_deref().unwrap(), &BRADEN_ORDER));
    }

    #[test]
    fn prop_morse_raising_an_item_never_gives_a_lower_risk_in_either_set(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 6),
        item in 0..MORSE.len(),
        raise_to in any::<prop::sample::Index>(),
    ) {
        let scores = pick(MORSE, &picks);
        let before = ok(F, &answers_of(MORSE, &scores), &Rules::default());
        let higher: Vec<i64> = MORSE[item].1.iter().copied().filter(|s| *s >= scores[item]).collect();
        let mut raised = scores.clone();
        raised[item] = *raise_to.get(&higher);
        let after = ok(F, &answers_of(MORSE, &raised), &Rules::default());
        prop_assert!(rank(&after.band_sets[0].1, &MORSE_CN_ORDER) >= rank(&before.band_sets[0].1, &MORSE_CN_ORDER));
        prop_assert!(rank(&after.band_sets[1].1, &MORSE_ORIGINAL_ORDER) >= rank(&before.band_sets[1].1, &MORSE_ORIGINAL_ORDER));
    }

    #[test]
    fn prop_news2_matches_the_chart_for_random_vitals(
        rr in 0i64..=80,
        spo2 in 40i64..=100,
        scale2 in any::<bool>(),
        oxygen in any::<bool>(),
        sbp in 30i64..=300,
        pulse in 10i64..=300,
        consciousness in prop::sample::select(vec!["alert", "new_confusion", "voice", "pain", "unresponsive"]),
        temp_hundredths in 2500i64..=4499,
    ) {
        let v = Vitals { rr, spo2, scale2, oxygen, sbp, pulse, alert: consciousness == "alert", temp_hundredths };
        let answers = obj(json!({
            "respiration_rate": rr, "spo2": spo2, "spo2_scale": if scale2 { "2" } else { "1" },
            "on_oxygen": oxygen, "systolic_bp": sbp, "pulse": pulse,
            "consciousness": consciousness, "temperature": temp_hundredths as f64 / 100.0,
        }));
        let out = ok(N, &answers, &Rules::default());
        let (total, band) = news2_reference(&v);
        prop_assert_eq!(out.total, Some(total));
        prop_assert_eq!(out.band.as_deref(), Some(band));
        prop_assert!((0..=20).contains(&total));
    }

    #[test]
    fn prop_bp_matches_the_table_for_random_readings(s in 40i64..=300, d in 20i64..=200) {
        let result = run(P, &obj(json!({"systolic": s, "diastolic": d})), &Rules::default());
        if d >= s {
            prop_assert!(result.is_err());
        } else {
            let out = result.unwrap();
            let (band, isolated) = bp_reference(s, d);
            prop_assert_eq!(out.band.as_deref(), Some(band));
            prop_assert_eq!(out.has_flag("isolated_systolic"), isolated);
        }
    }

    #[test]
    fn prop_glucose_matches_the_thresholds_for_random_values(
        context in prop::sample::select(vec!["fasting", "postprandial_2h", "random"]),
        tenths in 5i64..=400,
        diabetic in prop::option::of(any::<bool>()),
    ) {
        let out = glucose(context, tenths as f64 / 10.0, diabetic);
        prop_assert_eq!(out.band.as_deref(), Some(glucose_reference(context, tenths, diabetic)));
    }

    #[test]
    fn prop_random_garbage_never_panics(
        which in 0usize..15,
        start_valid in any::<bool>(),
        entries in prop::collection::vec((key(), garbage()), 0..6),
        gbt_per_rule in any::<bool>(),
        with_table in any::<bool>(),
        gds_cut in -2i64..20,
    ) {
        let id = all_ids()[which];
        let mut answers = if start_valid { valid_answers(id) } else { Answers::new() };
        for (k, v) in entries {
            answers.insert(k, v);
        }
        let rules = Rules {
            gbt_stacking: if gbt_per_rule { Stacking::PerRule } else { Stacking::OneInTotal },
            gds_positive_at: gds_cut,
            ltc_table: with_table.then(|| LtcTable::parse(TEST_LTC_TABLE).unwrap()),
            ..Rules::default()
        };
        match run(id, &answers, &rules) {
            Ok(out) => {
                if let (Some(total), Some(max)) = (out.total, out.max_total) {
                    prop_assert!(total <= max);
                }
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in &errors {
                    prop_assert!(!e.item.is_empty() || answers.contains_key(""));
                }
            }
        }
    }

    #[test]
    fn prop_random_garbage_in_one_item_is_refused_naming_that_item(
        which in 0..ITEM_INSTRUMENTS.len(),
        value in garbage(),
    ) {
        let (id, item) = ITEM_INSTRUMENTS[which];
        let mut answers = valid_answers(id);
        answers.insert(item.to_string(), value.clone());
        let instrument = catalog().get(id).unwrap();
        let accepted: Vec<i64> = instrument.item(item).unwrap().options.iter().map(|o| o.score).collect();
        match run(id, &answers, &Rules::default()) {
            // A whole-number answer equal to an option (4 or 4.0), or a yes/no word, is valid.
            Ok(_) => prop_assert!(
                value.as_f64().is_some_and(|f| accepted.iter().any(|s| *s as f64 == f))
                    || value.is_string() || value.is_boolean(),
                "{} {} accepted {:?}", id, item, value
            ),
            Err(errors) => prop_assert!(errors.iter().any(|e| e.item == item), "{:?}", errors),
        }
    }

    #[test]
    fn prop_random_id_numbers_never_panic(text in "\\PC{0,20}", digits in "[0-9]{15,18}[0-9Xx]?") {
        for t in [text, digits] {
            let out = ok(I, &obj(json!({ "id_number": t })), &Rules::default());
            let c = out.id_check.unwrap();
            prop_assert_eq!(c.valid, c.reason.is_none());
        }
    }

    #[test]
    fn prop_composed_valid_id_numbers_are_valid(
        region in prop::sample::select(vec!["110105", "440524", "371402", "650102"]),
        days in 0i64..(365 * 126),
        seq in 0u32..1000,
    ) {
        let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
        prop_assume!(birth <= today());
        let first17 = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
        let number = format!("{first17}{}", mod11_2(&first17));
        let c = id_check(&number);
        prop_assert!(c.valid, "{} {:?}", number, c);
        let birth_text = birth.format("%Y-%m-%d").to_string();
        prop_assert_eq!(c.birth_date.as_deref(), Some(birth_text.as_str()));
        prop_assert_eq!(c.sex.as_deref(), Some(if seq % 2 == 1 { "male" } else { "female" }));
    }
}
