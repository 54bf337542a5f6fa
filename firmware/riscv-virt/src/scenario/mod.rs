//! The scenarios, run in this order by `main`: machine-mode storm, nested
//! machine-mode storm, supervisor-mode storm (which ends the run: it does not
//! return to M-mode). Each runs its storm, then measures its handler's
//! entry/exit cost on the quiet machine, and prints one `@report` line.

pub mod machine;
pub mod nested;
pub mod supervisor;
