//! The `amplify-local add-user` command.

use std::process::Command;

use amplify_local::{LocalBackend, LocalOptions};

use crate::helpers::{Harness, PASSWORD};

#[tokio::test]
async fn add_user_command_writes_a_usable_user() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_amplify-local"))
            .arg("add-user")
            .arg("--data")
            .arg(dir.path())
            .args(args)
            .output()
            .expect("run amplify-local")
    };
    let output = run(&[
        "--username",
        "yuri",
        "--password",
        PASSWORD,
        "--attribute",
        "email=yuri@example.com",
    ]);
    assert!(output.status.success(), "{output:?}");
    let duplicate = run(&["--username", "yuri", "--password", PASSWORD]);
    assert!(!duplicate.status.success());
    let weak = run(&["--username", "zed", "--password", "weak"]);
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("policy"));
    let bad_attribute = run(&[
        "--username",
        "zed",
        "--password",
        PASSWORD,
        "--attribute",
        "novalue",
    ]);
    assert!(!bad_attribute.status.success());

    let backend = LocalBackend::start(LocalOptions::new(dir.path()))
        .await
        .expect("start");
    let h = Harness {
        backend,
        dir,
        http: reqwest::Client::new(),
    };
    let result = h.sign_in("yuri").await;
    let id = crate::helpers::claims(result["IdToken"].as_str().expect("id"));
    assert_eq!(id["email"], "yuri@example.com");

    // While the server runs, add-user still works on the same database.
    let output = Command::new(env!("CARGO_BIN_EXE_amplify-local"))
        .args(["add-user", "--data"])
        .arg(h.dir.path())
        .args(["--username", "zoe", "--password", PASSWORD])
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    h.sign_in("zoe").await;
    h.backend.shutdown().await;
}

#[test]
fn server_limit_flags_are_documented_and_checked() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_amplify-local"))
            .args(args)
            .output()
            .expect("run amplify-local")
    };
    let help = run(&["--help"]);
    assert!(help.status.success(), "{help:?}");
    let help = String::from_utf8_lossy(&help.stdout);
    for (flag, default) in [
        ("--header-read-timeout <SECS>", "[default: 10]"),
        ("--request-timeout <SECS>", "[default: 120]"),
        ("--max-connections <N>", "[default: 512]"),
        ("--graphql-time-budget <SECS>", "[default: 10]"),
        ("--graphql-row-budget <N>", "[default: 50000]"),
    ] {
        let (_, after) = help
            .split_once(flag)
            .unwrap_or_else(|| panic!("{flag}: {help}"));
        let entry = after.split("\n  -").next().unwrap_or_default();
        assert!(entry.contains(default), "{flag}: {entry}");
    }
    // A bad value stops the binary before it serves, naming the flag.
    let refused = run(&["--port", "0", "--s3-port", "0", "--max-connections", "0"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--max-connections"), "{stderr}");
}
