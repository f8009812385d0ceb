//! `token --type vendor|admin --email you@example.com [--hours 12]`: mints a token from the
//! local dev issuer, for trying the API in the embedded mode. The server accepts it only
//! while `auth.dev_issuer` is on, which the production profile refuses.

use crate::auth::signing::{DEV_ISSUER, TokenDraft};
use crate::auth::{SigningKeys, TokenType};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;
use trove_bootstrap::Settings;
use trove_domain::email::Email;

pub const USAGE: &str = "usage: token --type vendor|admin --email you@example.com [--hours 12]";

/// The token, or a message saying what is wrong with the arguments or settings.
pub fn mint(settings: &Settings, args: &[String]) -> Result<String, String> {
    if !settings.auth.dev_issuer {
        return Err("auth.dev_issuer is off: this installation does not trust dev tokens".into());
    }
    let mut typ = None;
    let mut email = None;
    let mut hours = 12u64;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
        match flag.as_str() {
            "--type" => {
                typ = Some(match value.as_str() {
                    "vendor" => TokenType::Vendor,
                    "admin" => TokenType::Admin,
                    other => return Err(format!("--type {other}: dev tokens are vendor or admin")),
                })
            }
            "--email" => email = Some(Email::parse(value).map_err(|error| error.to_string())?),
            "--hours" => {
                hours = value
                    .parse()
                    .ok()
                    .filter(|hours| (1..=24 * 30).contains(hours))
                    .ok_or_else(|| format!("--hours {value}: expected 1 to 720"))?
            }
            other => return Err(format!("unknown option {other}; {USAGE}")),
        }
    }
    let (Some(typ), Some(email)) = (typ, email) else {
        return Err(USAGE.into());
    };
    let keys = SigningKeys::from_settings(settings).map_err(|error| error.to_string())?;
    keys.issue(TokenDraft {
        issuer: DEV_ISSUER,
        typ,
        subject: format!("dev|{email}"),
        lifetime: Duration::from_secs(hours * 3600),
        email: Some(email.to_string()),
        vendor_id: None,
        nonce: None,
    })
    .map_err(|error| error.to_string())
}

/// Prints a dev token for the `token` command of a binary: exit 0 with the token on
/// stdout, or 2 with the reason on stderr.
pub fn print(program: &str, settings: &Settings, args: &[String]) -> ExitCode {
    match mint(settings, args) {
        Ok(token) => match writeln!(std::io::stdout(), "{token}") {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        },
        Err(message) => {
            eprintln!("{program} token: {message}");
            ExitCode::from(2)
        }
    }
}
