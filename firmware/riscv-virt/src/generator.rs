//! Hart 1: an interrupt source independent of hart 0's instruction stream,
//! and a watchdog.
//!
//! `virt` has no device that raises a machine software interrupt by itself,
//! and a hart that raises its own MSIP is only ever interrupted right where
//! it raised it. Hart 1 sleeps a pseudo-random 2–5 `mtime` ticks (200–500
//! instructions under `-icount shift=0`) on its own timer, then writes hart
//! 0's MSIP, so software interrupts land on arbitrary instructions of the
//! torture loop and of hart 0's handlers. It raises the next one only after
//! hart 0 has counted the last ([`software_handled`]), so raised and handled
//! counts must end up equal: an interrupt that is never delivered, or
//! cleared without its handler body running, shows up as a difference or as
//! an outstanding interrupt the watchdog reports.
//!
//! The watchdog fails the run when hart 0 takes no interrupt for
//! [`WATCHDOG_TICKS`], or leaves a software interrupt untaken that long,
//! with a message instead of at the xtask timeout (but see below).
//!
//! Hart 0 drives hart 1 with [`start`] and [`stop`]; it wakes hart 1 with
//! MSIP 1, which hart 1 waits for in `wfi` with interrupts masked. Under
//! `-icount` QEMU runs the harts round-robin on one thread and switches only
//! when a slice ends, at the next timer deadline (or a `wfi`), not when one
//! hart writes another's MSIP; with no deadline pending at all, a spinning
//! hart 0 runs for a billion instructions before hart 1 gets a turn. So hart
//! 0 keeps its storm's timer running from before [`start`] until after
//! [`stop`], and hart 1 sets its next deadline as soon as it wakes. That
//! covers the watchdog's cases while hart 0 still takes timer interrupts
//! (lost software interrupts, a stalled torture). A hart 0 that runs on with
//! interrupts masked can still starve hart 1 (QEMU may hand hart 1 an empty
//! slice right after its deadline), and one that traps in a loop without
//! retiring an instruction stops virtual time itself: xtask's timeout ends
//! those runs.

use crate::csr::{self, csr_clear, csr_read, csr_set};
use crate::platform::{self, NEVER, exit};
use crate::storm;
use fw_common::Shared;

const IDLE: usize = 0;
const RUN: usize = 1;
const STOP: usize = 2;

/// What hart 0 asks for.
static COMMAND: Shared<usize> = Shared::new(IDLE);
/// The last command hart 1 acted upon.
static ACK: Shared<usize> = Shared::new(IDLE);
/// Whether this storm raises software interrupts (else: watchdog only).
static RAISE: Shared<bool> = Shared::new(false);
/// Software interrupts raised by hart 1 (its to write) ...
static RAISED: Shared<usize> = Shared::new(0);
/// ... and taken and counted by hart 0 (its to write).
static HANDLED: Shared<usize> = Shared::new(0);

/// Ticks without an interrupt on hart 0 after which the run fails; about
/// half a million instructions, a thousand times the storm's spacing.
pub const WATCHDOG_TICKS: u64 = 5_000;

/// How long hart 0 waits for hart 1 to answer a command.
const ANSWER_TICKS: u64 = 10_000;

/// Starts hart 1's storm: software interrupts to hart 0 if `raise_software`,
/// the watchdog in any case. `enable` turns on hart 0's interrupts: after
/// hart 1 is woken (should the very first interrupt leave hart 0 spinning in
/// a broken entry, hart 1 is up to report it) and before waiting for hart 1's
/// answer (which needs hart 0's timer running, see the module comment).
pub fn start(raise_software: bool, enable: impl FnOnce()) {
    RAISED.set(0);
    HANDLED.set(0);
    RAISE.set(raise_software);
    COMMAND.set(RUN);
    platform::set_software_interrupt(1, true);
    // A deadline of hart 1's own (it does not wake for it yet), so that
    // QEMU switches to it soon even if hart 0's first interrupt goes wrong.
    platform::set_timer(1, platform::mtime() + 2);
    enable();
    wait_for(RUN);
}

/// Stops hart 1 (it notices within one sleep) and returns how many software
/// interrupts it raised.
pub fn stop() -> usize {
    COMMAND.set(STOP);
    wait_for(STOP);
    RAISED.get()
}

/// Counts a software interrupt taken on hart 0 (if hart 1 raises them: in a
/// storm where hart 0 raises its own, there is nothing to match).
pub fn software_handled() {
    if RAISE.get() {
        HANDLED.increment();
    }
}

/// Software interrupts raised and not yet counted.
pub fn outstanding() -> usize {
    RAISED.get() - HANDLED.get()
}

fn wait_for(command: usize) {
    let deadline = platform::mtime() + ANSWER_TICKS;
    while ACK.get() != command {
        if platform::mtime() > deadline {
            platform::fail!(
                exit::CHECK,
                "hart 1 does not answer (the scenarios need QEMU's -smp 2): command={command} ack={} interrupts={}",
                ACK.get(),
                storm::total()
            );
        }
    }
}

/// Entry of every hart but 0, on its own stack, once hart 0 has raised its
/// MSIP for the first time (see `rt::_start`).
pub extern "C" fn secondary_main() -> ! {
    if csr_read!("mhartid") != 1 {
        // More harts than we use: park them for good.
        csr_clear!("mie", usize::MAX);
        loop {
            // SAFETY: waits for an interrupt that can no longer come.
            unsafe { core::arch::asm!("wfi") };
        }
    }
    loop {
        platform::set_software_interrupt(1, false);
        if COMMAND.get() == RUN && ACK.get() != RUN {
            ACK.set(RUN);
            storm();
            ACK.set(STOP);
        }
        sleep_until(csr::IP_MSIP);
    }
}

/// `wfi` until `bit` is pending in `mip` (interrupts stay masked: `wfi`
/// wakes on pending and enabled-in-`mie` interrupts without trapping).
fn sleep_until(bit: usize) {
    while csr_read!("mip") & bit == 0 {
        // SAFETY: only waits.
        unsafe { core::arch::asm!("wfi") };
    }
}

/// Hart 1's loop while a storm runs on hart 0.
fn storm() {
    let mut rng: usize = 0x2545_F491;
    let mut progress = storm::total();
    let mut progress_at = platform::mtime();
    let mut raised_at = progress_at;
    csr_set!("mie", csr::IP_MTIP);
    platform::set_timer(1, progress_at + 2);
    while COMMAND.get() != STOP {
        sleep_until(csr::IP_MTIP);
        // The next deadline first: while hart 1 is runnable there must be
        // one, or QEMU may not schedule it again if hart 0 has none.
        let now = platform::mtime();
        rng ^= rng << 7;
        rng ^= rng >> 9;
        rng ^= rng << 8;
        platform::set_timer(1, now + 2 + (rng & 3) as u64);
        if RAISE.get() && outstanding() == 0 {
            RAISED.increment();
            platform::set_software_interrupt(0, true);
            raised_at = now;
        }
        let total = storm::total();
        if total != progress {
            (progress, progress_at) = (total, now);
        } else if now - progress_at > WATCHDOG_TICKS {
            platform::fail_in_m!(
                exit::WATCHDOG,
                "watchdog: hart 0 took no interrupt for {} ticks (after {total} interrupts)",
                now - progress_at
            );
        }
        if outstanding() != 0 && now - raised_at > WATCHDOG_TICKS {
            platform::fail_in_m!(
                exit::WATCHDOG,
                "watchdog: software interrupt raised at tick {raised_at} not taken by tick {now}"
            );
        }
    }
    platform::set_timer(1, NEVER);
    csr_clear!("mie", csr::IP_MTIP);
}
