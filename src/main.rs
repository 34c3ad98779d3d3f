//! The provider binary: Terraform starts it; it hands over to the go-plugin transport.

use std::process::ExitCode;

use tpz::plugin::{self, Mode};

const USAGE: &str = "\
usage: terraform-provider-zenlayer [--debug | --version | --help]

Terraform starts this provider itself (see docs/zenlayer-sim.md for dev_overrides).
  --debug     serve without Terraform starting it; prints TF_REATTACH_PROVIDERS to paste
  --version   print the version
  -h, --help  print this help";

/// What the command line asks for.
enum Command {
    Serve(Mode),
    Version,
    Help,
}

fn parse_args() -> Result<Command, lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut command = Command::Serve(Mode::Terraform);
    while let Some(arg) = parser.next()? {
        command = match arg {
            Long("debug") => Command::Serve(Mode::Debug),
            Long("version") => Command::Version,
            Short('h') | Long("help") => Command::Help,
            _ => return Err(arg.unexpected()),
        };
    }
    Ok(command)
}

fn main() -> ExitCode {
    match parse_args() {
        Ok(Command::Serve(mode)) => plugin::run(tpz::provider::new(), mode),
        Ok(Command::Version) => {
            println!("terraform-provider-zenlayer {}", tpz::VERSION);
            ExitCode::SUCCESS
        }
        Ok(Command::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("terraform-provider-zenlayer: {error}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
