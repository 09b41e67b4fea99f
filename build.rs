//! Records the target triple secgate is compiled for. Without a build to run, a scan judges
//! platform-limited advisories on the machine secgate runs on, and knowing it costs nothing;
//! asking `rustc -vV` instead would cost a process per scan (see src/target.rs).

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=SECGATE_COMPILED_FOR={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
