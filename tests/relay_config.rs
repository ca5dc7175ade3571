//! Configuring the relay: a TOML file, environment variables and flags,
//! with errors that name the file and the key.
#![cfg(not(target_arch = "wasm32"))]

mod relay_support;

use relay_support::{serve_command, Relay};

fn refusal(toml: &str, env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signpost.toml");
    std::fs::write(&path, toml).unwrap();
    let output = serve_command()
        .args(["serve", "--port", "0", "--config"])
        .arg(&path)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "a bad config must stop the relay"
    );
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_bad_config_file_is_refused_naming_the_file_and_key() {
    let err = refusal("port = 8080\n[rate_limit]\nburst = \"ten\"\n", &[]);
    assert!(err.contains("signpost.toml"), "{err}");
    assert!(err.contains("rate_limit.burst"), "{err}");

    let err = refusal("db = \"t.sqlite3\"\nallow_orgins = []\n", &[]);
    assert!(err.contains("allow_orgins"), "{err}");

    let err = refusal(
        "[[forward]]\nname = \"mail\"\nkind = \"email\"\nsmtp_host = \"localhost\"\nfrom = \"a@b.example\"\n",
        &[],
    );
    assert!(err.contains("forward[0]") && err.contains("`to`"), "{err}");

    let err = refusal(
        "inbox_token_env = \"SIGNPOST_TEST_NOT_SET_ANYWHERE\"\n",
        &[],
    );
    assert!(
        err.contains("SIGNPOST_TEST_NOT_SET_ANYWHERE, which is not set"),
        "{err}"
    );
}

#[test]
fn flags_override_environment_which_overrides_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file_db = dir.path().join("from-file.sqlite3");
    let env_db = dir.path().join("from-env.sqlite3");
    let flag_db = dir.path().join("from-flag.sqlite3");
    let config = dir.path().join("signpost.toml");
    std::fs::write(
        &config,
        format!("db = {:?}\nport = 1\n", file_db.display().to_string()),
    )
    .unwrap();
    let config = config.to_str().unwrap();

    // The file alone decides the database (the port comes from the flag).
    let relay = Relay::try_start(flag_db.to_str().unwrap(), &["--config", config], &[]).unwrap();
    assert!(
        relay
            .post(Some("key-conf-0001"), relay_support::TICKET, &[])
            .status
            == 201
    );
    drop(relay);
    assert!(flag_db.is_file(), "--db beats the file");
    assert!(!file_db.exists());

    let output = serve_command()
        .args(["tickets", "--db"])
        .arg(&flag_db)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("Camera will not join Wi-Fi"));

    // SIGNPOST_DB beats the file when no flag is given.
    let mut child = serve_command()
        .args(["serve", "--port", "0", "--config", config])
        .env("SIGNPOST_DB", &env_db)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.contains("from-env.sqlite3"), "{line}");
    assert!(!file_db.exists());
}

#[test]
fn serve_help_documents_the_configuration() {
    let output = serve_command().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "--config",
        "SIGNPOST_DB",
        "postgres://",
        "--trust-proxy",
        "--no-rate-limit",
        "SIGNPOST_INBOX_TOKEN",
        "[[forward]]",
        "kind = \"webhook\" | \"zendesk\" | \"email\"",
        "secret_env",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
}
