//! What the storm and nested scenarios share, whatever the board: the
//! handlers' generator, the wind-down wait for the last interrupts, and the
//! entry cost each report ends with.

use core::fmt::{self, Display};

use crate::report::Checks;
use crate::semihosting::status;
use crate::shared::Shared;

/// Interrupts per scenario.
pub const INTERRUPTS: u32 = 100_000;

/// Steps a handler's own xorshift generator and returns its new state (the
/// board turns it into its timer's next delay).
pub fn xorshift(rng: &Shared<u32>) -> u32 {
    let mut x = rng.get();
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng.set(x);
    x
}

/// An interrupt source as the wind-down sees it: interrupts raised (a timer
/// armed, a software interrupt sent) and taken.
pub struct Source {
    /// Its name in the failure message.
    pub name: &'static str,
    pub taken: &'static Shared<u32>,
    pub raised: &'static Shared<u32>,
}

struct Counts<'a>(&'a [&'a [Source]]);

impl Display for Counts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for (i, s) in self.0.iter().copied().flatten().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            write!(f, "{sep}{} {}/{}", s.name, s.taken.get(), s.raised.get())?;
        }
        Ok(())
    }
}

/// Waits (re-arming already stopped) until every source's interrupts were
/// all taken; fails the run if `now` passes `ticks` first.
pub fn drain(now: impl Fn() -> u64, ticks: u64, sources: &[&[Source]]) {
    let deadline = now() + ticks;
    while sources
        .iter()
        .copied()
        .flatten()
        .any(|s| s.taken.get() != s.raised.get())
    {
        if now() > deadline {
            fail!(
                status::WATCHDOG,
                "interrupts never taken: {}",
                Counts(sources)
            );
        }
    }
}

/// A board's measured entry cost (its `cost::Measured`), checked and
/// appended to a scenario's report line.
pub trait EntryCost {
    /// The measurement's `(key, value)` pairs.
    type Fields<'a>: AsRef<[(&'static str, &'a dyn Display)]>
    where
        Self: 'a;
    /// Adds the measurement's checks for the probe handler `handler`.
    fn check(&self, checks: &mut Checks, handler: &str);
    fn fields(&self) -> Self::Fields<'_>;
}
