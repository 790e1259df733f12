fn main() -> std::process::ExitCode {
    yespo_admin_cli::main()
}
