//! Exchange formats at the edge of the domain. Today: roster files (花名册) — CSV in UTF-8,
//! UTF-16 or GB18030 and Excel `.xlsx` — read into raw [`registry::ElderInput`] rows that the
//! caller validates. Pure: bytes in, rows out; no storage, no runtime, no clock.

pub mod roster;

pub use roster::{read_roster, Field, Roster, RosterError, RosterRow, Warning};

registry::code_enum!(
    /// How far a roster import has come: a running batch resumes from its next row; a done one
    /// is not imported again.
    ImportStatus {
        Running = "running", "导入中", "running";
        Done = "done", "已完成", "done";
    }
);
