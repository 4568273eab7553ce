//! `cxs tmux-conf`: key bindings that make tmux itself cxs's user interface.
//!
//! Everything sits in one key table (`prefix` then `--key`), so no default binding is
//! clobbered. Typed prompts never meet a shell: tmux puts them into a session environment
//! variable (a `{ }` template's `%%` is replaced after parsing, so the text arrives as is), and the shell command only expands `"$CXS_PROMPT"` (the current
//! directory travels the same way, as `$CXS_CWD`).

use std::fmt::Write as _;
use std::io::Write;

use anyhow::{Context, Result, bail};

use crate::cli::TmuxConfArgs;
use crate::quote;

/// Prints the snippet.
pub fn run(args: &TmuxConfArgs) -> Result<()> {
    let key = &args.key;
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        bail!("invalid key '{key}': use a tmux key name such as a, C-a or F5");
    }
    let exe = std::env::current_exe().context("cannot find the cxs executable")?;
    // Only the variables asked for are baked in: the rest come from tmux's environment, as
    // for any program a binding runs.
    let mut cxs = String::new();
    for var in &args.carry {
        if !crate::environ::is_name(var) {
            bail!("invalid --carry '{var}': give a variable's name, such as CXS_HOME");
        }
        let value =
            std::env::var_os(var).with_context(|| format!("--carry {var}: it is not set"))?;
        let word = quote::sh_double_in_tmux(&value.to_string_lossy())?;
        // Writing into a String cannot fail.
        let _ = write!(cxs, "{var}={word} ");
    }
    cxs.push_str(&quote::sh_double_in_tmux(&exe.to_string_lossy())?);
    // What cxs prints, or its error, as a tmux message rather than a view of run-shell's
    // output. `tmux` reaches the server the binding runs on ($TMUX).
    // `#` doubled: display-message expands formats, and cxs's output is text, not one.
    let tell = "out=$(printf %s \"${out#error: }\" | sed \"s/#/##/g\"); \
                tmux display-message -d 4000 \"cxs: $out\"";
    let prompt = |label: &str, verb: &str| {
        format!(
            "command-prompt -p \"{label}\" {{ set-environment CXS_PROMPT \"%%\" ; \
             set-environment -F CXS_CWD \"#{{pane_current_path}}\" ; \
             run-shell 'out=$({cxs} new {verb} -C \"$CXS_CWD\" \"$CXS_PROMPT\" 2>&1); {tell}' ; \
             set-environment -u CXS_PROMPT ; set-environment -u CXS_CWD }}"
        )
    };
    // With hosts configured, the status line counts their agents too.
    let hosts = crate::config::Config::load().is_ok_and(|config| !config.hosts.is_empty());
    let status = if hosts { "status-line --all" } else { "status-line" };
    let snippet = format!(
        "# cxs key bindings, from `cxs tmux-conf`. Press prefix + {key}, then:\n\
         #   s  pick a cxs session                 e  new exec session from a prompt\n\
         #   r  new repl session, switched to     l  list sessions live (q or Esc closes)\n\
         #   w  jump to the newest waiting session\n\
         bind-key {key} switch-client -T cxs\n\
         bind-key -T cxs s choose-tree -Zs -f \"#{{@cxs-id}}\" -F \"#{{@cxs-id}}  #{{@cxs-kind}}  #{{?pane_dead,exited,running}}\"\n\
         bind-key -T cxs e {exec}\n\
         bind-key -T cxs r {repl}\n\
         bind-key -T cxs l display-popup -E -w 90% -h 60% -d \"#{{pane_current_path}}\" '{cxs} list --watch'\n\
         bind-key -T cxs w run-shell -b 'out=$({cxs} attach --waiting 2>&1) || {tell}'\n\
         # Running and waiting agents in the status line: added once, however often this is\n\
         # sourced, with room to show.\n\
         if-shell -F \"#{{m:*status-line*,#{{status-right}}}}\" {{}} {{ set-option -ag status-right ' #({cxs} {status})' }}\n\
         if-shell -F \"#{{e|<:#{{status-right-length}},80}}\" {{ set-option -g status-right-length 80 }}\n\
         # A message and a bell when an agent on this server starts waiting for you.\n\
         set-option -g @cxs-alert on\n",
        exec = prompt("cxs exec:", "exec"),
        repl = prompt("cxs repl:", "repl --attach"),
    );
    std::io::stdout().lock().write_all(snippet.as_bytes())?;
    Ok(())
}
