//! The `chihoi` command line: `serve`, `migrate`, `openapi`, `user`, `seed`.

mod import;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::db::migrations;
use crate::startup::Application;
use crate::telemetry;

#[derive(Debug, Parser)]
#[command(name = "chihoi", version, about = "chihoi: API công tác hội viên Hội LHPN / Women's Union grassroots API")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (configuration from environment variables; see README).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI contract (JSON) to stdout, or write it to a file.
    Openapi {
        /// Write to this file instead of stdout.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Manage accounts (bootstrap the first admin, reset a password, disable).
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Import data files (members from a spreadsheet).
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Load data: `--demo` the marked demonstration data set, `--members N` synthetic benchmark data.
    Seed {
        /// The demonstration data set (organisation, accounts for every role, and more).
        #[arg(long)]
        demo: bool,
        /// Synthetic members for benchmarks, marked `[SEED]` (e.g. 1000000). Loads once.
        #[arg(long, value_name = "N")]
        members: Option<i64>,
    },
}

fn block_on<T>(future: impl std::future::Future<Output = Result<T, String>>) -> Result<T, String> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?.block_on(future)
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi { output } => write_openapi(output),
        Command::Import { command } => with_config(|config| {
            print!("{}", block_on(import::run(&config, command))?);
            Ok(())
        }),
        Command::User { command } => with_config(|config| {
            println!("{}", block_on(user::run(&config, command))?);
            Ok(())
        }),
        Command::Seed { demo, members } => with_config(|config| {
            if !demo && members.is_none() {
                return Err("nothing to seed: pass --demo and/or --members N".into());
            }
            if demo {
                let password = std::env::var("CHIHOI_DEMO_PASSWORD").unwrap_or_else(|_| "chihoi-demo".into());
                println!("{}", block_on(crate::seed::demo(&config, &password))?);
            }
            if let Some(count) = members {
                print!("{}", block_on(crate::seed::bulk::members(&config, count))?);
            }
            Ok(())
        }),
        Command::Migrate => with_config(|config| {
            let applied = block_on(migrations::run_pending(config.database_url.expose()))?;
            if applied.is_empty() {
                println!("Cơ sở dữ liệu đã cập nhật / database is up to date");
            } else {
                println!("Đã áp dụng / applied: {}", applied.join(", "));
            }
            Ok(())
        }),
        Command::Serve => with_config(|config| {
            crate::memory::return_large_blocks_to_the_system();
            actix_web::rt::System::new().block_on(async move {
                let bind = config.bind.clone();
                let app = Application::build(config).map_err(|e| e.to_string())?;
                tracing::info!(address = %bind, port = app.port(), "chihoi listening");
                app.run_until_stopped().await.map_err(|e| e.to_string())
            })
        }),
    }
}

fn with_config(run: impl FnOnce(Config) -> Result<(), String>) -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("chihoi: cấu hình sai / invalid configuration: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format, &config.log_filter);
    match run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("chihoi: {error}");
            ExitCode::FAILURE
        }
    }
}

fn write_openapi(output: Option<PathBuf>) -> ExitCode {
    let json = crate::openapi::document_json();
    match output {
        None => {
            print!("{json}");
            ExitCode::SUCCESS
        }
        Some(path) => match std::fs::write(&path, json) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("chihoi: cannot write {}: {error}", path.display());
                ExitCode::FAILURE
            }
        },
    }
}
