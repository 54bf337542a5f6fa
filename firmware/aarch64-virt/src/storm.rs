//! Bookkeeping of an interrupt storm, shared by the scenarios: the counters
//! the handlers keep, the timers' re-arm schedule and the checks made when a
//! storm ends.
//!
//! Two sources, the virtual and the physical EL1 timer, each re-armed by
//! the handler a pseudo-random 32–95 ticks ahead. A tick is 16 ns, 16
//! instructions under `-icount shift=0`: each timer fires every 512–1520
//! instructions, together one interrupt every ~500 instructions, of which a
//! handler (entry, body with its clobbers, exit) takes ~300. The two timers
//! drift against each other and against the torture loop, so interrupts
//! strike every instruction of it.
//!
//! The physical timer has the higher GIC priority, so it preempts a virtual
//! timer handler that unmasks IRQs: every [`NEST_EVERY`]th virtual-timer
//! handler of the plain storm opens such a window ([`nest_window`]) and
//! runs a short torture round in it, which the nested interrupts strike.
//! That tests what nesting relies on: the entry keeping ELR and SPSR of the
//! outer interrupt, and the outer body's registers.
//!
//! Every arming is counted as raised, every interrupt taken as handled: at
//! the end (timers stopped by the handlers, not re-armed) the two must be
//! equal, and no interrupt may arrive before its deadline (a spurious one)
//! or long after it (a lost one that the re-arm of the other timer hid).

use crate::platform::{self, exit};
use crate::report::Checks;
use crate::timer::{CTL_ENABLE, CTL_ISTATUS, Timer};
use crate::{gic, torture};
use fw_common::Shared;

/// Interrupts per storm.
pub const INTERRUPTS: u64 = 100_000;

/// Timer spacing in ticks: `MIN_TICKS + (random & SPREAD_MASK)`.
const MIN_TICKS: u64 = 32;
const SPREAD_MASK: u64 = 63;

/// An interrupt taken later than this after its deadline counts as lost.
/// Behind the other timer's handler it waits ~20 ticks, a virtual-timer
/// interrupt behind a nesting window (a torture round plus the interrupts
/// nested in it) up to ~320, and QEMU itself sometimes delivers a timer
/// interrupt ~180 ticks late under `-icount`. The bound is well above that
/// and far below a storm's length.
pub const MAX_LATE_TICKS: u64 = 1024;

/// Ticks without any interrupt after which the storm is declared stalled.
const WATCHDOG_TICKS: u64 = 1 << 20;

static TAKEN: [Shared<u64>; 2] = [Shared::new(0), Shared::new(0)];
static RAISED: [Shared<u64>; 2] = [Shared::new(0), Shared::new(0)];
/// Interrupts that struck the torture routine itself.
static IN_TORTURE: Shared<u64> = Shared::new(0);
static MAX_LATE: Shared<u64> = Shared::new(0);
/// Set when the storm winds down: the timers are not re-armed any more.
static STOPPING: Shared<bool> = Shared::new(false);
static RNG: Shared<u64> = Shared::new(0x1234_5678_9abc_def1);
/// Counter value at the last interrupt, for the watchdog.
static LAST: Shared<u64> = Shared::new(0);
/// Set while a handler runs with IRQs unmasked.
static IN_WINDOW: Shared<bool> = Shared::new(false);
static WINDOWS: Shared<u64> = Shared::new(0);
/// Interrupts taken inside a window, and the comparisons made in windows.
static NESTED: Shared<u64> = Shared::new(0);
static WINDOW_CHECKS: Shared<u64> = Shared::new(0);

/// Which virtual-timer interrupts open a window.
pub const NEST_EVERY: u64 = 4;
/// GIC priorities: the physical timer preempts the virtual one.
const PRIORITY_VIRTUAL: u8 = 0x80;
const PRIORITY_PHYSICAL: u8 = 0x40;

/// What one storm counted.
pub struct Tally {
    pub taken: [u64; 2],
    pub raised: [u64; 2],
    pub in_torture: u64,
    pub max_late: u64,
    pub windows: u64,
    pub nested: u64,
    pub window_checks: u64,
}

impl Tally {
    pub fn total(&self) -> u64 {
        self.taken.iter().sum()
    }
}

/// Resets the counters, enables both timers' PPIs and arms them. IRQs stay
/// masked: the caller unmasks them.
pub fn begin() {
    for i in 0..2 {
        TAKEN[i].set(0);
        RAISED[i].set(0);
    }
    IN_TORTURE.set(0);
    MAX_LATE.set(0);
    STOPPING.set(false);
    LAST.set(Timer::Virtual.now());
    WINDOWS.set(0);
    NESTED.set(0);
    WINDOW_CHECKS.set(0);
    gic::set_priority(Timer::Virtual.intid(), PRIORITY_VIRTUAL);
    gic::set_priority(Timer::Physical.intid(), PRIORITY_PHYSICAL);
    for timer in Timer::ALL {
        gic::enable_ppi(timer.intid());
        arm(timer);
    }
}

fn arm(timer: Timer) {
    let mut r = RNG.get();
    r ^= r << 13;
    r ^= r >> 7;
    r ^= r << 17;
    RNG.set(r);
    RAISED[timer.index()].increment();
    timer.arm_in(MIN_TICKS + (r & SPREAD_MASK));
}

/// Interrupts taken so far in this storm.
pub fn total() -> u64 {
    TAKEN[0].get() + TAKEN[1].get()
}

/// For every handler of a storm: `elr` is where the interrupt struck.
pub fn struck(elr: u64) {
    if torture::contains(elr) {
        IN_TORTURE.increment();
    }
}

/// For a handler, with the interrupt acknowledged at the GIC: finds the
/// timer behind `intid`, checks it is due (an interrupt before the deadline
/// is spurious and fails the run), counts it and re-arms or stops it.
/// Returns the timer and how many of its interrupts were taken.
pub fn timer_taken(intid: u32) -> (Timer, u64) {
    let Some(timer) = Timer::ALL.into_iter().find(|t| t.intid() == intid) else {
        platform::fail!(exit::CHECK, "IRQ from unexpected INTID {intid}");
    };
    let (ctl, now, due) = (timer.ctl(), timer.now(), timer.cval());
    if ctl & CTL_ISTATUS == 0 || now < due {
        platform::fail!(
            exit::CHECK,
            "spurious {timer:?} timer interrupt: CTL={ctl:#x} at {now}, due at {due}"
        );
    }
    MAX_LATE.set(MAX_LATE.get().max(now - due));
    let taken = TAKEN[timer.index()].increment();
    if IN_WINDOW.get() {
        NESTED.increment();
    }
    LAST.set(now);
    if STOPPING.get() {
        timer.set_ctl(0);
    } else {
        arm(timer);
    }
    (timer, taken)
}

/// For a virtual-timer handler, done with the storm's counters and before
/// ending its interrupt at the GIC: unmasks IRQs, so that the
/// higher-priority physical timer may nest, for one short torture round.
pub fn nest_window() {
    WINDOWS.increment();
    IN_WINDOW.set(true);
    crate::unmask_irqs();
    let checks = torture::window(WINDOWS.get());
    crate::mask_irqs();
    IN_WINDOW.set(false);
    WINDOW_CHECKS.set(WINDOW_CHECKS.get() + checks);
}

/// For the interrupted code between torture rounds: fails the run if no
/// interrupt came for a long time (a storm that stalled, e.g. an EOI lost).
pub fn watchdog() {
    let quiet = Timer::Virtual.now().wrapping_sub(LAST.get());
    if quiet > WATCHDOG_TICKS && quiet < u64::MAX / 2 {
        platform::fail!(
            exit::WATCHDOG,
            "no interrupt for {quiet} ticks after {} taken",
            total()
        );
    }
}

/// Ends a storm with IRQs still unmasked: the handlers stop the timers as
/// their last interrupts arrive. Returns the tally once both are stopped.
pub fn wind_down() -> Tally {
    STOPPING.set(true);
    while Timer::ALL.iter().any(|t| t.ctl() & CTL_ENABLE != 0) {
        watchdog();
    }
    Tally {
        taken: [TAKEN[0].get(), TAKEN[1].get()],
        raised: [RAISED[0].get(), RAISED[1].get()],
        in_torture: IN_TORTURE.get(),
        max_late: MAX_LATE.get(),
        windows: WINDOWS.get(),
        nested: NESTED.get(),
        window_checks: WINDOW_CHECKS.get(),
    }
}

/// Checks every storm shares: enough interrupts of both timers, each raised
/// one handled, none late, and most of them struck the torture loop.
pub fn check(checks: &mut Checks, tally: &Tally) {
    let total = tally.total();
    checks.expect(
        total >= INTERRUPTS,
        format_args!("only {total} interrupts, want {INTERRUPTS}"),
    );
    for timer in Timer::ALL {
        let (taken, raised) = (tally.taken[timer.index()], tally.raised[timer.index()]);
        checks.expect(
            taken == raised && taken > 0,
            format_args!("{timer:?} timer: {raised} raised, {taken} handled"),
        );
    }
    // The torture proves little if the interrupts mostly strike the Rust
    // code that sets up its rounds.
    checks.expect(
        tally.in_torture * 2 > total,
        format_args!(
            "only {} of {total} interrupts struck the torture loop",
            tally.in_torture
        ),
    );
    checks.expect(
        tally.windows == 0 || tally.nested * 4 > tally.windows,
        format_args!(
            "only {} of {} windows saw a nested interrupt",
            tally.nested, tally.windows
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
