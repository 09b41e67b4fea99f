//! The resolution layer on small sources: what the rules see after it ran.

use quote::ToTokens;

use super::*;

fn normalized(text: &str, renames: &CrateRenames) -> String {
    let mut file = syn::parse_file(text).unwrap();
    normalize(&mut file, renames);
    file.into_token_stream().to_string()
}

fn plain(text: &str) -> String {
    normalized(text, &CrateRenames::default())
}

#[test]
fn manifest_renames_are_read() {
    let renames = CrateRenames::of_manifest(
        "[dependencies]\ndigest-old = { package = \"sha1\", version = \"0.10\" }\nmd5 = \"0.7\"\n\
         [target.'cfg(unix)'.dependencies]\nnix2 = { package = \"nix\", version = \"1\" }\n",
    );
    assert_eq!(
        renames.0.get("digest_old").map(String::as_str),
        Some("sha1")
    );
    assert_eq!(renames.0.get("nix2").map(String::as_str), Some("nix"));
    assert_eq!(renames.0.len(), 2);
}

#[test]
fn paths_are_rewritten_to_their_full_form() {
    let mut renames = CrateRenames::default();
    renames.0.insert("digest_old".into(), "sha1".into());
    let out = normalized(
        "use md5::compute as hash;\nextern crate md4 as legacy;\nuse digest_old::Sha1 as S;\n\
         fn f(hash_len: usize) { hash(b\"x\"); legacy::Md4::new(); S::new(); \
         ::md5::compute(b\"y\"); <sha2::Sha256 as Digest>::new(); digest_old::Sha1::digest(x); }",
        &renames,
    );
    assert!(out.contains("md5 :: compute (b\"x\")"), "{out}");
    assert!(out.contains("md4 :: Md4 :: new ()"), "{out}");
    assert!(out.contains("sha1 :: Sha1 :: new ()"), "{out}");
    assert!(out.contains("md5 :: compute (b\"y\")"), "{out}");
    assert!(out.contains("sha2 :: Sha256 :: new ()"), "{out}");
    assert!(out.contains("sha1 :: Sha1 :: digest (x)"), "{out}");
}

#[test]
fn globs_and_self_resolve() {
    let out = plain(
        "use md5::*;\nstruct Hasher;\nimpl Hasher { fn make() -> Self { Self::build(compute(b\"x\")) } }\n\
         fn g() { Some(compute(b\"z\")); Hasher::make(); }",
    );
    assert!(
        out.contains("Hasher :: build (md5 :: compute (b\"x\"))"),
        "{out}"
    );
    assert!(out.contains("Some (md5 :: compute (b\"z\"))"), "{out}");
    assert!(out.contains("Hasher :: make ()"), "{out}");
}

#[test]
fn locals_are_not_taken_for_imports() {
    let out = plain("use md5::compute;\nfn f(compute: u8) { let x = compute; }");
    assert!(out.contains("let x = compute ;"), "{out}");
}

#[test]
fn constants_reach_their_uses() {
    let out = plain(
        "fn f(b: B) { let secure = false; const LEN: u32 = 1024; \
         let (program, flag) = if cfg!(windows) { (\"cmd\", \"/C\") } else { (\"sh\", \"-c\") }; \
         b.secure(secure); g(LEN); h(program, flag); }",
    );
    assert!(
        out.contains("secure (# [secgate_local (secure)] false)"),
        "{out}"
    );
    assert!(out.contains("g (# [secgate_local (LEN)] 1024)"), "{out}");
    assert!(
        out.contains("h (# [secgate_local (program)] \"cmd\" , # [secgate_local (flag)] \"/C\")"),
        "{out}"
    );
}

#[test]
fn assigned_mutable_locals_are_not_constants() {
    let out = plain(
        "fn f(b: B, prod: bool) { let mut secure = false; if prod { secure = true; } b.secure(secure); }",
    );
    assert!(out.contains("b . secure (secure)"), "{out}");
}

#[test]
fn builders_across_statements_are_one_chain() {
    let out = plain(
        "fn f(x: &str) { let mut cmd = Command::new(\"sh\"); cmd.arg(\"-c\"); cmd.arg(x); \
         let out = cmd.output(); }",
    );
    assert!(out.contains("let mut cmd = () ;"), "{out}");
    assert!(
        out.contains("Command :: new (\"sh\")) . arg (\"-c\")) . arg (x)) . output ()"),
        "{out}"
    );
    let out = plain(
        "fn app() -> Router { let app = Router::new().route(\"/debug/pprof\", get(p)); \
         let app = app.layer(auth); app }",
    );
    assert!(out.contains("let app = () ;"), "{out}");
    assert!(out.contains(". layer (auth)"), "{out}");
    let out = plain("fn f() { let mut c = Cookie::new(); c.set_secure(false); }");
    assert!(
        out.contains("Cookie :: new ()) . set_secure (false) ;"),
        "{out}"
    );
}

#[test]
fn format_locals_and_captures_reach_their_uses() {
    let out = plain(
        "fn f(id: &str) { let q = format!(\"SELECT * FROM t WHERE id = '{id}'\"); sqlx::query(&q); \
         tracing::info!(target: \"auth\", token = %tok, \"done\"); }",
    );
    assert!(
        out.contains("sqlx :: query (& # [secgate_local (q)] format ! (\"SELECT * FROM t WHERE id = '{id}'\" , id))"),
        "{out}"
    );
    assert!(out.contains("target = \"auth\" , token = tok"), "{out}");
}

/// Generated code that reassigns locals from each other (sha2's SIMD rounds) must not grow the
/// tree exponentially: values stop being copied once they are large or read often.
#[test]
fn reassigned_locals_do_not_blow_up() {
    let mut body = String::from("let mut a = f(x); let mut b = g(x);\n");
    for _ in 0..200 {
        body.push_str("a = f(a, b, b); b = g(b, a, a);\n");
    }
    let text = format!("fn rounds(x: u64) -> u64 {{ {body} a }}");
    let start = std::time::Instant::now();
    let out = plain(&text);
    assert!(out.len() < 2_000_000, "{}", out.len());
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn a_builder_used_many_times_is_copied_a_bounded_number_of_times() {
    let mut body = String::from("let client = Client::builder().build();\n");
    for i in 0..500 {
        body.push_str(&format!("client.get(\"/{i}\");\n"));
    }
    let out = plain(&format!("fn f() {{ {body} }}"));
    assert_eq!(
        out.matches("Client :: builder").count(),
        32,
        "{}",
        out.len()
    );
}

#[test]
fn one_expression_helpers_are_inlined_at_their_calls() {
    let out = plain(
        "fn sql(m: &str) -> String { format!(\"SELECT * FROM t WHERE m = '{m}'\") }\n\
         fn long(m: &str) -> String { let x = m; x.to_string() }\n\
         fn h(q: Q) { run(&sql(&q.merchant)); run(&long(&q.merchant)); }",
    );
    assert!(
        out.contains("run (& # [secgate_local (sql)] format ! (\"SELECT * FROM t WHERE m = '{m}'\" , # [secgate_local (m)] & q . merchant))"),
        "{out}"
    );
    assert!(out.contains("run (& long (& q . merchant))"), "{out}");
}
