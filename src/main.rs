fn main() -> std::process::ExitCode {
    ticket_export::cli::main()
}
