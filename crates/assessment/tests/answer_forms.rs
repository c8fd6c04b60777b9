//! The other ways an answer may be written: an option's words instead of its score, true/false
//! for no/yes items, and MNA-SF's measured BMI or calf circumference instead of the F1/F2 option.
//! Numbers written as text stay refused.

use assessment::{catalog, score, AnswerProblem, Outcome, Rules};
use serde_json::{json, Value};

fn run(id: &str, answers: Value) -> Result<Outcome, Vec<assessment::AnswerError>> {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    score(
        catalog().get(id).unwrap(),
        answers.as_object().unwrap(),
        &Rules::default(),
        today,
    )
}

fn total(id: &str, answers: Value) -> i64 {
    run(id, answers).expect("scores").total.unwrap()
}

#[test]
fn morse_options_may_be_named_by_their_words_or_true_false() {
    let by_score = json!({"history_of_falling": 25, "secondary_diagnosis": 0, "ambulatory_aid": 30,
        "iv_therapy": 0, "gait": 20, "mental_status": 15});
    let by_words = json!({"history_of_falling": "yes", "secondary_diagnosis": false,
        "ambulatory_aid": "furniture", "iv_therapy": "无", "gait": "impaired",
        "mental_status": "overestimates or forgets limitations"});
    assert_eq!(total("morse", by_score), 90);
    assert_eq!(total("morse", by_words), 90);
}

#[test]
fn minicog_clock_may_be_normal_or_abnormal() {
    assert_eq!(
        total("minicog", json!({"word_recall": 1, "clock_draw": "normal"})),
        3
    );
    assert_eq!(
        total(
            "minicog",
            json!({"word_recall": 1, "clock_draw": "abnormal"})
        ),
        1
    );
}

#[test]
fn numbers_written_as_text_and_unknown_words_stay_refused() {
    let errors = run("minicog", json!({"word_recall": "1", "clock_draw": "fine"})).unwrap_err();
    let items: Vec<&str> = errors.iter().map(|e| e.item.as_str()).collect();
    assert_eq!(items, ["word_recall", "clock_draw"]);
    assert!(matches!(errors[0].problem, AnswerProblem::WrongType { .. }));
}

fn mna(extra: Value) -> Result<Outcome, Vec<assessment::AnswerError>> {
    let mut answers = json!({"A_food_intake": 2, "B_weight_loss": 3, "C_mobility": 2,
        "D_stress_acute": 2, "E_neuropsych": 2});
    for (k, v) in extra.as_object().unwrap() {
        answers[k] = v.clone();
    }
    run("mna_sf", answers)
}

#[test]
fn mna_sf_takes_the_measured_bmi_at_each_cut_off() {
    // A to E give 11; F1 adds 0 / 1 / 2 / 3 at BMI < 19 / 19-<21 / 21-<23 / >= 23.
    for (bmi, expected) in [
        (18.9, 11),
        (19.0, 12),
        (20.9, 12),
        (21.0, 13),
        (22.9, 13),
        (23.0, 14),
    ] {
        let outcome = mna(json!({ "bmi": bmi })).unwrap();
        assert_eq!(outcome.total, Some(expected), "BMI {bmi}");
    }
    assert_eq!(mna(json!({"calf_cm": 30.9})).unwrap().total, Some(11));
    assert_eq!(mna(json!({"calf_cm": 31})).unwrap().total, Some(14));
}

#[test]
fn mna_sf_refuses_a_measurement_beside_its_option_or_both_f_items() {
    let errors = mna(json!({"bmi": 22.0, "F1_bmi": 2})).unwrap_err();
    assert_eq!(errors[0].item, "bmi");
    let errors = mna(json!({"bmi": 22.0, "calf_cm": 33})).unwrap_err();
    assert_eq!(errors[0].item, "F2_calf");
    let errors = mna(json!({"bmi": "heavy"})).unwrap_err();
    assert_eq!(errors[0].item, "bmi");
    let errors = mna(json!({})).unwrap_err();
    assert_eq!(errors[0].item, "F1_bmi");
}
