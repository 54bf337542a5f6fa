//! `@report` lines, the protocol xtask reads from the serial console (see
//! `xtask/src/firmware.rs`): this board's part of them; the checks and the
//! line itself are `fw_common::report`'s.

use core::fmt::{self, Write};

use crate::platform::{self, exit};

/// This board, as the shared report code sees it.
pub struct Board;

impl fw_common::report::Board for Board {
    fn put_byte(byte: u8) {
        crate::uart::put_byte(byte);
    }

    fn write_identity(out: &mut dyn Write) -> fmt::Result {
        write!(out, "firmware={}", env!("FIRMWARE_TARGET"))
    }

    fn exit_check_failed() -> ! {
        platform::exit_failure(exit::CHECK)
    }
}

/// Collects the verdicts of a scenario's final checks.
pub type Checks = fw_common::report::Checks<Board>;
