// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::Path;
use std::process::ExitCode;

/// The name under which this binary is the command line instead of the window.
const CLI_NAME: &str = "yespo-admin-cli";

fn main() -> ExitCode {
    // The packages ship one binary for both: `yespo-admin-cli` on the PATH starts this program
    // under that name. Two binaries would each carry the whole core and put the package over its
    // size budget.
    if started_as_cli() {
        return yespo_admin_cli::main();
    }
    yespo_admin::run();
    ExitCode::SUCCESS
}

fn started_as_cli() -> bool {
    let Some(argv0) = std::env::args_os().next() else { return false };
    Path::new(&argv0).file_stem().is_some_and(|stem| stem == CLI_NAME)
}
