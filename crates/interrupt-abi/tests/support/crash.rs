//! Turns a crash during an interrupt into a report instead of a bare
//! "signal: 11".
//!
//! Some entry bugs do not come back with wrong registers but take the
//! process down: a misaligned stack makes the body's aligned SSE moves fault,
//! a frame or error code mix-up makes `iretq` jump to a random address or
//! load a bad selector. While a run is in flight, [`Armed`] hooks SIGSEGV,
//! SIGBUS, SIGILL, SIGFPE and SIGTRAP; the handler writes which entry,
//! iteration and seed were running and where it faulted to stderr, then
//! re-raises the signal so the process still dies of it.
//!
//! Raw system calls rather than `libc`, to keep the harness free of
//! dependencies. The handler only formats into a stack buffer and calls
//! `write`, `gettid`, `getpid` and `tgkill`, which are async-signal-safe.
//!
//! While armed, this replaces std's SIGSEGV handler (which reports stack
//! overflows); the old actions are put back when [`Armed`] is dropped.

use core::arch::{asm, naked_asm};
use core::fmt::Write;
use core::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering::Relaxed};

const SIGILL: usize = 4;
const SIGTRAP: usize = 5;
const SIGBUS: usize = 7;
const SIGFPE: usize = 8;
const SIGSEGV: usize = 11;
const HOOKED: [usize; 5] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP];

const SA_SIGINFO: u64 = 0x4;
const SA_RESTORER: u64 = 0x0400_0000;
const SA_ONSTACK: u64 = 0x0800_0000;
const SA_RESETHAND: u64 = 0x8000_0000;

const SYS_WRITE: usize = 1;
const SYS_RT_SIGACTION: usize = 13;
const SYS_RT_SIGRETURN: usize = 15;
const SYS_GETPID: usize = 39;
const SYS_GETTID: usize = 186;
const SYS_TGKILL: usize = 234;
const SYS_SETRLIMIT: usize = 160;
const RLIMIT_CORE: usize = 4;

/// `struct sigaction` as the x86_64 kernel takes it (not glibc's layout).
#[derive(Clone, Copy, Default)]
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

/// Byte offsets into `ucontext_t` of the saved RSP and RIP
/// (`uc_mcontext.gregs[REG_RSP = 15]`, `[REG_RIP = 16]`, gregs at 40).
const UC_RSP: usize = 40 + 15 * 8;
const UC_RIP: usize = 40 + 16 * 8;
/// Byte offset of `si_addr` in `siginfo_t`.
const SI_ADDR: usize = 16;

static NAME_PTR: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());
static NAME_LEN: AtomicUsize = AtomicUsize::new(0);
static SEED: AtomicU64 = AtomicU64::new(0);
static ITERATION: AtomicU64 = AtomicU64::new(0);
static ENTRY: AtomicUsize = AtomicUsize::new(0);
static LANDING: AtomicUsize = AtomicUsize::new(0);

unsafe fn syscall4(nr: usize, a: usize, b: usize, c: usize, d: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller passes a valid system call; `syscall` clobbers
    // rcx and r11.
    unsafe {
        asm!("syscall", inlateout("rax") nr as isize => ret, in("rdi") a, in("rsi") b,
             in("rdx") c, in("r10") d, lateout("rcx") _, lateout("r11") _, options(nostack));
    }
    ret
}

/// Where the kernel returns to after a handler: `rt_sigreturn`.
#[unsafe(naked)]
unsafe extern "C" fn restorer() {
    naked_asm!("mov eax, {nr}", "syscall", "ud2", nr = const SYS_RT_SIGRETURN)
}

/// A fixed buffer that `core::fmt` can write into without allocating.
struct Buf {
    bytes: [u8; 1024],
    len: usize,
}

impl Write for Buf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let n = s.len().min(self.bytes.len() - self.len);
        self.bytes[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// Formats as ` (entry + 0x…)` when the faulting RIP is plausibly inside
/// the entry, else as nothing.
struct Offset(u64);

impl core::fmt::Display for Offset {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.0 < 0x1000 {
            write!(f, " (entry + {:#x})", self.0)
        } else {
            Ok(())
        }
    }
}

extern "C" fn on_fatal_signal(signal: i32, info: *const u8, context: *const u8) {
    // SAFETY: the kernel passes valid `siginfo_t` and `ucontext_t` pointers
    // to an SA_SIGINFO handler; the name was set from a `&'static str`.
    let (fault, rip, rsp, name) = unsafe {
        let name = core::slice::from_raw_parts(NAME_PTR.load(Relaxed), NAME_LEN.load(Relaxed));
        (
            info.add(SI_ADDR).cast::<u64>().read_unaligned(),
            context.add(UC_RIP).cast::<u64>().read_unaligned(),
            context.add(UC_RSP).cast::<u64>().read_unaligned(),
            core::str::from_utf8(name).unwrap_or("?"),
        )
    };
    let mut out = Buf {
        bytes: [0; 1024],
        len: 0,
    };
    let seed = SEED.load(Relaxed);
    let entry = ENTRY.load(Relaxed) as u64;
    let _ = write!(
        out,
        "\ninterrupt entry `{name}` crashed the harness with signal {signal} at iteration {} (seed {seed:#x})\n  \
         rip {rip:#x}{}, rsp {rsp:#x}, fault address {fault:#x}; entry at {entry:#x}, landing pad at {:#x}\n  \
         usual causes: a misaligned stack in the body (aligned SSE moves fault), a frame or error code \
         mix-up making `iretq` pop garbage, a wrong return address written through a `&mut` frame, \
         a body running with the interrupted code's MXCSR (signal 8: an unmasked SSE exception)\n  \
         reproduce with INTERRUPT_ABI_TORTURE_SEED={seed:#x} INTERRUPT_ABI_TORTURE_ITERATIONS={}\n",
        ITERATION.load(Relaxed),
        Offset(rip.wrapping_sub(entry)),
        LANDING.load(Relaxed),
        ITERATION.load(Relaxed) + 1,
    );
    // SAFETY: plain system calls. SA_RESETHAND restored the default action
    // on entry; the re-raised signal stays blocked until this handler
    // returns, then kills the process with the original signal.
    unsafe {
        syscall4(SYS_WRITE, 2, out.bytes.as_ptr() as usize, out.len, 0);
        let pid = syscall4(SYS_GETPID, 0, 0, 0, 0) as usize;
        let tid = syscall4(SYS_GETTID, 0, 0, 0, 0) as usize;
        syscall4(SYS_TGKILL, pid, tid, signal as usize, 0);
    }
}

/// Crash reporting for one run; dropping it restores the previous handlers.
pub struct Armed {
    old: [KernelSigaction; HOOKED.len()],
}

impl Armed {
    pub fn new(name: &'static str, seed: u64, entry: usize, landing: usize) -> Self {
        NAME_PTR.store(name.as_ptr().cast_mut(), Relaxed);
        NAME_LEN.store(name.len(), Relaxed);
        SEED.store(seed, Relaxed);
        ITERATION.store(0, Relaxed);
        ENTRY.store(entry, Relaxed);
        LANDING.store(landing, Relaxed);
        let action = KernelSigaction {
            handler: on_fatal_signal as *const () as usize,
            flags: SA_SIGINFO | SA_RESTORER | SA_ONSTACK | SA_RESETHAND,
            restorer: restorer as *const () as usize,
            mask: 0,
        };
        let mut old = [KernelSigaction::default(); HOOKED.len()];
        for (signal, old) in HOOKED.iter().zip(&mut old) {
            // SAFETY: valid action and output pointers, 8-byte signal set.
            let ret = unsafe {
                syscall4(
                    SYS_RT_SIGACTION,
                    *signal,
                    &raw const action as usize,
                    &raw mut *old as usize,
                    8,
                )
            };
            assert_eq!(ret, 0, "rt_sigaction({signal}) failed");
        }
        Armed { old }
    }

    /// Which iteration is in flight, for the report.
    pub fn iteration(&self, iteration: u64) {
        ITERATION.store(iteration, Relaxed);
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        for (signal, old) in HOOKED.iter().zip(&self.old) {
            // SAFETY: puts back the action read in `new`.
            unsafe { syscall4(SYS_RT_SIGACTION, *signal, old as *const _ as usize, 0, 8) };
        }
    }
}

/// For a process that is about to crash on purpose: no core file.
pub fn disable_core_dumps() {
    let limit = [0u64; 2];
    // SAFETY: `setrlimit(RLIMIT_CORE, {0, 0})` with a valid pointer.
    let ret = unsafe { syscall4(SYS_SETRLIMIT, RLIMIT_CORE, limit.as_ptr() as usize, 0, 0) };
    assert_eq!(ret, 0, "setrlimit(RLIMIT_CORE) failed");
}
