//! RISC-V machine code, decoded for the two things xtask needs to know
//! about it. One decoder sizes each instruction (the two low bits say 16 or
//! 32 bits) and splits out its fields; two views are built on that:
//!
//! - [`operands`], for the RV32E check (`rv32e.rs`): the length of each
//!   instruction and the GPR numbers in its register fields, for the base
//!   formats (R/I/S/B/U/J, including CSR, AMO, F/D loads, stores and moves)
//!   and the compressed ones. Which fields are registers depends on the
//!   opcode (a CSR-immediate's `rs1` field is a constant, `mret`'s `rs2`
//!   field is part of the opcode), so this is a table of opcodes, not a
//!   field extractor. An opcode it does not know is an error, never a silent
//!   pass.
//! - [`decode`], for the bench: the instructions prologues and epilogues are
//!   made of: stack-pointer adjustments, `sp`-relative integer and FP stores
//!   and loads (32-bit and compressed forms), CSR accesses, calls, jumps and
//!   returns. Every other instruction is only sized and its destination
//!   register noted, so a save of a register the function has already
//!   overwritten is not taken for a save of the interrupted code's value.
//!   Unknown encodings are [`Kind::Other`] here: the bench measures, it does
//!   not prove.

use anyhow::{Result, bail};

use super::{Insn, Kind};

/// ABI names of x0-x31.
pub const XREGS: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// ABI names of f0-f31.
pub const FREGS: [&str; 32] = [
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2",
    "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9",
    "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
];

const SP: u32 = 2;
const RA: u32 = 1;

fn bit(v: u32, n: u32) -> u32 {
    (v >> n) & 1
}

fn bits(v: u32, hi: u32, lo: u32) -> u32 {
    (v >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// Sign-extends the low `bits` bits of `v`.
fn sext(v: u32, bits: u32) -> i64 {
    let shift = 32 - bits;
    i64::from(((v << shift) as i32) >> shift)
}

/// The instruction at the start of `code` (little-endian): its length in
/// bytes (2 when the two low bits are not `11`, else 4) and its bits, or
/// `None` if `code` is shorter than that.
fn fetch(code: &[u8]) -> Option<(u8, u32)> {
    let half = u16::from_le_bytes([*code.first()?, *code.get(1)?]);
    if half & 0b11 != 0b11 {
        return Some((2, u32::from(half)));
    }
    let word = code.get(..4)?;
    Some((4, u32::from_le_bytes(word.try_into().unwrap())))
}

/// The fields of a 32-bit instruction.
struct Base {
    opcode: u32,
    rd: u32,
    rs1: u32,
    rs2: u32,
    funct3: u32,
    funct7: u32,
}

impl Base {
    fn new(w: u32) -> Base {
        Base {
            opcode: bits(w, 6, 0),
            rd: bits(w, 11, 7),
            rs1: bits(w, 19, 15),
            rs2: bits(w, 24, 20),
            funct3: bits(w, 14, 12),
            funct7: bits(w, 31, 25),
        }
    }
}

/// The fields of a compressed instruction: full 5-bit ones and the 3-bit
/// ones (primed), which name x8-x15.
struct Compressed {
    quadrant: u32,
    funct3: u32,
    rd: u32,
    rs2: u32,
    rd_p: u32,
    rs1_p: u32,
}

impl Compressed {
    fn new(h: u32) -> Compressed {
        Compressed {
            quadrant: bits(h, 1, 0),
            funct3: bits(h, 15, 13),
            rd: bits(h, 11, 7),
            rs2: bits(h, 6, 2),
            rd_p: 8 + bits(h, 4, 2),
            rs1_p: 8 + bits(h, 9, 7),
        }
    }
}

/// One instruction's registers, for the RV32E check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operands {
    /// Length in bytes: 2 (compressed) or 4.
    pub len: usize,
    /// GPR numbers the instruction reads or writes, implicit ones (`ra` of
    /// `c.jal`, `sp` of the stack-relative forms) included.
    pub gprs: Vec<u8>,
}

/// Decodes the registers of the instruction at the start of `code`
/// (little-endian) for a hart with `xlen` 32 or 64 (the compressed
/// encodings differ).
pub fn operands(code: &[u8], xlen: u32) -> Result<Operands> {
    let Some((len, raw)) = fetch(code) else {
        bail!("truncated instruction");
    };
    if len == 4 && raw & 0b1_1100 == 0b1_1100 {
        bail!(
            "{:#06x}: instructions longer than 32 bits are not decoded",
            raw & 0xffff
        );
    }
    let gprs = if len == 2 {
        compressed_gprs(raw, xlen)?
    } else {
        base_gprs(raw)?
    };
    Ok(Operands {
        len: usize::from(len),
        gprs: gprs.into_iter().map(|r| r as u8).collect(),
    })
}

/// GPRs of a 32-bit instruction.
fn base_gprs(w: u32) -> Result<Vec<u32>> {
    let Base {
        opcode,
        rd,
        rs1,
        rs2,
        funct3,
        funct7,
    } = Base::new(w);
    Ok(match opcode {
        // LUI, AUIPC, JAL
        0x37 | 0x17 | 0x6f => vec![rd],
        // JALR, loads, OP-IMM(-32), FENCE (reserved fields, zero in practice)
        0x67 | 0x03 | 0x13 | 0x1b | 0x0f => vec![rd, rs1],
        // stores, branches
        0x23 | 0x63 => vec![rs1, rs2],
        // OP, OP-32 (incl. M), AMO
        0x33 | 0x3b | 0x2f => vec![rd, rs1, rs2],
        // LOAD-FP, STORE-FP: the address register only
        0x07 | 0x27 => vec![rs1],
        // FMADD, FMSUB, FNMSUB, FNMADD: FP registers only
        0x43 | 0x47 | 0x4b | 0x4f => vec![],
        0x53 => match funct7 >> 2 {
            // FCMP (feq/flt/fle), FCVT.int.fp, FMV.X / FCLASS: rd is a GPR
            0b10100 | 0b11000 | 0b11100 => vec![rd],
            // FCVT.fp.int, FMV.W.X / FMV.D.X: rs1 is a GPR
            0b11010 | 0b11110 => vec![rs1],
            _ => vec![],
        },
        0x73 => match funct3 {
            0 => match funct7 {
                // sfence.vma, hfence.vvma, hfence.gvma
                0b000_1001 | 0b001_0001 | 0b011_0001 => vec![rs1, rs2],
                // ecall, ebreak, mret, sret, wfi: the fields are opcode bits
                _ if rd == 0 && rs1 == 0 => vec![],
                _ => bail!("{w:#010x}: unknown SYSTEM instruction"),
            },
            // csrrw, csrrs, csrrc
            1..=3 => vec![rd, rs1],
            // csrrwi, csrrsi, csrrci: rs1 is an immediate
            5..=7 => vec![rd],
            _ => bail!("{w:#010x}: unknown SYSTEM instruction"),
        },
        op => bail!("{w:#010x}: unknown opcode {op:#04x}"),
    })
}

/// GPRs of a compressed instruction.
fn compressed_gprs(h: u32, xlen: u32) -> Result<Vec<u32>> {
    if h == 0 {
        bail!("0x0000: the defined illegal instruction");
    }
    let Compressed {
        quadrant,
        funct3,
        rd,
        rs2,
        rd_p,
        rs1_p,
    } = Compressed::new(h);
    Ok(match (quadrant, funct3) {
        // c.addi4spn
        (0, 0) => vec![rd_p, SP],
        // loads and stores relative to a compressed register (c.lw, c.sd, c.fld, ...)
        (0, 1..=3 | 5..=7) => vec![rd_p, rs1_p],
        (0, _) => bail!("{h:#06x}: reserved compressed encoding"),
        // c.addi / c.nop, c.li
        (1, 0 | 2) => vec![rd],
        // RV32: c.jal (writes ra); RV64: c.addiw
        (1, 1) if xlen == 32 => vec![RA],
        (1, 1) => vec![rd],
        // c.addi16sp, c.lui
        (1, 3) if rd == SP => vec![SP],
        (1, 3) => vec![rd],
        // c.srli, c.srai, c.andi: rs1'; c.sub ... c.and(w): rs1', rs2'
        (1, 4) if bits(h, 11, 10) == 0b11 => vec![rs1_p, rd_p],
        (1, 4) => vec![rs1_p],
        // c.j
        (1, 5) => vec![],
        // c.beqz, c.bnez
        (1, 6 | 7) => vec![rs1_p],
        // c.slli
        (2, 0) => vec![rd],
        // c.fldsp, c.fsdsp; RV32: c.flwsp, c.fswsp
        (2, 1 | 5) => vec![SP],
        (2, 3 | 7) if xlen == 32 => vec![SP],
        // c.lwsp; RV64: c.ldsp
        (2, 2 | 3) => vec![rd, SP],
        // c.swsp; RV64: c.sdsp
        (2, 6 | 7) => vec![rs2, SP],
        (2, 4) => match (bits(h, 12, 12), rd, rs2) {
            (0, _, 0) => vec![rd],      // c.jr
            (0, _, _) => vec![rd, rs2], // c.mv
            (1, 0, 0) => vec![],        // c.ebreak
            (1, _, 0) => vec![rd, RA],  // c.jalr
            (1, _, _) => vec![rd, rs2], // c.add
            _ => unreachable!("one bit"),
        },
        _ => unreachable!("quadrant 3 is not compressed"),
    })
}

/// CSRs whose save and restore belong to an interrupt entry and exit.
fn trap_csr(csr: u32) -> Option<&'static str> {
    match csr {
        0x003 => Some("fcsr"),
        0x100 => Some("sstatus"),
        0x141 => Some("sepc"),
        0x300 => Some("mstatus"),
        0x341 => Some("mepc"),
        _ => None,
    }
}

fn x(n: u32) -> String {
    XREGS[n as usize].to_string()
}

fn f(n: u32) -> String {
    FREGS[n as usize].to_string()
}

/// An instruction whose only effect that matters is overwriting `rd`.
fn writes_x(rd: u32) -> Kind {
    Kind::Other {
        writes: if rd == 0 { vec![] } else { vec![x(rd)] },
    }
}

/// Decodes `code` loaded at `addr`, for XLEN `xlen` (32 or 64; it decides
/// what some compressed encodings mean), into what each instruction does
/// in a prologue or epilogue.
pub fn decode(code: &[u8], addr: u64, xlen: u32) -> Vec<Insn> {
    let mut out = Vec::new();
    let mut at = 0usize;
    // `auipc ra, hi` of an `auipc`+`jalr` call pair: (address, value).
    let mut auipc_ra: Option<(u64, u64)> = None;
    while let Some((len, raw)) = fetch(&code[at..]) {
        let pc = addr + at as u64;
        let kind = if len == 2 {
            auipc_ra = None;
            compressed_kind(raw, pc, xlen)
        } else {
            let word = raw;
            let fields = Base::new(word);
            let kind = match base_kind(word, pc) {
                // `jalr ra, lo(ra)` right after `auipc ra, hi`: a direct call.
                Kind::Call(None)
                    if fields.rs1 == RA && auipc_ra.is_some_and(|(a, _)| a + 4 == pc) =>
                {
                    let (_, base) = auipc_ra.unwrap();
                    Kind::Call(Some(base.wrapping_add(sext(word >> 20, 12) as u64)))
                }
                kind => kind,
            };
            auipc_ra = (fields.opcode == 0x17 && fields.rd == RA).then(|| {
                (
                    pc,
                    pc.wrapping_add((word & 0xffff_f000) as i32 as i64 as u64),
                )
            });
            kind
        };
        out.push(Insn {
            addr: pc,
            len,
            kind,
        });
        at += usize::from(len);
    }
    out
}

/// What a 32-bit instruction does.
fn base_kind(w: u32, pc: u64) -> Kind {
    let Base {
        opcode,
        rd,
        rs1,
        rs2,
        funct3,
        funct7,
    } = Base::new(w);
    let i_imm = sext(w >> 20, 12);
    match opcode {
        // STORE: sw, sd
        0x23 if rs1 == SP && (funct3 == 2 || funct3 == 3) => Kind::Save {
            reg: x(rs2),
            alloc: 0,
        },
        // STORE-FP: fsw, fsd
        0x27 if rs1 == SP && (funct3 == 2 || funct3 == 3) => Kind::Save {
            reg: f(rs2),
            alloc: 0,
        },
        0x23 | 0x27 => Kind::Other { writes: vec![] },
        // LOAD: lw, ld from the stack; other loads only write rd.
        0x03 if rs1 == SP && (funct3 == 2 || funct3 == 3) => Kind::Restore {
            reg: x(rd),
            free: 0,
        },
        0x03 => writes_x(rd),
        0x07 if rs1 == SP => Kind::Restore {
            reg: f(rd),
            free: 0,
        },
        0x07 => Kind::Other {
            writes: vec![f(rd)],
        },
        // OP-IMM: addi sp, sp, imm
        0x13 if funct3 == 0 && rd == SP && rs1 == SP => stack_adjust(i_imm),
        0x13 | 0x1b | 0x33 | 0x3b | 0x37 | 0x17 | 0x2f => writes_x(rd),
        // JAL
        0x6f => {
            let imm = (bit(w, 31) << 20)
                | (bits(w, 19, 12) << 12)
                | (bit(w, 20) << 11)
                | (bits(w, 30, 21) << 1);
            let target = pc.wrapping_add(sext(imm, 21) as u64);
            match rd {
                RA => Kind::Call(Some(target)),
                _ => Kind::Jump,
            }
        }
        // JALR
        0x67 => match (rd, rs1, i_imm) {
            (0, RA, 0) => Kind::Return,
            (RA, _, _) => Kind::Call(None),
            _ => Kind::Jump,
        },
        // BRANCH
        0x63 => Kind::Jump,
        // SYSTEM
        0x73 => system(w, rd, rs1, funct3),
        // Floating point: results go to an f register, except moves,
        // conversions and comparisons into x registers.
        0x53 => match funct7 >> 2 {
            0b11100 | 0b11000 | 0b10100 => writes_x(rd),
            _ => Kind::Other {
                writes: vec![f(rd)],
            },
        },
        0x43 | 0x47 | 0x4b | 0x4f => Kind::Other {
            writes: vec![f(rd)],
        },
        _ => Kind::Other { writes: vec![] },
    }
}

fn stack_adjust(imm: i64) -> Kind {
    if imm < 0 {
        Kind::StackAlloc(imm.unsigned_abs())
    } else {
        Kind::StackFree(imm as u64)
    }
}

fn system(w: u32, rd: u32, rs1: u32, funct3: u32) -> Kind {
    match w {
        0x3020_0073 | 0x1020_0073 => return Kind::InterruptReturn,
        _ => {}
    }
    let csr = w >> 20;
    let Some(name) = trap_csr(csr) else {
        return writes_x(rd);
    };
    match funct3 {
        // csrr rd, csr (csrrs rd, csr, x0), and the swap `csrrw rd, csr,
        // rs1` that saves a CSR while it sets the body's value.
        1 | 2 if (funct3 == 1 || rs1 == 0) && rd != 0 => Kind::CsrRead {
            csr: name.into(),
            reg: x(rd),
        },
        // csrw, and masking with csrc/csrci: the exit's side of it.
        1 | 3 | 5 | 7 if rd == 0 => Kind::CsrWrite { csr: name.into() },
        _ => writes_x(rd),
    }
}

/// What a 16-bit (RVC) instruction does.
fn compressed_kind(h: u32, pc: u64, xlen: u32) -> Kind {
    let Compressed {
        quadrant,
        funct3,
        rd,
        rs2,
        rd_p: rd_prime,
        rs1_p: rs1_prime,
    } = Compressed::new(h);
    match (quadrant, funct3) {
        // Quadrant 0: c.addi4spn, loads and stores relative to x8-x15.
        (0, 0) | (0, 2) => writes_x(rd_prime),
        (0, 1) => Kind::Other {
            writes: vec![f(rd_prime)],
        },
        (0, 3) if xlen == 32 => Kind::Other {
            writes: vec![f(rd_prime)],
        },
        (0, 3) => writes_x(rd_prime),
        (0, _) => Kind::Other { writes: vec![] },
        // Quadrant 1
        (1, 0) if rd == SP => stack_adjust(sext((bit(h, 12) << 5) | rs2, 6)),
        (1, 0) | (1, 2) => writes_x(rd),
        (1, 1) if xlen == 32 => {
            // c.jal
            let imm = (bit(h, 12) << 11)
                | (bit(h, 11) << 4)
                | (bits(h, 10, 9) << 8)
                | (bit(h, 8) << 10)
                | (bit(h, 7) << 6)
                | (bit(h, 6) << 7)
                | (bits(h, 5, 3) << 1)
                | (bit(h, 2) << 5);
            Kind::Call(Some(pc.wrapping_add(sext(imm, 12) as u64)))
        }
        (1, 1) => writes_x(rd), // c.addiw
        (1, 3) if rd == SP => {
            // c.addi16sp
            let imm = (bit(h, 12) << 9)
                | (bit(h, 6) << 4)
                | (bit(h, 5) << 6)
                | (bits(h, 4, 3) << 7)
                | (bit(h, 2) << 5);
            stack_adjust(sext(imm, 10))
        }
        (1, 3) => writes_x(rd), // c.lui
        (1, 4) => writes_x(rs1_prime),
        (1, _) => Kind::Jump, // c.j, c.beqz, c.bnez
        // Quadrant 2
        (2, 0) => writes_x(rd), // c.slli
        (2, 1) => Kind::Restore {
            reg: f(rd),
            free: 0,
        }, // c.fldsp
        (2, 2) => Kind::Restore {
            reg: x(rd),
            free: 0,
        }, // c.lwsp
        (2, 3) if xlen == 32 => Kind::Restore {
            reg: f(rd),
            free: 0,
        }, // c.flwsp
        (2, 3) => Kind::Restore {
            reg: x(rd),
            free: 0,
        }, // c.ldsp
        (2, 4) => match (bit(h, 12), rd, rs2) {
            (0, RA, 0) => Kind::Return,
            (0, _, 0) => Kind::Jump,                     // c.jr
            (0, _, _) => writes_x(rd),                   // c.mv
            (1, 0, 0) => Kind::Other { writes: vec![] }, // c.ebreak
            (1, _, 0) => Kind::Call(None),               // c.jalr
            _ => writes_x(rd),                           // c.add
        },
        (2, 5) => Kind::Save {
            reg: f(rs2),
            alloc: 0,
        }, // c.fsdsp
        (2, 6) => Kind::Save {
            reg: x(rs2),
            alloc: 0,
        }, // c.swsp
        (2, 7) if xlen == 32 => Kind::Save {
            reg: f(rs2),
            alloc: 0,
        }, // c.fswsp
        (2, 7) => Kind::Save {
            reg: x(rs2),
            alloc: 0,
        }, // c.sdsp
        _ => Kind::Other { writes: vec![] },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodings from `llvm-mc -show-encoding` (LLVM 14).
    fn regs(bytes: &[u8], xlen: u32) -> Vec<u8> {
        let d = operands(bytes, xlen).unwrap();
        assert_eq!(d.len, bytes.len(), "{bytes:x?}");
        d.gprs
    }

    #[test]
    fn base_formats() {
        // li a6, 1 (I)
        assert_eq!(regs(&[0x13, 0x08, 0x10, 0x00], 64), [16, 0]);
        // add t6, ra, a6 (R)
        assert_eq!(regs(&[0xb3, 0x8f, 0x00, 0x01], 64), [31, 1, 16]);
        // sw t3, 8(sp) (S)
        assert_eq!(regs(&[0x23, 0x24, 0xc1, 0x01], 32), [2, 28]);
        // lw s2, -4(a0)
        assert_eq!(regs(&[0x03, 0x29, 0xc5, 0xff], 32), [18, 10]);
        // beq a7, a5, 8 (B)
        assert_eq!(regs(&[0x63, 0x84, 0xf8, 0x00], 32), [17, 15]);
        // lui s11, 0x12345 (U); auipc t4, 1
        assert_eq!(regs(&[0xb7, 0x5d, 0x34, 0x12], 32), [27]);
        assert_eq!(regs(&[0x97, 0x1e, 0x00, 0x00], 32), [29]);
        // jal a7, 16 (J); jr s2
        assert_eq!(regs(&[0xef, 0x08, 0x00, 0x01], 32), [17]);
        assert_eq!(regs(&[0x67, 0x00, 0x09, 0x00], 32), [0, 18]);
        // lr.w s5, (s6); sc.w s7, s8, (s9); mul s10, s11, t3; ld t4, 0(t5)
        assert_eq!(regs(&[0xaf, 0x2a, 0x0b, 0x10], 32), [21, 22, 0]);
        assert_eq!(regs(&[0xaf, 0xab, 0x8c, 0x19], 32), [23, 25, 24]);
        assert_eq!(regs(&[0x33, 0x8d, 0xcd, 0x03], 32), [26, 27, 28]);
        assert_eq!(regs(&[0x83, 0x3e, 0x0f, 0x00], 64), [29, 30]);
    }

    #[test]
    fn system_instructions_name_registers_only_where_they_have_them() {
        // csrrw a6, mscratch, s3
        assert_eq!(regs(&[0x73, 0x98, 0x09, 0x34], 32), [16, 19]);
        // csrrwi s4, mscratch, 31: the 31 is an immediate
        assert_eq!(regs(&[0x73, 0xda, 0x0f, 0x34], 32), [20]);
        // csrr a5, mip
        assert_eq!(regs(&[0xf3, 0x27, 0x40, 0x34], 32), [15, 0]);
        // mret, wfi, sret, ecall: their rs2 fields (2, 5) are opcode bits
        for insn in [[0x73, 0x00, 0x20, 0x30], [0x73, 0x00, 0x50, 0x10]] {
            assert_eq!(regs(&insn, 32), [0u8; 0]);
        }
        assert_eq!(regs(&[0x73, 0x00, 0x20, 0x10], 32), [0u8; 0]);
        assert_eq!(regs(&[0x73, 0x00, 0x00, 0x00], 32), [0u8; 0]);
        // sfence.vma a6, a7
        assert_eq!(regs(&[0x73, 0x00, 0x18, 0x13], 32), [16, 17]);
        // fence
        assert_eq!(regs(&[0x0f, 0x00, 0xf0, 0x0f], 32), [0, 0]);
    }

    #[test]
    fn floating_point_names_only_its_integer_operands() {
        // fmv.x.w a6, ft1; fmv.w.x ft2, a7; flw ft3, 0(s2); fsw ft4, 4(s3)
        assert_eq!(regs(&[0x53, 0x88, 0x00, 0xe0], 32), [16]);
        assert_eq!(regs(&[0x53, 0x81, 0x08, 0xf0], 32), [17]);
        assert_eq!(regs(&[0x87, 0x21, 0x09, 0x00], 32), [18]);
        assert_eq!(regs(&[0x27, 0xa2, 0x49, 0x00], 32), [19]);
        // feq.s s4, ft1, ft2; fadd.s ft1, ft2, ft3
        assert_eq!(regs(&[0x53, 0xaa, 0x20, 0xa0], 32), [20]);
        assert_eq!(regs(&[0xd3, 0x70, 0x31, 0x00], 32), [0u8; 0]);
    }

    #[test]
    fn compressed_formats() {
        let cases: &[([u8; 2], &[u8])] = &[
            ([0x08, 0x08], &[10, 2]),  // c.addi4spn a0, sp, 16
            ([0x4c, 0x42], &[11, 12]), // c.lw a1, 4(a2)
            ([0x14, 0xc7], &[13, 14]), // c.sw a3, 8(a4)
            ([0x05, 0x08], &[16]),     // c.addi a6, 1
            ([0x01, 0x00], &[0]),      // c.nop
            ([0x11, 0x20], &[1]),      // c.jal 4 (RV32)
            ([0x95, 0x48], &[17]),     // c.li a7, 5
            ([0x39, 0x71], &[2]),      // c.addi16sp sp, -64
            ([0x05, 0x69], &[18]),     // c.lui s2, 1
            ([0x05, 0x81], &[10]),     // c.srli a0, 1
            ([0xf1, 0x8d], &[11, 12]), // c.and a1, a2
            ([0x11, 0xa0], &[]),       // c.j 4
            ([0x91, 0xc2], &[13]),     // c.beqz a3, 4
            ([0xf5, 0xfc], &[9]),      // c.bnez s1, -4
            ([0x8e, 0x09], &[19]),     // c.slli s3, 3
            ([0x12, 0x4a], &[20, 2]),  // c.lwsp s4, 4(sp)
            ([0x82, 0x8a], &[21]),     // c.jr s5
            ([0x5e, 0x8b], &[22, 23]), // c.mv s6, s7
            ([0x02, 0x90], &[]),       // c.ebreak
            ([0x02, 0x9c], &[24, 1]),  // c.jalr s8
            ([0xea, 0x9c], &[25, 26]), // c.add s9, s10
            ([0x6e, 0xc4], &[27, 2]),  // c.swsp s11, 8(sp)
            ([0xa2, 0x20], &[2]),      // c.fldsp ft1, 8(sp)
        ];
        for (bytes, want) in cases {
            assert_eq!(regs(bytes, 32), *want, "{bytes:x?}");
        }
    }

    #[test]
    fn unknown_or_illegal_encodings_are_errors() {
        assert!(operands(&[0x00, 0x00], 32).is_err());
        assert!(operands(&[0x7f, 0x00, 0x00, 0x00], 32).is_err());
        assert!(operands(&[0x13, 0x00], 32).is_err(), "truncated");
        // csrrw with funct3 = 4 (hypervisor loads are not decoded)
        assert!(operands(&[0x73, 0x48, 0x00, 0x60], 32).is_err());
    }

    fn kinds(words: &[u32], xlen: u32) -> Vec<Kind> {
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        decode(&bytes, 0x8000_0000, xlen)
            .into_iter()
            .map(|i| i.kind)
            .collect()
    }

    fn halves(hs: &[u16], xlen: u32) -> Vec<Kind> {
        let bytes: Vec<u8> = hs.iter().flat_map(|h| h.to_le_bytes()).collect();
        decode(&bytes, 0x8000_0000, xlen)
            .into_iter()
            .map(|i| i.kind)
            .collect()
    }

    fn save(r: &str) -> Kind {
        Kind::Save {
            reg: r.into(),
            alloc: 0,
        }
    }

    fn restore(r: &str) -> Kind {
        Kind::Restore {
            reg: r.into(),
            free: 0,
        }
    }

    /// Encodings checked against GNU objdump (binutils 2.40).
    #[test]
    fn full_size_prologue_forms() {
        assert_eq!(
            kinds(
                &[
                    0xfc01_0113, // addi sp, sp, -64
                    0x0011_2023, // sw ra, 0(sp)
                    0x03f1_3c23, // sd t6, 56(sp)
                    0x0281_3427, // fsd fs0, 40(sp)
                    0x0001_2083, // lw ra, 0(sp)
                    0x0401_0113, // addi sp, sp, 64
                    0x3410_22f3, // csrr t0, mepc
                    0x3002_9073, // csrw mstatus, t0
                    0x3004_7073, // csrci mstatus, 8
                    0x0030_12f3, // csrrw t0, fcsr, zero
                    0x3020_0073, // mret
                    0x0000_8067, // ret
                ],
                64
            ),
            [
                Kind::StackAlloc(64),
                save("ra"),
                save("t6"),
                save("fs0"),
                restore("ra"),
                Kind::StackFree(64),
                Kind::CsrRead {
                    csr: "mepc".into(),
                    reg: "t0".into()
                },
                Kind::CsrWrite {
                    csr: "mstatus".into()
                },
                Kind::CsrWrite {
                    csr: "mstatus".into()
                },
                Kind::CsrRead {
                    csr: "fcsr".into(),
                    reg: "t0".into()
                },
                Kind::InterruptReturn,
                Kind::Return,
            ]
        );
    }

    #[test]
    fn compressed_prologue_forms() {
        assert_eq!(
            halves(
                &[
                    0x7139, // c.addi16sp sp, -64
                    0x1141, // c.addi sp, -16
                    0xc006, // c.swsp ra, 0(sp)
                    0xde7e, // c.swsp t6, 60(sp)
                    0x4082, // c.lwsp ra, 0(sp)
                    0x6121, // c.addi16sp sp, 64
                    0x8082, // c.ret
                    0xe822, // c.sdsp s0, 16(sp)  (RV32: c.fswsp fs0)
                    0xa022, // c.fsdsp fs0, 0(sp)
                ],
                32
            ),
            [
                Kind::StackAlloc(64),
                Kind::StackAlloc(16),
                save("ra"),
                save("t6"),
                restore("ra"),
                Kind::StackFree(64),
                Kind::Return,
                save("fs0"),
                save("fs0"),
            ]
        );
        assert_eq!(halves(&[0xe822], 64), [save("s0")]);
    }

    #[test]
    fn calls_are_resolved() {
        // auipc ra, 0 ; jalr 762(ra)  (as linked in the bench firmware)
        let k = kinds(&[0x0000_0097, 0x2fa0_80e7], 32);
        assert_eq!(k[1], Kind::Call(Some(0x8000_0000 + 762)));
        // jal ra, +0x100
        assert_eq!(kinds(&[0x1000_00ef], 32), [Kind::Call(Some(0x8000_0100))]);
        // c.jal +8 (RV32 only; on RV64 the encoding is c.addiw)
        assert_eq!(halves(&[0x2021], 32), [Kind::Call(Some(0x8000_0008))]);
        assert_ne!(halves(&[0x2021], 64), [Kind::Call(Some(0x8000_0008))]);
    }

    #[test]
    fn other_instructions_are_sized_and_their_destination_noted() {
        let bytes = [0x37, 0x07, 0x00, 0x00, 0x85, 0x07]; // lui a4, 0 ; c.addi a5, 1
        let insns = decode(&bytes, 0, 32);
        assert_eq!(insns.len(), 2);
        assert_eq!((insns[0].len, insns[1].len), (4, 2));
        assert_eq!(
            insns[0].kind,
            Kind::Other {
                writes: vec!["a4".into()]
            }
        );
        assert_eq!(
            insns[1].kind,
            Kind::Other {
                writes: vec!["a5".into()]
            }
        );
    }
}
