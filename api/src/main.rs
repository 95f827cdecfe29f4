fn main() -> std::process::ExitCode {
    chihoi::cli::main()
}
