//! The handler suite in Rust, one body per handler, turned into an interrupt
//! vector by whichever contender the features select. `c/handlers.c` is the
//! same suite in C, statement for statement.
//!
//! | handler   | body                                                        | RISC-V interrupt |
//! |-----------|-------------------------------------------------------------|------------------|
//! | `leaf`    | `COUNTER += 1`                                              | SSIP |
//! | `nonleaf` | `COUNTER = step(COUNTER)`, `step` not inlined               | STIP |
//! | `deep`    | `deep()`: `memcpy` of a run-time length, then `fold()`      | SEIP |
//! | `float`   | `ACC = ACC * 1.5 + 0.25` in `f64` (targets with FP registers) | SSIP |
//! | `nested`  | like `nonleaf`, with `mstatus.MIE` set around the call (RISC-V only) | STIP |
//!
//! Each vector is exported as `bench_<handler>`; riscv-rt binds each body to
//! an interrupt cause instead (`SupervisorSoft`, ...), three per build. On
//! x86_64 every handler is taken through `int`, on classic ARM through an
//! SGI at the GIC.

use core::ptr::{addr_of, addr_of_mut};

/// Written by every handler, so no body is dead code.
static mut COUNTER: usize = 0;
/// Bytes `deep` copies, read at run time so that the copy is a `memcpy` call.
static mut LEN: usize = 24;
static mut SRC: [u8; 32] = *b"interrupt-abi measures handlers!";
static mut DST: [u8; 32] = [0; 32];
#[cfg(bench_fpu)]
static mut ACC: f64 = 1.0;

fn counter() -> *mut usize {
    addr_of_mut!(COUNTER)
}

#[inline(never)]
fn step(x: usize) -> usize {
    x.wrapping_mul(3).wrapping_add(1)
}

#[inline(never)]
fn fold(p: *const u8) -> usize {
    // SAFETY: `p` points to DST, 32 bytes.
    let b = |i| usize::from(unsafe { p.add(i).read() });
    b(0) + b(7) + b(15) + b(23)
}

#[inline(never)]
fn deep() {
    // SAFETY: single-threaded firmware; LEN <= 32.
    unsafe {
        let n = addr_of!(LEN).read_volatile();
        core::ptr::copy_nonoverlapping(
            addr_of!(SRC).cast::<u8>(),
            addr_of_mut!(DST).cast::<u8>(),
            n,
        );
        let sum = fold(addr_of!(DST).cast::<u8>());
        counter().write_volatile(counter().read_volatile().wrapping_add(sum));
    }
}

/// One handler of the suite, as the selected contender writes it.
///
/// `$group` is riscv-rt's build (`first`/`second`), `$irq` its cause and
/// `$nested` whether the body re-enables interrupts.
macro_rules! handler {
    ($name:ident, $sym:literal, $group:ident, $irq:ident, $nested:ident, $body:block) => {
        handler!(@contender $name, $sym, $group, $irq, $nested, $body);
    };

    // interrupt-abi: the RFC syntax plus one attribute.
    (@contender $name:ident, $sym:literal, $group:ident, $irq:ident, plain, $body:block) => {
        #[cfg(all(feature = "ours", target_arch = "x86_64"))]
        #[interrupt_abi::interrupt]
        #[unsafe(export_name = $sym)]
        extern "x86-interrupt" fn $name(_frame: &interrupt_abi::x86_64::InterruptStackFrame) $body

        #[cfg(all(feature = "ours", any(target_arch = "riscv32", target_arch = "riscv64")))]
        #[interrupt_abi::interrupt]
        #[unsafe(export_name = $sym)]
        extern "riscv-interrupt-m" fn $name() $body

        #[cfg(all(feature = "ours", target_arch = "arm", not(bench_cortex_m)))]
        #[interrupt_abi::interrupt]
        #[unsafe(export_name = $sym)]
        extern "arm-interrupt-irq" fn $name() $body

        #[cfg(all(feature = "ours", bench_cortex_m))]
        #[interrupt_abi::interrupt]
        #[unsafe(export_name = $sym)]
        extern "cortex-m-interrupt" fn $name() $body

        handler!(@others $name, $sym, $group, $irq, $body);
    };
    (@contender $name:ident, $sym:literal, $group:ident, $irq:ident, nested, $body:block) => {
        #[cfg(feature = "ours")]
        #[interrupt_abi::interrupt(nested)]
        #[unsafe(export_name = $sym)]
        extern "riscv-interrupt-m" fn $name() $body

        handler!(@others $name, $sym, $group, $irq, $body);
    };

    (@others $name:ident, $sym:literal, $group:ident, $irq:ident, $body:block) => {
        // rustc's nightly ABIs. `mtvec` needs 4-byte alignment, which
        // functions on RVC targets do not get by default.
        #[cfg(all(feature = "native", target_arch = "x86_64"))]
        #[unsafe(export_name = $sym)]
        extern "x86-interrupt" fn $name(_frame: crate::x86::Frame) $body

        #[cfg(all(feature = "native", any(target_arch = "riscv32", target_arch = "riscv64")))]
        #[unsafe(export_name = $sym)]
        #[rustc_align(4)]
        extern "riscv-interrupt-m" fn $name() $body

        // Cortex-M calls an AAPCS function directly: rustc's native
        // handler is a plain `extern "C" fn`, as with cortex-m-rt.
        #[cfg(all(feature = "native", bench_cortex_m))]
        #[unsafe(export_name = $sym)]
        extern "C" fn $name() $body

        // riscv-rt: a plain function bound to an interrupt cause, called
        // by `_start_trap` through `_start_trap_rust`'s dispatch.
        handler!(@rt $group $name, $irq, $body);
    };

    (@rt first $name:ident, $irq:ident, $body:block) => {
        #[cfg(all(feature = "rt", not(feature = "rt-second")))]
        #[riscv_rt::core_interrupt(riscv::interrupt::Interrupt::$irq)]
        fn $name() $body
    };
    (@rt second $name:ident, $irq:ident, $body:block) => {
        #[cfg(feature = "rt-second")]
        #[riscv_rt::core_interrupt(riscv::interrupt::Interrupt::$irq)]
        fn $name() $body
    };
}

handler!(leaf, "bench_leaf", first, SupervisorSoft, plain, {
    probe_entry!();
    ack!(SSIP);
    // SAFETY: the only writer is the interrupt in progress.
    unsafe { counter().write_volatile(counter().read_volatile().wrapping_add(1)) };
    probe_exit!();
});

handler!(nonleaf, "bench_nonleaf", first, SupervisorTimer, plain, {
    probe_entry!();
    ack!(STIP);
    // SAFETY: as above.
    unsafe { counter().write_volatile(step(counter().read_volatile())) };
    probe_exit!();
});

handler!(
    deep_calls,
    "bench_deep",
    first,
    SupervisorExternal,
    plain,
    {
        probe_entry!();
        ack!(SEIP);
        deep();
        probe_exit!();
    }
);

#[cfg(bench_fpu)]
handler!(float, "bench_float", second, SupervisorSoft, plain, {
    probe_entry!();
    ack!(SSIP);
    // SAFETY: as above.
    unsafe {
        let acc = addr_of_mut!(ACC);
        acc.write_volatile(acc.read_volatile() * 1.5 + 0.25);
    }
    probe_exit!();
});

#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
handler!(nested, "bench_nested", second, SupervisorTimer, nested, {
    let saved = nest_enter!();
    probe_entry!();
    ack!(STIP);
    machine_interrupts!(true);
    // SAFETY: as above; a nested interrupt would bump COUNTER in between,
    // which this benchmark does not raise.
    unsafe { counter().write_volatile(step(counter().read_volatile())) };
    probe_exit!();
    nest_leave!(saved);
});
