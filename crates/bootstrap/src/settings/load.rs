//! Reading the layers into `Settings`.

use super::{Environment, InvalidSetting, Settings};
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use std::fmt;
use std::path::{Path, PathBuf};

/// Environment variables `TROVE__SECTION__KEY` override every file.
pub const ENV_PREFIX: &str = "TROVE__";
const CONFIG_DIR_VAR: &str = "TROVE_CONFIG_DIR";

/// Why the process cannot start with the settings it was given.
#[derive(Debug)]
pub enum SettingsError {
    /// A value could not be read as the type its key expects.
    Load(Box<figment::Error>),
    /// Values were read but break a rule.
    Invalid(Vec<InvalidSetting>),
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Load(error) => {
                for (index, error) in error.clone().into_iter().enumerate() {
                    if index > 0 {
                        writeln!(f)?;
                    }
                    let key = error.path.join(".");
                    let keys: Vec<&str> = error.path.iter().map(String::as_str).collect();
                    let profile = error.profile.clone().unwrap_or_default();
                    let source = match &error.metadata {
                        Some(metadata) => match &metadata.source {
                            Some(source) => source.to_string(),
                            None if metadata.name.contains("environment variable") => {
                                format!("{ENV_PREFIX}{}", keys.join("__").to_uppercase())
                            }
                            None => metadata.interpolate(&profile, &keys),
                        },
                        None => "settings".into(),
                    };
                    if key.is_empty() {
                        write!(f, "invalid settings from {source}: {}", error.kind)?;
                    } else {
                        write!(f, "invalid setting `{key}` from {source}: {}", error.kind)?;
                    }
                }
                Ok(())
            }
            Self::Invalid(problems) => {
                for (index, problem) in problems.iter().enumerate() {
                    if index > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for SettingsError {}

impl Settings {
    /// Loads every layer from the process environment and validates the result.
    pub fn load() -> Result<Self, SettingsError> {
        let config_dir = std::env::var_os(CONFIG_DIR_VAR)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("config"));
        Self::from_figment(Self::figment(
            &config_dir,
            Env::prefixed(ENV_PREFIX).split("__"),
        ))
    }

    /// The layered sources, in order. `env` is the environment-variable layer.
    pub fn figment(config_dir: &Path, env: Env) -> Figment {
        let base = Figment::new().merge(Toml::file(config_dir.join("default.toml")));
        let profile = base
            .clone()
            .merge(env.clone())
            .extract_inner::<Environment>("env")
            .unwrap_or_default();
        base.merge(Toml::file(
            config_dir.join(format!("{}.toml", profile.as_str())),
        ))
        .merge(env)
    }

    /// Extracts and validates settings from already assembled sources.
    pub fn from_figment(figment: Figment) -> Result<Self, SettingsError> {
        let settings: Settings = figment
            .extract()
            .map_err(|error| SettingsError::Load(Box::new(error)))?;
        settings.validate().map_err(SettingsError::Invalid)?;
        Ok(settings)
    }

    /// Loads settings or ends the process with exit code 2 and a message naming the key.
    pub fn load_or_exit() -> Self {
        match Self::load() {
            Ok(settings) => settings,
            Err(error) => {
                eprintln!("trove: cannot start: {error}");
                std::process::exit(2);
            }
        }
    }
}

#[cfg(test)]
// `Jail::expect_with` fixes the closure's error type to figment's own, large `Error`.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;
    use secrecy::ExposeSecret;

    fn load_in(jail: &Jail) -> Result<Settings, SettingsError> {
        Settings::from_figment(Settings::figment(
            jail.directory(),
            Env::prefixed(ENV_PREFIX).split("__"),
        ))
    }

    #[test]
    fn defaults_apply_without_any_file_or_variable() {
        Jail::expect_with(|jail| {
            let settings = load_in(jail).map_err(|e| e.to_string())?;
            assert_eq!(settings.server.port, 3000);
            assert_eq!(settings.env, Environment::Development);
            assert_eq!(settings.rate_limit.per_second, 30);
            assert!(
                settings
                    .database
                    .url
                    .expose_secret()
                    .starts_with("sqlite://")
            );
            Ok(())
        });
    }

    #[test]
    fn env_file_overrides_default_file_and_variables_override_both() {
        Jail::expect_with(|jail| {
            jail.create_file("default.toml", "[server]\nport = 4000\nhost = \"0.0.0.0\"")?;
            jail.create_file("test.toml", "[server]\nport = 5000")?;
            jail.set_env("TROVE__ENV", "test");
            let settings = load_in(jail).map_err(|e| e.to_string())?;
            assert_eq!(settings.server.port, 5000);
            assert_eq!(settings.server.host, "0.0.0.0");

            jail.set_env("TROVE__SERVER__PORT", "6000");
            let settings = load_in(jail).map_err(|e| e.to_string())?;
            assert_eq!(settings.server.port, 6000);
            Ok(())
        });
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_key_and_variable() {
        Jail::expect_with(|jail| {
            jail.set_env("TROVE__SERVER__PORT", "eighty");
            let message = load_in(jail)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(message.contains("`server.port`"), "{message}");
            assert!(message.contains("TROVE__SERVER__PORT"), "{message}");
            Ok(())
        });
    }

    #[test]
    fn an_unknown_key_is_refused() {
        Jail::expect_with(|jail| {
            jail.set_env("TROVE__SERVER__PROT", "80");
            let message = load_in(jail)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(message.contains("prot"), "{message}");
            Ok(())
        });
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        Jail::expect_with(|jail| {
            jail.set_env("TROVE__DATABASE__URL", "postgres://app:hunter2@db/trove");
            let settings = load_in(jail).map_err(|e| e.to_string())?;
            assert!(!format!("{settings:?}").contains("hunter2"));
            Ok(())
        });
    }
}
