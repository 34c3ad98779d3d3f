//! The simulator binary: parses its flags and serves the local ZEC API.

fn main() {
    eprintln!("zenlayer-sim {}: not wired yet", tpz::VERSION);
    std::process::exit(1);
}
