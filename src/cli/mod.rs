//! Command-line interface: parses arguments and calls the library. No logic of its own.

use std::process::ExitCode;

pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
