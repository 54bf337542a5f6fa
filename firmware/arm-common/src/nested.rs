//! `arm-interrupt-irq-system`: IRQs that nest, against the register
//! torture: the board-independent half (counters, depth bookkeeping, the run
//! from start to wind-down, the checks and the report line). The board
//! ([`Board`]) owns the handler, its interrupt controller and its timer.
//!
//! The handler's body runs in System mode on the interrupted code's stack,
//! with LR_irq and SPSR_irq already saved there by the entry (`srsdb`), so it
//! may unmask IRQs once it has acknowledged its source. A timer interrupts
//! every few µs; its handler re-arms it and raises a software interrupt that
//! nests inside it, whose handler raises one more that nests deeper. A plain
//! `arm-interrupt-irq` handler doing this would lose LR_irq and SPSR_irq to
//! the nested interrupt; the torture would catch it.
//!
//! Counts: interrupts raised and handled per source (must agree), entries at
//! depth 2 or more, the deepest nesting.

use core::fmt::Display;

use crate::cpu;
use crate::fpenv::Bodies;
use crate::report::Checks;
use crate::rt;
use crate::scenario::{self, EntryCost, INTERRUPTS, Source};
use crate::shared::Shared;
use crate::torture::Torture;

/// Longest spin for a nested software interrupt (loop iterations).
const NEST_SPIN: u32 = 10_000;

/// Counters, written by the handler (the scenario resets them with
/// interrupts masked).
pub struct Counters {
    pub timer: Shared<u32>,
    pub armed: Shared<u32>,
    /// Interrupts whose handler found no pending source (or acknowledged an
    /// unexpected one).
    pub unexpected: Shared<u32>,
    /// Software interrupts that had not nested by the end of the spin.
    pub not_nested: Shared<u32>,
    pub depth: Shared<u32>,
    pub max_depth: Shared<u32>,
    /// Entries at depth 2 or more.
    pub nested: Shared<u32>,
    /// Set at wind-down: the handler no longer re-arms or raises.
    pub stopping: Shared<bool>,
    pub rng: Shared<u32>,
    /// The FP environment of the handler's bodies.
    pub fp: Bodies,
}

pub static N: Counters = Counters {
    timer: Shared::new(0),
    armed: Shared::new(0),
    unexpected: Shared::new(0),
    not_nested: Shared::new(0),
    depth: Shared::new(0),
    max_depth: Shared::new(0),
    nested: Shared::new(0),
    stopping: Shared::new(false),
    rng: Shared::new(0x0bad_5eed),
    fp: Bodies::new(),
};

/// The handler's first step: checks the FP environment, counts one more
/// level of nesting and returns it (1 for an interrupt of the torture).
pub fn enter() -> u32 {
    N.fp.check();
    let depth = N.depth.get() + 1;
    N.depth.set(depth);
    if depth > N.max_depth.get() {
        N.max_depth.set(depth);
    }
    if depth >= 2 {
        N.nested.increment();
    }
    depth
}

/// Undoes [`enter`], IRQs masked.
pub fn leave() {
    N.depth.set(N.depth.get() - 1);
}

/// With IRQs unmasked: waits for the software interrupt the handler raised
/// to nest, until `taken` reaches `raised`.
pub fn await_nested(taken: &Shared<u32>, raised: u32) {
    // Interrupts arrive at translation-block boundaries: spin until the
    // software interrupt has nested (it should at once).
    let mut spins = 0;
    while taken.get() < raised && spins < NEST_SPIN {
        spins += 1;
    }
    if taken.get() < raised {
        N.not_nested.increment();
    }
}

/// The interrupt controller and timer of a board.
pub trait Board {
    /// Longest wait for the last interrupts once re-arming stopped (ticks
    /// of [`now`](Self::now)).
    const DRAIN_TICKS: u64;
    /// What [`Counters::unexpected`] counts, and the software interrupts,
    /// in failure messages.
    const UNEXPECTED: &'static str;
    const SOFT_NAME: &'static str;
    /// Installs the handler, configures the controller and arms the timer
    /// once (counted in `armed`).
    fn start() -> Self;
    fn now(&self) -> u64;
    /// Stops the timer and resets the controller (interrupts masked).
    fn stop(&self);
    /// The software interrupts the handler raises, for the wind-down.
    fn soft() -> &'static [Source];
    /// Whether the deepest nesting and the entries at depth 2 or more fit
    /// `soft` software interrupts taken.
    fn depth_ok(max_depth: u32, nested: u32, soft: u32) -> bool;
    /// The board's own checks, after the shared ones.
    fn check(_checks: &mut Checks, _torture: &Torture) {}
    /// The report's software-interrupt fields (after `timer`).
    fn fields() -> [(&'static str, u32); 2];
}

fn soft<B: Board>() -> u32 {
    B::soft().iter().map(|s| s.taken.get()).sum()
}

fn total<B: Board>() -> u32 {
    N.timer.get() + soft::<B>()
}

/// Runs the scenario, then `cost` (the entry's cost, for the report).
pub fn run<B: Board, M: EntryCost>(cost: impl FnOnce() -> M) {
    for s in [
        &N.timer,
        &N.armed,
        &N.unexpected,
        &N.not_nested,
        &N.depth,
        &N.max_depth,
        &N.nested,
    ] {
        s.set(0);
    }
    for s in B::soft() {
        s.taken.set(0);
        s.raised.set(0);
    }
    N.fp.reset();
    N.stopping.set(false);
    let board = B::start();
    cpu::enable_interrupts(false);

    let mut torture = Torture::new();
    torture.run_until(|| total::<B>() >= INTERRUPTS);

    N.stopping.set(true);
    let timer = [Source {
        name: "timer",
        taken: &N.timer,
        raised: &N.armed,
    }];
    scenario::drain(|| board.now(), B::DRAIN_TICKS, &[&timer, B::soft()]);
    cpu::disable_interrupts();
    board.stop();
    rt::install_defaults();
    let cost = cost();

    let total = total::<B>();
    let soft = soft::<B>();
    let mut checks = Checks::new();
    checks.expect(
        total >= INTERRUPTS,
        format_args!("only {total} interrupts, want {INTERRUPTS}"),
    );
    checks.expect(
        N.unexpected.get() == 0 && N.not_nested.get() == 0,
        format_args!(
            "{} {}, {} {} that did not nest",
            N.unexpected.get(),
            B::UNEXPECTED,
            N.not_nested.get(),
            B::SOFT_NAME
        ),
    );
    checks.expect(
        B::depth_ok(N.max_depth.get(), N.nested.get(), soft),
        format_args!(
            "max depth {}, {} nested entries for {soft} {}",
            N.max_depth.get(),
            N.nested.get(),
            B::SOFT_NAME
        ),
    );
    N.fp.expect(&mut checks, "irq_nesting");
    B::check(&mut checks, &torture);
    cost.check(&mut checks, "irq_system_probe");
    let [(k0, v0), (k1, v1)] = B::fields();
    let fields: [(&str, &dyn Display); 10] = [
        ("abi", &"arm-interrupt-irq-system"),
        ("scenario", &"nested"),
        ("handler", &"irq_nesting"),
        ("interrupts", &total),
        ("timer", &N.timer.get()),
        (k0, &v0),
        (k1, &v1),
        ("nested", &N.nested.get()),
        ("max_depth", &N.max_depth.get()),
        ("checks", &torture.checks),
    ];
    checks.report(&[&fields, cost.fields().as_ref()]);
}
