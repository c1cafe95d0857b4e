//! Windows targets only: links the icon, application manifest and version information
//! (`packaging/windows/smdr-monitor.rc`) into `smdr-monitor.exe`. On every other target this
//! does nothing, so Linux builds need no resource compiler.

use std::env;
use std::path::PathBuf;

use embed_resource::{CompilationResult, ParamsIncludeDirs};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Without these, Cargo would rerun this script, and so rebuild the crate, whenever any file
    // in the package changes. Other targets depend on nothing but this script.
    println!("cargo:rerun-if-changed=build.rs");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return Ok(());
    }
    for input in [
        "packaging/windows/smdr-monitor.rc",
        "packaging/windows/smdr-monitor.exe.manifest",
        "assets/smdr-monitor.ico",
    ] {
        println!("cargo:rerun-if-changed={input}");
    }

    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    // The version goes in through a generated header rather than -D flags: windres hands its
    // flags to the preprocessor through a shell, which would eat the quotes of a string macro.
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let version = |part: &str| env::var(format!("CARGO_PKG_VERSION_{part}"));
    let header = format!(
        "#define VERSION_MAJOR {}\n#define VERSION_MINOR {}\n#define VERSION_PATCH {}\n\
         #define VERSION_STR \"{}\"\n",
        version("MAJOR")?,
        version("MINOR")?,
        version("PATCH")?,
        env::var("CARGO_PKG_VERSION")?,
    );
    std::fs::write(out_dir.join("smdr-monitor-version.h"), header)?;
    // The .rc names its files bare; the resource compiler finds them through these.
    let includes = [out_dir, root.join("packaging/windows"), root.join("assets")];
    let rc = root.join("packaging/windows/smdr-monitor.rc");
    let params = ParamsIncludeDirs(&includes);
    match embed_resource::compile_for(&rc, ["smdr-monitor"], params) {
        CompilationResult::Ok | CompilationResult::NotWindows => Ok(()),
        CompilationResult::NotAttempted(why) => {
            // Still a working program, just with Windows' generic icon: say so, don't fail.
            println!(
                "cargo:warning=smdr-monitor.exe gets no icon or version info: no resource \
                 compiler ({why}); on Debian install gcc-mingw-w64-x86-64, or set RC"
            );
            Ok(())
        }
        CompilationResult::Failed(e) => Err(format!("Windows resources: {e}").into()),
    }
}
