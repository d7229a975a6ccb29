fn main() -> std::process::ExitCode {
    stigrun::cli::main()
}
