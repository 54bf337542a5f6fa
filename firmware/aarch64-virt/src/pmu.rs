//! The performance monitors, as the deterministic clock of the cost
//! measurements.
//!
//! QEMU implements the PMU of its Cortex-A CPUs with two countable events:
//! CPU_CYCLES (PMCCNTR_EL0, derived from the virtual clock at 1 GHz) and,
//! only under `-icount`, INST_RETIRED (0x08), which reads QEMU's instruction
//! count. With `-icount shift=0` one instruction takes 1 ns of virtual time,
//! so both count executed instructions exactly. Event counter 0 counts
//! INST_RETIRED at EL1 and EL2 (the filter's NSH bit), the cycle counter
//! likewise.

use crate::sysreg::{mrs, msr};

const INST_RETIRED: u64 = 0x08;
/// PMEVTYPER/PMCCFILTR: also count at EL2.
const FILTER_NSH: u64 = 1 << 27;
/// PMCR_EL0: enable, reset event counters, reset cycle counter.
const PMCR_E: u64 = 1 << 0;
const PMCR_P: u64 = 1 << 1;
const PMCR_C: u64 = 1 << 2;
/// PMCNTENSET_EL0: event counter 0 and the cycle counter.
const COUNTERS: u64 = (1 << 31) | 1;

/// Whether the PMU counts instructions (ID_AA64DFR0_EL1.PMUVer says it
/// exists, PMCEID0_EL0 that INST_RETIRED is implemented: QEMU says so only
/// under `-icount`).
pub fn counts_instructions() -> bool {
    let pmuver = (mrs!("id_aa64dfr0_el1") >> 8) & 0xf;
    pmuver != 0 && pmuver != 0xf && mrs!("pmceid0_el0") & (1 << INST_RETIRED) != 0
}

/// Starts both counters. Call once, before any measurement.
pub fn init() {
    if !counts_instructions() {
        return;
    }
    msr!("pmevtyper0_el0", INST_RETIRED | FILTER_NSH);
    msr!("pmccfiltr_el0", FILTER_NSH);
    msr!("pmcntenset_el0", COUNTERS);
    msr!("pmcr_el0", mrs!("pmcr_el0") | PMCR_E | PMCR_P | PMCR_C);
}
