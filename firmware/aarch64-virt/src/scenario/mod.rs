//! The scenarios, run in this order by `main`: `el2` (prepared at EL2 when
//! the run starts there), `irq` (plain handler storm), `traps` (frame
//! handlers: IRQ storm plus `svc`/`brk`/`hvc` in every torture pass), `sync`
//! (each synchronous exception on purpose), then the EL2 report.

pub mod el2;
pub mod irq;
pub mod sync;
pub mod traps;
