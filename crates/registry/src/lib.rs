//! The shared record of older residents (老年人档案), organizations and staff, and the rules
//! their fields obey. Pure: no storage, no HTTP, no clock — today's date is always an argument.

#[macro_use]
mod code_enum;
pub use code_enum::{CodeEnum, UnknownCode};
pub mod elder;
pub mod field;
pub mod id_number;
pub mod initials;
pub mod lang;
pub mod organization;
pub mod phone;

pub use elder::{
    Contact, ElderInput, ElderStatus, LivingSituation, MedicalInsurance, SearchTerm, Sex,
    SpecialCategory, ValidElder,
};
pub use field::{FieldError, Problem};
pub use id_number::{IdNumber, IdNumberError};
pub use lang::Lang;
pub use organization::{Operator, OrgCategory, OrgGrade, OrgKind};
pub use phone::Phone;

/// Stars all but the first `head` and last `tail` characters; text no longer than both together
/// is starred whole, so a short value never shows through.
fn mask_middle(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let shown_head: String = chars[..head].iter().collect();
    let shown_tail: String = chars[chars.len() - tail..].iter().collect();
    let hidden = "*".repeat(chars.len() - head - tail);
    format!("{shown_head}{hidden}{shown_tail}")
}
