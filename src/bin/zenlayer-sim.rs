//! The simulator binary: parses its flags and serves the local ZEC API (see `tpz::sim::cli`).

fn main() -> std::process::ExitCode {
    tpz::sim::cli::main()
}
