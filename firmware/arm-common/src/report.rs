//! `@report` lines, the protocol xtask reads from the serial console (see
//! `xtask/src/firmware.rs`), and the checks that decide their `result`.

use core::fmt::{self, Display};

use crate::semihosting::{self, status};

/// The target triple the firmware was built for, set by the binary's build
/// script through [`set_target`] (this library crate has no build script of
/// its own to learn it).
static TARGET: crate::shared::Shared<&'static str> = crate::shared::Shared::new("?");

/// Names the build's target triple in every report line.
pub fn set_target(target: &'static str) {
    TARGET.set(target);
}

/// Collects the verdicts of a scenario's final checks.
pub struct Checks {
    passed: bool,
    /// Failed checks so far; only the first [`PRINTED`] are printed.
    failures: u32,
}

/// Failed checks printed per scenario: a broken entry fails the same check
/// in every round, and the first few say it all.
const PRINTED: u32 = 8;

impl Default for Checks {
    fn default() -> Self {
        Self::new()
    }
}

impl Checks {
    pub const fn new() -> Self {
        Checks {
            passed: true,
            failures: 0,
        }
    }

    /// Records a check; a failed one is printed at once.
    pub fn expect(&mut self, ok: bool, what: fmt::Arguments) {
        if !ok {
            self.failures += 1;
            if self.failures <= PRINTED {
                println!("FAIL: {what}");
            }
            self.passed = false;
        }
    }

    /// Prints the scenario's report line, then fails the run if any check
    /// failed (after the line, so its numbers are still shown).
    pub fn report(self, fields: &[&[(&str, &dyn Display)]]) {
        if self.failures > PRINTED {
            println!("FAIL: ... and {} more", self.failures - PRINTED);
        }
        print!("@report firmware={}", TARGET.get());
        for (key, value) in fields.iter().copied().flatten() {
            print!(" {key}={value}");
        }
        println!(" result={}", if self.passed { "pass" } else { "fail" });
        if !self.passed {
            semihosting::exit_failure(status::CHECK);
        }
    }
}
