//! `@report` lines, the protocol xtask reads from the serial console (see
//! `xtask/src/firmware.rs`), and the checks that decide their `result`.

use core::fmt::{self, Display};

use crate::platform::{self, exit};

/// Collects the verdicts of a scenario's final checks.
pub struct Checks {
    passed: bool,
}

impl Checks {
    pub const fn new() -> Self {
        Checks { passed: true }
    }

    /// Records a check; a failed one is printed at once.
    pub fn expect(&mut self, ok: bool, what: fmt::Arguments) {
        if !ok {
            println!("FAIL: {what}");
            self.passed = false;
        }
    }

    /// Prints the scenario's report line, then fails the run if any check
    /// failed (after the line, so its numbers are still shown).
    pub fn report(self, fields: &[&[(&str, &dyn Display)]]) {
        print!("@report firmware={}", env!("FIRMWARE_TARGET"));
        for (key, value) in fields.iter().copied().flatten() {
            print!(" {key}={value}");
        }
        println!(" result={}", if self.passed { "pass" } else { "fail" });
        if !self.passed {
            platform::exit_failure(exit::CHECK);
        }
    }
}
