//! `@report` lines, the protocol xtask reads from the serial console (see
//! `xtask/src/firmware.rs`), and the checks that decide their `result`.

use core::fmt::{self, Display, Write};
use core::marker::PhantomData;

use crate::console::{self, Console};

/// What a board supplies for its report lines.
pub trait Board {
    /// Writes a byte to the serial console.
    fn put_byte(byte: u8);

    /// Writes the fields that name the build, right after `@report `
    /// (`firmware=<target triple>`, and whatever else tells builds apart).
    fn write_identity(out: &mut dyn Write) -> fmt::Result;

    /// Ends the run with the board's "a check failed" exit status.
    fn exit_check_failed() -> !;

    /// Failed checks printed per scenario; the rest are only counted.
    const FAILURES_PRINTED: u32 = u32::MAX;
}

/// Collects the verdicts of a scenario's final checks.
pub struct Checks<B: Board> {
    passed: bool,
    /// Failed checks so far; only the first [`Board::FAILURES_PRINTED`] are
    /// printed.
    failures: u32,
    board: PhantomData<fn() -> B>,
}

impl<B: Board> Default for Checks<B> {
    fn default() -> Self {
        Self::new()
    }
}

impl<B: Board> Checks<B> {
    pub const fn new() -> Self {
        Checks {
            passed: true,
            failures: 0,
            board: PhantomData,
        }
    }

    /// Records a check; a failed one is printed at once.
    pub fn expect(&mut self, ok: bool, what: fmt::Arguments) {
        if !ok {
            self.failures = self.failures.saturating_add(1);
            if self.failures <= B::FAILURES_PRINTED {
                console::print(B::put_byte, format_args!("FAIL: {what}\n"));
            }
            self.passed = false;
        }
    }

    /// Prints the scenario's report line, then fails the run if any check
    /// failed (after the line, so its numbers are still shown).
    pub fn report(self, fields: &[&[(&str, &dyn Display)]]) {
        let mut out = Console(B::put_byte);
        if self.failures > B::FAILURES_PRINTED {
            let more = self.failures - B::FAILURES_PRINTED;
            console::print(B::put_byte, format_args!("FAIL: ... and {more} more\n"));
        }
        // Console never fails.
        let _ = out.write_str("@report ");
        let _ = B::write_identity(&mut out);
        for (key, value) in fields.iter().copied().flatten() {
            console::print(B::put_byte, format_args!(" {key}={value}"));
        }
        let result = if self.passed { "pass" } else { "fail" };
        console::print(B::put_byte, format_args!(" result={result}\n"));
        if !self.passed {
            B::exit_check_failed();
        }
    }
}
