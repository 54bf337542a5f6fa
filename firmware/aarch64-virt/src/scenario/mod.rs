//! The scenarios, run in this order by `main`: `el2` (prepared at EL2 when
//! the run starts there), `fp_env` (the FP environment of bodies and of the
//! interrupted code), `irq` (plain handler storm), `unmasked_return` (storm
//! whose bodies return with IRQs unmasked), `traps` (frame handlers: IRQ
//! storm plus `svc`/`brk`/`hvc` in every torture pass), `sync` (each
//! synchronous exception on purpose), then the EL2 report.

pub mod el2;
pub mod fp_env;
pub mod irq;
pub mod sync;
pub mod traps;
pub mod unmasked_return;
