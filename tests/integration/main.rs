//! Integration tests: the real `cxs` binary against a real tmux server on a private socket.
//! All in one test binary, which builds faster than one per file.

mod common;
mod model;

mod agents;
mod attach;
mod claude;
mod codex;
mod delete;
mod drive;
mod environment;
mod events;
mod faults;
mod help;
mod list;
mod logs;
mod new;
mod remote;
mod resume;
mod tidy;
mod tmux_conf;
mod trace;
mod turns;
mod worktree;

#[test]
fn every_test_file_is_compiled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(module) = name.strip_suffix(".rs").filter(|m| *m != "main") {
            assert!(
                main.contains(&format!("mod {module};")),
                "tests/integration/{name} is not in main.rs"
            );
        }
    }
}
