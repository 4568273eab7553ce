//! The command line, as clap types only: doc comments here become `--help`, completions and
//! the man page, so they are written for the person reading those.

use std::path::PathBuf;

use std::ffi::OsString;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use clap_complete::ArgValueCandidates;

use crate::agent::{Approval, Sandbox};
use crate::env::session_ids;

use crate::session::Selector;
use crate::store::SessionId;

/// Run AI coding agents as background tmux sessions.
#[derive(Debug, Parser)]
#[command(name = "cxs", version, about, max_term_width = 100)]
#[command(after_help = "Environment:\n  \
    CXS_HOME         state directory (default $XDG_STATE_HOME/cxs or ~/.local/state/cxs)\n  \
    CXS_TMUX_SOCKET  tmux socket name for new sessions, passed as `tmux -L NAME` (default: the\n                   \
    server you are in, else your default one)\n  \
    CXS_CODEX_BIN    codex binary to run (default: `codex` on PATH)\n  \
    CXS_CONFIG       configuration file (default $XDG_CONFIG_HOME/cxs/config.toml)\n  \
    CXS_HOST         run every command on this configured host, as --host does\n  \
    CXS_TRACE        print every tmux call to stderr as `+ tmux ...` when set to 1\n  \
    CXS_TMUX_TIMEOUT how long a tmux call may take before it is an error (default 10s)")]
pub struct Cli {
    /// Run the command on this configured host (`[hosts.NAME]`), over ssh; also `CXS_HOST`.
    /// A selector `NAME:ID` (`gpu1:0`) names a session there the same way.
    #[arg(long, value_name = "NAME", global = true, help_heading = "Global options")]
    pub host: Option<String>,
    /// With a host: give the remote cxs this variable's value from here (repeatable). Values
    /// go through ssh's standard input, never on a command line.
    #[arg(long = "env", value_name = "NAME", global = true, help_heading = "Global options")]
    pub forward: Vec<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs of cxs.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // one value per process: boxing would buy nothing
pub enum Command {
    /// Start an agent in a new detached tmux session and print its id.
    #[command(visible_alias = "create")]
    New(New),
    /// List sessions, newest first.
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Attach to a session's tmux session (switches client when already inside tmux).
    Attach(AttachArgs),
    /// Print a session's log.
    Logs(LogsArgs),
    /// Kill sessions and remove their state.
    #[command(visible_alias = "rm")]
    Delete(DeleteArgs),
    /// Start lost or exited sessions again, in place, in the same conversation.
    Resume(ResumeArgs),
    /// Print what happened to sessions: created, running, turn-ended, waiting, exited, ...
    Events(EventsArgs),
    /// Give a session another id.
    Rename(RenameArgs),
    /// Sum the tokens agents spent, over all sessions, deleted ones included.
    Usage(UsageArgs),
    /// Show what a worktree session's agent changed against its base, committed or not.
    Diff(DiffArgs),
    /// Merge a worktree session's branch into a branch of its repository.
    Merge(MergeArgs),
    /// Send text to a running session and submit it.
    Send(SendArgs),
    /// Wait until sessions' agents exit, and exit with the agent's status.
    Wait(WaitArgs),
    /// Print what a session's pane shows now.
    Capture(CaptureArgs),
    /// List the agents `new` can start and whether each is installed.
    Agents,
    /// Print tmux key bindings and a status-line segment for ~/.tmux.conf.
    #[command(name = "tmux-conf")]
    TmuxConf(TmuxConfArgs),
    /// Print a short count of running and waiting sessions, for tmux's status line.
    #[command(name = "status-line")]
    StatusLine(StatusLineArgs),
    /// List the configured hosts: reachable or not, their cxs and tmux, round-trip time.
    Hosts(HostsArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write it and every subcommand's page into a directory.
    Man(ManArgs),
}

/// `cxs new`: the session's options (before or after the agent's name), then what to run.
#[derive(Debug, Args)]
#[command(subcommand_required = true)]
pub struct New {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub options: NewArgs,
    #[command(subcommand)]
    #[allow(missing_docs)]
    pub kind: NewCommand,
}

/// The kinds of session `new` can start.
#[derive(Debug, Subcommand)]
#[command(after_help = "Other agents: cxs new [SESSION OPTIONS] NAME [ARGS]... starts a \
    built-in (claude, aider, gemini) or configured agent; see `cxs agents`. Session options go \
    before the agent's name or after it.")]
pub enum NewCommand {
    /// A one-shot `codex exec` run.
    // The prompt is optional to clap only so that a prompt put after `--` gets an error that
    // says where it goes.
    #[command(override_usage = "cxs new exec [OPTIONS] <PROMPT> [-- <AGENT_ARGS>...]")]
    Exec(ExecArgs),
    /// The interactive Codex TUI.
    Repl(ReplArgs),
    /// Any command: a program and its arguments.
    Cmd(CmdArgs),
    /// A built-in or configured agent by name.
    #[command(external_subcommand)]
    Agent(Vec<OsString>),
}

/// Flags every new session takes, before the agent's name or after it.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Session options")]
pub struct NewArgs {
    /// Session id (1-64 of A-Z a-z 0-9 _ -, not all digits); default: a fresh petname.
    #[arg(long, value_name = "ID", global = true)]
    pub id: Option<SessionId>,
    /// Working directory of the agent (default: the current one); with --worktree, the
    /// repository to branch from.
    #[arg(short = 'C', long = "cd", value_name = "DIR", global = true)]
    pub cd: Option<PathBuf>,
    /// Attach to the session once it started (switch to it inside tmux).
    #[arg(long, global = true)]
    pub attach: bool,
    /// Rotate the log past this size (e.g. 256M), keeping the previous part as `log.1`.
    #[arg(long, value_name = "SIZE", value_parser = crate::config::parse_size, global = true)]
    pub max_log: Option<u64>,
    /// Run the agent in a new git worktree of the repository, on a new branch.
    #[arg(long, global = true)]
    pub worktree: bool,
    /// The worktree's new branch (default: cxs/ID).
    #[arg(long, value_name = "NAME", requires = "worktree", global = true)]
    pub branch: Option<String>,
    /// The commit the worktree's branch starts from (default: HEAD).
    #[arg(long, value_name = "REF", requires = "worktree", global = true)]
    pub base: Option<String>,
    /// Carry the repository's uncommitted changes (and untracked files) into the worktree.
    #[arg(long, requires = "worktree", global = true)]
    pub include_dirty: bool,
}

impl NewArgs {
    /// These options with `later`'s (given after the agent's name) added; as for the other
    /// kinds, an option given on both sides takes the later value.
    pub fn merge(self, later: NewArgs) -> NewArgs {
        NewArgs {
            id: later.id.or(self.id),
            cd: later.cd.or(self.cd),
            attach: self.attach || later.attach,
            max_log: later.max_log.or(self.max_log),
            worktree: self.worktree || later.worktree,
            branch: later.branch.or(self.branch),
            base: later.base.or(self.base),
            include_dirty: self.include_dirty || later.include_dirty,
        }
    }
}

/// Flags shared by `codex exec` and the `codex` TUI, forwarded only when given.
#[derive(Debug, Args)]
pub struct CodexArgs {
    /// Model the agent should use.
    #[arg(short = 'm', long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Image to attach to the first prompt (repeat for several).
    #[arg(short = 'i', long = "image", value_name = "FILE")]
    pub images: Vec<PathBuf>,
    /// Sandbox policy for commands the model runs.
    #[arg(short = 's', long, value_name = "MODE")]
    pub sandbox: Option<Sandbox>,
    /// Configuration profile from codex's config.toml.
    #[arg(short = 'p', long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Override a codex configuration value (repeat for several).
    #[arg(short = 'c', long = "config", value_name = "KEY=VALUE", value_parser = parse_config)]
    pub config: Vec<String>,
    /// Use the local open-source model provider.
    #[arg(long)]
    pub oss: bool,
}

/// `cxs new exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub codex: CodexArgs,
    /// Allow running outside a git repository.
    #[arg(long)]
    pub skip_git_repo_check: bool,
    /// Print events as JSON lines.
    #[arg(long)]
    pub json: bool,
    /// File to write the agent's last message to.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_last_message: Option<PathBuf>,
    /// The task for the agent; required, and before `--` (what follows `--` goes to codex as it
    /// is); `-` reads it from standard input.
    #[arg(value_name = "PROMPT", allow_hyphen_values = true)]
    pub prompt: Option<String>,
    /// Read the prompt from this file (for a prompt that reads as a flag, or a long one).
    #[arg(long, value_name = "FILE", conflicts_with = "prompt")]
    pub prompt_file: Option<PathBuf>,
    /// Extra arguments passed to the agent verbatim.
    #[arg(last = true, value_name = "AGENT_ARGS")]
    pub extra: Vec<String>,
}

/// `cxs new repl`.
#[derive(Debug, Args)]
pub struct ReplArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub codex: CodexArgs,
    /// When the agent asks before running a command.
    #[arg(short = 'a', long, value_name = "POLICY")]
    pub ask_for_approval: Option<Approval>,
    /// Enable web search.
    #[arg(long)]
    pub search: bool,
    /// First message for the agent; `-` reads it from standard input.
    #[arg(value_name = "PROMPT", allow_hyphen_values = true)]
    pub prompt: Option<String>,
    /// Read the first message from this file.
    #[arg(long, value_name = "FILE", conflicts_with = "prompt")]
    pub prompt_file: Option<PathBuf>,
    /// Extra arguments passed to the agent verbatim.
    #[arg(last = true, value_name = "AGENT_ARGS")]
    pub extra: Vec<String>,
}

/// `cxs new cmd`.
#[derive(Debug, Args)]
pub struct CmdArgs {
    /// The program and its arguments (`--` before them is optional).
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGV"
    )]
    pub argv: Vec<String>,
}

/// `cxs new NAME`: the flags of a named agent, parsed after its name.
#[derive(Debug, Parser)]
#[command(name = "cxs new NAME", no_binary_name = true)]
pub struct AgentArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub new: NewArgs,
    /// Arguments passed to the agent verbatim.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "ARGS")]
    pub args: Vec<String>,
}

/// `cxs list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print the rows as a JSON array.
    #[arg(long)]
    pub json: bool,
    /// Redraw the table every second until interrupted.
    #[arg(short = 'w', long, conflicts_with = "json")]
    pub watch: bool,
    /// Only sessions with this status (repeat for several).
    #[arg(long, value_enum, value_name = "STATUS")]
    pub status: Vec<StatusName>,
    /// Only sessions of this kind (exec, repl, cmd, or an agent's name).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Every configured host's sessions too, in one table with a HOST column.
    #[arg(long)]
    pub all: bool,
}

impl ListArgs {
    /// Whether `--status` and `--kind` keep a session of this status and kind.
    pub fn keeps(&self, status: &str, kind: Option<&String>) -> bool {
        (self.status.is_empty() || self.status.iter().any(|s| s.as_str() == status))
            && self.kind.as_ref().is_none_or(|wanted| kind == Some(wanted))
    }
}

/// A session status, as `list --status` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusName {
    /// The agent works.
    Running,
    /// The agent waits for you.
    Waiting,
    /// The agent ended.
    Exited,
    /// tmux lost the session without an exit recorded.
    Lost,
    /// The session's record cannot be read.
    Broken,
    /// The session's tmux server does not answer.
    Unreachable,
}

impl StatusName {
    /// The name `list` shows.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusName::Running => "running",
            StatusName::Waiting => "waiting",
            StatusName::Exited => "exited",
            StatusName::Lost => "lost",
            StatusName::Broken => "broken",
            StatusName::Unreachable => "unreachable",
        }
    }
}

/// `cxs attach`.
#[derive(Debug, Args)]
pub struct AttachArgs {
    /// Session: list index, id, or unique id prefix.
    #[arg(
        value_name = "SELECTOR",
        add = ArgValueCandidates::new(session_ids),
        required_unless_present = "waiting"
    )]
    pub selector: Option<Selector>,
    /// Attach to the waiting session that printed last, instead of a selected one.
    #[arg(long, conflicts_with = "selector")]
    pub waiting: bool,
    /// Attach read-only: watch without typing into the agent.
    #[arg(short = 'r', long)]
    pub read_only: bool,
}

/// `cxs logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Session: list index, id, or unique id prefix.
    #[arg(value_name = "SELECTOR", add = ArgValueCandidates::new(session_ids))]
    pub selector: Selector,
    /// Keep printing new output until the session ends.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Print only the last N lines.
    #[arg(short = 'n', long = "tail", value_name = "N")]
    pub tail: Option<usize>,
    /// Print the bytes exactly as logged, terminal escapes included.
    #[arg(long)]
    pub raw: bool,
}

/// `cxs delete`.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // each is a flag of the command line
pub struct DeleteArgs {
    /// Sessions: list indexes, ids, or unique id prefixes.
    #[arg(
        value_name = "SELECTOR",
        required_unless_present_any = ["exited", "lost"],
        add = ArgValueCandidates::new(session_ids)
    )]
    pub selectors: Vec<Selector>,
    /// Every exited session too (their tmux sessions, kept to show how they ended, go).
    #[arg(long)]
    pub exited: bool,
    /// Every lost session too.
    #[arg(long)]
    pub lost: bool,
    /// Delete worktree sessions even with uncommitted changes or unmerged commits (the
    /// branch, and so its commits, is kept).
    #[arg(long)]
    pub force: bool,
    /// Delete a worktree session's branch too, when no commit is only on it.
    #[arg(long)]
    pub delete_branch: bool,
}

/// `cxs resume`.
#[derive(Debug, Args)]
#[command(after_help = "Codex sessions continue their conversation (`codex resume ID`, `codex \
    exec resume ID PROMPT`); an exec run needs a PROMPT. Sessions of agents without a recorded \
    conversation start their command again, as --plan shows.")]
pub struct ResumeArgs {
    /// The session (list index, id, or unique id prefix), then the prompt to continue with;
    /// with --all, only the prompt.
    #[arg(value_name = "SELECTOR [PROMPT]", num_args = 0..=2, add = ArgValueCandidates::new(session_ids))]
    pub args: Vec<String>,
    /// Resume every lost session (after a reboot, or `tmux kill-server`).
    #[arg(long)]
    pub all: bool,
    /// Print what would run for each session (argv and directory), and change nothing.
    #[arg(long)]
    pub plan: bool,
}

/// `cxs events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Only these sessions: list indexes, ids, or id prefixes (deleted sessions' too).
    #[arg(value_name = "SELECTOR", add = ArgValueCandidates::new(session_ids))]
    pub selectors: Vec<Selector>,
    /// Keep printing events as they happen.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Every configured host's events too, with a host column (`host` in JSON).
    #[arg(long, conflicts_with = "selectors")]
    pub all: bool,
    /// Print the events as JSON lines, as journaled.
    #[arg(long)]
    pub json: bool,
    /// Only events since then: a time (2026-12-03T14:00:00Z, 2026-12-03) or how long ago
    /// (10m, 2h).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
}

/// `cxs rename`.
#[derive(Debug, Args)]
pub struct RenameArgs {
    /// The session: list index, id, or unique id prefix.
    #[arg(value_name = "SELECTOR", add = ArgValueCandidates::new(session_ids))]
    pub selector: Selector,
    /// Its new id (1-64 of A-Z a-z 0-9 _ -, not all digits).
    #[arg(value_name = "NEW")]
    pub new: SessionId,
}

/// `cxs usage`.
#[derive(Debug, Args)]
#[command(after_help = "Counts are what each agent recorded (Codex's rollout files); a session's \
    tokens are counted on the day it was created.")]
pub struct UsageArgs {
    /// Only sessions created on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<chrono::NaiveDate>,
    /// What each row sums over.
    #[arg(long, value_enum, default_value_t = By::Session)]
    pub by: By,
    /// Print the rows as a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// What `usage` groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// One row a session.
    Session,
    /// One row a day (the day each session was created).
    Day,
    /// One row a model.
    Model,
    /// One row a kind (exec, repl, an agent's name).
    Kind,
}

/// `cxs diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Session: list index, id, or unique id prefix.
    #[arg(value_name = "SELECTOR", add = ArgValueCandidates::new(session_ids))]
    pub selector: Selector,
    /// Only a summary of the files changed, as `git diff --stat`.
    #[arg(long, conflicts_with = "name_only")]
    pub stat: bool,
    /// Only the names of the files changed.
    #[arg(long)]
    pub name_only: bool,
}

/// `cxs merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Session: list index, id, or unique id prefix.
    #[arg(value_name = "SELECTOR", add = ArgValueCandidates::new(session_ids))]
    pub selector: Selector,
    /// The branch to merge into (default: the one checked out in the session's repository);
    /// it must be checked out somewhere, and clean.
    #[arg(long, value_name = "BRANCH")]
    pub into: Option<String>,
    /// One commit with all the session's changes, instead of a merge.
    #[arg(long, conflicts_with = "rebase")]
    pub squash: bool,
    /// Replay the session's commits onto the branch, then fast-forward it.
    #[arg(long)]
    pub rebase: bool,
    /// Commit the agent's uncommitted changes first, with this message.
    #[arg(long, value_name = "MSG")]
    pub commit: Option<String>,
    /// Merge even while the agent is still running.
    #[arg(long)]
    pub force: bool,
}

/// `cxs send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Session: list index, id, or unique id prefix.
    #[arg(value_name = "SELECTOR", add = ArgValueCandidates::new(session_ids))]
    pub selector: Selector,
    /// Text to send; `-` reads it from standard input.
    #[arg(value_name = "TEXT", allow_hyphen_values = true)]
    pub text: String,
    /// Type the text without submitting it.
    #[arg(long, conflicts_with = "wait")]
    pub no_enter: bool,
    /// Wait for the turn this starts to end, then print the agent's last message (Codex's
    /// and Claude Code's, from their hooks; other agents' screen once it waits again).
    #[arg(long)]
    pub wait: bool,
    /// With --wait: give up after this long (e.g. 30s, 5m) and exit with status 124.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "wait")]
    pub timeout: Option<Duration>,
    /// How long a TUI agent has to take the input (its screen leaves its waiting state, or
    /// it reports a turn) before Enter is pressed once more, and then the send fails; 0 does
    /// not check.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "3s")]
    pub confirm_timeout: Duration,
}

/// `cxs wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Sessions: list indexes, ids, or unique id prefixes.
    #[arg(value_name = "SELECTOR", required = true, add = ArgValueCandidates::new(session_ids))]
    pub selectors: Vec<Selector>,
    /// Give up after this long (e.g. 30s, 5m) and exit with status 124.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// What to wait for: the agents' exit, or their waiting for you (a turn's end, a
    /// question); an agent that exits first ends the wait too.
    #[arg(long, value_enum, default_value_t = Until::Exited)]
    pub until: Until,
}

/// What `wait` waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Until {
    /// The agent exited.
    Exited,
    /// The agent waits for the user.
    Waiting,
}

/// `cxs capture`.
#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// Session: list index, id, or unique id prefix.
    #[arg(value_name = "SELECTOR", add = ArgValueCandidates::new(session_ids))]
    pub selector: Selector,
    /// Lines of history to include above the visible screen.
    #[arg(short = 'n', long, value_name = "LINES", default_value_t = 0)]
    pub lines: usize,
    /// Keep colors and other escape sequences.
    #[arg(long)]
    pub ansi: bool,
}

/// `cxs tmux-conf`.
#[derive(Debug, Args)]
pub struct TmuxConfArgs {
    /// Key pressed after the prefix to reach cxs's bindings.
    #[arg(long, value_name = "KEY", default_value = "a")]
    pub key: String,
    /// Bake this variable's current value into the bindings (e.g. `CXS_HOME` when tmux's own
    /// environment lacks it); repeatable.
    #[arg(long, value_name = "VAR")]
    pub carry: Vec<String>,
}

/// `cxs man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write cxs.1 and the subcommands' pages (cxs-new.1, ...) here, creating it if needed.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

impl Command {
    /// The sessions this command line names, in the order given.
    pub fn selectors(&mut self) -> Vec<Selector> {
        let mut found = Vec::new();
        self.each_selector(|selector| found.push(selector.clone()));
        found
    }

    /// Takes `HOST:` off the selectors that name `host`: run on that host, they are its own.
    pub fn localize(&mut self, host: &str) {
        self.each_selector(|selector| {
            if let Selector::OnHost(named, inner) = selector
                && named == host
            {
                *selector = (**inner).clone();
            }
        });
    }

    /// Hands `visit` each selector of the command line, in order, to read or change.
    fn each_selector(&mut self, mut visit: impl FnMut(&mut Selector)) {
        match self {
            Command::Attach(args) => args.selector.iter_mut().for_each(visit),
            Command::Logs(LogsArgs { selector, .. })
            | Command::Rename(RenameArgs { selector, .. })
            | Command::Diff(DiffArgs { selector, .. })
            | Command::Merge(MergeArgs { selector, .. })
            | Command::Send(SendArgs { selector, .. })
            | Command::Capture(CaptureArgs { selector, .. }) => visit(selector),
            Command::Delete(DeleteArgs { selectors, .. })
            | Command::Events(EventsArgs { selectors, .. })
            | Command::Wait(WaitArgs { selectors, .. }) => selectors.iter_mut().for_each(visit),
            // Resume takes its selector as text, since it may be a prompt under --all.
            Command::Resume(args) if !args.all => {
                if let Some(first) = args.args.first_mut()
                    && let Ok(mut selector) = first.parse::<Selector>()
                {
                    visit(&mut selector);
                    *first = selector.to_string();
                }
            }
            _ => {}
        }
    }
}

/// `cxs status-line`.
#[derive(Debug, Args)]
pub struct StatusLineArgs {
    /// Count every configured host's sessions too (one ssh call per host, at once).
    #[arg(long)]
    pub all: bool,
}

/// `cxs hosts`.
#[derive(Debug, Args)]
pub struct HostsArgs {
    /// What to do with them (default: list them).
    #[command(subcommand)]
    pub action: Option<HostsAction>,
}

/// What `cxs hosts` can do besides listing.
#[derive(Debug, Subcommand)]
pub enum HostsAction {
    /// Copy this cxs to a host (a versioned path in its state directory), checksum verified.
    Install {
        /// The configured host.
        #[arg(value_name = "NAME")]
        name: String,
    },
}

/// `cxs completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to print the script for.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

fn parse_duration(value: &str) -> Result<Duration, String> {
    // A bare number means seconds, as in `sleep` and `timeout`.
    match value.parse::<u64>() {
        Ok(seconds) => Ok(Duration::from_secs(seconds)),
        Err(_) => humantime::parse_duration(value).map_err(|e| e.to_string()),
    }
}

fn parse_config(value: &str) -> Result<String, String> {
    match value.split_once('=') {
        Some((key, _)) if !key.trim().is_empty() => Ok(value.to_owned()),
        _ => Err("expected KEY=VALUE".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
