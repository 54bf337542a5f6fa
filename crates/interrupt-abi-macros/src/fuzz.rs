//! Property tests of the front end: no token stream, however malformed,
//! may make the macro panic; it must always answer with tokens.

use proc_macro2::TokenStream;
use proptest::prelude::*;

use crate::expand_interrupt;

/// Fragments that exercise every branch of parse and check.
const WORDS: &[&str] = &[
    "fn",
    "extern",
    "unsafe",
    "const",
    "async",
    "pub",
    "pub(crate)",
    "\"x86-interrupt\"",
    "\"riscv-interrupt-m\"",
    "\"riscv-interrupt-s\"",
    "\"C\"",
    "\"\"",
    "handler",
    "frame",
    "code",
    "self",
    "&",
    "&mut",
    "'a",
    "'static",
    "InterruptStackFrame",
    "u64",
    "u32",
    "!",
    "()",
    "->",
    ":",
    ",",
    "...",
    "<T>",
    "where",
    "T: Copy",
    "{}",
    "{ loop {} }",
    "( )",
    "(frame: &InterruptStackFrame)",
    "#[doc = \"x\"]",
    "#[cfg(test)]",
    "#[inline]",
    "#[unsafe(no_mangle)]",
    "#[no_mangle]",
    "#[unsafe(export_name = \"e\")]",
    "#[unsafe(link_section = \".s\")]",
    "#[unsafe(naked)]",
    "#[unsafe()]",
    "#[unsafe(x::y)]",
    "#[allow(dead_code)]",
    "struct",
    ";",
    "=",
    "nested",
    "0",
];

const VALID: &[&str] = &[
    "extern \"x86-interrupt\" fn h(frame: &InterruptStackFrame) {}",
    "extern \"x86-interrupt\" fn h(frame: &InterruptStackFrame, code: u64) -> ! { loop {} }",
    "unsafe extern \"x86-interrupt\" fn h(frame: &mut InterruptStackFrame) {}",
    "#[unsafe(no_mangle)] extern \"riscv-interrupt-m\" fn h() {}",
    "pub extern \"riscv-interrupt-s\" fn h() -> () {}",
];

fn tokens(words: &[&str]) -> Option<TokenStream> {
    words.join(" ").parse().ok()
}

/// A handler assembled from optional parts, each possibly wrong.
fn structured_item() -> impl Strategy<Value = String> {
    let pick = |xs: &'static [&'static str]| prop::sample::select(xs);
    (
        pick(&[
            "",
            "#[doc = \"d\"]",
            "#[inline]",
            "#[unsafe(no_mangle)]",
            "#[unsafe(export_name = \"x\")] #[no_mangle]",
        ]),
        pick(&["", "pub", "const", "async", "unsafe", "const async unsafe"]),
        pick(&[
            "",
            "extern",
            "extern \"x86-interrupt\"",
            "extern \"riscv-interrupt-m\"",
            "extern \"riscv-interrupt-s\"",
            "extern \"C\"",
        ]),
        pick(&["", "<T>", "<'a>", "<const N: usize>"]),
        pick(&[
            "()",
            "(self)",
            "(f: &F)",
            "(f: &mut F)",
            "(f: F)",
            "(f: &'a F)",
            "(f: &F, c: u64)",
            "(f: &F, c: u64, d: u8)",
            "(f: &F, ...)",
            "(&self, c: u32)",
            "((a, b): (u8, u8))",
        ]),
        pick(&["", "-> !", "-> ()", "-> u8", "-> impl Copy"]),
        pick(&["", "where T: Copy"]),
    )
        .prop_map(|(attr, quals, abi, generics, args, ret, wh)| {
            format!("{attr} {quals} {abi} fn h{generics}{args} {ret} {wh} {{}}")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(2000) })]

    #[test]
    fn arbitrary_tokens_never_panic(
        attr in prop::collection::vec(prop::sample::select(WORDS), 0..4),
        item in prop::collection::vec(prop::sample::select(WORDS), 0..24),
    ) {
        if let (Some(attr), Some(item)) = (tokens(&attr), tokens(&item)) {
            let out = expand_interrupt(attr, item);
            prop_assert!(!out.is_empty());
        }
    }

    #[test]
    fn structured_items_never_panic(
        item in structured_item(),
        attr in prop::sample::select(&["", "nested", "nested, nested", "x = 1", "nested,", "a::b"][..]),
    ) {
        let out = expand_interrupt(attr.parse().unwrap(), item.parse().unwrap());
        prop_assert!(!out.is_empty());
    }

    #[test]
    fn mutated_valid_items_never_panic(
        base in prop::sample::select(VALID),
        cut in 0usize..40,
        insert in prop::sample::select(WORDS),
        attr in prop::sample::select(&["", "nested", "nested, nested", "x = 1", "(", "nested,"][..]),
    ) {
        let mut words: Vec<&str> = base.split(' ').collect();
        let at = cut % (words.len() + 1);
        if cut % 2 == 0 && at < words.len() {
            words.remove(at);
        } else {
            words.insert(at, insert);
        }
        if let (Ok(attr), Some(item)) = (attr.parse::<TokenStream>(), tokens(&words)) {
            let out = expand_interrupt(attr, item);
            prop_assert!(!out.is_empty());
        }
    }
}

#[test]
fn valid_items_expand_without_errors() {
    for item in VALID {
        let out = expand_interrupt(TokenStream::new(), item.parse().unwrap()).to_string();
        // Only the target checks may mention `compile_error`, under a `cfg`.
        let errors = out.matches("compile_error").count();
        assert_eq!(errors, 2, "{item}: {out}");
        assert!(out.contains("naked_asm"), "{item}");
    }
}
