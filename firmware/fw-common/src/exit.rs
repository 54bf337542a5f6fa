//! Exit statuses of a failed run, the same on every board, so that a failure
//! says at a glance what went wrong whatever the architecture. A pass exits
//! with 0; boards turn a failure code of 0 into 1.

pub const PANIC: u32 = 1;
pub const UNEXPECTED_EXCEPTION: u32 = 2;
pub const TORTURE: u32 = 3;
pub const WATCHDOG: u32 = 4;
pub const CHECK: u32 = 5;
