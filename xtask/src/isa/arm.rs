//! 32-bit ARM (A32 and Thumb/Thumb-2) through yaxpeax-arm: its decoder
//! parses the integer instruction set; this module classifies what
//! prologues and epilogues are made of.
//!
//! yaxpeax-arm 0.5 has no VFP (`vpush`, `vpop`, `vstr`, `vmrs`, `vmsr`,
//! arithmetic: all coprocessor 10/11 encodings), no A32 `cps`, and its
//! branch offsets carry per-encoding biases, so those forms are read from
//! the encoding bits here.

use yaxpeax_arch::{Decoder, U8Reader};
use yaxpeax_arm::armv7::{InstDecoder, Instruction, Opcode, Operand};

use super::{Insn, Kind};

const SP: u8 = 13;
const LR: u8 = 14;
const PC: u8 = 15;

fn name(reg: u8) -> String {
    match reg {
        SP => "sp".into(),
        LR => "lr".into(),
        PC => "pc".into(),
        n => format!("r{n}"),
    }
}

/// The registers of a `{..}` list, lowest first (the order they are stored).
fn list(mask: u16) -> Vec<String> {
    (0..16).filter(|r| mask & (1 << r) != 0).map(name).collect()
}

/// Decodes `code` loaded at `addr`: A32 words, or Thumb/Thumb-2 halfwords
/// when `thumb`. Call targets into Thumb code have bit 0 set, as ELF
/// symbols for Thumb functions do.
pub fn decode(code: &[u8], addr: u64, thumb: bool) -> Vec<Insn> {
    let decoder = InstDecoder::default().with_thumb_mode(thumb);
    let mut out = Vec::new();
    let mut offset = 0;
    let mut previous = 0;
    let mut frame = FrameDerived::new(thumb);
    while let Some((len, word)) = fetch(&code[offset..], thumb) {
        let here = addr + offset as u64;
        let kind = match literal_load(word, len, here, thumb).or_else(|| by_hand(word, len, thumb))
        {
            // ARMv4T has no `blx rN`: `mov lr, pc; bx rN` is its indirect
            // call (pc reads 8 ahead: lr gets the address after the `bx`).
            _ if !thumb && previous == MOV_LR_PC && word & 0x0fff_fff0 == BX => Kind::Call(None),
            Some(kind) => kind,
            None => {
                let mut reader = U8Reader::new(&code[offset..offset + len]);
                let Ok(insn) = decoder.decode(&mut reader) else {
                    break;
                };
                frame.track(&insn);
                classify(&insn, word, here, thumb, &frame)
            }
        };
        out.push(Insn {
            addr: here,
            len: len as u8,
            kind,
        });
        offset += len;
        previous = word;
    }
    out
}

/// A32 `mov lr, pc` (always), and `bx rN` without condition and register.
const MOV_LR_PC: u32 = 0xe1a0_e00f;
const BX: u32 = 0x012f_ff10;

/// `ldr rN, [pc, #±imm]`, with the literal's address: A32 (pc reads 8
/// ahead), Thumb 16-bit and 32-bit (4 ahead, word-aligned).
fn literal_load(word: u32, len: usize, addr: u64, thumb: bool) -> Option<Kind> {
    let (rt, base, offset, up) = match (thumb, len) {
        (false, _) if word & 0x0f7f_0000 == 0x051f_0000 && word >> 28 != 0xf => (
            bits(word, 12, 4),
            addr + 8,
            bits(word, 0, 12),
            bit(word, 23),
        ),
        (true, 2) if word >> 11 == 0b01001 => (
            bits(word, 8, 3),
            (addr + 4) & !3,
            bits(word, 0, 8) * 4,
            true,
        ),
        (true, 4) if word & 0xff7f_0000 == 0xf85f_0000 => (
            bits(word, 12, 4),
            (addr + 4) & !3,
            bits(word, 0, 12),
            bit(word, 23),
        ),
        _ => return None,
    };
    // A load into pc is a jump, left to the decoder.
    if rt == 15 {
        return None;
    }
    let addr = if up {
        base + u64::from(offset)
    } else {
        base - u64::from(offset)
    };
    Some(Kind::LoadLiteral {
        reg: name(rt as u8),
        addr,
    })
}

/// The next instruction's length and bits. A 32-bit Thumb instruction is
/// two halfwords, the first in the high bits, which makes its coprocessor
/// encodings read like A32 ones with the `AL` condition.
fn fetch(code: &[u8], thumb: bool) -> Option<(usize, u32)> {
    let half = |i: usize| Some(u16::from_le_bytes([*code.get(i)?, *code.get(i + 1)?]) as u32);
    if !thumb {
        return Some((4, half(0)? | half(2)? << 16));
    }
    let first = half(0)?;
    if first >> 11 >= 0b11101 {
        Some((4, first << 16 | half(2)?))
    } else {
        Some((2, first))
    }
}

fn bits(word: u32, lo: u32, n: u32) -> u32 {
    (word >> lo) & ((1 << n) - 1)
}

fn bit(word: u32, n: u32) -> bool {
    word & (1 << n) != 0
}

/// VFP register `s`/`d` number from its 4-bit field and extra bit: the
/// extra bit is the low bit of an `s` number and the high bit of a `d`.
fn fp_reg(double: bool, field: u32, extra: bool) -> (bool, u32) {
    if double {
        (true, field | (extra as u32) << 4)
    } else {
        (false, field << 1 | extra as u32)
    }
}

fn fp_name((double, n): (bool, u32)) -> String {
    format!("{}{n}", if double { "d" } else { "s" })
}

/// Forms yaxpeax-arm does not decode (see the module doc).
fn by_hand(word: u32, len: usize, thumb: bool) -> Option<Kind> {
    let coprocessor = if thumb {
        len == 4 && word >> 28 == 0b1110
    } else {
        word >> 28 != 0b1111
    };
    if coprocessor && bits(word, 9, 3) == 0b101 {
        return vfp(word);
    }
    // `cps`, `cpsid`, `cpsie`
    if !thumb && word & 0xfff1_fe20 == 0xf100_0000 {
        return Some(Kind::Other { writes: vec![] });
    }
    // `bfc`/`bfi` (yaxpeax-arm 0.5 decodes neither); Clang realigns the
    // stack with `bfc sp, #0, #3`.
    let bitfield = if thumb {
        (len == 4 && word & 0xfbf0_8020 == 0xf360_0000).then(|| bits(word, 8, 4))
    } else {
        (word >> 28 != 0xf && word & 0x0fe0_0070 == 0x07c0_0010).then(|| bits(word, 12, 4))
    };
    bitfield.map(|rd| match rd as u8 {
        SP => Kind::StackFrame,
        rd => Kind::Other {
            writes: vec![name(rd)],
        },
    })
}

/// Coprocessor 10/11 (VFP) instructions, with `word` in A32 layout.
fn vfp(word: u32) -> Option<Kind> {
    let double = bit(word, 8);
    let rn = bits(word, 16, 4) as u8;
    let rt = bits(word, 12, 4) as u8;
    let vd = fp_reg(double, bits(word, 12, 4), bit(word, 22));
    let load = bit(word, 20);
    match bits(word, 25, 3) {
        // Extension register load/store.
        0b110 => {
            let (p, u, w) = (bit(word, 24), bit(word, 23), bit(word, 21));
            let imm8 = bits(word, 0, 8);
            if bits(word, 21, 4) == 0b0010 {
                // `vmov r0, r1, d0` and its reverse.
                let writes = if load {
                    vec![name(rt), name(rn)]
                } else if double {
                    vec![fp_name(fp_reg(true, bits(word, 0, 4), bit(word, 5)))]
                } else {
                    let s = fp_reg(false, bits(word, 0, 4), bit(word, 5));
                    vec![fp_name(s), fp_name((false, s.1 + 1))]
                };
                return Some(Kind::Other { writes });
            }
            if !p && !u && !w {
                return None;
            }
            if p && !w {
                // `vstr`/`vldr`
                let reg = fp_name(vd);
                return Some(match (rn, load) {
                    (SP, false) => Kind::Save { reg, alloc: 0 },
                    (SP, true) => Kind::Restore { reg, free: 0 },
                    (_, false) => Kind::Other { writes: vec![] },
                    (_, true) => Kind::Other { writes: vec![reg] },
                });
            }
            // `vstm`/`vldm`, `vpush`/`vpop`
            let count = if double { imm8 / 2 } else { imm8 };
            let regs: Vec<String> = (vd.1..vd.1 + count).map(|n| fp_name((vd.0, n))).collect();
            let moved = if w { imm8 as u64 * 4 } else { 0 };
            Some(match (rn, load) {
                (SP, false) if !(w && u) => Kind::SaveList { regs, alloc: moved },
                (SP, true) if !(w && p) => Kind::RestoreList { regs, free: moved },
                _ => {
                    let mut writes = if load { regs } else { vec![] };
                    if w {
                        writes.push(name(rn));
                    }
                    Kind::Other { writes }
                }
            })
        }
        0b111 if !bit(word, 24) => {
            if !bit(word, 4) {
                return Some(Kind::Other {
                    writes: vfp_destination(word).map(fp_name).into_iter().collect(),
                });
            }
            let special = bits(word, 16, 4);
            let csr = match special {
                0b0001 => Some("fpscr"),
                0b1000 => Some("fpexc"),
                _ => None,
            };
            Some(match (bits(word, 21, 3), double, load) {
                // `vmrs APSR_nzcv, fpscr` only sets the flags.
                (0b111, false, true) if rt == PC => Kind::Other { writes: vec![] },
                (0b111, false, true) => match csr {
                    Some(csr) => Kind::CsrRead {
                        csr: csr.into(),
                        reg: name(rt),
                    },
                    None => Kind::Other {
                        writes: vec![name(rt)],
                    },
                },
                (0b111, false, false) => match csr {
                    Some(csr) => Kind::CsrWrite { csr: csr.into() },
                    None => Kind::Other { writes: vec![] },
                },
                // `vmov s0, r0` and other core-to-extension transfers
                (0b000, false, false) => Kind::Other {
                    writes: vec![fp_name(fp_reg(false, special, bit(word, 7)))],
                },
                (_, _, true) => Kind::Other {
                    writes: vec![name(rt)],
                },
                (_, _, false) => Kind::Other {
                    writes: vec![fp_name(fp_reg(true, special, bit(word, 7)))],
                },
            })
        }
        _ => None,
    }
}

/// The register a VFP data-processing instruction writes; `None` for
/// compares, which set only the FPSCR flags.
fn vfp_destination(word: u32) -> Option<(bool, u32)> {
    let sz = bit(word, 8);
    // opc1 = 0b1x11, opc3 = 0bx1: the "other" group (`vmov` immediate has opc3 0bx0).
    let other = bit(word, 23) && bits(word, 20, 2) == 0b11 && bit(word, 6);
    let double = match bits(word, 16, 4) {
        0b0100 | 0b0101 if other => return None,
        // `vcvt` between precisions writes the other size, to an integer a single.
        0b0111 if other => !sz,
        0b1100 | 0b1101 if other => false,
        _ => sz,
    };
    Some(fp_reg(double, bits(word, 12, 4), bit(word, 22)))
}

/// A32 `bl`/`blx` and Thumb-2 `bl`/`blx` target, from the encoding.
fn call_target(word: u32, addr: u64, thumb: bool) -> u64 {
    if thumb {
        let s = bit(word, 26);
        let i1 = !(bit(word, 13) ^ s) as u32;
        let i2 = !(bit(word, 11) ^ s) as u32;
        let imm = (s as u32) << 24
            | i1 << 23
            | i2 << 22
            | bits(word, 16, 10) << 12
            | bits(word, 0, 11) << 1;
        let offset = ((imm << 7) as i32 >> 7) as i64;
        let pc = addr.wrapping_add(4);
        if bit(word, 12) {
            pc.wrapping_add_signed(offset) | 1
        } else {
            (pc & !3).wrapping_add_signed(offset) & !3
        }
    } else {
        let offset = ((bits(word, 0, 24) << 8) as i32 >> 6) as i64;
        let pc = addr.wrapping_add(8);
        // `blx imm` (the unconditional space) switches to Thumb; its bit 24
        // is the halfword offset where `bl` has its link bit.
        if word >> 28 == 0b1111 {
            pc.wrapping_add_signed(offset | (bit(word, 24) as i64) << 1) | 1
        } else {
            pc.wrapping_add_signed(offset)
        }
    }
}

fn reg_of(op: &Operand) -> Option<u8> {
    match op {
        Operand::Reg(r) => Some(r.number()),
        _ => None,
    }
}

fn imm_of(op: &Operand) -> Option<u64> {
    match *op {
        Operand::Imm32(n) => Some(n as u64),
        Operand::Imm12(n) => Some(n as u64),
        _ => None,
    }
}

/// A memory operand: base register, bytes the base moves down (negative:
/// up) as the instruction's writeback, and whether there is writeback.
struct Memory {
    base: u8,
    moved: i64,
    writeback: bool,
}

fn memory(op: &Operand) -> Option<Memory> {
    let signed = |n: u16, add: bool| if add { -(n as i64) } else { n as i64 };
    let (base, moved, writeback) = match *op {
        Operand::RegDeref(r) => (r, 0, false),
        Operand::RegDerefPreindexOffset(r, n, add, w) => (r, if w { signed(n, add) } else { 0 }, w),
        // Post-indexing always writes the base back.
        Operand::RegDerefPostindexOffset(r, n, add, _) => (r, signed(n, add), true),
        Operand::RegDerefPreindexReg(r, _, _, w)
        | Operand::RegDerefPreindexRegShift(r, _, _, w) => (r, 0, w),
        Operand::RegDerefPostindexReg(r, ..) | Operand::RegDerefPostindexRegShift(r, ..) => {
            (r, 0, true)
        }
        _ => return None,
    };
    Some(Memory {
        base: base.number(),
        moved,
        writeback,
    })
}

/// Registers holding a value computed from the frame pointer (r7 in
/// Thumb code, r11 in A32): Clang's Cortex-M epilogue puts sp back with
/// `sub.w r4, r7, #8; mov sp, r4`, the same `mov sp, r4` as its prologue's
/// realignment.
struct FrameDerived {
    frame_pointer: u8,
    derived: u16,
}

impl FrameDerived {
    fn new(thumb: bool) -> Self {
        FrameDerived {
            frame_pointer: if thumb { 7 } else { 11 },
            derived: 0,
        }
    }

    fn holds(&self, reg: u8) -> bool {
        reg == self.frame_pointer || self.derived & 1 << reg != 0
    }

    /// Follows `add`/`sub`/`mov` into a register (others are assumed not to
    /// write one between a frame computation and its use).
    fn track(&mut self, insn: &Instruction) {
        if !matches!(insn.opcode, Opcode::ADD | Opcode::SUB | Opcode::MOV) {
            return;
        }
        let (Some(rd), Some(rn)) = (reg_of(&insn.operands[0]), reg_of(&insn.operands[1])) else {
            return;
        };
        if rd < SP {
            if self.holds(rn) {
                self.derived |= 1 << rd;
            } else {
                self.derived &= !(1 << rd);
            }
        }
    }
}

fn classify(insn: &Instruction, word: u32, addr: u64, thumb: bool, frame: &FrameDerived) -> Kind {
    let ops = &insn.operands;
    let rd = reg_of(&ops[0]);
    let rn = reg_of(&ops[1]);
    let imm = ops.iter().find_map(imm_of);
    match insn.opcode {
        Opcode::PUSH => {
            if let Operand::RegList(mask) = ops[0] {
                return Kind::SaveList {
                    regs: list(mask),
                    alloc: 4 * mask.count_ones() as u64,
                };
            }
        }
        Opcode::POP => {
            if let Operand::RegList(mask) = ops[0] {
                if mask & 1 << PC != 0 {
                    return Kind::Return;
                }
                return Kind::RestoreList {
                    regs: list(mask),
                    free: 4 * mask.count_ones() as u64,
                };
            }
        }
        Opcode::STM(add, pre, ..) => {
            if let (Operand::RegWBack(base, wback), Operand::RegList(mask)) = (ops[0], ops[1]) {
                let moved = 4 * mask.count_ones() as u64;
                return match (base.number(), wback) {
                    (SP, false) => Kind::SaveList {
                        regs: list(mask),
                        alloc: 0,
                    },
                    (SP, true) if !add && pre => Kind::SaveList {
                        regs: list(mask),
                        alloc: moved,
                    },
                    (b, w) => Kind::Other {
                        writes: if w { vec![name(b)] } else { vec![] },
                    },
                };
            }
        }
        Opcode::LDM(add, pre, _, user) => {
            if let (Operand::RegWBack(base, wback), Operand::RegList(mask)) = (ops[0], ops[1]) {
                let pc = mask & 1 << PC != 0;
                // Thumb has no `^` form; yaxpeax-arm marks every Thumb `ldm` as one.
                if pc && user && !thumb {
                    return Kind::InterruptReturn;
                }
                let stack = base.number() == SP && add && !pre;
                return match (pc, stack) {
                    (true, true) => Kind::Return,
                    (true, false) => Kind::Jump,
                    (false, true) => Kind::RestoreList {
                        regs: list(mask),
                        free: if wback {
                            4 * mask.count_ones() as u64
                        } else {
                            0
                        },
                    },
                    (false, false) => {
                        let mut writes = list(mask);
                        if wback {
                            writes.push(name(base.number()));
                        }
                        Kind::Other { writes }
                    }
                };
            }
        }
        Opcode::STR | Opcode::STRD => {
            let pair = insn.opcode == Opcode::STRD;
            let at = if pair { 2 } else { 1 };
            if let (Some(rt), Some(m)) = (rd, memory(&ops[at]))
                && m.base == SP
                && m.moved >= 0
            {
                let alloc = m.moved as u64;
                return match (pair, rn) {
                    (true, Some(rt2)) => Kind::SaveList {
                        regs: vec![name(rt), name(rt2)],
                        alloc,
                    },
                    _ => Kind::Save {
                        reg: name(rt),
                        alloc,
                    },
                };
            }
        }
        Opcode::LDR | Opcode::LDRD => {
            let pair = insn.opcode == Opcode::LDRD;
            let at = if pair { 2 } else { 1 };
            if let (Some(rt), Some(m)) = (rd, memory(&ops[at])) {
                if m.base == SP && m.moved <= 0 {
                    if rt == PC {
                        return if m.writeback {
                            Kind::Return
                        } else {
                            Kind::Jump
                        };
                    }
                    let free = (-m.moved) as u64;
                    return match (pair, rn) {
                        (true, Some(rt2)) => Kind::RestoreList {
                            regs: vec![name(rt), name(rt2)],
                            free,
                        },
                        _ => Kind::Restore {
                            reg: name(rt),
                            free,
                        },
                    };
                }
                if rt == PC {
                    return Kind::Jump;
                }
            }
        }
        Opcode::SUB if rd == Some(PC) && rn == Some(LR) && insn.s => {
            return Kind::InterruptReturn;
        }
        Opcode::SUB if rd == Some(SP) && rn == Some(SP) => {
            if let Some(n) = imm {
                return Kind::StackAlloc(n);
            }
        }
        Opcode::SUB if !thumb && rd == Some(LR) && rn == Some(LR) && matches!(imm, Some(4 | 8)) => {
            return Kind::ReturnAddress;
        }
        Opcode::ADD if rd == Some(SP) && rn == Some(SP) => {
            if let Some(n) = imm {
                return Kind::StackFree(n);
            }
        }
        Opcode::ADD | Opcode::MOV if matches!(rd, Some(7 | 11)) && rn == Some(SP) => {
            return Kind::StackFrame;
        }
        Opcode::MOV if rd == Some(PC) => {
            return match (rn, insn.s) {
                (_, true) => Kind::InterruptReturn,
                (Some(LR), false) => Kind::Return,
                _ => Kind::Jump,
            };
        }
        Opcode::BL | Opcode::BLX if reg_of(&ops[0]).is_none() => {
            return Kind::Call(Some(call_target(word, addr, thumb)));
        }
        Opcode::BLX => return Kind::Call(None),
        Opcode::BX if rd == Some(LR) => return Kind::Return,
        Opcode::BX
        | Opcode::BXJ
        | Opcode::B
        | Opcode::CBZ
        | Opcode::CBNZ
        | Opcode::TBB
        | Opcode::TBH => return Kind::Jump,
        Opcode::RFE(..) | Opcode::ERET => return Kind::InterruptReturn,
        Opcode::SRS(_, up) => {
            let wback = matches!(ops[0], Operand::RegWBack(_, true));
            return Kind::SaveList {
                regs: vec!["lr".into(), "spsr".into()],
                alloc: if wback && !up { 8 } else { 0 },
            };
        }
        Opcode::MRS => {
            if let (Some(reg), Operand::SPSR | Operand::BankedSPSR(_)) = (rd, ops[1]) {
                return Kind::CsrRead {
                    csr: "spsr".into(),
                    reg: name(reg),
                };
            }
        }
        Opcode::MSR => {
            let spsr = match ops[0] {
                Operand::SPSR | Operand::BankedSPSR(_) => true,
                // The SPSR masks are 0b1xxxx.
                Operand::StatusRegMask(mask) => mask as u8 & 0b1_0000 != 0,
                _ => false,
            };
            return if spsr {
                Kind::CsrWrite { csr: "spsr".into() }
            } else {
                Kind::Other { writes: vec![] }
            };
        }
        _ => {}
    }
    // sp from a frame pointer (`sub sp, r11, #4`, `mov sp, r7`) ends a frame;
    // any other write of sp re-bases the stack (`bic sp, sp, #7`, `mov sp, r0`).
    if rd == Some(SP) && writes_first_operand(insn.opcode) {
        return match rn {
            Some(r) if frame.holds(r) => Kind::StackRestore,
            _ => Kind::StackFrame,
        };
    }
    if rd == Some(PC) && writes_first_operand(insn.opcode) {
        return Kind::Jump;
    }
    Kind::Other {
        writes: writes(insn),
    }
}

/// Whether operand 0, when a register, is a destination (stores and
/// compares read it).
fn writes_first_operand(opcode: Opcode) -> bool {
    !matches!(
        opcode,
        Opcode::STR
            | Opcode::STRB
            | Opcode::STRH
            | Opcode::STRD
            | Opcode::STRT
            | Opcode::STRBT
            | Opcode::STRHT
            | Opcode::STL
            | Opcode::STLB
            | Opcode::STLH
            | Opcode::CMP
            | Opcode::CMN
            | Opcode::TST
            | Opcode::TEQ
            | Opcode::MSR
            | Opcode::MCR(..)
            | Opcode::MCRR(..)
    )
}

/// Destination registers, best effort: operand 0 (and 1 for the
/// two-register results), plus a written-back base.
fn writes(insn: &Instruction) -> Vec<String> {
    let ops = &insn.operands;
    let mut out = Vec::new();
    if let Some(r) = reg_of(&ops[0]).filter(|_| writes_first_operand(insn.opcode)) {
        // `mrc p15, .., APSR_nzcv, ..` sets only the flags.
        if !(r == PC && matches!(insn.opcode, Opcode::MRC(..))) {
            out.push(name(r));
        }
    }
    let pair = matches!(
        insn.opcode,
        Opcode::LDRD
            | Opcode::LDREXD
            | Opcode::LDAEXD
            | Opcode::MRRC(..)
            | Opcode::UMULL
            | Opcode::UMLAL
            | Opcode::SMULL
            | Opcode::SMLAL
            | Opcode::UMAAL
            | Opcode::SMLAL_halfword(..)
            | Opcode::SMLALD(_)
            | Opcode::SMLSLD(_)
    );
    if let Some(r) = reg_of(&ops[1]).filter(|_| pair) {
        out.push(name(r));
    }
    for op in ops {
        let base = match op {
            Operand::RegWBack(r, true) => Some(r.number()),
            op => memory(op).filter(|m| m.writeback).map(|m| m.base),
        };
        if let Some(b) = base {
            out.push(name(b));
        }
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    //! Encodings from GNU as 2.40 (`-march=armv7ve -mfpu=vfpv3-d16` for A32
    //! and A-profile Thumb, `-march=armv7e-m -mfpu=fpv5-d16` for M-profile),
    //! call targets as `arm-none-eabi-objdump -d` prints them.

    use super::*;

    fn a32(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    /// Halfwords in objdump's order (a 32-bit instruction's first half first).
    fn t32(halves: &[u16]) -> Vec<u8> {
        halves.iter().flat_map(|h| h.to_le_bytes()).collect()
    }

    fn kinds(code: &[u8], addr: u64, thumb: bool) -> Vec<Kind> {
        decode(code, addr, thumb)
            .into_iter()
            .map(|i| i.kind)
            .collect()
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn save_list(regs: &[&str], alloc: u64) -> Kind {
        Kind::SaveList {
            regs: strings(regs),
            alloc,
        }
    }

    fn restore_list(regs: &[&str], free: u64) -> Kind {
        Kind::RestoreList {
            regs: strings(regs),
            free,
        }
    }

    fn save(reg: &str, alloc: u64) -> Kind {
        Kind::Save {
            reg: reg.into(),
            alloc,
        }
    }

    fn restore(reg: &str, free: u64) -> Kind {
        Kind::Restore {
            reg: reg.into(),
            free,
        }
    }

    fn other(writes: &[&str]) -> Kind {
        Kind::Other {
            writes: strings(writes),
        }
    }

    fn csr_read(csr: &str, reg: &str) -> Kind {
        Kind::CsrRead {
            csr: csr.into(),
            reg: reg.into(),
        }
    }

    fn csr_write(csr: &str) -> Kind {
        Kind::CsrWrite { csr: csr.into() }
    }

    #[test]
    fn frame_teardown_is_told_from_realignment() {
        let code = a32(&[
            0xe24bd004, // sub sp, fp, #4
            0xe1a0d00b, // mov sp, fp
            0xe3cdd007, // bic sp, sp, #7
        ]);
        assert_eq!(
            kinds(&code, 0, false),
            [Kind::StackRestore, Kind::StackRestore, Kind::StackFrame]
        );
        // Clang's Cortex-M realignment and teardown through r4.
        let code = t32(&[
            0x46bd, // mov sp, r7
            0x466c, // mov r4, sp
            0xf36f, 0x0402, // bfc r4, #0, #3
            0x46a5, // mov sp, r4
            0xf1a7, 0x0408, // sub.w r4, r7, #8
            0x46a5, // mov sp, r4
        ]);
        let k = kinds(&code, 0, true);
        assert_eq!(k[0], Kind::StackRestore);
        assert_eq!((&k[3], &k[5]), (&Kind::StackFrame, &Kind::StackRestore));
    }

    /// Clang's stack realignment, which yaxpeax-arm does not decode.
    #[test]
    fn bit_field_clears_and_inserts() {
        let code = a32(&[
            0xe7c2d01f, // bfc sp, #0, #3
            0xe7c73011, // bfi r3, r1, #0, #8
        ]);
        assert_eq!(
            kinds(&code, 0, false),
            [
                Kind::StackFrame,
                Kind::Other {
                    writes: vec!["r3".into()]
                }
            ]
        );
        let code = t32(&[
            0xf36f, 0x0402, // bfc r4, #0, #3
            0xf361, 0x0307, // bfi r3, r1, #0, #8
        ]);
        assert_eq!(
            kinds(&code, 0, true),
            [
                Kind::Other {
                    writes: vec!["r4".into()]
                },
                Kind::Other {
                    writes: vec!["r3".into()]
                }
            ]
        );
    }

    /// interrupt-abi's ARMv4T-compatible call of its body, from a linked
    /// trampoline at 0x40100104, and Thumb literal loads.
    #[test]
    fn literal_loads_and_the_v4t_call() {
        let code = a32(&[
            0xe59f3020, // 40100104: ldr r3, [pc, #32]  @ 4010012c
            0xe1a0e00f, // 40100108: mov lr, pc
            0xe12fff13, // 4010010c: bx r3
            0xe12fff13, // 40100110: bx r3 (not after `mov lr, pc`)
            0xe51f1004, // 40100114: ldr r1, [pc, #-4]  @ 40100118
        ]);
        assert_eq!(
            kinds(&code, 0x4010_0104, false),
            [
                Kind::LoadLiteral {
                    reg: "r3".into(),
                    addr: 0x4010_012c
                },
                Kind::Other {
                    writes: vec!["lr".into()]
                },
                Kind::Call(None),
                Kind::Jump,
                Kind::LoadLiteral {
                    reg: "r1".into(),
                    addr: 0x4010_0118
                },
            ]
        );
        let code = t32(&[
            0x4b01, // 2: ldr r3, [pc, #4]  @ 8
            0xf8df, 0x2008, // 4: ldr.w r2, [pc, #8]  @ 10
        ]);
        assert_eq!(
            kinds(&code, 2, true),
            [
                Kind::LoadLiteral {
                    reg: "r3".into(),
                    addr: 8
                },
                Kind::LoadLiteral {
                    reg: "r2".into(),
                    addr: 0x10
                },
            ]
        );
    }

    #[test]
    fn gcc_irq_handler() {
        let code = a32(&[
            0xe24ee004, // 0: sub lr, lr, #4
            0xe92d500f, // 4: push {r0, r1, r2, r3, ip, lr}
            0xeb000000, // 8: bl 10 <body>
            0xe8fd900f, // c: ldm sp!, {r0, r1, r2, r3, ip, pc}^
            0xe12fff1e, // 10: bx lr
        ]);
        let insns = decode(&code, 0x1000, false);
        assert!(insns.iter().all(|i| i.len == 4));
        assert_eq!(insns[4].addr, 0x1010);
        assert_eq!(
            insns.into_iter().map(|i| i.kind).collect::<Vec<_>>(),
            [
                Kind::ReturnAddress,
                save_list(&["r0", "r1", "r2", "r3", "r12", "lr"], 24),
                Kind::Call(Some(0x1010)),
                Kind::InterruptReturn,
                Kind::Return,
            ]
        );
    }

    #[test]
    fn a32_vfp_handler() {
        let code = a32(&[
            0xe92d500f, // 14: push {r0, r1, r2, r3, ip, lr}
            0xe1a0000d, // 18: mov r0, sp
            0xe3cdd007, // 1c: bic sp, sp, #7
            0xed2d0b10, // 20: vpush {d0-d7}
            0xeef11a10, // 24: vmrs r1, fpscr
            0xe52d1008, // 28: str r1, [sp, #-8]!
            0xe24dd010, // 2c: sub sp, sp, #16
            0xe58d0004, // 30: str r0, [sp, #4]
            0xe1cd20f8, // 34: strd r2, [sp, #8]
            0xfa000026, // 38: blx d8 <thumbfn>
            0xe12fff33, // 3c: blx r3
            0xe59d0004, // 40: ldr r0, [sp, #4]
            0xe28dd010, // 44: add sp, sp, #16
            0xe49d1008, // 48: ldr r1, [sp], #8
            0xecbd0b10, // 4c: vpop {d0-d7}
            0xeee11a10, // 50: vmsr fpscr, r1
            0xe1a0d000, // 54: mov sp, r0
            0xe8bd500f, // 58: pop {r0, r1, r2, r3, ip, lr}
            0xe25ef004, // 5c: subs pc, lr, #4
        ]);
        let d = ["d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7"];
        let gprs = ["r0", "r1", "r2", "r3", "r12", "lr"];
        assert_eq!(
            kinds(&code, 0x14, false),
            [
                save_list(&gprs, 24),
                other(&["r0"]),
                Kind::StackFrame,
                save_list(&d, 64),
                csr_read("fpscr", "r1"),
                save("r1", 8),
                Kind::StackAlloc(16),
                save("r0", 0),
                save_list(&["r2", "r3"], 0),
                // `thumbfn` is Thumb code.
                Kind::Call(Some(0xd9)),
                Kind::Call(None),
                restore("r0", 0),
                Kind::StackFree(16),
                restore("r1", 8),
                restore_list(&d, 64),
                csr_write("fpscr"),
                Kind::StackFrame,
                restore_list(&gprs, 24),
                Kind::InterruptReturn,
            ]
        );
    }

    #[test]
    fn a32_system_mode_entry() {
        let code = a32(&[
            0xf96d051f, // srsdb sp!, #31
            0xf102001f, // cps #31
            0xe14f2000, // mrs r2, SPSR
            0xe16ff002, // msr SPSR_fsxc, r2
            0xf10c0080, // cpsid i
            0xf10800c0, // cpsie if
            0xe92d0030, // push {r4, r5} (stmdb sp!, {r4, r5})
            0xed2d8b04, // vpush {d8-d9} (vstmdb sp!, {d8-d9})
            0xecbd8b04, // vpop {d8-d9} (vldmia sp!, {d8-d9})
            0xe8bd0030, // pop {r4, r5} (ldmia sp!, {r4, r5})
            0xe92d4800, // push {fp, lr}
            0xe28db004, // add fp, sp, #4
            0xe24ee008, // sub lr, lr, #8
            0xe52de004, // push {lr} (str lr, [sp, #-4]!)
            0xf8bd0a00, // rfeia sp!
        ]);
        assert_eq!(
            kinds(&code, 0x60, false),
            [
                save_list(&["lr", "spsr"], 8),
                other(&[]),
                csr_read("spsr", "r2"),
                csr_write("spsr"),
                other(&[]),
                other(&[]),
                save_list(&["r4", "r5"], 8),
                save_list(&["d8", "d9"], 16),
                restore_list(&["d8", "d9"], 16),
                restore_list(&["r4", "r5"], 8),
                save_list(&["r11", "lr"], 8),
                Kind::StackFrame,
                Kind::ReturnAddress,
                save("lr", 4),
                Kind::InterruptReturn,
            ]
        );
    }

    #[test]
    fn a32_returns_jumps_and_writes() {
        let code = a32(&[
            0xe49df004, // a0: pop {pc} (ldr pc, [sp], #4)
            0xe1b0f00e, // a4: movs pc, lr
            0xe1a0f00e, // a8: mov pc, lr
            0xe12fff12, // ac: bx r2
            0x0afffffe, // b0: beq b0
            0xeafffffd, // b4: b b0
            0xf9100a00, // b8: rfedb r0
            0xe160006e, // bc: eret
            0xe0810002, // c0: add r0, r1, r2
            0xe5b43004, // c4: ldr r3, [r4, #4]!
            0xe8b00006, // c8: ldm r0!, {r1, r2}
            0xe1a0400d, // cc: mov r4, sp
            0xe8bd8010, // d0: pop {r4, pc}
            0xe49d4004, // d4: pop {r4} (ldr r4, [sp], #4)
            0xebfffff8, // d8: bl c0
            0xe7f000f0, // dc: udf #0
            0xe12fff1e, // e0: bx lr
        ]);
        assert_eq!(
            kinds(&code, 0xa0, false),
            [
                Kind::Return,
                Kind::InterruptReturn,
                Kind::Return,
                Kind::Jump,
                Kind::Jump,
                Kind::Jump,
                Kind::InterruptReturn,
                Kind::InterruptReturn,
                other(&["r0"]),
                other(&["r3", "r4"]),
                other(&["r1", "r2", "r0"]),
                other(&["r4"]),
                Kind::Return,
                restore("r4", 4),
                Kind::Call(Some(0xc0)),
                // Decoding stops at `udf`, which yaxpeax-arm does not know.
            ]
        );
    }

    #[test]
    fn thumb_cortex_m_handler() {
        let code = t32(&[
            0xb580, // 0: push {r7, lr}
            0x466f, // 2: mov r7, sp
            0xb082, // 4: sub sp, #8
            0xf000, 0xf802, // 6: bl e <body>
            0xb002, // a: add sp, #8
            0xbd80, // c: pop {r7, pc}
        ]);
        let insns = decode(&code, 0, true);
        assert_eq!(
            insns.iter().map(|i| (i.addr, i.len)).collect::<Vec<_>>(),
            [(0, 2), (2, 2), (4, 2), (6, 4), (0xa, 2), (0xc, 2)]
        );
        assert_eq!(
            insns.into_iter().map(|i| i.kind).collect::<Vec<_>>(),
            [
                save_list(&["r7", "lr"], 8),
                Kind::StackFrame,
                Kind::StackAlloc(8),
                // `body` is Thumb code.
                Kind::Call(Some(0xf)),
                Kind::StackFree(8),
                Kind::Return,
            ]
        );
    }

    #[test]
    fn thumb2_forms() {
        let callee = ["r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "lr"];
        let code = t32(&[
            0xe92d, 0x4ff0, // e: push.w {r4-r11, lr} (stmdb sp!, {..})
            0xed2d, 0x8b02, // 12: vpush {d8}
            0xaf03, // 16: add r7, sp, #12
            0xf5ad, 0x7d80, // 18: sub.w sp, sp, #256
            0x9001, // 1c: str r0, [sp, #4]
            0xf84d, 0x1d04, // 1e: str.w r1, [sp, #-4]!
            0xe9cd, 0x2302, // 22: strd r2, r3, [sp, #8]
            0xeef1, 0x2a10, // 26: vmrs r2, fpscr
            0x4798, // 2a: blx r3
            0xf000, 0xe820, // 2c: blx 70 <armfn>
            0xb1b0, // 30: cbz r0, 60
            0xd1ec, // 32: bne.n e <body>
            0x9801, // 34: ldr r0, [sp, #4]
            0xf85d, 0x1b04, // 36: ldr.w r1, [sp], #4
            0xf50d, 0x7d80, // 3a: add.w sp, sp, #256
            0xecbd, 0x8b02, // 3e: vpop {d8}
            0xeee1, 0x2a10, // 42: vmsr fpscr, r2
            0xf3ef, 0x8100, // 46: mrs r1, CPSR
            0xb672, // 4a: cpsid i
            0xb662, // 4c: cpsie i
            0x468d, // 4e: mov sp, r1
            0x4669, // 50: mov r1, sp
            0x1888, // 52: adds r0, r1, r2
            0x6848, // 54: ldr r0, [r1, #4]
            0xc90c, // 56: ldmia r1!, {r2, r3}
            0xe8bd, 0x4ff0, // 58: pop.w {r4-r11, lr} (ldmia.w sp!, {..})
            0xf85d, 0xfb04, // 5c: ldr.w pc, [sp], #4
            0xe8bd, 0x8ff0, // 60: pop.w {r4-r11, pc}
            0x4708, // 64: bx r1
            0x4770, // 66: bx lr
            0xf3de, 0x8f04, // 68: subs pc, lr, #4
            0xef21, 0x0802, // 6c: vadd.i32 d0, d1, d2
            0x4770, // 70: bx lr
        ]);
        let mut pop_pc = callee.to_vec();
        pop_pc[8] = "pc";
        assert_eq!(
            kinds(&code, 0xe, true),
            [
                save_list(&callee, 36),
                save_list(&["d8"], 8),
                Kind::StackFrame,
                Kind::StackAlloc(256),
                save("r0", 0),
                save("r1", 4),
                save_list(&["r2", "r3"], 0),
                csr_read("fpscr", "r2"),
                Kind::Call(None),
                // `armfn` is A32 code.
                Kind::Call(Some(0x70)),
                Kind::Jump,
                Kind::Jump,
                restore("r0", 0),
                restore("r1", 4),
                Kind::StackFree(256),
                restore_list(&["d8"], 8),
                csr_write("fpscr"),
                other(&["r1"]),
                other(&[]),
                other(&[]),
                Kind::StackFrame,
                other(&["r1"]),
                other(&["r0"]),
                other(&["r0"]),
                other(&["r2", "r3", "r1"]),
                restore_list(&callee, 36),
                Kind::Return,
                Kind::Return,
                Kind::Jump,
                Kind::Return,
                Kind::InterruptReturn,
                // Decoding stops at Advanced SIMD, which yaxpeax-arm does not know.
            ]
        );
    }

    #[test]
    fn thumb_m_profile_and_vfp_transfers() {
        let s16_31: Vec<String> = (16..32).map(|n| format!("s{n}")).collect();
        let s16_31: Vec<&str> = s16_31.iter().map(String::as_str).collect();
        let code = t32(&[
            0xf3ef, 0x8009, // mrs r0, PSP
            0xf380, 0x8809, // msr PSP, r0
            0xb500, // push {lr}
            0xe920, 0x0ff0, // stmdb r0!, {r4-r11}
            0xe8b0, 0x0ff0, // ldmia.w r0!, {r4-r11}
            0xed2d, 0x8a10, // vpush {s16-s31}
            0xecbd, 0x8a10, // vpop {s16-s31}
            0xed8d, 0x8b02, // vstr d8, [sp, #8]
            0xeddd, 0x1a01, // vldr s3, [sp, #4]
            0xee10, 0x0a90, // vmov r0, s1
            0xee00, 0x0a90, // vmov s1, r0
            0xec51, 0x0b13, // vmov r0, r1, d3
            0xee30, 0x0a81, // vadd.f32 s0, s1, s2
            0xee31, 0x7b02, // vadd.f64 d7, d1, d2
            0xeef1, 0xfa10, // vmrs APSR_nzcv, fpscr
            0xeca0, 0x8a10, // vstmia r0!, {s16-s31}
            0xf811, 0x0b01, // ldrb.w r0, [r1], #1
            0xe8fd, 0x0102, // ldrd r0, r1, [sp], #8
            0xe9dd, 0x2302, // ldrd r2, r3, [sp, #8]
            0xbc10, // pop {r4}
        ]);
        let r4_11 = ["r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11"];
        let mut loaded = r4_11.to_vec();
        loaded.push("r0");
        assert_eq!(
            kinds(&code, 0, true),
            [
                other(&["r0"]),
                other(&[]),
                save_list(&["lr"], 4),
                other(&["r0"]),
                other(&loaded),
                save_list(&s16_31, 64),
                restore_list(&s16_31, 64),
                save("d8", 0),
                restore("s3", 0),
                other(&["r0"]),
                other(&["s1"]),
                other(&["r0", "r1"]),
                other(&["s0"]),
                other(&["d7"]),
                other(&[]),
                other(&["r0"]),
                other(&["r0", "r1"]),
                restore_list(&["r0", "r1"], 8),
                restore_list(&["r2", "r3"], 0),
                restore_list(&["r4"], 4),
            ]
        );
    }
}
