//! The rules of each ABI, checked on the parsed item; every violation is an
//! error on the user's own tokens, and all of them are reported together.
//!
//! Types the macro cannot judge by syntax (is this the hardware frame of the
//! target being compiled for?) are left to rustc through trait bounds that
//! `expand` emits on the user's type spans.

use interrupt_abi_codegen::Abi;
use interrupt_abi_codegen::abi::Args;
use interrupt_abi_codegen::convention::Shape;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, ReturnType, Type};

use crate::parse::{ATTRS_HELP, AttrKind, Errors, Parsed, attr_kind};

/// A handler that passed every check.
pub struct Checked {
    pub abi: Abi,
    pub shape: Shape,
    /// x86: the frame's pointee type, and whether it is `&mut`.
    pub frame: Option<(Type, bool)>,
    /// x86: the error-code type.
    pub error_code: Option<Type>,
}

pub fn known_abis() -> String {
    Abi::ALL
        .iter()
        .map(|a| format!("\"{}\"", a.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ABI named by `extern "..."`, if it is one we know.
pub fn abi_of(parsed: &Parsed) -> Option<Abi> {
    let name = parsed.item.sig.abi.as_ref()?.name.as_ref()?;
    Abi::from_name(&name.value())
}

pub fn check(parsed: &Parsed) -> syn::Result<Checked> {
    let mut errors = parsed.option_errors.clone();
    let sig = &parsed.item.sig;

    for attr in &parsed.item.attrs {
        if let AttrKind::Unsupported = attr_kind(attr) {
            errors.push(attr, format!("unsupported attribute: {ATTRS_HELP}"));
        }
    }
    let names: Vec<_> = parsed
        .item
        .attrs
        .iter()
        .filter(|a| matches!(attr_kind(a), AttrKind::NoMangle | AttrKind::ExportName))
        .collect();
    for attr in names.iter().skip(1) {
        errors.push(
            attr,
            "the entry symbol has one name: use `no_mangle` or one `export_name`",
        );
    }

    if let Some(c) = &sig.constness {
        errors.push(
            c,
            "an interrupt handler cannot be `const`: only the hardware calls it",
        );
    }
    if let Some(a) = &sig.asyncness {
        errors.push(
            a,
            "an interrupt handler cannot be `async`: the hardware cannot poll a future",
        );
    }
    if !sig.generics.params.is_empty() {
        errors.push(
            &sig.generics,
            "an interrupt handler cannot be generic: the hardware jumps to one fixed entry",
        );
    }
    if let Some(w) = &sig.generics.where_clause {
        errors.push(w, "an interrupt handler cannot have a `where` clause");
    }
    if let Some(v) = &sig.variadic {
        errors.push(v, "an interrupt handler cannot be variadic");
    }

    let abi = match &sig.abi {
        None => {
            errors.push(sig.fn_token, format!(
                "an interrupt handler names its ABI: `extern \"<abi>\" fn`, where <abi> is one of {}",
                known_abis()
            ));
            None
        }
        Some(syn::Abi {
            name: None,
            extern_token,
        }) => {
            errors.push(
                extern_token,
                format!("name the interrupt ABI: one of {}", known_abis()),
            );
            None
        }
        Some(syn::Abi {
            name: Some(name), ..
        }) => {
            let abi = Abi::from_name(&name.value());
            if abi.is_none() {
                errors.push(
                    name,
                    format!(
                        "`{}` is not an interrupt ABI `#[interrupt]` knows; use one of {}",
                        name.value(),
                        known_abis()
                    ),
                );
            }
            abi
        }
    };

    let diverges = match &sig.output {
        ReturnType::Default => false,
        ReturnType::Type(_, ty) => match &**ty {
            Type::Never(_) => true,
            Type::Tuple(t) if t.elems.is_empty() => false,
            other => {
                errors.push(other, "an interrupt handler returns `()` or `!`: there is no caller to receive a value");
                false
            }
        },
    };

    let mut frame = None;
    let mut error_code = None;
    if let Some(abi) = abi {
        let args: Vec<&FnArg> = sig.inputs.iter().collect();
        for arg in &args {
            if let FnArg::Receiver(r) = arg {
                errors.push(r, "an interrupt handler cannot take `self`: it is a free function the hardware calls");
            }
        }
        let max = match abi.args() {
            Args::None => 0,
            Args::OptionalFrame => 1,
            Args::FrameAndErrorCode => 2,
        };
        for extra in args.iter().skip(max) {
            errors.push(
                extra,
                format!(
                    "too many arguments for `extern \"{}\"`: it takes {}",
                    abi.name(),
                    abi.signature_help()
                ),
            );
        }
        match (abi.args(), args.first()) {
            (Args::FrameAndErrorCode, None) => errors.push_at(
                sig.paren_token.span.join(),
                format!(
                    "an `extern \"{}\"` handler receives the interrupt frame: {}",
                    abi.name(),
                    abi.signature_help()
                ),
            ),
            (Args::FrameAndErrorCode | Args::OptionalFrame, Some(FnArg::Typed(arg))) => {
                frame = check_frame(&arg.ty, abi, sig.unsafety.is_some(), &mut errors);
            }
            _ => {}
        }
        if let (Args::FrameAndErrorCode, Some(FnArg::Typed(arg))) = (abi.args(), args.get(1)) {
            error_code = Some((*arg.ty).clone());
        }
        check_options(parsed, abi, diverges, &mut errors);
        check_non_maskable(parsed, abi, &mut errors);
    }

    let options = &parsed.options;
    let shape = Shape {
        error_code: error_code.is_some(),
        diverges,
        nested: options.get("nested").is_some(),
        frame: frame.is_some(),
        data_abort: options.get("data_abort").is_some(),
        el2: options.get("el2").is_some(),
    };
    match abi {
        Some(abi) => errors.finish(Checked {
            abi,
            shape,
            frame,
            error_code,
        }),
        // Every way of reaching here has recorded an error already.
        None => Err(errors.fail(sig.span(), "no interrupt ABI named")),
    }
}

/// Each flag against the ABI it was given to.
fn check_options(parsed: &Parsed, abi: Abi, diverges: bool, errors: &mut Errors) {
    let name = abi.name();
    for (flag, span) in parsed.options.flags() {
        let why_not = match (flag, abi) {
            ("nested", Abi::RiscvInterruptM | Abi::RiscvInterruptS) if diverges => {
                Some("it makes no sense for a handler that never returns".to_string())
            }
            ("nested", Abi::RiscvInterruptM | Abi::RiscvInterruptS) => None,
            ("nested", Abi::X86Interrupt) => Some(
                "the CPU saves the return state in the frame, so the body may re-enable \
                 interrupts (`sti`) as it is"
                    .to_string(),
            ),
            ("nested", Abi::ArmInterruptIrq) => Some(
                "a nested IRQ would overwrite LR_irq; use `extern \"arm-interrupt-irq-system\"`, \
                 whose body runs in System mode and may unmask IRQs"
                    .to_string(),
            ),
            ("nested", Abi::Aarch64Interrupt) => Some(
                "the entry always saves ELR and SPSR, so the body may unmask interrupts as it is"
                    .to_string(),
            ),
            ("nested", Abi::ArmInterruptIrqSystem) => {
                Some("its body runs in System mode and may unmask IRQs as it is".to_string())
            }
            ("nested", Abi::CortexMInterrupt) => {
                Some("the NVIC nests exceptions by priority in hardware".to_string())
            }
            ("data_abort" | "prefetch_abort", Abi::ArmInterruptAbort) => None,
            ("el2", Abi::Aarch64Interrupt) => None,
            ("nmi", Abi::X86Interrupt) => None,
            ("nmi", Abi::ArmInterruptFiq) => Some(
                "FIQ handlers are non-maskable for safe code already, and must be \
                 `unsafe fn` without it"
                    .to_string(),
            ),
            ("nmi", Abi::CortexMInterrupt) => Some(
                "the vector decides it: handlers exported as `NMI`, `NonMaskableInt` or \
                 `HardFault` must be `unsafe fn`"
                    .to_string(),
            ),
            ("nmi", _) => Some(
                "only `x86-interrupt` handlers are marked; FIQ and Cortex-M NMI/HardFault \
                 handlers are recognised by their ABI or vector"
                    .to_string(),
            ),
            ("el2", _) => {
                Some("only `aarch64-interrupt` handlers run at an exception level".to_string())
            }
            ("data_abort" | "prefetch_abort", _) => {
                Some("only `arm-interrupt-abort` handlers serve an abort vector".to_string())
            }
            _ => Some(format!("`{name}` has no such mode")),
        };
        if let Some(why) = why_not {
            errors.push_at(
                span,
                format!("`{flag}` makes no sense for `extern \"{name}\"`: {why}"),
            );
        }
    }
    if abi == Abi::ArmInterruptAbort {
        let (data, prefetch) = (
            parsed.options.get("data_abort"),
            parsed.options.get("prefetch_abort"),
        );
        let sig = &parsed.item.sig;
        match (data, prefetch) {
            (Some(_), Some(span)) => errors.push_at(span, "a handler serves one abort vector: `data_abort` or `prefetch_abort`"),
            (None, None) => errors.push(sig.abi.as_ref().map(|a| a.name.clone()), "say which abort vector this handler serves: `#[interrupt(data_abort)]` \
                 (LR is 8 past the access) or `#[interrupt(prefetch_abort)]` (LR is 4 past the instruction)"),
            _ => {}
        }
    }
}

/// Cortex-M vectors that no priority mask (PRIMASK, BASEPRI) holds off, by
/// the symbol names vector tables give them.
const CORTEX_M_NON_MASKABLE: &[&str] = &["NMI", "NonMaskableInt", "HardFault"];

/// Handlers that can interrupt a critical section must be `unsafe fn`.
///
/// Safe code trusts that masking interrupts (`cli`, `cpsid i`, PRIMASK)
/// keeps every handler out while it holds a `critical_section` or a
/// `Mutex` borrow; a non-maskable handler breaks that promise, so its body
/// must not touch such state without its author saying why it is sound.
fn check_non_maskable(parsed: &Parsed, abi: Abi, errors: &mut Errors) {
    let sig = &parsed.item.sig;
    if sig.unsafety.is_some() {
        return;
    }
    let (tokens, what) = match abi {
        Abi::X86Interrupt => match parsed.options.get("nmi") {
            Some(span) => (
                syn::Ident::new("nmi", span).into_token_stream(),
                "an NMI or machine-check handler runs even where interrupts are disabled (`cli`)",
            ),
            None => return,
        },
        Abi::ArmInterruptFiq => (
            sig.abi.to_token_stream(),
            "a FIQ preempts the critical sections that mask IRQs only, as most do",
        ),
        Abi::CortexMInterrupt => match entry_symbol(parsed) {
            Some((attr, name)) if CORTEX_M_NON_MASKABLE.contains(&name.as_str()) => (
                attr.to_token_stream(),
                "NMI and HardFault run even where PRIMASK masks every other exception",
            ),
            _ => return,
        },
        _ => return,
    };
    errors.push(
        tokens,
        format!(
            "{what}, so it may observe state a critical section holds: declare it \
             `unsafe extern \"{}\" fn` and justify in the body what it touches",
            abi.name()
        ),
    );
}

/// The name of the entry symbol, when an attribute sets one, and that
/// attribute.
fn entry_symbol(parsed: &Parsed) -> Option<(&syn::Attribute, String)> {
    parsed
        .item
        .attrs
        .iter()
        .find_map(|attr| match attr_kind(attr) {
            AttrKind::NoMangle => Some((attr, parsed.item.sig.ident.to_string())),
            AttrKind::ExportName => {
                let meta = if attr.path().is_ident("unsafe") {
                    attr.parse_args::<syn::Meta>().ok()?
                } else {
                    attr.meta.clone()
                };
                let syn::Meta::NameValue(nv) = meta else {
                    return None;
                };
                let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(name),
                    ..
                }) = nv.value
                else {
                    return None;
                };
                Some((attr, name.value()))
            }
            _ => None,
        })
}

/// The frame is passed by reference, without a named lifetime; `&mut` lets
/// the body change where and how the interrupted code resumes, so it
/// requires an `unsafe fn`.
fn check_frame(ty: &Type, abi: Abi, is_unsafe: bool, errors: &mut Errors) -> Option<(Type, bool)> {
    let Type::Reference(r) = ty else {
        errors.push(
            ty,
            format!(
                "the frame is passed by reference (`&Frame` or `&mut Frame`): {}",
                abi.signature_help()
            ),
        );
        return None;
    };
    if let Some(l) = &r.lifetime {
        errors.push(
            l,
            "the frame reference lives only as long as the interrupt: leave its lifetime elided",
        );
    }
    let mutable = r.mutability.is_some();
    if mutable && !is_unsafe {
        errors.push(
            ty,
            format!(
                "writing the frame changes where and how the interrupted code resumes: a handler \
             taking it by `&mut` must be declared `unsafe extern \"{}\" fn`",
                abi.name()
            ),
        );
    }
    Some(((*r.elem).clone(), mutable))
}
