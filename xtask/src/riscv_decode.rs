//! Which general-purpose registers a RISC-V instruction names.
//!
//! Just enough decoding for the RV32E check (`rv32e.rs`): the length of each
//! instruction and the GPR numbers in its register fields, for the base
//! formats (R/I/S/B/U/J, including CSR, AMO, F/D loads, stores and moves) and
//! the compressed ones. Which fields are registers depends on the opcode (a
//! CSR-immediate's `rs1` field is a constant, `mret`'s `rs2` field is part of
//! the opcode), so this is a table of opcodes, not a field extractor. An
//! opcode it does not know is an error, never a silent pass.

use anyhow::{Result, bail};

/// One decoded instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Length in bytes: 2 (compressed) or 4.
    pub len: usize,
    /// GPR numbers the instruction reads or writes, implicit ones (`ra` of
    /// `c.jal`, `sp` of the stack-relative forms) included.
    pub gprs: Vec<u8>,
}

/// Decodes the instruction at the start of `code` (little-endian) for a hart
/// with `xlen` 32 or 64 (the compressed encodings differ).
pub fn decode(code: &[u8], xlen: u32) -> Result<Decoded> {
    let Some(&[b0, b1]) = code.get(..2) else {
        bail!("truncated instruction");
    };
    let half = u16::from_le_bytes([b0, b1]);
    if half & 0b11 != 0b11 {
        return Ok(Decoded {
            len: 2,
            gprs: compressed(half, xlen)?,
        });
    }
    if half & 0b1_1100 == 0b1_1100 {
        bail!("{half:#06x}: instructions longer than 32 bits are not decoded");
    }
    let Some(&[b0, b1, b2, b3]) = code.get(..4) else {
        bail!("truncated instruction");
    };
    let word = u32::from_le_bytes([b0, b1, b2, b3]);
    Ok(Decoded {
        len: 4,
        gprs: base(word)?,
    })
}

fn bits(word: u32, hi: u32, lo: u32) -> u32 {
    (word >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// GPRs of a 32-bit instruction.
fn base(w: u32) -> Result<Vec<u8>> {
    let rd = bits(w, 11, 7) as u8;
    let rs1 = bits(w, 19, 15) as u8;
    let rs2 = bits(w, 24, 20) as u8;
    let funct3 = bits(w, 14, 12);
    let funct7 = bits(w, 31, 25);
    Ok(match bits(w, 6, 0) {
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
fn compressed(h: u16, xlen: u32) -> Result<Vec<u8>> {
    let h = u32::from(h);
    if h == 0 {
        bail!("0x0000: the defined illegal instruction");
    }
    // Full 5-bit fields and the 3-bit ones, which name x8-x15.
    let rd = bits(h, 11, 7) as u8;
    let rs2 = bits(h, 6, 2) as u8;
    let rd_p = 8 + bits(h, 4, 2) as u8;
    let rs1_p = 8 + bits(h, 9, 7) as u8;
    const SP: u8 = 2;
    const RA: u8 = 1;
    let funct3 = bits(h, 15, 13);
    Ok(match (bits(h, 1, 0), funct3) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodings from `llvm-mc -show-encoding` (LLVM 14).
    fn regs(bytes: &[u8], xlen: u32) -> Vec<u8> {
        let d = decode(bytes, xlen).unwrap();
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
        assert!(decode(&[0x00, 0x00], 32).is_err());
        assert!(decode(&[0x7f, 0x00, 0x00, 0x00], 32).is_err());
        assert!(decode(&[0x13, 0x00], 32).is_err(), "truncated");
        // csrrw with funct3 = 4 (hypervisor loads are not decoded)
        assert!(decode(&[0x73, 0x48, 0x00, 0x60], 32).is_err());
    }
}
