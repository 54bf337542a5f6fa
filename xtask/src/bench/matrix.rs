//! What `cargo xtask bench` measures: targets, contenders, handlers.

use serde::Serialize;

use super::image::Isa;
use crate::firmware::Machine;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Handler {
    Leaf,
    Nonleaf,
    Deep,
    Float,
    Nested,
}

impl Handler {
    pub const ALL: [Handler; 5] = [
        Handler::Leaf,
        Handler::Nonleaf,
        Handler::Deep,
        Handler::Float,
        Handler::Nested,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Handler::Leaf => "leaf",
            Handler::Nonleaf => "nonleaf",
            Handler::Deep => "deep",
            Handler::Float => "float",
            Handler::Nested => "nested",
        }
    }

    /// The exported vector (`bench/src/suite.rs`, `bench/c/handlers.c`).
    pub fn vector(self) -> String {
        format!("bench_{}", self.name())
    }

    /// riscv-rt's handler function and build group (`bench/src/suite.rs`).
    pub fn riscv_rt(self) -> (&'static str, RtGroup) {
        match self {
            Handler::Leaf => ("SupervisorSoft", RtGroup::First),
            Handler::Nonleaf => ("SupervisorTimer", RtGroup::First),
            Handler::Deep => ("SupervisorExternal", RtGroup::First),
            Handler::Float => ("SupervisorSoft", RtGroup::Second),
            Handler::Nested => ("SupervisorTimer", RtGroup::Second),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Handler::Leaf => "increments a counter",
            Handler::Nonleaf => "calls one small non-inlined function",
            Handler::Deep => {
                "calls a function that calls memcpy (run-time length) and another function"
            }
            Handler::Float => {
                "f64 multiply-add on a static (targets with FP registers: RV64GC, ARMv7-A)"
            }
            Handler::Nested => {
                "nonleaf with mstatus.MIE set around the call (mepc/mstatus kept; RISC-V only)"
            }
        }
    }
}

/// riscv-rt binds one handler per cause: the suite takes two builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtGroup {
    First,
    Second,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Contender {
    InterruptAbi,
    RustcNative,
    RustcNativeIpra,
    Gcc,
    Clang,
    RiscvRt,
}

impl Contender {
    pub const ALL: [Contender; 6] = [
        Contender::InterruptAbi,
        Contender::RustcNative,
        Contender::RustcNativeIpra,
        Contender::Gcc,
        Contender::Clang,
        Contender::RiscvRt,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Contender::InterruptAbi => "interrupt-abi",
            Contender::RustcNative => "rustc native",
            Contender::RustcNativeIpra => "rustc native + IPRA/LTO",
            Contender::Gcc => "GCC",
            Contender::Clang => "Clang",
            Contender::RiscvRt => "riscv-rt",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Contender::InterruptAbi => "interrupt-abi",
            Contender::RustcNative => "rustc-native",
            Contender::RustcNativeIpra => "rustc-native-ipra",
            Contender::Gcc => "gcc",
            Contender::Clang => "clang",
            Contender::RiscvRt => "riscv-rt",
        }
    }

    /// The bench crate's feature.
    pub fn feature(self) -> &'static str {
        match self {
            Contender::InterruptAbi => "ours",
            Contender::RustcNative | Contender::RustcNativeIpra => "native",
            Contender::Gcc | Contender::Clang => "c",
            Contender::RiscvRt => "rt",
        }
    }
}

/// A target of the benchmark.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Short name in tables, e.g. `RV32IMAC`.
    pub name: &'static str,
    pub triple: &'static str,
    pub isa: Isa,
    /// The QEMU machine the firmware boots on for the dynamic counts
    /// (`None`: static counts only), and extra QEMU arguments.
    pub machine: Option<Machine>,
    pub qemu_args: &'static [&'static str],
    /// Arguments GCC (`riscv64-unknown-elf-gcc` or the host `gcc`) gets.
    pub gcc: &'static [&'static str],
    pub clang: &'static [&'static str],
    /// The handlers of the suite this target has.
    pub handlers: &'static [Handler],
    /// The contenders that exist for the target.
    pub contenders: &'static [Contender],
    /// Contenders known not to support the target: a failed build is
    /// reported as "not available" instead of failing the run.
    pub unsupported: &'static [Contender],
}

const RISCV_SUITE: &[Handler] = &[
    Handler::Leaf,
    Handler::Nonleaf,
    Handler::Deep,
    Handler::Nested,
];
const RISCV_FP_SUITE: &[Handler] = &Handler::ALL;
/// No FPU on `x86_64-unknown-none` or `thumbv7m`; x86 and Cortex-M nest
/// in hardware.
const NO_FP_SUITE: &[Handler] = &[Handler::Leaf, Handler::Nonleaf, Handler::Deep];
/// Nesting on classic ARM means a System-mode entry, which GCC and Clang
/// do not offer.
const ARM_VFP_SUITE: &[Handler] = &[
    Handler::Leaf,
    Handler::Nonleaf,
    Handler::Deep,
    Handler::Float,
];

/// Where a rustc with an interrupt ABI and both C compilers are contenders.
const COMPILERS: &[Contender] = &[
    Contender::InterruptAbi,
    Contender::RustcNative,
    Contender::RustcNativeIpra,
    Contender::Gcc,
    Contender::Clang,
];

pub const TARGETS: &[Target] = &[
    Target {
        name: "RV32IMAC",
        triple: "riscv32imac-unknown-none-elf",
        isa: Isa::Riscv { xlen: 32 },
        machine: Some(Machine::RiscvVirt),
        qemu_args: &[],
        gcc: &["-march=rv32imac_zicsr", "-mabi=ilp32"],
        clang: &[
            "--target=riscv32-unknown-elf",
            "-march=rv32imac",
            "-mabi=ilp32",
        ],
        handlers: RISCV_SUITE,
        contenders: &Contender::ALL,
        unsupported: &[],
    },
    Target {
        name: "RV64GC",
        triple: "riscv64gc-unknown-none-elf",
        isa: Isa::Riscv { xlen: 64 },
        machine: Some(Machine::RiscvVirt),
        qemu_args: &[],
        gcc: &["-march=rv64gc_zicsr", "-mabi=lp64d", "-mcmodel=medany"],
        clang: &[
            "--target=riscv64-unknown-elf",
            "-march=rv64gc",
            "-mabi=lp64d",
            "-mcmodel=medany",
        ],
        handlers: RISCV_FP_SUITE,
        contenders: &Contender::ALL,
        unsupported: &[],
    },
    Target {
        name: "RV32E",
        triple: "riscv32e-unknown-none-elf",
        isa: Isa::Riscv { xlen: 32 },
        machine: Some(Machine::RiscvVirt),
        qemu_args: &[],
        gcc: &["-march=rv32e_zicsr", "-mabi=ilp32e"],
        clang: &[
            "--target=riscv32-unknown-elf",
            "-march=rv32e",
            "-mabi=ilp32e",
        ],
        handlers: RISCV_SUITE,
        contenders: &Contender::ALL,
        // Clang 14 rejects `-mabi=ilp32e`.
        unsupported: &[Contender::Clang],
    },
    Target {
        name: "x86_64",
        triple: "x86_64-unknown-none",
        isa: Isa::X86_64,
        machine: Some(Machine::X86Pc),
        qemu_args: &[],
        gcc: &["-mgeneral-regs-only", "-mno-red-zone", "-fpie"],
        clang: &[
            "--target=x86_64-unknown-none-elf",
            "-mgeneral-regs-only",
            "-mno-red-zone",
            "-fpie",
            // Clang advises against calls from an ISR (they make it save
            // every caller-saved register); the suite makes them on purpose.
            "-Wno-interrupt-service-routine",
        ],
        handlers: NO_FP_SUITE,
        contenders: COMPILERS,
        unsupported: &[],
    },
    Target {
        name: "ARMv7-A",
        triple: "armv7a-none-eabihf",
        isa: Isa::Arm { thumb: false },
        machine: Some(Machine::ArmVirt),
        qemu_args: &["-cpu", "cortex-a15"],
        gcc: &[
            "-march=armv7-a",
            "-marm",
            "-mfloat-abi=hard",
            "-mfpu=vfpv3",
            // GCC warns that its IRQ entry saves no VFP register; the
            // report says so for each handler where it matters.
            "-Wno-error=attributes",
        ],
        clang: &[
            "--target=armv7a-none-eabihf",
            "-marm",
            "-mfloat-abi=hard",
            "-mfpu=vfpv3",
            // Clang's same warning has no group of its own.
            "-Wno-error=extra",
        ],
        handlers: ARM_VFP_SUITE,
        // rustc has no classic-ARM interrupt ABI.
        contenders: &[Contender::InterruptAbi, Contender::Gcc, Contender::Clang],
        unsupported: &[],
    },
    Target {
        name: "Cortex-M3",
        triple: "thumbv7m-none-eabi",
        isa: Isa::Arm { thumb: true },
        // No counter that reads single instructions on QEMU's M-profile
        // boards (see the report's method).
        machine: None,
        qemu_args: &[],
        gcc: &["-mcpu=cortex-m3", "-mthumb", "-mfloat-abi=soft"],
        clang: &["--target=thumbv7m-none-eabi", "-mcpu=cortex-m3", "-mthumb"],
        handlers: NO_FP_SUITE,
        // The hardware calls an AAPCS function: rustc's "native" handler
        // is a plain `extern "C" fn`.
        contenders: COMPILERS,
        unsupported: &[],
    },
];

impl Target {
    pub fn contenders(&self) -> impl Iterator<Item = Contender> + '_ {
        self.contenders.iter().copied()
    }

    pub fn is_cortex_m(&self) -> bool {
        self.isa == (Isa::Arm { thumb: true })
    }
}
