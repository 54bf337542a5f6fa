//! Bookkeeping of an interrupt storm on hart 0, shared by the scenarios: the
//! counters the handlers keep, the timer's re-arm schedule and the checks
//! made when a storm ends.
//!
//! Timer spacing: `mtime` ticks at 10 MHz and `-icount shift=0` runs one
//! instruction per nanosecond, so one tick is 100 instructions. The handler
//! re-arms the timer a pseudo-random `min..min + spread` ticks ahead (2–5 in
//! the plain storms); with hart 1's software interrupts on top (every 2–5
//! ticks), an interrupt arrives every 100–300 instructions of the interrupted
//! code.

use crate::platform::{self, NEVER, exit};
use crate::report::Checks;
use crate::{generator, torture};
use fw_common::Shared;

/// Interrupts per storm.
pub const INTERRUPTS: usize = 100_000;

/// A timer interrupt taken later than this after its deadline counts as
/// missed: even behind a nested or a forwarded interrupt it takes a few.
pub const MAX_LATE_TICKS: u64 = 20;

static TIMER: Shared<usize> = Shared::new(0);
/// Interrupts that arrived while the torture routine itself ran.
static IN_TORTURE: Shared<usize> = Shared::new(0);
static SOFTWARE: Shared<usize> = Shared::new(0);
/// The deadline last programmed, and the latest any timer interrupt came.
static DEADLINE: Shared<u64> = Shared::new(NEVER);
static MAX_LATE: Shared<u64> = Shared::new(0);
/// Set when the storm winds down: the timer is not re-armed any more.
static STOPPING: Shared<bool> = Shared::new(false);
static SPACING: Shared<(u64, usize)> = Shared::new((2, 3));
static RNG: Shared<usize> = Shared::new(0x1234_5679);

/// What one storm counted.
pub struct Tally {
    pub timer: usize,
    pub in_torture: usize,
    pub software: usize,
    pub max_late: u64,
}

/// Resets the counters for a storm whose timer re-arms `min..min + spread`
/// ticks ahead (`spread` a power of two: no division in the handler, RV32E
/// has no divider); returns the first deadline to program.
pub fn begin(min: u64, spread: usize) -> u64 {
    TIMER.set(0);
    SOFTWARE.set(0);
    IN_TORTURE.set(0);
    MAX_LATE.set(0);
    STOPPING.set(false);
    SPACING.set((min, spread - 1));
    let first = platform::mtime() + min;
    DEADLINE.set(first);
    first
}

/// Interrupts taken so far in this storm.
pub fn total() -> usize {
    TIMER.get() + SOFTWARE.get()
}

/// Software interrupts taken so far in this storm.
pub fn software() -> usize {
    SOFTWARE.get()
}

/// For a handler's timer branch: checks the interrupt is due (an early one
/// is spurious and fails the run), counts it and returns the next deadline.
pub fn timer_taken() -> u64 {
    let now = platform::mtime();
    let due = DEADLINE.get();
    if now < due {
        platform::fail!(
            exit::CHECK,
            "spurious timer interrupt at tick {now}, due at {due}"
        );
    }
    MAX_LATE.set(MAX_LATE.get().max(now - due));
    TIMER.increment();
    let next = if STOPPING.get() {
        NEVER
    } else {
        let mut r = RNG.get();
        r ^= r << 7;
        r ^= r >> 9;
        r ^= r << 8;
        RNG.set(r);
        let (min, mask) = SPACING.get();
        now + min + (r & mask) as u64
    };
    DEADLINE.set(next);
    next
}

/// For every handler of a storm: `epc` is where the interrupt struck.
pub fn struck(epc: usize) {
    if torture::contains(epc) {
        IN_TORTURE.increment();
    }
}

/// For a handler's software-interrupt branch, after it cleared the source.
pub fn software_taken() {
    SOFTWARE.increment();
    generator::software_handled();
}

/// Ends a storm, interrupts still enabled: stops hart 1, then the timer
/// (`park` programs a deadline that never comes), and lets hart 1's last
/// software interrupt arrive. Returns the tally and how many interrupts hart
/// 1 raised.
///
/// Hart 1 goes first: under `-icount` QEMU gives it a turn only when a time
/// slice ends at a timer deadline, and with hart 0's timer parked and hart
/// 1's own deadline just passed there may be none for a billion instructions.
pub fn wind_down(park: impl FnOnce()) -> (Tally, usize) {
    let raised = generator::stop();
    STOPPING.set(true);
    park();
    let deadline = platform::mtime() + generator::WATCHDOG_TICKS;
    while generator::outstanding() != 0 {
        if platform::mtime() > deadline {
            platform::fail!(
                exit::WATCHDOG,
                "{} software interrupt(s) raised by hart 1 never taken",
                generator::outstanding()
            );
        }
    }
    let tally = Tally {
        timer: TIMER.get(),
        in_torture: IN_TORTURE.get(),
        software: SOFTWARE.get(),
        max_late: MAX_LATE.get(),
    };
    (tally, raised)
}

/// Checks every storm shares: enough interrupts of both kinds, none late,
/// and most of those that struck the interrupted code (all but `nested`,
/// which struck another handler) struck the torture loop.
pub fn check(checks: &mut Checks, tally: &Tally, nested: usize) {
    let total = tally.timer + tally.software;
    let top_level = total - nested;
    checks.expect(
        total >= INTERRUPTS,
        format_args!("only {total} interrupts, want {INTERRUPTS}"),
    );
    checks.expect(
        tally.timer > 0 && tally.software > 0,
        format_args!(
            "timer={} software={}: both kinds must arrive",
            tally.timer, tally.software
        ),
    );
    // The torture proves little if the interrupts mostly strike the Rust
    // code that sets up its rounds.
    checks.expect(
        tally.in_torture * 2 > top_level,
        format_args!(
            "only {} of {top_level} interrupts struck the torture loop",
            tally.in_torture
        ),
    );
    checks.expect(
        tally.max_late <= MAX_LATE_TICKS,
        format_args!(
            "a timer interrupt came {} ticks after its deadline (limit {MAX_LATE_TICKS})",
            tally.max_late
        ),
    );
}
