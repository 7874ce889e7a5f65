//! The `trustlens` binary: everything lives in the library; see `trustlens::cli`.

fn main() -> std::process::ExitCode {
    trustlens::cli::main()
}
