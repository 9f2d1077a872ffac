//! `amplify-local`: run the offline Cognito-compatible backend, or add a
//! user to its database.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use amplify_local::{
    AdminCredentials, IssuerMode, LocalBackend, LocalOptions, MfaFactor, MfaMode, ServerLimits,
    StorageRules, add_user_to_data_dir,
};
use clap::{Args, Parser, Subcommand};

/// The start of the line `serve` prints on stdout once it serves and the
/// outputs file is written.
const READY: &str = "amplify-local is ready:";

/// Offline backend speaking Cognito's user-pool protocol.
#[derive(Debug, Parser)]
#[command(name = "amplify-local", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the server (the default).
    Serve(Box<ServeArgs>),
    /// Add a confirmed user directly to the database (server running or not).
    AddUser(AddUserArgs),
}

#[derive(Debug, Clone, Args)]
struct ServeArgs {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 4000, env = "AMPLIFY_LOCAL_PORT")]
    port: u16,
    /// Data directory (SQLite database).
    #[arg(
        long = "data",
        default_value = ".amplify-local",
        env = "AMPLIFY_LOCAL_DATA"
    )]
    data: PathBuf,
    /// Where to write amplify_outputs.json.
    #[arg(long, default_value = "amplify_outputs.json")]
    outputs: PathBuf,
    /// Lifetime of access and id tokens, in seconds.
    #[arg(long, default_value_t = 3600)]
    access_token_ttl: u64,
    /// Rotate refresh tokens on GetTokensFromRefreshToken.
    #[arg(long)]
    rotate_refresh_tokens: bool,
    /// Grace period (seconds) during which a rotated refresh token still works.
    #[arg(long, default_value_t = 0)]
    refresh_token_grace_period: u64,
    /// Write iss = https://cognito-idp.<region>.amazonaws.com/<poolId>.
    #[arg(long)]
    aws_issuer: bool,
    /// Origin (http(s)://host[:port]) of an app using managed login; its
    /// /api/auth/sign-in-callback and /api/auth/sign-out-callback become the
    /// app client's callback and sign-out URLs, and its pages may call the
    /// backend from the browser (CORS, S3 uploads); no other origin may.
    /// Repeatable. Default: http://127.0.0.1:3000 and http://localhost:3000.
    #[arg(long = "app-origin", value_name = "ORIGIN")]
    app_origins: Vec<String>,
    /// Admin operations (AdminCreateUser, ...) need a SigV4-signed request,
    /// as in Cognito; by default any well-formed signature is accepted
    /// (throwaway SDK credentials work). With this, only a signature by this
    /// access key is, verified with its secret.
    #[arg(
        long,
        value_name = "KEY:SECRET",
        env = "AMPLIFY_LOCAL_ADMIN_CREDENTIALS",
        hide_env_values = true
    )]
    admin_credentials: Option<AdminCredentials>,
    /// A host name requests may name in Host, besides 127.0.0.1, localhost
    /// and [::1] (others are refused, against DNS rebinding). Repeatable.
    #[arg(long = "allowed-host", value_name = "NAME")]
    allowed_hosts: Vec<String>,
    /// A custom attribute the pool declares (custom:NAME or NAME), which
    /// sign-up may then set. Repeatable.
    #[arg(long = "custom-attribute", value_name = "NAME")]
    custom_attributes: Vec<String>,
    /// Usernames are email addresses (a Gen 2 pool's default `loginWith:
    /// { email: true }`): sign-up asks only for the email.
    #[arg(long)]
    email_usernames: bool,
    /// Whether sign-in asks for a second factor: off, optional or required.
    #[arg(long, default_value = "off", value_parser = parse_mfa_mode)]
    mfa: MfaMode,
    /// The MFA factors users may use, comma-separated (sms, totp, email).
    #[arg(long = "mfa-factors", value_delimiter = ',', default_value = "sms,totp,email", value_parser = parse_mfa_factor)]
    mfa_factors: Vec<MfaFactor>,
    /// Also enable a confidential app client (with a secret); its id and
    /// secret are printed at start-up.
    #[arg(long)]
    confidential_client: bool,
    /// Name of an extra simulated OIDC identity provider (repeatable).
    #[arg(long = "oidc-provider", value_name = "NAME")]
    oidc_providers: Vec<String>,
    /// Refuse guest (unauthenticated) identities in the identity pool.
    #[arg(long)]
    no_guest_access: bool,
    /// Lifetime of the AWS credentials from GetCredentialsForIdentity, in
    /// seconds.
    #[arg(long, default_value_t = 3600)]
    credentials_ttl: u64,
    /// Port of the S3 server on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 4001, env = "AMPLIFY_LOCAL_S3_PORT")]
    s3_port: u16,
    /// JSON file of storage access rules (the shape of a bucket's `paths` in
    /// amplify_outputs.json), replacing the default public/protected/private
    /// rules.
    #[arg(long, value_name = "FILE")]
    storage_rules: Option<PathBuf>,
    /// An amplify_outputs.json of a real Gen 2 backend whose
    /// data.model_introspection the GraphQL API (/graphql) serves, instead of
    /// the default Todo / Announcement schema.
    #[arg(long, value_name = "FILE")]
    schema: Option<PathBuf>,
    /// Resolves the custom query or mutation NAME with the HTTP endpoint URL:
    /// it is POSTed AppSync's Lambda event (arguments, identity, source,
    /// request headers) and answers the result as JSON. Repeatable.
    #[arg(long = "function", value_name = "NAME=URL", value_parser = parse_function)]
    functions: Vec<(String, url::Url)>,
    /// Mounts the REST API NAME at /rest/NAME/ behind an API-Gateway-like
    /// front (SigV4 with identity-pool credentials, or a user-pool token),
    /// forwarding to URL; written to the outputs file as custom.API.NAME.
    /// Repeatable.
    #[arg(long = "rest-api", value_name = "NAME=URL", value_parser = parse_function)]
    rest_apis: Vec<(String, url::Url)>,
    /// Seconds a client may take to send a request's line and headers; also
    /// how long an idle keep-alive connection stays open. A slower client's
    /// connection is closed.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = ServerLimits::default().header_read_timeout.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    header_read_timeout: u64,
    /// Seconds a request may take from its headers to its response, its
    /// body included; a slower one is answered 408 Request Timeout.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = ServerLimits::default().request_timeout.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    request_timeout: u64,
    /// Connections served at once on each port; more wait in the listen
    /// backlog until one closes.
    #[arg(
        long,
        value_name = "N",
        default_value_t = ServerLimits::default().max_connections as u64,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    max_connections: u64,
    /// Seconds one GraphQL request may run; then it gets AppSync's
    /// ExecutionTimeout error.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = LocalOptions::new(".").graphql_time_budget.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    graphql_time_budget: u64,
    /// Stored items one GraphQL request may read, over all its fields,
    /// aliases and nested lists; past it, fields fail with
    /// ExecutionLimitExceeded.
    #[arg(
        long,
        value_name = "N",
        default_value_t = LocalOptions::new(".").graphql_row_budget,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    graphql_row_budget: u64,
}

impl ServeArgs {
    /// Applies the server and GraphQL limits given on the command line.
    fn apply_limits(&self, options: LocalOptions) -> LocalOptions {
        let limits = options
            .server_limits
            .clone()
            .with_header_read_timeout(Duration::from_secs(self.header_read_timeout))
            .with_request_timeout(Duration::from_secs(self.request_timeout))
            .with_max_connections(usize::try_from(self.max_connections).unwrap_or(usize::MAX));
        options
            .with_server_limits(limits)
            .with_graphql_time_budget(Duration::from_secs(self.graphql_time_budget))
            .with_graphql_row_budget(self.graphql_row_budget)
    }
}

#[derive(Debug, Args)]
struct AddUserArgs {
    /// Data directory (SQLite database).
    #[arg(
        long = "data",
        default_value = ".amplify-local",
        env = "AMPLIFY_LOCAL_DATA"
    )]
    data: PathBuf,
    /// Username.
    #[arg(long)]
    username: String,
    /// Permanent password (must meet the default policy).
    #[arg(long)]
    password: String,
    /// An attribute as name=value (repeatable), e.g. email=a@example.com.
    #[arg(long = "attribute", value_parser = parse_attribute)]
    attributes: Vec<(String, String)>,
}

fn parse_mfa_mode(value: &str) -> Result<MfaMode, String> {
    value
        .parse()
        .map_err(|e: amplify_local::LocalError| e.to_string())
}

fn parse_mfa_factor(value: &str) -> Result<MfaFactor, String> {
    value
        .parse()
        .map_err(|e: amplify_local::LocalError| e.to_string())
}

fn parse_attribute(value: &str) -> Result<(String, String), String> {
    match value.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected name=value, got {value:?}")),
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::AddUser(args)) => add_user(args),
        Some(Command::Serve(args)) => serve(*args),
        None => serve(cli.serve),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("amplify-local: {message}");
            ExitCode::FAILURE
        }
    }
}

fn add_user(args: AddUserArgs) -> Result<(), String> {
    let attributes: Vec<(&str, &str)> = args
        .attributes
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let user = add_user_to_data_dir(&args.data, &args.username, &args.password, &attributes)
        .map_err(|e| e.to_string())?;
    println!("added user {} (sub {})", user.username, user.sub);
    Ok(())
}

/// Refuses a name given twice to `--function` or `--rest-api` (one would
/// silently win over the other).
fn refuse_duplicates(flag: &str, entries: &[(String, url::Url)]) -> Result<(), String> {
    for (n, (name, _)) in entries.iter().enumerate() {
        if entries[..n].iter().any(|(earlier, _)| earlier == name) {
            return Err(format!("--{flag} {name} is given more than once"));
        }
    }
    Ok(())
}

fn serve(args: ServeArgs) -> Result<(), String> {
    refuse_duplicates("function", &args.functions)?;
    refuse_duplicates("rest-api", &args.rest_apis)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let mut options = LocalOptions::new(&args.data)
            .with_port(args.port)
            .with_access_token_ttl(Duration::from_secs(args.access_token_ttl.max(1)))
            .with_rotate_refresh_tokens(args.rotate_refresh_tokens)
            .with_refresh_token_grace_period(Duration::from_secs(args.refresh_token_grace_period));
        if args.aws_issuer {
            options = options.with_issuer(IssuerMode::Aws);
        }
        if !args.app_origins.is_empty() {
            options = options.with_app_origins(args.app_origins.clone());
        }
        options = options
            .with_confidential_client(args.confidential_client)
            .with_guest_access(!args.no_guest_access)
            .with_credentials_ttl(Duration::from_secs(args.credentials_ttl.max(1)))
            .with_s3_port(args.s3_port);
        if let Some(path) = &args.storage_rules {
            options = options
                .with_storage_rules(StorageRules::from_file(path).map_err(|e| e.to_string())?);
        }
        if let Some(path) = &args.schema {
            options = options.with_schema_file(path.clone());
        }
        for (name, url) in &args.functions {
            options = options.with_function(name.clone(), url.clone());
        }
        for (name, url) in &args.rest_apis {
            options = options.with_rest_api(name.clone(), url.clone());
        }
        for name in &args.oidc_providers {
            options = options.with_oidc_provider(name.clone());
        }
        if let Some(credentials) = args.admin_credentials.clone() {
            options = options.with_admin_credentials(credentials);
        }
        for name in &args.allowed_hosts {
            options = options.with_allowed_host(name.clone());
        }
        for name in &args.custom_attributes {
            options = options.with_custom_attribute(name.clone());
        }
        options = options
            .with_email_usernames(args.email_usernames)
            .with_mfa(args.mfa)
            .with_mfa_factors(args.mfa_factors.iter().copied());
        options = args.apply_limits(options);
        let backend = LocalBackend::start(options)
            .await
            .map_err(|e| e.to_string())?;
        backend
            .write_outputs(&args.outputs)
            .map_err(|e| e.to_string())?;
        if let Some((client_id, client_secret)) = backend.confidential_client() {
            // Printed (not logged) so that the developer can configure an app;
            // this is a local development secret.
            println!("confidential app client: id {client_id} secret {client_secret}");
        }
        // On stdout whatever the log level, once the outputs file is in place:
        // scripts and tests wait for this line instead of polling.
        println!(
            "{READY} {} (outputs: {})",
            backend.base_url(),
            args.outputs.display()
        );
        tracing::info!(
            callback_urls = ?backend.callback_urls(),
            sign_out_urls = ?backend.sign_out_urls(),
            "managed login: {}/oauth2/authorize",
            backend.base_url()
        );
        tracing::info!(
            base_url = %backend.base_url(),
            s3_url = %backend.s3_url(),
            graphql_url = %backend.graphql_url(),
            bucket = %backend.bucket_name(),
            outputs = %args.outputs.display(),
            "serving; press Ctrl-C to stop"
        );
        wait_for_shutdown_signal().await;
        tracing::info!("shutting down");
        backend.shutdown().await;
        Ok(())
    })
}

async fn wait_for_shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `NAME=URL` of `--function` and `--rest-api`.
fn parse_function(value: &str) -> Result<(String, url::Url), String> {
    let (name, url) = value.split_once('=').ok_or_else(|| {
        format!("expected NAME=URL (e.g. summary=http://127.0.0.1:3001/summary), got {value:?}")
    })?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("{name:?} is not a name (letters, digits and `_`)"));
    }
    let url = url::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{url} is not an http(s) URL"));
    }
    Ok((name.to_owned(), url))
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    fn serve_args(flags: &[&str]) -> Result<ServeArgs, clap::Error> {
        let cli =
            Cli::try_parse_from(std::iter::once("amplify-local").chain(flags.iter().copied()))?;
        Ok(cli.serve)
    }

    #[test]
    fn function_and_rest_api_flags_take_a_name_and_an_http_url() {
        let args = serve_args(&[
            "--function",
            "summary=http://127.0.0.1:3001/summary",
            "--rest-api",
            "items=http://127.0.0.1:3002/base",
        ])
        .expect("parses");
        assert_eq!(args.functions[0].0, "summary");
        assert_eq!(args.rest_apis[0].1.as_str(), "http://127.0.0.1:3002/base");
        for bad in [
            "summary",
            "=http://x",
            "a b=http://x",
            "s=ftp://x",
            "s=not a url",
        ] {
            assert!(serve_args(&["--function", bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_function_or_rest_api_name_given_twice_is_refused() {
        let args = serve_args(&[
            "--function",
            "summary=http://127.0.0.1:3001/a",
            "--function",
            "summary=http://127.0.0.1:3001/b",
            "--rest-api",
            "items=http://127.0.0.1:3002/a",
            "--rest-api",
            "other=http://127.0.0.1:3002/b",
        ])
        .expect("parses");
        assert_eq!(
            refuse_duplicates("function", &args.functions),
            Err("--function summary is given more than once".to_owned())
        );
        assert_eq!(refuse_duplicates("rest-api", &args.rest_apis), Ok(()));
    }

    #[test]
    fn mfa_flags_parse_and_refuse_unknown_values() {
        let args = serve_args(&[]).expect("defaults");
        assert_eq!(args.mfa, MfaMode::Off);
        assert_eq!(args.mfa_factors, MfaFactor::ALL.to_vec());
        let args = serve_args(&["--mfa", "required", "--mfa-factors", "totp,EMAIL"]).expect("mfa");
        assert_eq!(args.mfa, MfaMode::Required);
        assert_eq!(args.mfa_factors, [MfaFactor::Totp, MfaFactor::Email]);
        for flags in [["--mfa", "sometimes"], ["--mfa-factors", "sms,voice"]] {
            let error = serve_args(&flags).expect_err("refused");
            assert!(error.to_string().contains(flags[0]), "{error}");
        }
    }

    #[test]
    fn limit_flags_set_the_options() {
        let args = serve_args(&[
            "--header-read-timeout",
            "7",
            "--request-timeout",
            "30",
            "--max-connections",
            "64",
            "--graphql-time-budget",
            "3",
            "--graphql-row-budget",
            "900",
        ])
        .expect("parses");
        let options = args.apply_limits(LocalOptions::new("data"));
        let limits = &options.server_limits;
        assert_eq!(limits.header_read_timeout, Duration::from_secs(7));
        assert_eq!(limits.request_timeout, Duration::from_secs(30));
        assert_eq!(limits.max_connections, 64);
        assert_eq!(limits.backlog, ServerLimits::default().backlog);
        assert_eq!(options.graphql_time_budget, Duration::from_secs(3));
        assert_eq!(options.graphql_row_budget, 900);
    }

    #[test]
    fn without_limit_flags_the_library_defaults_apply() {
        let options = serve_args(&[])
            .expect("parses")
            .apply_limits(LocalOptions::new("data"));
        let defaults = LocalOptions::new("data");
        assert_eq!(options.server_limits, defaults.server_limits);
        assert_eq!(options.graphql_time_budget, defaults.graphql_time_budget);
        assert_eq!(options.graphql_row_budget, defaults.graphql_row_budget);
    }

    #[test]
    fn zero_or_malformed_limits_are_refused() {
        for flag in [
            "--header-read-timeout",
            "--request-timeout",
            "--max-connections",
            "--graphql-time-budget",
            "--graphql-row-budget",
        ] {
            for value in ["0", "-1", "ten"] {
                let error = serve_args(&[&format!("{flag}={value}")]).expect_err(value);
                assert!(error.to_string().contains(flag), "{flag} {value}: {error}");
            }
        }
    }

    #[test]
    fn the_serve_subcommand_takes_them_too() {
        let cli = Cli::try_parse_from(["amplify-local", "serve", "--max-connections", "8"])
            .expect("parses");
        let Some(Command::Serve(args)) = cli.command else {
            panic!("serve");
        };
        assert_eq!(args.max_connections, 8);
    }
}
