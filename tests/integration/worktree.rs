//! `new --worktree`, `diff`, `merge` and `delete` on worktree sessions: real repositories and
//! the real `git`, in a path with spaces and quotes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::TestEnv;

/// A repository with one commit (`README` and an ignored `.env`), in a path that needs
/// quoting; git's identity comes from `~/.gitconfig` in the test's home.
fn repository(env: &TestEnv) -> PathBuf {
    std::fs::write(
        env.root().join(".gitconfig"),
        "[user]\n\tname = Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    let repo = env.work().join("my \"repo\" it's");
    std::fs::create_dir(&repo).unwrap();
    git(env, &repo, &["init", "-q"]);
    std::fs::write(repo.join("README"), "hello\n").unwrap();
    std::fs::write(repo.join(".gitignore"), ".env\n").unwrap();
    std::fs::write(repo.join(".env"), "SECRET=1\n").unwrap();
    git(env, &repo, &["add", "README", ".gitignore"]);
    git(env, &repo, &["commit", "-qm", "first"]);
    repo
}

/// Runs git in `dir` with the test's environment only, and returns its output.
#[track_caller]
fn git(env: &TestEnv, dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.base_env())
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Starts `sh -c SCRIPT` in a worktree session of `repo` and waits for it to exit.
#[track_caller]
fn finished(env: &TestEnv, repo: &Path, id: &str, script: &str) {
    let repo = repo.to_str().unwrap();
    env.cxs(&["new", "--worktree", "-C", repo, "--id", id, "cmd", "sh", "-c", script]).success();
    env.wait_for_status(id, "exited");
}

#[test]
fn two_agents_on_one_repository_work_apart_and_the_checkout_is_untouched() {
    let env = TestEnv::new();
    let repo = repository(&env);
    let r = repo.to_str().unwrap();
    // Session options before the agent's name, and after it.
    env.cxs(&[
        "new",
        "--worktree",
        "--id",
        "one",
        "-C",
        r,
        "cmd",
        "sh",
        "-c",
        "echo one > one.txt; sleep 30",
    ])
    .success();
    env.cxs(&[
        "new",
        "cmd",
        "--worktree",
        "--id",
        "two",
        "-C",
        r,
        "sh",
        "-c",
        "echo two > two.txt; echo more >> README; sleep 30",
    ])
    .success();
    env.wait_for_status("one", "running");
    env.wait_for_status("two", "running");
    crate::common::wait_until("both agents to write", || {
        env.home().join("worktrees/one/one.txt").exists()
            && env.home().join("worktrees/two/two.txt").exists()
    });
    let one = env.row("one");
    assert_eq!(one["branch"], "cxs/one");
    assert_eq!(one["repo"], r);
    assert_eq!(one["base"].as_str().unwrap(), git(&env, &repo, &["rev-parse", "HEAD"]).trim());
    assert_eq!(one["cwd"], env.home().join("worktrees/one").to_str().unwrap());
    let two = env.row("two");
    assert_eq!((two["added"].as_u64(), two["removed"].as_u64()), (Some(1), Some(0)));
    // Each diff holds its own agent's change, new files included; the checkout has none.
    assert_eq!(env.cxs(&["diff", "--name-only", "one"]).success(), "one.txt\n");
    assert_eq!(env.cxs(&["diff", "--name-only", "two"]).success(), "README\ntwo.txt\n");
    assert!(env.cxs(&["diff", "two"]).success().contains("+more"));
    assert_eq!(git(&env, &repo, &["status", "--porcelain"]), "");
    // Seeing new files did not add them to the agent's own index.
    let one_status = git(&env, &env.home().join("worktrees/one"), &["status", "--porcelain"]);
    assert_eq!(one_status, "?? one.txt\n");
    let table = env.cxs(&["list"]).success();
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header[7..9], ["BRANCH", "CHANGES"], "{table}");
    env.cxs(&["delete", "--force", "one", "two"]).success();
}

#[test]
fn delete_refuses_to_lose_work_and_succeeds_after_merge() {
    let env = TestEnv::new();
    let repo = repository(&env);
    finished(&env, &repo, "w", "echo work > work.txt");
    // Uncommitted work: delete and a merge without --commit refuse, and change nothing.
    let refused = env.cxs(&["delete", "w"]).fails(1);
    assert!(refused.contains("uncommitted changes to work.txt"), "{refused}");
    assert!(refused.contains("nothing deleted"), "{refused}");
    assert!(env.session_dir("w").exists() && env.home().join("worktrees/w/work.txt").exists());
    let refused = env.cxs(&["merge", "w"]).fails(1);
    assert!(refused.contains("--commit"), "{refused}");
    // Committed on the branch but merged nowhere: still refused.
    git(&env, &env.home().join("worktrees/w"), &["add", "work.txt"]);
    git(&env, &env.home().join("worktrees/w"), &["commit", "-qm", "work"]);
    let refused = env.cxs(&["delete", "w"]).fails(1);
    assert!(refused.contains("1 commit(s) no other branch holds"), "{refused}");
    let merged = env.cxs(&["merge", "w"]).success();
    assert!(merged.contains("merged 'cxs/w' into 'main'"), "{merged}");
    assert_eq!(std::fs::read_to_string(repo.join("work.txt")).unwrap(), "work\n");
    env.cxs(&["delete", "--delete-branch", "w"]).success();
    assert!(!env.home().join("worktrees/w").exists());
    assert_eq!(git(&env, &repo, &["branch", "--list", "cxs/*"]), "");
    assert_eq!(
        git(&env, &repo, &["worktree", "list", "--porcelain"]).matches("worktree ").count(),
        1
    );
}

#[test]
fn merge_commits_the_agents_work_only_when_asked_and_squashes() {
    let env = TestEnv::new();
    let repo = repository(&env);
    finished(&env, &repo, "s", "echo a > a.txt");
    env.cxs(&["merge", "--squash", "--commit", "agent's work", "s"]).success();
    assert_eq!(
        git(&env, &repo, &["log", "-1", "--format=%s"]).trim(),
        "Squashed commit of the following:"
    );
    assert!(repo.join("a.txt").exists());
    // The squash holds the branch's commits: delete (and the branch's removal) may go on.
    env.cxs(&["delete", "--delete-branch", "s"]).success();
    assert_eq!(git(&env, &repo, &["branch", "--list", "cxs/*"]), "");
}

#[test]
fn a_conflicting_merge_changes_nothing() {
    let env = TestEnv::new();
    let repo = repository(&env);
    finished(&env, &repo, "c", "echo agent > README; git commit -qam agent");
    std::fs::write(repo.join("README"), "user\n").unwrap();
    git(&env, &repo, &["commit", "-qam", "user"]);
    let head = git(&env, &repo, &["rev-parse", "HEAD", "cxs/c"]);
    let refused = env.cxs(&["merge", "c"]).fails(1);
    assert!(refused.contains("conflicts in README"), "{refused}");
    let refused = env.cxs(&["merge", "--rebase", "c"]).fails(1);
    assert!(refused.contains("nothing changed"), "{refused}");
    assert_eq!(git(&env, &repo, &["rev-parse", "HEAD", "cxs/c"]), head);
    assert_eq!(git(&env, &repo, &["status", "--porcelain"]), "");
    assert_eq!(git(&env, &env.home().join("worktrees/c"), &["status", "--porcelain"]), "");
    assert_eq!(std::fs::read_to_string(repo.join("README")).unwrap(), "user\n");
    // With --commit, refused after committing: the agent's work is uncommitted again.
    let wt = env.home().join("worktrees/c");
    std::fs::write(wt.join("more.txt"), "more\n").unwrap();
    let refused = env.cxs(&["merge", "--commit", "more", "c"]).fails(1);
    assert!(refused.contains("conflicts in README"), "{refused}");
    assert_eq!(git(&env, &repo, &["rev-parse", "HEAD", "cxs/c"]), head);
    assert_eq!(git(&env, &wt, &["status", "--porcelain"]), "?? more.txt\n");
    env.cxs(&["delete", "--force", "c"]).success();
    // The branch, and the agent's commit on it, stay.
    assert_eq!(git(&env, &repo, &["branch", "--list", "cxs/c"]).trim(), "cxs/c");
}

#[test]
fn copy_and_setup_run_and_a_failing_setup_leaves_nothing() {
    let env = TestEnv::new();
    let repo = repository(&env);
    let config = env.root().join(".config/cxs/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let key = toml_string(&repo);
    std::fs::write(
        &config,
        format!(
            "[repos.{key}]\ncopy = [\".env\"]\nsetup = [\"sh\", \"-c\", \"echo set up > ready\"]\n"
        ),
    )
    .unwrap();
    finished(&env, &repo, "ok", "cat .env ready");
    env.wait_for_log("ok", "SECRET=1");
    env.wait_for_log("ok", "set up");
    // The setup's own files are the agent's work now: delete --force.
    env.cxs(&["delete", "--force", "ok"]).success();

    std::fs::write(
        &config,
        format!("[repos.{key}]\nsetup = [\"sh\", \"-c\", \"echo it broke >&2; exit 3\"]\n"),
    )
    .unwrap();
    let r = repo.to_str().unwrap();
    let failed = env.cxs(&["new", "--worktree", "-C", r, "--id", "bad", "cmd", "true"]).fails(1);
    assert!(failed.contains("it broke"), "{failed}");
    assert!(failed.contains("set-up `sh -c echo it broke >&2; exit 3` failed"), "{failed}");
    assert!(!env.session_dir("bad").exists());
    assert!(!env.home().join("worktrees/bad").exists());
    assert_eq!(git(&env, &repo, &["branch", "--list", "cxs/bad"]), "");
    assert_eq!(env.tmux_sessions(), ["user-own"]);
}

#[test]
fn a_repositorys_own_setup_runs_only_when_trusted() {
    let env = TestEnv::new();
    let repo = repository(&env);
    std::fs::write(repo.join(".cxs.toml"), "setup = [\"touch\", \"ran\"]\n").unwrap();
    git(&env, &repo, &["add", ".cxs.toml"]);
    git(&env, &repo, &["commit", "-qm", "cxs"]);
    let r = repo.to_str().unwrap();
    let (_, warned) =
        env.cxs(&["new", "--worktree", "-C", r, "--id", "u", "cmd", "true"]).success_with_stderr();
    assert!(warned.contains("not running the set-up"), "{warned}");
    assert!(!env.home().join("worktrees/u/ran").exists());
    let config = env.root().join(".config/cxs/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, format!("[repos.{}]\ntrust = true\n", toml_string(&repo))).unwrap();
    env.cxs(&["new", "--worktree", "-C", r, "--id", "t", "cmd", "true"]).success();
    assert!(env.home().join("worktrees/t/ran").exists());
}

#[test]
fn gits_own_errors_and_nothing_left_behind() {
    let env = TestEnv::new();
    let repo = repository(&env);
    let r = repo.to_str().unwrap();
    let not_repo = env.cxs(&["new", "--worktree", "--id", "n", "cmd", "true"]).fails(1);
    assert!(not_repo.contains("is not in a git repository"), "{not_repo}");
    let bad_base =
        env.cxs(&["new", "--worktree", "-C", r, "--base", "nope", "cmd", "true"]).fails(1);
    assert!(bad_base.contains("'nope' does not name a commit"), "{bad_base}");
    git(&env, &repo, &["branch", "taken"]);
    let taken = env
        .cxs(&["new", "--worktree", "-C", r, "--branch", "taken", "--id", "t", "cmd", "true"])
        .fails(1);
    assert!(taken.contains("a branch named 'taken' already exists"), "{taken}");
    assert_eq!(std::fs::read_dir(env.home().join("sessions")).map_or(0, Iterator::count), 0);
    assert_eq!(std::fs::read_dir(env.home().join("worktrees")).map_or(0, Iterator::count), 0);
    assert_eq!(env.tmux_sessions(), ["user-own"]);
}

#[test]
fn a_repository_that_went_away_is_a_clear_message_and_force_cleans_up() {
    let env = TestEnv::new();
    let repo = repository(&env);
    finished(&env, &repo, "gone", "true");
    std::fs::rename(&repo, env.work().join("moved")).unwrap();
    let refused = env.cxs(&["delete", "gone"]).fails(1);
    assert!(refused.contains("is gone (moved or deleted)"), "{refused}");
    let (_, warned) = env.cxs(&["delete", "--force", "gone"]).success_with_stderr();
    assert!(warned.contains("removing cxs's side only"), "{warned}");
    assert!(!env.session_dir("gone").exists());
    assert!(!env.home().join("worktrees/gone").exists());
}

/// `path` as a TOML basic string.
fn toml_string(path: &Path) -> String {
    format!("\"{}\"", path.to_str().unwrap().replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn uncommitted_changes_stay_in_the_checkout_unless_carried_over() {
    let env = TestEnv::new();
    let repo = repository(&env);
    std::fs::write(repo.join("README"), "edited\n").unwrap();
    std::fs::write(repo.join("notes.txt"), "mine\n").unwrap();
    let r = repo.to_str().unwrap();
    env.cxs(&["new", "--worktree", "-C", r, "--id", "clean", "cmd", "true"]).success();
    let clean = env.home().join("worktrees/clean");
    assert_eq!(std::fs::read_to_string(clean.join("README")).unwrap(), "hello\n");
    assert!(!clean.join("notes.txt").exists());
    env.cxs(&["new", "--worktree", "--include-dirty", "-C", r, "--id", "dirty", "cmd", "true"])
        .success();
    let dirty = env.home().join("worktrees/dirty");
    assert_eq!(std::fs::read_to_string(dirty.join("README")).unwrap(), "edited\n");
    assert_eq!(std::fs::read_to_string(dirty.join("notes.txt")).unwrap(), "mine\n");
    // Carried over, not moved: the checkout keeps its changes.
    assert_eq!(git(&env, &repo, &["status", "--porcelain"]), " M README\n?? notes.txt\n");
}
