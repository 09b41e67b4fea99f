//! Values within a function, as the rules should see them where they are used:
//!
//! - a local bound to a constant (`let secure = false;`, a function-local `const`, a file-level
//!   `const` or `static` of a literal) is that constant wherever it is read (`.secure(secure)` reads
//!   `.secure(false)`), tuples and destructuring included (`let (program, flag) = ("sh", "-c");`);
//!   a value chosen by an `if`/`match` whose arms are all constants is taken as its first arm;
//! - a local bound to a call, a method chain or a macro (`let q = format!(…)`,
//!   `let client = Client::builder().danger_accept_invalid_certs(true).build()?`) is that
//!   expression where it is used: `sqlx::query(&q)` reads `sqlx::query(&format!(…))`;
//! - a builder kept in a local across statements is one chain: `let mut cmd = Command::new("sh");
//!   cmd.arg("-c"); cmd.arg(x); cmd.output()` reads `Command::new("sh").arg("-c").arg(x).output()`,
//!   as does `let b = Router::new().route(…); let b = b.layer(auth);` and `b = b.layer(auth);`;
//!   a string grown with `s += x;` reads `s + x`.
//!
//! - a call of a function of the same file whose body is one expression (`refunds_sql(&q.merchant)`
//!   with `fn refunds_sql(m: &str) -> String { format!(…) }`) is that expression, its parameters
//!   replaced by the arguments (one level: the inlined expression is not inlined again).
//!
//! A substituted value is wrapped in an [`Expr::Group`] carrying the local's name
//! (see [`local_name`]), so the rules that judge values by their names (`token == expected`,
//! `info!("{password}")`) still see the name. A mutable local assigned anywhere in the function is
//! not taken as a constant. A builder's partial chain (the `let` that an extension continues) is
//! replaced by `()`, so a rule that looks for a missing call (`secure(true)`, an auth layer) sees
//! only the whole chain. Spans are kept: a hit inside a substituted value reports the line where
//! the value was written, and the pipeline's de-duplication by position folds repeated uses.

use std::collections::{HashMap, HashSet};

use quote::ToTokens;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Stmt};

use super::names::single_ident;

/// The attribute that marks a substituted local: `#[secgate_local(name)]`.
const MARKER: &str = "secgate_local";

/// Values larger than this (in characters of their tokens) are not copied to their uses: a long
/// chain used many times would multiply the tree.
const MAX_VALUE_TEXT: usize = 2_000;

/// A value copied to more uses than this stops being copied (generated code reads one local
/// thousands of times).
const MAX_USES: usize = 32;

/// The name of the local that `expr` was substituted for, if it was.
pub fn local_name(expr: &Expr) -> Option<String> {
    let Expr::Group(group) = expr else {
        return None;
    };
    group.attrs.iter().find_map(|attr| {
        if !attr.path().is_ident(MARKER) {
            return None;
        }
        attr.parse_args::<syn::Ident>().ok().map(|i| i.to_string())
    })
}

/// `value` standing where the local `name` was read, at `span` (the read's position, so a hit
/// on the whole expression reports the use).
fn marked(name: &str, value: Expr, span: proc_macro2::Span) -> Expr {
    let ident = syn::Ident::new(name, span);
    let attr: syn::Attribute = syn::parse_quote_spanned!(span=> #[secgate_local(#ident)]);
    Expr::Group(syn::ExprGroup {
        attrs: vec![attr],
        group_token: syn::token::Group(span),
        expr: Box::new(value),
    })
}

fn span_of(expr: &Expr) -> proc_macro2::Span {
    syn::spanned::Spanned::span(expr)
}

fn unit() -> Expr {
    syn::parse_quote!(())
}

/// Propagates values inside every function of `file` (see the module documentation).
pub fn propagate(file: &mut syn::File) {
    let mut file_consts = HashMap::new();
    for item in &file.items {
        match item {
            syn::Item::Const(c) if is_constant(&c.expr) => {
                file_consts.insert(c.ident.to_string(), (*c.expr).clone());
            }
            syn::Item::Static(s) if is_constant(&s.expr) && !is_mutable(&s.mutability) => {
                file_consts.insert(s.ident.to_string(), (*s.expr).clone());
            }
            _ => {}
        }
    }
    let mut values = Values {
        file_consts,
        helpers: helpers_of(&file.items),
        ..Values::default()
    };
    values.visit_file_mut(file);
}

/// A function of the file whose body is one expression (`fn refunds_sql(m: &str) -> String {
/// format!(…) }`): its parameters and that expression.
#[derive(Clone)]
struct Helper {
    params: Vec<String>,
    body: Expr,
}

/// The one-expression functions of `items` (nested inline modules included), by name; a name
/// defined twice is left out.
fn helpers_of(items: &[syn::Item]) -> HashMap<String, Helper> {
    fn collect(items: &[syn::Item], found: &mut HashMap<String, Option<Helper>>) {
        for item in items {
            match item {
                syn::Item::Fn(f) => {
                    // A name defined twice (in two modules) is ambiguous: no helper.
                    found
                        .entry(f.sig.ident.to_string())
                        .and_modify(|h| *h = None)
                        .or_insert_with(|| helper_of(f));
                }
                syn::Item::Mod(m) => {
                    if let Some((_, inner)) = &m.content {
                        collect(inner, found);
                    }
                }
                _ => {}
            }
        }
    }
    let mut found = HashMap::new();
    collect(items, &mut found);
    found
        .into_iter()
        .filter_map(|(name, helper)| Some((name, helper?)))
        .collect()
}

fn helper_of(f: &syn::ItemFn) -> Option<Helper> {
    let [Stmt::Expr(body, None)] = f.block.stmts.as_slice() else {
        return None;
    };
    let mut params = Vec::new();
    for input in &f.sig.inputs {
        let syn::FnArg::Typed(t) = input else {
            return None;
        };
        let Pat::Ident(p) = &*t.pat else { return None };
        params.push(p.ident.to_string());
    }
    small(body).then(|| Helper {
        params,
        body: body.clone(),
    })
}

/// `body` with each parameter read replaced by its argument (marked with the parameter's name).
fn inline(helper: &Helper, args: &[Expr]) -> Expr {
    struct Bind<'a> {
        values: HashMap<&'a str, &'a Expr>,
    }
    impl VisitMut for Bind<'_> {
        fn visit_attribute_mut(&mut self, _: &mut syn::Attribute) {}
        fn visit_expr_mut(&mut self, expr: &mut Expr) {
            if let Some(name) = single_ident(expr)
                && let Some(value) = self.values.get(name.as_str())
            {
                *expr = marked(&name, (*value).clone(), span_of(expr));
                return;
            }
            syn::visit_mut::visit_expr_mut(self, expr);
        }
        fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
            super::format::visit_args_mut(mac, |arg| self.visit_expr_mut(arg));
        }
    }
    let mut body = helper.body.clone();
    let mut bind = Bind {
        values: helper
            .params
            .iter()
            .map(String::as_str)
            .zip(args.iter())
            .collect(),
    };
    bind.visit_expr_mut(&mut body);
    body
}

fn is_mutable(mutability: &syn::StaticMutability) -> bool {
    matches!(mutability, syn::StaticMutability::Mut(_))
}

#[derive(Clone)]
struct Chain {
    expr: Expr,
    mutable: bool,
    /// The block (serial) and statement index of its `let`.
    block: usize,
    index: usize,
    /// Extended by statements since it was last used.
    pending: bool,
    /// Grown too large or read too often: left as written from here on (its pending extensions
    /// are still emitted at the end of its block).
    frozen: bool,
    uses: usize,
}

#[derive(Default)]
struct Values {
    file_consts: HashMap<String, Expr>,
    /// The file's one-expression functions, inlined where they are called.
    helpers: HashMap<String, Helper>,
    consts: HashMap<String, Expr>,
    chains: HashMap<String, Chain>,
    /// Locals assigned somewhere in the current function (not constants).
    assigned: HashSet<String>,
    next_block: usize,
    /// `let` statements whose value is used as the start of a longer chain: (block, index).
    blank: HashSet<(usize, usize)>,
}

impl Values {
    fn in_function(&mut self, assigned: HashSet<String>, f: impl FnOnce(&mut Self)) {
        let consts = std::mem::replace(&mut self.consts, self.file_consts.clone());
        let chains = std::mem::take(&mut self.chains);
        let outer_assigned = std::mem::replace(&mut self.assigned, assigned);
        f(self);
        self.consts = consts;
        self.chains = chains;
        self.assigned = outer_assigned;
    }

    fn forget(&mut self, names: &[String]) {
        for name in names {
            self.consts.remove(name);
            self.chains.remove(name);
        }
    }

    /// Records what the pattern of a `let` binds from `init` (already rewritten).
    fn bind(&mut self, pat: &Pat, init: Option<&Expr>, block: usize, index: usize) {
        let mut names = Vec::new();
        crate::lints::ast::pattern_bindings(pat, &mut names);
        self.forget(&names);
        let Some(init) = init else { return };
        match pat {
            Pat::Type(t) => self.bind(&t.pat, Some(init), block, index),
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                let name = p.ident.to_string();
                let value = chosen(init);
                let fixed = p.mutability.is_none() || !self.assigned.contains(&name);
                if is_constant(value) && fixed {
                    self.consts.insert(name, value.clone());
                } else if is_chain(init) && small(init) {
                    self.chains.insert(
                        name,
                        Chain {
                            expr: init.clone(),
                            mutable: p.mutability.is_some(),
                            block,
                            index,
                            pending: false,
                            frozen: false,
                            uses: 0,
                        },
                    );
                }
            }
            Pat::Tuple(t) => {
                if let Expr::Tuple(values) = strip(chosen(init))
                    && values.elems.len() == t.elems.len()
                {
                    for (p, v) in t.elems.iter().zip(values.elems.iter()) {
                        self.bind(p, Some(v), block, index);
                    }
                }
            }
            _ => {}
        }
    }

    /// `cmd.arg(x).arg(y);` on a mutable builder local: extends the builder, true if it was one.
    fn extend_chain(&mut self, expr: &mut Expr) -> bool {
        let Some(name) = chain_root(expr) else {
            return false;
        };
        if !self
            .chains
            .get(&name)
            .is_some_and(|c| c.mutable && !c.frozen)
        {
            return false;
        }
        visit_chain_args(self, expr);
        let Some(chain) = self.chains.get_mut(&name) else {
            return false;
        };
        let mut extended = expr.clone();
        let span = root_span(expr);
        replace_root(&mut extended, marked(&name, chain.expr.clone(), span));
        chain.frozen = !small(&extended);
        chain.expr = extended;
        chain.pending = true;
        self.blank.insert((chain.block, chain.index));
        *expr = unit();
        true
    }

    /// `b = b.layer(x);` on a builder local: the builder becomes the new value; `s += x;` on a
    /// local built by a call (a `String`) makes it `s + x`.
    fn reassign_chain(&mut self, expr: &mut Expr) -> bool {
        if let Expr::Binary(binary) = expr
            && matches!(binary.op, syn::BinOp::AddAssign(_))
            && let Some(name) = single_ident(&binary.left)
            && self.chains.get(&name).is_some_and(|c| !c.frozen)
        {
            self.visit_expr_mut(&mut binary.right);
            let right = (*binary.right).clone();
            let span = span_of(&binary.left);
            if let Some(chain) = self.chains.get_mut(&name) {
                let left = marked(&name, chain.expr.clone(), span);
                chain.expr = syn::parse_quote_spanned!(span=> #left + #right);
                chain.frozen = !small(&chain.expr);
                self.blank.insert((chain.block, chain.index));
                chain.pending = true;
            }
            *expr = unit();
            return true;
        }
        let Expr::Assign(assign) = expr else {
            return false;
        };
        let Some(name) = single_ident(&assign.left) else {
            return false;
        };
        if self.chains.get(&name).is_none_or(|c| c.frozen) {
            return false;
        }
        self.visit_expr_mut(&mut assign.right);
        let value = (*assign.right).clone();
        if let Some(chain) = self.chains.get_mut(&name) {
            self.blank.insert((chain.block, chain.index));
            chain.frozen = !small(&value);
            chain.expr = value;
            chain.pending = true;
        }
        *expr = unit();
        true
    }
}

/// The expression an `if`/`match` whose arms are all constants evaluates to first, else `expr`.
fn chosen(expr: &Expr) -> &Expr {
    match strip(expr) {
        Expr::If(e) => {
            let Some(then) = block_value(&e.then_branch) else {
                return expr;
            };
            let else_constant = e
                .else_branch
                .as_ref()
                .is_some_and(|(_, other)| is_constant(chosen(other)));
            if else_constant && is_constant(chosen(then)) {
                chosen(then)
            } else {
                expr
            }
        }
        Expr::Match(m) => {
            let all = !m.arms.is_empty() && m.arms.iter().all(|a| is_constant(chosen(&a.body)));
            match m.arms.first() {
                Some(first) if all => chosen(&first.body),
                _ => expr,
            }
        }
        Expr::Block(b) => match block_value(&b.block) {
            Some(value) if b.block.stmts.len() == 1 => chosen(value),
            _ => expr,
        },
        _ => expr,
    }
}

fn block_value(block: &syn::Block) -> Option<&Expr> {
    match block.stmts.last() {
        Some(Stmt::Expr(e, None)) => Some(e),
        _ => None,
    }
}

/// `expr` without parentheses and marker groups.
fn strip(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        _ => expr,
    }
}

/// A value fixed when the program is written: literals, arrays, tuples and repeats of them,
/// negations, casts and references of them, enum variants and associated constants
/// (`SameSite::None`, `Ipv4Addr::UNSPECIFIED`), and a string literal turned into a `String`.
fn is_constant(expr: &Expr) -> bool {
    match strip(expr) {
        Expr::Lit(_) => true,
        // `-1`, and `*b"…"` (a byte string literal copied into an array).
        Expr::Unary(u) => {
            matches!(u.op, syn::UnOp::Neg(_) | syn::UnOp::Deref(_)) && is_constant(&u.expr)
        }
        Expr::Reference(r) => r.mutability.is_none() && is_constant(&r.expr),
        Expr::Cast(c) => is_constant(&c.expr),
        Expr::Array(a) => !a.elems.is_empty() && a.elems.iter().all(is_constant),
        Expr::Tuple(t) => !t.elems.is_empty() && t.elems.iter().all(is_constant),
        Expr::Repeat(r) => is_constant(&r.expr),
        Expr::Path(p) => {
            p.qself.is_none()
                && p.path.segments.len() >= 2
                && p.path.segments.last().is_some_and(|s| {
                    s.arguments.is_none() && s.ident.to_string().starts_with(char::is_uppercase)
                })
        }
        Expr::MethodCall(m) => {
            m.args.is_empty()
                && matches!(
                    m.method.to_string().as_str(),
                    "to_string" | "to_owned" | "into" | "as_bytes" | "as_str"
                )
                && matches!(strip(&m.receiver), Expr::Lit(_))
        }
        Expr::Call(c) => {
            c.args.len() == 1
                && matches!(strip(&c.args[0]), Expr::Lit(_))
                && matches!(strip(&c.func), Expr::Path(p) if p.path.segments.len() >= 2
                    && p.path.segments.last().is_some_and(|s| s.ident == "from"))
        }
        _ => false,
    }
}

/// A value computed by a call, a method chain, a macro or a concatenation (possibly awaited or
/// `?`-ed).
fn is_chain(expr: &Expr) -> bool {
    match strip(expr) {
        Expr::Call(_) | Expr::MethodCall(_) | Expr::Macro(_) | Expr::Struct(_) => true,
        Expr::Binary(b) => matches!(b.op, syn::BinOp::Add(_)),
        Expr::Try(t) => is_chain(&t.expr),
        Expr::Await(a) => is_chain(&a.base),
        Expr::Reference(r) => is_chain(&r.expr),
        _ => false,
    }
}

fn small(expr: &Expr) -> bool {
    expr.to_token_stream().to_string().len() <= MAX_VALUE_TEXT
}

/// The local a statement's method chain starts from (`cmd` in `cmd.arg(x).arg(y)`).
fn chain_root(expr: &Expr) -> Option<String> {
    let mut current = expr;
    let mut calls = 0;
    loop {
        match current {
            Expr::MethodCall(m) => {
                calls += 1;
                current = &m.receiver;
            }
            Expr::Try(t) => current = &t.expr,
            Expr::Await(a) => current = &a.base,
            _ => break,
        }
    }
    if calls == 0 {
        return None;
    }
    single_ident(current)
}

fn root_span(expr: &Expr) -> proc_macro2::Span {
    match expr {
        Expr::MethodCall(m) => root_span(&m.receiver),
        Expr::Try(t) => root_span(&t.expr),
        Expr::Await(a) => root_span(&a.base),
        other => span_of(other),
    }
}

fn replace_root(expr: &mut Expr, root: Expr) {
    match expr {
        Expr::MethodCall(m) => replace_root(&mut m.receiver, root),
        Expr::Try(t) => replace_root(&mut t.expr, root),
        Expr::Await(a) => replace_root(&mut a.base, root),
        other => *other = root,
    }
}

/// Visits the arguments of every call of a chain, not its root.
fn visit_chain_args(values: &mut Values, expr: &mut Expr) {
    match expr {
        Expr::MethodCall(m) => {
            for arg in m.args.iter_mut() {
                values.visit_expr_mut(arg);
            }
            visit_chain_args(values, &mut m.receiver);
        }
        Expr::Try(t) => visit_chain_args(values, &mut t.expr),
        Expr::Await(a) => visit_chain_args(values, &mut a.base),
        _ => {}
    }
}

/// Locals assigned (`x = …`, `x += …`) or borrowed mutably (`&mut x`) in a function.
fn assigned_locals(visit: impl FnOnce(&mut Assigned)) -> HashSet<String> {
    let mut assigned = Assigned(HashSet::new());
    visit(&mut assigned);
    assigned.0
}

struct Assigned(HashSet<String>);

impl<'ast> Visit<'ast> for Assigned {
    fn visit_expr_assign(&mut self, e: &'ast syn::ExprAssign) {
        self.0.extend(single_ident(&e.left));
        syn::visit::visit_expr_assign(self, e);
    }
    fn visit_expr_binary(&mut self, e: &'ast syn::ExprBinary) {
        use syn::BinOp::*;
        if matches!(
            e.op,
            AddAssign(_)
                | SubAssign(_)
                | MulAssign(_)
                | DivAssign(_)
                | RemAssign(_)
                | BitXorAssign(_)
                | BitAndAssign(_)
                | BitOrAssign(_)
                | ShlAssign(_)
                | ShrAssign(_)
        ) {
            self.0.extend(single_ident(&e.left));
        }
        syn::visit::visit_expr_binary(self, e);
    }
    fn visit_expr_reference(&mut self, e: &'ast syn::ExprReference) {
        if e.mutability.is_some() {
            self.0.extend(single_ident(&e.expr));
        }
        syn::visit::visit_expr_reference(self, e);
    }
    fn visit_expr_method_call(&mut self, e: &'ast syn::ExprMethodCall) {
        // `s.push_str(…)` changes `s` in place.
        self.0.extend(single_ident(&e.receiver));
        syn::visit::visit_expr_method_call(self, e);
    }
}

impl VisitMut for Values {
    fn visit_attribute_mut(&mut self, _: &mut syn::Attribute) {}

    fn visit_item_fn_mut(&mut self, item: &mut syn::ItemFn) {
        let assigned = assigned_locals(|a| a.visit_item_fn(item));
        self.in_function(assigned, |v| syn::visit_mut::visit_item_fn_mut(v, item));
    }

    fn visit_impl_item_fn_mut(&mut self, item: &mut syn::ImplItemFn) {
        let assigned = assigned_locals(|a| a.visit_impl_item_fn(item));
        self.in_function(assigned, |v| {
            syn::visit_mut::visit_impl_item_fn_mut(v, item);
        });
    }

    fn visit_trait_item_fn_mut(&mut self, item: &mut syn::TraitItemFn) {
        let assigned = assigned_locals(|a| a.visit_trait_item_fn(item));
        self.in_function(assigned, |v| {
            syn::visit_mut::visit_trait_item_fn_mut(v, item);
        });
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let serial = self.next_block;
        self.next_block += 1;
        let saved_consts = self.consts.clone();
        let saved_chains = self.chains.clone();
        for index in 0..block.stmts.len() {
            match &mut block.stmts[index] {
                Stmt::Local(local) => {
                    if let Some(init) = &mut local.init {
                        self.visit_expr_mut(&mut init.expr);
                        if let Some((_, diverge)) = &mut init.diverge {
                            self.visit_expr_mut(diverge);
                        }
                    }
                    let init = local.init.as_ref().map(|i| (*i.expr).clone());
                    let pat = local.pat.clone();
                    self.bind(&pat, init.as_ref(), serial, index);
                }
                Stmt::Item(syn::Item::Const(c)) => {
                    if is_constant(&c.expr) {
                        self.consts.insert(c.ident.to_string(), (*c.expr).clone());
                    }
                }
                Stmt::Item(item) => {
                    let consts = std::mem::replace(&mut self.consts, self.file_consts.clone());
                    let chains = std::mem::take(&mut self.chains);
                    self.visit_item_mut(item);
                    self.consts = consts;
                    self.chains = chains;
                }
                Stmt::Expr(expr, Some(_)) => {
                    if !self.extend_chain(expr) && !self.reassign_chain(expr) {
                        self.visit_expr_mut(expr);
                    }
                }
                Stmt::Expr(expr, None) => self.visit_expr_mut(expr),
                Stmt::Macro(m) => self.visit_macro_mut(&mut m.mac),
            }
        }
        // Builders extended after their last use: their whole chain is one statement at the end.
        let mut tails: Vec<(usize, Expr)> = self
            .chains
            .values()
            .filter(|c| c.block == serial && c.pending)
            .map(|c| (c.index, c.expr.clone()))
            .collect();
        tails.sort_by_key(|(index, _)| *index);
        for (index, stmt) in block.stmts.iter_mut().enumerate() {
            if self.blank.remove(&(serial, index))
                && let Stmt::Local(local) = stmt
                && let Some(init) = &mut local.init
            {
                *init.expr = unit();
            }
        }
        for (_, expr) in tails {
            block.stmts.push(Stmt::Expr(expr, Some(Default::default())));
        }
        self.consts = saved_consts;
        self.chains = saved_chains;
    }

    fn visit_expr_closure_mut(&mut self, closure: &mut syn::ExprClosure) {
        let mut names = Vec::new();
        for input in &closure.inputs {
            crate::lints::ast::pattern_bindings(input, &mut names);
        }
        let consts = self.consts.clone();
        let chains = self.chains.clone();
        self.forget(&names);
        syn::visit_mut::visit_expr_closure_mut(self, closure);
        self.consts = consts;
        self.chains = chains;
    }

    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        let mut names = Vec::new();
        crate::lints::ast::pattern_bindings(&arm.pat, &mut names);
        let consts = self.consts.clone();
        let chains = self.chains.clone();
        self.forget(&names);
        syn::visit_mut::visit_arm_mut(self, arm);
        self.consts = consts;
        self.chains = chains;
    }

    fn visit_expr_for_loop_mut(&mut self, e: &mut syn::ExprForLoop) {
        self.visit_expr_mut(&mut e.expr);
        let mut names = Vec::new();
        crate::lints::ast::pattern_bindings(&e.pat, &mut names);
        let consts = self.consts.clone();
        let chains = self.chains.clone();
        self.forget(&names);
        self.visit_block_mut(&mut e.body);
        self.consts = consts;
        self.chains = chains;
    }

    fn visit_expr_let_mut(&mut self, e: &mut syn::ExprLet) {
        self.visit_expr_mut(&mut e.expr);
        let mut names = Vec::new();
        crate::lints::ast::pattern_bindings(&e.pat, &mut names);
        // An `if let` binding lives in its branch; forgetting it for the rest of the block only
        // loses substitutions, never invents one.
        self.forget(&names);
    }

    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        if let Some(name) = single_ident(&call.receiver)
            && let Some(chain) = self.chains.get(&name)
            && !chain.frozen
        {
            // The builder continues: its `let` alone is a partial chain.
            self.blank.insert((chain.block, chain.index));
        }
        syn::visit_mut::visit_expr_method_call_mut(self, call);
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Some(name) = single_ident(expr) {
            let span = span_of(expr);
            if let Some(value) = self.consts.get(&name) {
                *expr = marked(&name, value.clone(), span);
                return;
            }
            if let Some(chain) = self.chains.get_mut(&name)
                && !chain.frozen
            {
                chain.uses += 1;
                chain.frozen = chain.uses >= MAX_USES;
                chain.pending = false;
                *expr = marked(&name, chain.expr.clone(), span);
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
        // A call of a one-expression helper of the file reads as the helper's expression, with
        // the (already rewritten) arguments in place of its parameters. Not recursive: the
        // inlined expression is not visited again.
        if let Expr::Call(call) = expr
            && let Some(name) = single_ident(&call.func)
            && !self.consts.contains_key(&name)
            && !self.chains.contains_key(&name)
            && let Some(helper) = self.helpers.get(&name)
            && helper.params.len() == call.args.len()
        {
            let args: Vec<Expr> = call.args.iter().cloned().collect();
            let span = span_of(&call.func);
            *expr = marked(&name, inline(helper, &args), span);
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        super::format::visit_args_mut(mac, |arg| self.visit_expr_mut(arg));
    }
}
