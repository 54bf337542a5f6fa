//! `@report` lines, the protocol xtask reads from the serial console (see
//! `xtask/src/firmware.rs`): the classic-ARM boards' part of them; the checks
//! and the line itself are `fw_common::report`'s.

use core::fmt::{self, Write};

use fw_common::Shared;

use crate::semihosting::{self, status};

/// The target triple the firmware was built for, set by the binary's build
/// script through [`set_target`] (this library crate has no build script of
/// its own to learn it).
static TARGET: Shared<&'static str> = Shared::new("?");

/// Names the build's target triple in every report line.
pub fn set_target(target: &'static str) {
    TARGET.set(target);
}

/// The classic-ARM boards, as the shared report code sees them.
pub struct Board;

impl fw_common::report::Board for Board {
    fn put_byte(byte: u8) {
        crate::console::put_byte(byte);
    }

    fn write_identity(out: &mut dyn Write) -> fmt::Result {
        write!(out, "firmware={}", TARGET.get())
    }

    fn exit_check_failed() -> ! {
        semihosting::exit_failure(status::CHECK)
    }

    /// A broken entry fails the same check in every round, and the first
    /// few say it all.
    const FAILURES_PRINTED: u32 = 8;
}

/// Collects the verdicts of a scenario's final checks.
pub type Checks = fw_common::report::Checks<Board>;
