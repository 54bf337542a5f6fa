//! `@report` lines: how the firmware tells xtask what each scenario did.
//!
//! One line per scenario, `key=value` pairs separated by spaces, ending with
//! `result=pass` or `result=fail` (see `xtask/src/firmware.rs`).

use core::fmt::Display;

/// A report line under construction; [`Report::finish`] prints it.
pub struct Report {
    failed: bool,
}

impl Report {
    /// Starts the line for `scenario`, handled by the `#[interrupt]` item `handler`.
    pub fn new(scenario: &str, handler: &str) -> Report {
        print!("@report firmware=x86-pc abi=x86-interrupt scenario={scenario} handler={handler}");
        Report { failed: false }
    }

    /// Adds `key=value`.
    pub fn field(self, key: &str, value: impl Display) -> Report {
        print!(" {key}={value}");
        self
    }

    /// Records a check; a failed one makes the scenario fail and is named
    /// in the line (`failed=<what>`).
    pub fn check(mut self, ok: bool, what: &str) -> Report {
        if !ok {
            print!(" failed={what}");
            self.failed = true;
        }
        self
    }

    /// Ends the line; returns whether the scenario passed.
    pub fn finish(self) -> bool {
        println!(" result={}", if self.failed { "fail" } else { "pass" });
        !self.failed
    }
}
