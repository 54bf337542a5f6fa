//! Host-side torture harness for x86_64 interrupt entries.
//!
//! The harness enters an interrupt entry the way a CPU in long mode does —
//! align RSP down to 16, push SS, RSP, RFLAGS, CS, RIP and optionally an error
//! code, jump — from an ordinary Linux process, with every general-purpose
//! register, all sixteen XMM registers and the arithmetic flags plus DF set to
//! fresh random values. The entry returns with `iretq` (ring 3 to ring 3 works),
//! and everything is compared with what was loaded.
//!
//! It knows nothing about how the entry was written: a [`harness::Shape`] is an
//! entry address, whether an error code is pushed, and a function that takes
//! what the handler body recorded. Bodies record through [`probe`]. That keeps
//! this directory includable by `#[path]` from other crates (the nightly
//! `native-reference` crate tests rustc's own `extern "x86-interrupt"` with it).
//!
//! * [`harness`] — the entry emulation, the landing pads and the comparison.
//! * [`probe`] — what a handler body calls: record the frame, DF and stack
//!   alignment; clobber every SysV caller-saved register; rewrite the return
//!   address on request.
//! * [`crash`] — while a run is in flight, a crash (SIGSEGV, SIGILL, …) is
//!   reported with the entry, iteration and seed before the process dies.
//! * [`reference`] — hand-written trampolines, one correct per frame shape and
//!   several deliberately broken ones, to prove the harness catches mistakes.
//! * [`rng`] — a tiny deterministic PRNG, so a failure is reproducible from its
//!   printed seed.

// Each including crate uses a different subset of this module.
#![allow(dead_code)]

pub mod crash;
pub mod harness;
pub mod probe;
pub mod reference;
pub mod rng;
