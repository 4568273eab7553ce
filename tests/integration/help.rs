//! What users read: help text, and completion scripts that must match the committed ones.

use std::path::Path;

use crate::common::TestEnv;

#[test]
fn help_texts() {
    let env = TestEnv::new();
    for args in [
        &["--help"][..],
        &["new", "exec", "--help"],
        &["new", "repl", "--help"],
        &["list", "--help"],
        &["logs", "--help"],
    ] {
        let name =
            args.iter().filter(|a| !a.starts_with('-')).copied().collect::<Vec<_>>().join("-");
        let name = if name.is_empty() { "cxs".to_owned() } else { name };
        insta::assert_snapshot!(format!("help-{name}"), env.cxs(args).success());
    }
}

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::new();
    env.cxs(&["frobnicate"]).fails(2);
    env.cxs(&["new", "exec"]).fails(2);
    env.cxs(&["new", "exec", "-s", "yolo", "x"]).fails(2);
}

#[test]
fn committed_completions_are_current() {
    let env = TestEnv::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "cxs.bash"),
        ("zsh", "_cxs"),
        ("fish", "cxs.fish"),
        ("elvish", "cxs.elv"),
        ("powershell", "_cxs.ps1"),
    ] {
        let generated = env.cxs(&["completions", shell]).success();
        let committed = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        assert!(
            generated == committed,
            "completions/{file} is stale: run `cxs completions {shell} > completions/{file}`"
        );
    }
}

#[test]
fn man_pages_install_into_a_fresh_directory() {
    let env = TestEnv::new();
    let dir = env.root().join(".local/share/man/man1");
    env.cxs(&["man", dir.to_str().unwrap()]).success();
    for page in ["cxs.1", "cxs-new.1", "cxs-new-exec.1", "cxs-list.1"] {
        assert!(dir.join(page).is_file(), "{page}");
    }
    assert!(env.cxs(&["man"]).success().starts_with(".ie \\n(.g .ds Aq"));
}

#[test]
fn a_config_error_shows_in_the_status_line() {
    let env = TestEnv::new();
    let config = env.root().join("config.toml");
    std::fs::write(&config, "[defaults]\nmodle = 1\n").unwrap();
    let output = env.cxs(&["status-line"]).env("CXS_CONFIG", &config).output();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "cxs: config error\n");
    assert_eq!(output.status.code(), Some(1));
}
