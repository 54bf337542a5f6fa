//! The scenarios, run in this order by `main`: `storm` (SysTick, PendSV and
//! a nested NVIC interrupt over the register torture), then `faults` (SVC
//! and UsageFaults on purpose).

pub mod faults;
pub mod storm;
