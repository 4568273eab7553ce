//! `new --worktree`: the git worktree a session's agent works in, made whole (branch, carried
//! changes, copied files, set-up) or not at all.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::config::{Config, RepoConfig, RepoFile};
use crate::git::{self, Git, Worktree};
use crate::store::{SessionId, Sidecar, Store};

/// What `new` asks for.
pub struct Request<'a> {
    /// A directory in the repository to branch from (`-C`, else the current one).
    pub dir: &'a Path,
    /// The new branch's name (default `cxs/ID`).
    pub branch: Option<&'a str>,
    /// What the branch starts from (default `HEAD`).
    pub base: Option<&'a str>,
    /// Carry the checkout's uncommitted changes over.
    pub include_dirty: bool,
}

/// Makes session `id`'s worktree and returns it with the agent's working directory in it
/// (where `dir` is in the checkout); whatever fails removes all it made.
pub fn create(
    git: &Git,
    store: &Store,
    config: &Config,
    id: &SessionId,
    request: &Request<'_>,
) -> Result<(Worktree, PathBuf)> {
    let (repo, below) = git.checkout(request.dir)?;
    let base = git.commit(&repo, request.base.unwrap_or("HEAD"))?;
    let branch = request.branch.map_or_else(|| format!("cxs/{id}"), str::to_owned);
    let path = store.worktree(id)?;
    let worktree = Worktree { repo, path, branch, base, squashed: None };
    if let Err(err) = git.add_worktree(&worktree) {
        // git may have made the branch before the checkout failed; a branch that still
        // points at the base holds nothing, and goes (one that existed before made git
        // refuse at once, and is left alone).
        if !err.to_string().contains("already exists")
            && git.tip(&worktree).is_ok_and(|tip| tip == worktree.base)
        {
            let _ = git.delete_branch(&worktree);
        }
        return Err(err);
    }
    let prepared = prepare(git, config, &worktree, request);
    if let Err(err) = prepared {
        discard(git, &worktree);
        return Err(err);
    }
    // `join("")` would add a trailing slash.
    let cwd = if below.as_os_str().is_empty() {
        worktree.path.clone()
    } else {
        worktree.path.join(below)
    };
    Ok((worktree, cwd))
}

/// Session `id`'s worktree, or an error that says it has none; one whose directory or
/// repository is gone is an error that says so.
pub fn of<'a>(id: &str, sidecar: &'a Sidecar) -> Result<&'a Worktree> {
    let Some(tree) = &sidecar.worktree else {
        bail!("session '{id}' has no worktree (it was started without --worktree)");
    };
    if !tree.repo.is_dir() {
        bail!(
            "session '{id}': its repository {} is gone (moved or deleted); `cxs delete --force {id}` removes cxs's side",
            tree.repo.display()
        );
    }
    if !tree.path.is_dir() {
        bail!("session '{id}': its worktree {} is gone", tree.path.display());
    }
    Ok(tree)
}

/// Removes a worktree that `create` made and nothing was done in, with its branch.
pub fn discard(git: &Git, worktree: &Worktree) {
    let _ = git.remove_worktree(worktree, true);
    let _ = git.delete_branch(worktree);
    // What git could not remove (it never knew the directory) goes too: it is cxs's own.
    let _ = std::fs::remove_dir_all(&worktree.path);
}

/// Carries changes over, copies the configured files and runs the set-up, in that order.
fn prepare(git: &Git, config: &Config, worktree: &Worktree, request: &Request<'_>) -> Result<()> {
    if request.include_dirty {
        git.carry_dirty(&worktree.repo, &worktree.path)?;
    }
    let settings = settings(config, worktree)?;
    for file in &settings.copy {
        copy(&worktree.repo, &worktree.path, file)?;
    }
    if let Some(setup) = &settings.setup {
        run_setup(setup, &worktree.path)?;
    }
    Ok(())
}

/// The user's settings for the repository, with its `.cxs.toml` (as committed at the base)
/// added: its files are copied, its set-up runs only if the user trusts the repository.
fn settings(config: &Config, worktree: &Worktree) -> Result<RepoConfig> {
    let repo = resolved(&worktree.repo);
    let mut settings = config
        .repos
        .iter()
        .find(|(key, _)| resolved(&crate::config::expand_home(Path::new(key))) == repo)
        .map(|(_, settings)| settings.clone())
        .unwrap_or_default();
    if let Some(file) = RepoFile::load(&worktree.path)? {
        settings.copy.extend(file.copy);
        match (&settings.setup, file.setup) {
            (Some(_), _) | (None, None) => {}
            (None, Some(setup)) if settings.trust => settings.setup = Some(setup),
            (None, Some(setup)) => eprintln!(
                "cxs: not running the set-up of {}'s .cxs.toml ({}): trust it with `trust = true` \
                 under [repos.\"{}\"] in your config",
                worktree.repo.display(),
                setup.join(" "),
                worktree.repo.display()
            ),
        }
    }
    Ok(settings)
}

/// Copies `file` (relative to the checkout's top, and inside it) into the worktree.
fn copy(repo: &Path, worktree: &Path, file: &Path) -> Result<()> {
    let inside = file.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside {
        bail!("cannot copy '{}': copy takes paths inside the repository", file.display());
    }
    let from = repo.join(file);
    if std::fs::symlink_metadata(&from).is_err() {
        eprintln!("cxs: not copied into the worktree, missing: {}", file.display());
        return Ok(());
    }
    // A directory on the way that is a link could lead anywhere: follow none out of the repository.
    let real = from.parent().map(resolved).unwrap_or_default();
    if !real.starts_with(resolved(repo)) {
        bail!("cannot copy '{}': it leads out of the repository", file.display());
    }
    copy_tree(&from, &worktree.join(file))
}

/// Copies a file, a link, or a directory with all it holds.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let meta = std::fs::symlink_metadata(from)
        .with_context(|| format!("cannot read {}", from.display()))?;
    if !meta.is_dir() {
        return git::copy_file(from, to);
    }
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
        copy_tree(&entry.path(), &to.join(entry.file_name()))?;
    }
    Ok(())
}

/// Runs the set-up command in the worktree, its output on standard error (standard output is
/// the session's id alone).
fn run_setup(setup: &[String], dir: &Path) -> Result<()> {
    let (program, args) = setup.split_first().context("setup is empty")?;
    let shown = setup.join(" ");
    let status = duct::cmd(program, args)
        .dir(dir)
        .stdout_to_stderr()
        .unchecked()
        .run()
        .with_context(|| format!("cannot run the worktree's set-up `{shown}`"))?
        .status;
    if !status.success() {
        bail!("the worktree's set-up `{shown}` failed ({status}); nothing was kept");
    }
    Ok(())
}

/// `path` through its symlinks, or as it is when it does not exist.
fn resolved(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}
