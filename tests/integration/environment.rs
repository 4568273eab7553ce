//! The user's environment, not the test's: no UTF-8 locale, another tmux socket, several
//! state directories on one server.

use std::time::{Duration, Instant};

use crate::common::{TestEnv, wait_until};

/// The locales cxs is run under: none at all (cron, `env -i`), C, and UTF-8.
const LOCALES: [&[(&str, &str)]; 3] = [&[], &[("LC_ALL", "C")], &[("LANG", "C.UTF-8")]];

#[test]
fn the_core_works_without_a_utf8_locale() {
    for locale in LOCALES {
        let env = TestEnv::new();
        let home = env.root().join("état ☃");
        let work = env.root().join("wörk ✓");
        std::fs::create_dir(&work).unwrap();
        let cxs = |args: &[&str]| {
            let mut cxs = env.cxs(args).env("CXS_HOME", &home);
            for (key, value) in locale {
                cxs = cxs.env(key, value);
            }
            cxs
        };
        let id = cxs(&["new", "exec", "--id", "naïve", "x"]).fails(2);
        assert!(id.contains("'ï' is not allowed"), "{locale:?}: {id}");
        let prompt = "naïve café ☃";
        cxs(&["new", "exec", "--id", "here", "-C", work.to_str().unwrap(), prompt])
            .env("FAKE_AGENT_STDIN", "1")
            .success();
        let row = || -> serde_json::Value {
            let rows: Vec<serde_json::Value> =
                serde_json::from_str(&cxs(&["list", "--json"]).success()).unwrap();
            rows.into_iter().next().unwrap()
        };
        wait_until("a running session", || row()["status"] == "running");
        let row = row();
        assert_eq!((row["prompt"].as_str(), row["cwd"].as_str()), (Some(prompt), work.to_str()));
        assert_eq!(cxs(&["status-line"]).success(), "cxs 1 running\n", "{locale:?}");
        cxs(&["send", "here", "héllo ☃"]).success();
        let log = || {
            String::from_utf8_lossy(
                &std::fs::read(home.join("sessions/here/log")).unwrap_or_default(),
            )
            .into_owned()
        };
        wait_until("the echo", || log().contains("echo: héllo ☃"));
        assert!(cxs(&["capture", "here"]).success().contains("echo: héllo ☃"), "{locale:?}");
        assert!(cxs(&["logs", "here"]).success().contains(&format!("arg[5]={prompt}")));
        cxs(&["wait", "--timeout", "1", "here"]).fails(124);
        cxs(&["delete", "here"]).success();
        assert_eq!(env.tmux_sessions(), ["user-own"], "{locale:?}");
        assert_eq!(cxs(&["list", "--json"]).success().trim(), "[]");
    }
}

#[test]
fn sessions_stay_on_the_server_they_were_started_on() {
    let env = TestEnv::new();
    let other = env.second_server("other");
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "here", "x"]);
    env.cxs(&["new", "exec", "--id", "there", "x"])
        .env("CXS_TMUX_SOCKET", other.socket())
        .env("FAKE_AGENT_SLEEP", "30")
        .success();
    let statuses = |cxs: crate::common::Cxs| -> Vec<(String, String)> {
        let rows: Vec<serde_json::Value> =
            serde_json::from_str(&cxs.arg("list").arg("--json").success()).unwrap();
        let mut rows: Vec<(String, String)> = rows
            .iter()
            .map(|r| {
                (r["id"].as_str().unwrap().to_owned(), r["status"].as_str().unwrap().to_owned())
            })
            .collect();
        rows.sort();
        rows
    };
    let running =
        vec![("here".to_owned(), "running".to_owned()), ("there".to_owned(), "running".to_owned())];
    wait_until("both running", || statuses(env.cxs::<&str>(&[])) == running);
    // Whatever says which server to use now: another socket, the config, or being run
    // from inside another tmux server.
    assert_eq!(statuses(env.cxs::<&str>(&[]).env("CXS_TMUX_SOCKET", "elsewhere")), running);
    std::fs::create_dir_all(env.root().join(".config/cxs")).unwrap();
    std::fs::write(
        env.root().join(".config/cxs/config.toml"),
        "[defaults]\ntmux_socket = \"cfg\"\n",
    )
    .unwrap();
    assert_eq!(statuses(env.cxs::<&str>(&[]).env_remove("CXS_TMUX_SOCKET")), running);
    let inside = format!("{}/tmux-0/nowhere,1,0", env.tmux_tmpdir().display());
    assert_eq!(
        statuses(env.cxs::<&str>(&[]).env_remove("CXS_TMUX_SOCKET").env("TMUX", inside)),
        running
    );
    assert!(
        env.cxs(&["capture", "there"]).success().contains("fake-agent: started"),
        "capture reaches the other server"
    );
    // delete kills each where it lives, whatever the current setting.
    env.cxs(&["delete", "here", "there"]).env("CXS_TMUX_SOCKET", "elsewhere").success();
    assert_eq!(env.tmux_sessions(), ["user-own"]);
    assert_eq!(other.tmux_sessions(), Vec::<String>::new());
}

#[test]
fn a_server_that_does_not_answer_is_not_called_lost() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "far", "x"]);
    env.wait_for_status("far", "running");
    // A socket that cannot be reached but may still exist: its path goes through a file.
    std::fs::write(env.root().join("file"), "").unwrap();
    let sidecar = env.session_dir("far").join("session.toml");
    let text = std::fs::read_to_string(&sidecar).unwrap();
    let unreachable = env.root().join("file/socket");
    let text = text
        .lines()
        .map(|l| {
            if l.starts_with("server = ") {
                format!("server = {unreachable:?}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&sidecar, text).unwrap();
    let row = env.row("far");
    assert_eq!(row["status"], "unreachable", "{row}");
    let error = row["error"].as_str().unwrap();
    assert!(error.contains("file/socket") && error.contains("Not a directory"), "{error}");
    let err = env.cxs(&["delete", "far"]).fails(1);
    assert!(err.contains("does not answer") && err.ends_with("nothing deleted\n"), "{err}");
    assert!(env.session_dir("far").exists());
}

#[test]
fn state_directories_share_a_server_and_even_an_id() {
    let env = TestEnv::new();
    let second = env.root().join("second");
    let b = |args: &[&str]| env.cxs(args).env("CXS_HOME", &second);
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "shared", "x"]);
    let first_name = env.tmux_name("shared");
    b(&["new", "exec", "--id", "shared", "x"]).env("FAKE_AGENT_SLEEP", "30").success();
    b(&["new", "exec", "--id", "shared", "x"]).fails(1);
    let first_running = || env.row("shared")["status"] == "running";
    wait_until("the first one running", first_running);
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&b(&["list", "--json"]).success()).unwrap();
    assert_eq!(rows.len(), 1, "each state directory lists its own");
    let second_name = env
        .tmux_sessions()
        .into_iter()
        .find(|n| n.starts_with("cxs-shared-") && *n != first_name)
        .unwrap();
    // The second one's session is lost: wait and logs -f say so at once, whatever the
    // first one's does.
    env.tmux_ok(&["kill-session", "-t", &format!("={second_name}")]);
    let started = Instant::now();
    let err = b(&["wait", "--timeout", "20", "shared"]).fails(1);
    assert!(err.contains("ended without a recorded exit"), "{err}");
    b(&["logs", "-f", "shared"]).success();
    assert!(started.elapsed() < Duration::from_secs(15));
    b(&["delete", "shared"]).success();
    assert!(first_running(), "the first state directory's session lives on");
    assert!(env.tmux_sessions().contains(&first_name));
}

#[test]
fn a_newline_in_cxs_home_changes_nothing() {
    let env = TestEnv::new();
    let home = env.root().join("state\nhome");
    let cxs = |args: &[&str]| env.cxs(args).env("CXS_HOME", &home);
    cxs(&["new", "exec", "--id", "nl", "x"]).env("FAKE_AGENT_SLEEP", "30").success();
    let status = || -> String {
        let rows: Vec<serde_json::Value> =
            serde_json::from_str(&cxs(&["list", "--json"]).success()).unwrap();
        rows[0]["status"].as_str().unwrap().to_owned()
    };
    wait_until("a running session", || status() == "running");
    cxs(&["delete", "nl"]).success();
    assert_eq!(env.tmux_sessions(), ["user-own"]);
}

#[test]
fn a_stopped_server_is_unreachable_not_a_hang() {
    let env = TestEnv::new();
    env.new_exec(&[("FAKE_AGENT_SLEEP", "30")], &["--id", "frozen", "x"]);
    env.wait_for_status("frozen", "running");
    let server: i32 = env.tmux_ok(&["display-message", "-p", "#{pid}"]).trim().parse().unwrap();
    // SAFETY: kill has no memory effects; the pid is this test's own tmux server.
    unsafe { libc::kill(server, libc::SIGSTOP) };
    struct Resume(i32);
    impl Drop for Resume {
        fn drop(&mut self) {
            // SAFETY: as above.
            unsafe { libc::kill(self.0, libc::SIGCONT) };
        }
    }
    let resume = Resume(server);
    let started = Instant::now();
    let rows = env.cxs(&["list", "--json"]).env("CXS_TMUX_TIMEOUT", "1").success();
    assert!(started.elapsed() < Duration::from_secs(5), "bounded by the timeout");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&rows).unwrap();
    assert_eq!(rows[0]["status"], "unreachable", "{rows:?}");
    assert!(rows[0]["error"].as_str().unwrap().contains("no answer within 1 s"), "{rows:?}");
    let err = env.cxs(&["delete", "frozen"]).env("CXS_TMUX_TIMEOUT", "1").fails(1);
    assert!(err.ends_with("nothing deleted\n"), "{err}");
    drop(resume);
    assert_eq!(env.row("frozen")["status"], "running");
}
