//! The only place that runs git: the worktree a `--worktree` session works in, what its agent
//! changed there, and bringing that back. Errors carry git's own message.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// A session's git worktree, as its sidecar records it: enough to review, merge and remove it
/// after a reboot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worktree {
    /// The checkout the worktree was made from (its top level).
    pub repo: PathBuf,
    /// The worktree's directory, `CXS_HOME/worktrees/ID`.
    pub path: PathBuf,
    /// The branch the agent works on.
    pub branch: String,
    /// The commit the branch started from, in full.
    pub base: String,
    /// The branch's tip when `cxs merge --squash` last brought it in: its commits are then
    /// held by the squash, though no branch holds them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub squashed: Option<String>,
}

/// What an agent changed against its base, committed or not, in lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiffStat {
    /// Lines added.
    pub added: u64,
    /// Lines removed.
    pub removed: u64,
}

/// What deleting a worktree would lose.
#[derive(Debug, Default)]
pub struct AtRisk {
    /// Paths with uncommitted changes, untracked files included.
    pub uncommitted: Vec<String>,
    /// Commits on the session's branch that no other branch, remote branch or tag holds.
    pub unmerged: Vec<String>,
}

impl AtRisk {
    /// Whether nothing would be lost.
    pub fn is_empty(&self) -> bool {
        self.uncommitted.is_empty() && self.unmerged.is_empty()
    }
}

/// The git binary.
#[derive(Debug, Clone)]
pub struct Git {
    bin: PathBuf,
}

impl Git {
    /// `git` found on PATH.
    pub fn find() -> Result<Git> {
        let bin = which::which("git").context("cannot find git on PATH (worktrees need it)")?;
        Ok(Git { bin })
    }

    /// The top level of the checkout `dir` is in, and `dir`'s path below it.
    pub fn checkout(&self, dir: &Path) -> Result<(PathBuf, PathBuf)> {
        let out = self
            .read(dir, ["rev-parse", "--show-toplevel", "--show-prefix"])
            .with_context(|| format!("'{}' is not in a git repository", dir.display()))?;
        let mut lines = out.lines();
        let top = lines.next().context("git rev-parse printed no top level")?;
        let prefix = lines.next().unwrap_or_default();
        Ok((PathBuf::from(top), PathBuf::from(prefix)))
    }

    /// The full id of the commit `rev` names in `repo`.
    pub fn commit(&self, repo: &Path, rev: &str) -> Result<String> {
        let spec = format!("{rev}^{{commit}}");
        let out = self.read(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", &spec]);
        match out {
            Ok(id) if !id.trim().is_empty() => Ok(id.trim().to_owned()),
            _ => bail!("'{rev}' does not name a commit in {}", repo.display()),
        }
    }

    /// Makes `worktree.path` a worktree of `worktree.repo` on a new branch from its base.
    pub fn add_worktree(&self, worktree: &Worktree) -> Result<()> {
        let Worktree { repo, path, branch, base, .. } = worktree;
        let args: [&OsStr; 6] = [
            "worktree".as_ref(),
            "add".as_ref(),
            "--quiet".as_ref(),
            "-b".as_ref(),
            branch.as_ref(),
            path.as_ref(),
        ];
        self.read(repo, args.into_iter().chain([base.as_ref()]))
            .with_context(|| format!("cannot create a worktree of {}", repo.display()))?;
        Ok(())
    }

    /// Carries the uncommitted changes of the checkout at `from` (tracked ones, and untracked
    /// files git does not ignore) into the worktree at `to`.
    pub fn carry_dirty(&self, from: &Path, to: &Path) -> Result<()> {
        // `stash create` records the changes as a commit without touching the checkout.
        let stash = self.read(from, ["stash", "create"])?;
        let stash = stash.trim();
        if !stash.is_empty() {
            self.read(to, ["stash", "apply", "--quiet", stash])
                .context("cannot apply the uncommitted changes in the worktree")?;
        }
        let untracked = self.read(from, ["ls-files", "-z", "--others", "--exclude-standard"])?;
        for file in untracked.split('\0').filter(|f| !f.is_empty()) {
            // A repository nested in the checkout is listed as a directory: it is not the
            // checkout's own change.
            if file.ends_with('/') {
                eprintln!("cxs: not carried into the worktree: {file} (a repository of its own)");
                continue;
            }
            copy_file(&from.join(file), &to.join(file))?;
        }
        Ok(())
    }

    /// Removes the worktree (`--force`: even with changes) and what git keeps of it.
    pub fn remove_worktree(&self, worktree: &Worktree, force: bool) -> Result<()> {
        let mut args: Vec<&OsStr> = vec!["worktree".as_ref(), "remove".as_ref()];
        if force {
            // Twice: also a worktree that is locked.
            args.extend([OsStr::new("--force"), OsStr::new("--force")]);
        }
        args.push(worktree.path.as_ref());
        let removed = self.read(&worktree.repo, args);
        let _ = self.read(&worktree.repo, ["worktree", "prune"]);
        removed.with_context(|| format!("cannot remove worktree {}", worktree.path.display()))?;
        Ok(())
    }

    /// Deletes the session's branch, which must hold nothing that no other branch does.
    pub fn delete_branch(&self, worktree: &Worktree) -> Result<()> {
        self.read(&worktree.repo, ["branch", "-D", "--quiet", &worktree.branch])
            .with_context(|| format!("cannot delete branch '{}'", worktree.branch))?;
        Ok(())
    }

    /// Deletes the session's branch only if it still points at `tip` (where it was when
    /// checked): a commit made since is never lost.
    pub fn delete_branch_at(&self, worktree: &Worktree, tip: &str) -> Result<()> {
        let branch = format!("refs/heads/{}", worktree.branch);
        self.read(&worktree.repo, ["update-ref", "-d", &branch, tip]).with_context(|| {
            format!("branch '{}' kept: it moved since it was checked", worktree.branch)
        })?;
        Ok(())
    }

    /// The commit the session's branch points at now.
    pub fn tip(&self, worktree: &Worktree) -> Result<String> {
        self.commit(&worktree.repo, &format!("refs/heads/{}", worktree.branch))
    }

    /// What the agent changed against its base: commits and the worktree's uncommitted changes
    /// to tracked files (one git call).
    pub fn diff_stat(&self, worktree: &Worktree) -> Result<DiffStat> {
        let out = self.read(&worktree.path, ["diff", "--numstat", "-z", &worktree.base])?;
        let mut stat = DiffStat::default();
        // Each record is `added\tremoved\tpath`; a rename's paths follow in records of their
        // own, and a binary file counts `-`.
        for record in out.split('\0') {
            let mut fields = record.split('\t');
            if let (Some(a), Some(r), Some(_)) = (fields.next(), fields.next(), fields.next()) {
                stat.added += a.parse::<u64>().unwrap_or(0);
                stat.removed += r.parse::<u64>().unwrap_or(0);
            }
        }
        Ok(stat)
    }

    /// What removing the worktree, and its branch, would lose.
    pub fn at_risk(&self, worktree: &Worktree) -> Result<AtRisk> {
        let uncommitted = self.uncommitted(worktree)?;
        let mut unmerged = self.unmerged(worktree)?;
        if !unmerged.is_empty() && worktree.squashed.is_some() {
            let tip = self.tip(worktree)?;
            if worktree.squashed.as_ref() == Some(&tip) {
                unmerged.clear();
            }
        }
        Ok(AtRisk { uncommitted, unmerged })
    }

    /// The worktree's paths with uncommitted changes, untracked files included.
    pub fn uncommitted(&self, worktree: &Worktree) -> Result<Vec<String>> {
        let status = self.read(&worktree.path, ["status", "--porcelain", "-z", "-uall"])?;
        Ok(paths(&status))
    }

    /// Commits on the session's branch that no other branch, remote branch or tag holds.
    pub fn unmerged(&self, worktree: &Worktree) -> Result<Vec<String>> {
        let branch = format!("refs/heads/{}", worktree.branch);
        // Patterns for `--branches` name branches without `refs/heads/`; a branch name holds
        // no glob characters.
        let exclude = format!("--exclude={}", worktree.branch);
        let out = self.read(
            &worktree.repo,
            [
                "log",
                "--format=%h %s",
                &branch,
                "--not",
                &exclude,
                "--branches",
                "--remotes",
                "--tags",
                "--",
            ],
        )?;
        Ok(out.lines().map(str::to_owned).collect())
    }

    /// Runs git in `dir` with the user's terminal, pager and colours (for `cxs diff`), on a
    /// copy of the worktree's index in which files the agent never added are marked as
    /// intended, so they show as new files. The real index is not touched.
    pub fn show_diff(&self, worktree: &Worktree, options: &[&str]) -> Result<i32> {
        let index = self
            .read(&worktree.path, ["rev-parse", "--path-format=absolute", "--git-path", "index"])?;
        let scratch = tempfile::tempdir().context("cannot create a temporary index")?;
        let scratch_path = scratch.path().join("index");
        match std::fs::copy(index.trim(), &scratch_path) {
            Ok(_) => {}
            // A worktree with no index yet: git makes the scratch one (an empty file it would
            // refuse).
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).context("cannot copy the worktree's index"),
        }
        let scratch_index = Some(scratch_path.as_path());
        let intend = ["add", "--intent-to-add", "--all", "--", "."];
        self.command_on_index(&worktree.path, intend, scratch_index)
            .stdout_null()
            .stderr_capture()
            .unchecked()
            .run()
            .context("cannot run git add")?;
        let mut args: Vec<&str> = vec!["diff"];
        args.extend(options);
        args.extend([worktree.base.as_str(), "--"]);
        let status = self
            .command_on_index(&worktree.path, args, scratch_index)
            .unchecked()
            .run()
            .context("cannot run git diff")?
            .status;
        Ok(status.code().unwrap_or(1))
    }

    /// The branch checked out at `dir`, or `None` on a detached HEAD.
    pub fn current_branch(&self, dir: &Path) -> Result<Option<String>> {
        let out = self.run(dir, ["symbolic-ref", "--quiet", "--short", "HEAD"])?;
        Ok(out.ok().map(|name| name.trim().to_owned()))
    }

    /// Where `branch` is checked out among `repo`'s worktrees, if anywhere.
    pub fn checkout_of(&self, repo: &Path, branch: &str) -> Result<Option<PathBuf>> {
        let out = self.read(repo, ["worktree", "list", "--porcelain", "-z"])?;
        let wanted = format!("branch refs/heads/{branch}");
        let mut path = None;
        for field in out.split('\0') {
            if let Some(at) = field.strip_prefix("worktree ") {
                path = Some(PathBuf::from(at));
            } else if field == wanted {
                return Ok(path);
            }
        }
        Ok(None)
    }

    /// Paths with uncommitted changes to tracked files at `dir`.
    pub fn changed_tracked(&self, dir: &Path) -> Result<Vec<String>> {
        let out = self.read(dir, ["status", "--porcelain", "-z", "--untracked-files=no"])?;
        Ok(paths(&out))
    }

    /// The files merging `branch` into `into` would conflict in, found without touching any
    /// checkout (`git merge-tree`).
    pub fn conflicts(&self, repo: &Path, into: &str, branch: &str) -> Result<Vec<String>> {
        let args = ["merge-tree", "--write-tree", "--name-only", "--no-messages", into, branch];
        match self.run(repo, args)? {
            Ok(_) => Ok(Vec::new()),
            // Exit status 1: the tree's id, then the conflicted files, a line each.
            Err((1, out)) => Ok(out.lines().skip(1).map(str::to_owned).collect()),
            Err((_, message)) => bail!("git merge-tree: {message}"),
        }
    }

    /// `git -C dir ARGS`: its standard output when it succeeds, else its exit status and
    /// its standard output (what `merge-tree` reports conflicts on) or, when that is empty,
    /// its message.
    #[allow(clippy::type_complexity)] // one call's two outcomes, read at once by the caller
    pub fn run<I, S>(
        &self,
        dir: &Path,
        args: I,
    ) -> Result<std::result::Result<String, (i32, String)>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self
            .command(dir, args)
            .stdout_capture()
            .stderr_capture()
            .unchecked()
            .run()
            .with_context(|| format!("cannot run {}", self.bin.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            return Ok(Ok(stdout));
        }
        let text = if stdout.trim().is_empty() {
            String::from_utf8_lossy(&out.stderr).trim().lines().collect::<Vec<_>>().join("; ")
        } else {
            stdout
        };
        Ok(Err((out.status.code().unwrap_or(1), text)))
    }

    /// `git -C dir ARGS`, its standard output as text, or an error carrying git's message.
    pub fn read<I, S>(&self, dir: &Path, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        // The subcommand names the call well enough; its arguments would bury git's message.
        let shown = args.first().map(|a| a.to_string_lossy().into_owned()).unwrap_or_default();
        let out = self
            .command(dir, &args)
            .stdout_capture()
            .stderr_capture()
            .unchecked()
            .run()
            .with_context(|| format!("cannot run {}", self.bin.display()))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let message = stderr.trim().lines().collect::<Vec<_>>().join("; ");
            bail!("git {shown}: {}", if message.is_empty() { "failed" } else { &message });
        }
        String::from_utf8(out.stdout)
            .with_context(|| format!("git {shown} printed text that is not UTF-8"))
    }

    /// `git -C dir ARGS`, with the variables that would point git at another repository
    /// (set when cxs runs inside a git hook) taken out.
    pub fn command<I, S>(&self, dir: &Path, args: I) -> duct::Expression
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command_on_index(dir, args, None)
    }

    /// [`Git::command`] on the index file `index` instead of the worktree's own.
    fn command_on_index<I, S>(&self, dir: &Path, args: I, index: Option<&Path>) -> duct::Expression
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        // Never take the index's lock just to refresh it: the agent may be running git in
        // the same worktree, and would find the lock held.
        let mut argv: Vec<OsString> = vec!["--no-optional-locks".into(), "-C".into(), dir.into()];
        argv.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        let expr = ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_PREFIX"]
            .into_iter()
            .fold(duct::cmd(&self.bin, argv), |expr, var| expr.env_remove(var));
        // Set here, on the command itself: an outer expression's variable would lose to
        // the inner removal.
        match index {
            Some(index) => expr.env("GIT_INDEX_FILE", index),
            None => expr.env_remove("GIT_INDEX_FILE"),
        }
    }
}

/// The paths of `git status --porcelain -z`: each entry is `XY path`, and a rename's or
/// copy's source path follows as an entry of its own.
fn paths(status: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut entries = status.split('\0').filter(|e| !e.is_empty());
    while let Some(entry) = entries.next() {
        paths.push(entry.get(3..).unwrap_or(entry).to_owned());
        if entry.starts_with('R') || entry.starts_with('C') {
            entries.next();
        }
    }
    paths
}

/// Copies `from` to `to`, creating `to`'s directories; a symlink is copied as a link.
pub fn copy_file(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let meta = std::fs::symlink_metadata(from)
        .with_context(|| format!("cannot read {}", from.display()))?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(from)?;
        std::os::unix::fs::symlink(target, to)
            .with_context(|| format!("cannot create {}", to.display()))?;
    } else {
        std::fs::copy(from, to)
            .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    }
    Ok(())
}
