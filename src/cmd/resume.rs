//! `cxs resume`: a lost or exited session starts again in place (same id, directory, flags
//! and kind), its agent continuing the same conversation.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::Utc;

use super::new::{self, Plan};
use crate::agent::{self, Kind, Launch};
use crate::caller::Caller;
use crate::catalog;
use crate::cli::ResumeArgs;
use crate::env::Env;
use crate::events::{self, Event};
use crate::hidden;
use crate::quote;
use crate::session::{self, Selector, Session, Status};
use crate::store::{self, First, SessionId, Sidecar};

/// Resumes the chosen sessions (every lost one with `--all`), or prints what would run.
pub fn run(args: &ResumeArgs) -> Result<()> {
    // Read before any tmux call, which raises this process's limit on open files.
    let caller = Caller::current();
    let env = Env::load()?;
    let (selector, prompt) = match (args.all, args.args.as_slice()) {
        (true, [] | [_]) => (None, args.args.first()),
        (true, _) => bail!("--all takes at most a PROMPT, no selector"),
        (false, [selector, rest @ ..]) => (Some(selector.parse::<Selector>()?), rest.first()),
        (false, []) => bail!("name a session to resume, or pass --all"),
    };
    let sessions = env.sessions()?;
    session::note_lost(&sessions.iter().collect::<Vec<_>>());
    let chosen: Vec<&Session> = match &selector {
        Some(selector) => vec![session::resolve(&sessions, selector)?],
        None => sessions.iter().filter(|s| s.status == Status::Lost).collect(),
    };
    let agents = catalog::all(&env.config)?;
    // Every session is planned before any starts: one that cannot be resumed stops all.
    let plans: Vec<Again> = chosen
        .iter()
        .map(|session| again(session, prompt.map(String::as_str), &agents))
        .collect::<Result<_>>()?;
    let mut out = std::io::stdout().lock();
    if args.plan {
        for plan in &plans {
            let argv: Vec<OsString> = plan.launch.argv.iter().map(OsString::from).collect();
            writeln!(out, "{}\t{}\t{}", plan.id, plan.how, plan.cwd.display())?;
            writeln!(out, "  {}", quote::sh_display(&argv))?;
            for note in &plan.notes {
                writeln!(out, "  note: {note}")?;
            }
        }
        return Ok(());
    }
    let exe = std::env::current_exe().context("cannot find the cxs executable")?;
    for (session, plan) in chosen.iter().zip(plans) {
        for note in &plan.notes {
            eprintln!("cxs: session '{}': {note}", plan.id);
        }
        restart(&env, &agents, session, &plan, &exe, caller.clone())
            .with_context(|| format!("cannot resume session '{}'", session.id))?;
        writeln!(out, "{}", session.id)?;
        out.flush()?;
    }
    Ok(())
}

/// How one session starts again.
struct Again {
    id: SessionId,
    launch: Launch,
    cwd: PathBuf,
    /// What continues: the conversation, or the command afresh.
    how: String,
    /// What the user should know: flags not carried over, a fresh start.
    notes: Vec<String>,
}

/// Plans `session`'s restart: Codex resumes its recorded conversation; other agents start
/// their command again.
fn again(session: &Session, prompt: Option<&str>, agents: &[catalog::Agent]) -> Result<Again> {
    let id = &session.id;
    match &session.status {
        Status::Lost | Status::Exited(_) => {}
        Status::Running | Status::Waiting => bail!("session '{id}' is running: nothing to resume"),
        Status::Unreachable(_) => bail!("{:#}", session.pane().unwrap_err()),
        Status::Broken => bail!("session '{id}' has no readable record: it cannot be resumed"),
    }
    let sidecar =
        session.sidecar.as_ref().map_err(|why| anyhow::anyhow!("session '{id}': {why}"))?;
    if !sidecar.cwd.is_dir() {
        bail!("session '{id}': its directory {} is gone", sidecar.cwd.display());
    }
    let mut notes = Vec::new();
    // Every resume starts from what `new` built, never from the last resume's argv.
    let (first_argv, first_prompt) = match &sidecar.first {
        Some(first) => (&first.argv, first.prompt.is_some()),
        None => (&sidecar.argv, sidecar.prompt.is_some()),
    };
    let (argv, how) = match &sidecar.kind {
        kind @ (Kind::Exec | Kind::Repl) => {
            let conversation = sidecar.conversation.as_deref().with_context(|| {
                format!(
                    "session '{id}' has no recorded conversation (Codex reports it when a turn \
                     ends): nothing to resume"
                )
            })?;
            let (mut argv, images) =
                agent::resume_codex(kind, first_argv, first_prompt, conversation, prompt)
                    .with_context(|| format!("session '{id}'"))?;
            let exe = std::env::current_exe().context("cannot find the cxs executable")?;
            if let Some(hook) = hidden::notify_hook(&exe, session.dir.path()) {
                agent::refresh_notify(&mut argv, &hook)?;
            }
            if !images.is_empty() {
                notes.push(format!(
                    "the first prompt's images ({}) are in the conversation already: not sent again",
                    images.join(", ")
                ));
            }
            (argv, format!("resumes conversation {conversation}"))
        }
        Kind::Agent(name) => {
            let agent = agents
                .iter()
                .find(|a| &a.name == name)
                .with_context(|| format!("session '{id}': agent '{name}' is no longer defined"))?;
            match (agent.resume.is_empty(), conversation(session, sidecar, agent)) {
                (false, Some(conversation)) => {
                    // The command, and the settings cxs put after it for Claude's hooks.
                    let settings =
                        first_argv.get(agent.command.len()).is_some_and(|a| a == "--settings");
                    let lead = agent.command.len() + if settings { 2 } else { 0 };
                    let (mut argv, first) =
                        agent::resume_named(first_argv, lead, &agent.resume, &conversation, prompt);
                    // The hooks run the cxs of now, which may have moved since.
                    let exe = std::env::current_exe().context("cannot find the cxs executable")?;
                    if settings && let Some(hook) = hidden::claude_hook(&exe, session.dir.path()) {
                        argv[lead - 1] = agent::claude_settings(&hook);
                    }
                    if let Some(first) = first {
                        notes.push(format!("the first prompt ({first}) is in the conversation already: not sent again"));
                    }
                    (argv, format!("resumes conversation {conversation}"))
                }
                (false, None) => bail!(
                    "session '{id}' has no recorded conversation ({name} had not reported one): nothing to resume"
                ),
                (true, _) => again_fresh(id, sidecar, prompt, &mut notes)?,
            }
        }
        Kind::Cmd => again_fresh(id, sidecar, prompt, &mut notes)?,
    };
    let env = match &sidecar.kind {
        Kind::Agent(name) => agents.iter().find(|a| &a.name == name).map(|a| a.env.clone()),
        _ => None,
    };
    Ok(Again {
        id: id.parse()?,
        launch: Launch {
            kind: sidecar.kind.clone(),
            argv,
            prompt: prompt.map(str::to_owned).or_else(|| sidecar.prompt.clone()),
            env: env.unwrap_or_default(),
        },
        cwd: sidecar.cwd.clone(),
        how,
        notes,
    })
}

/// A session whose agent has no conversation to resume: its command starts again.
fn again_fresh(
    id: &str,
    sidecar: &Sidecar,
    prompt: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<(Vec<String>, String)> {
    if prompt.is_some() {
        bail!("session '{id}' ({}) has no conversation to give a PROMPT to", sidecar.kind);
    }
    notes.push("no conversation to resume: its command starts again".to_owned());
    let argv = sidecar.first.as_ref().map_or(&sidecar.argv, |first| &first.argv);
    Ok((argv.clone(), "starts again".to_owned()))
}

/// The conversation a session's agent is in: as recorded (Claude's hooks), else found by the
/// agent's regex, last matched in the session's log.
fn conversation(session: &Session, sidecar: &Sidecar, agent: &catalog::Agent) -> Option<String> {
    if let Some(recorded) = &sidecar.conversation {
        return Some(recorded.clone());
    }
    let catalog::Conversation::Log(regex) = &agent.conversation else {
        return None;
    };
    let log = std::fs::read(session.dir.log()).ok()?;
    let text = String::from_utf8_lossy(&log);
    regex.captures_iter(&text).last()?.get(1).map(|m| m.as_str().to_owned())
}

/// Starts `session` again as planned: its old tmux session (kept by `remain-on-exit`) goes,
/// the log gets a separator, and the sidecar takes the new argv once tmux has the session.
fn restart(
    env: &Env,
    agents: &[catalog::Agent],
    session: &Session,
    plan: &Again,
    exe: &std::path::Path,
    caller: Caller,
) -> Result<()> {
    let dir = &session.dir;
    let lock = dir.lock()?;
    let old = dir.read()?;
    if let Some(pane) = &session.pane {
        session.tmux.kill(&[&pane.name])?;
    }
    let resumed = old.resumed + 1;
    // Lost no more: if it is lost again, that is journaled again.
    let _ = std::fs::remove_file(dir.path().join("lost"));
    separate(dir, resumed, &plan.how)?;
    let sidecar = Sidecar {
        argv: plan.launch.argv.clone(),
        prompt: plan.launch.prompt.clone(),
        pid: None,
        exit_code: None,
        finished: None,
        turn_ended: None,
        input_sent: None,
        resumed,
        server: Some(session.tmux.socket()),
        first: old
            .first
            .clone()
            .or_else(|| Some(First { argv: old.argv.clone(), prompt: old.prompt.clone() })),
        ..old
    };
    let max_log = sidecar.max_log.or(env.config.defaults.max_log).unwrap_or(store::DEFAULT_MAX_LOG);
    let plan_for_tmux = Plan {
        launch: &plan.launch,
        cwd: &plan.cwd,
        runner: exe,
        max_log,
        chained: sidecar.chained_notify.clone(),
        name: &session.name,
        caller,
        worktree: sidecar.worktree.as_ref(),
        watch_silence: new::watches_silence(
            agents,
            &sidecar.kind,
            hidden::reports_turns(&sidecar.argv),
        ),
    };
    let started = new::start(&session.tmux, &plan.id, dir, &plan_for_tmux, &sidecar);
    if let Err(err) = started {
        new::undo(&session.tmux, &session.name, &plan.id);
        return Err(err);
    }
    drop(lock);
    events::note(dir, &sidecar, Event::now(plan.id.as_str(), sidecar.kind.as_str(), "resumed"));
    Ok(())
}

/// Appends a line to the log that marks where the resumed run's output starts.
fn separate(dir: &store::SessionDir, resumed: u32, how: &str) -> Result<()> {
    let at = Utc::now().format("%Y-%m-%d %H:%M:%S UTC");
    let line = format!("\r\n--- cxs: resumed ({resumed}) at {at}: {how} ---\r\n");
    store::append_private(&dir.log(), line.as_bytes())
}
